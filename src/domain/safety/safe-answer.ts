import { normaliseForMatching } from './normalise.ts';

/**
 * Reading the answers to the protocol's direct questions (CLINICAL.md §3): "Tenker du på å ta livet
 * ditt?" (Ja / Nei / Vet ikke) and "Er du i fare akkurat nå?" (Ja / Nei), from a pressed button, a typed
 * number of an offered choice, or typed words in nb, nn and en. Only whole answers count: a message is
 * compared as a whole after folding, so "nei" is an answer and "nei men jeg vil dø" is not. Anything that
 * is not a clear answer is `undefined`, which the protocol treats as not safe.
 */

export type ThoughtsAnswer = 'yes' | 'no' | 'unsure';
export type DangerAnswer = 'yes' | 'no';

/** Button values, stable across locales (stored in transcripts). */
export const THOUGHTS_CHOICES = ['thoughts_yes', 'thoughts_no', 'thoughts_unsure'] as const;
export const DANGER_CHOICES = ['danger_yes', 'danger_no'] as const;

const set = (list: readonly string[]) => new Set(list.map(normaliseForMatching));

const YES = ['ja', 'jo', 'jepp', 'japp', 'ja da', 'yes', 'yeah', 'yep', 'yea', 'y', 'j'];
const NO = ['nei', 'nope', 'no', 'nah', 'n', 'noi', 'nej', 'nei da', 'neida'];
const UNSURE = [
  'vet ikke',
  'veit ikke',
  'vet ikkje',
  'veit ikkje',
  'veit ikkje heilt',
  'vet ikke helt',
  'usikker',
  'kanskje',
  'tja',
  'vetikke',
  'dont know',
  'i dont know',
  'idk',
  'not sure',
  'unsure',
  'maybe',
];

const THOUGHTS_YES = set([
  ...YES,
  'ja det gjør jeg',
  'ja jeg gjør det',
  'ja eg gjer det',
  'ja litt',
  'ja hele tiden',
  'yes i am',
  'yes i do',
  'i am',
]);
const THOUGHTS_NO = set([
  ...NO,
  'nei det gjør jeg ikke',
  'nei jeg gjør ikke det',
  'nei eg gjer ikkje det',
  'nei ikke nå',
  'ikke nå',
  'nei ikkje no',
  'nei absolutt ikke',
  'no i am not',
  'no im not',
  'no i dont',
  'not now',
  'no not now',
]);
const THOUGHTS_UNSURE = set(UNSURE);

const DANGER_YES = set([
  ...YES,
  'ja jeg er i fare',
  'ja eg er i fare',
  'jeg er i fare',
  'eg er i fare',
  'ikke trygg',
  'ikkje trygg',
  'jeg er ikke trygg',
  'eg er ikkje trygg',
  'utrygg',
  'yes i am',
  'i am in danger',
  'im in danger',
  'not safe',
  'im not safe',
  'i am not safe',
  'unsafe',
]);
const DANGER_NO = set([
  ...NO,
  'nei jeg er ikke i fare',
  'nei eg er ikkje i fare',
  'nei jeg er trygg',
  'nei eg er trygg',
  'no i am not',
  'no im not',
  'no im safe',
  'no i am safe',
]);

/**
 * A statement at any point in safety mode that the client is safe now ("jeg er trygg nå"). It ends
 * safety mode: the client is never trapped in it.
 */
const SAFE_NOW = set([
  'jeg er trygg',
  'jeg er trygg nå',
  'jeg er trygg nå takk',
  'er trygg nå',
  'trygg nå',
  'eg er trygg',
  'eg er trygg no',
  'e e trygg',
  'æ e trygg',
  'æ e trygg no',
  'jeg er ikke i fare',
  'jeg er ikke i fare nå',
  'eg er ikkje i fare',
  'jeg er ok nå',
  'jeg har det ok nå',
  'jeg er i sikkerhet',
  'i am safe',
  'im safe',
  'i am safe now',
  'im safe now',
  'i feel safe now',
  'i am not in danger',
  'im not in danger',
  'im ok now',
  'i am ok now',
]);

function typedChoice(text: string, count: number): number | undefined {
  const match = /^\s*([1-9])\s*[.)]?\s*$/.exec(text);
  if (!match) return undefined;
  const position = Number(match[1]);
  return position <= count ? position : undefined;
}

export function parseThoughtsAnswer(input: { text?: string; value?: string }): ThoughtsAnswer | undefined {
  if (input.value === 'thoughts_yes') return 'yes';
  if (input.value === 'thoughts_no') return 'no';
  if (input.value === 'thoughts_unsure') return 'unsure';
  const typed = typedChoice(input.text ?? '', THOUGHTS_CHOICES.length);
  if (typed !== undefined) return (['yes', 'no', 'unsure'] as const)[typed - 1];
  const text = normaliseForMatching(input.text ?? '');
  if (THOUGHTS_UNSURE.has(text)) return 'unsure';
  if (THOUGHTS_YES.has(text)) return 'yes';
  if (THOUGHTS_NO.has(text)) return 'no';
  return undefined;
}

export function parseDangerAnswer(input: { text?: string; value?: string }): DangerAnswer | undefined {
  if (input.value === 'danger_yes') return 'yes';
  if (input.value === 'danger_no') return 'no';
  const typed = typedChoice(input.text ?? '', DANGER_CHOICES.length);
  if (typed !== undefined) return (['yes', 'no'] as const)[typed - 1];
  const text = normaliseForMatching(input.text ?? '');
  if (DANGER_YES.has(text)) return 'yes';
  if (DANGER_NO.has(text)) return 'no';
  return undefined;
}

/** "Jeg er trygg nå" and its kin, as a whole message: ends safety mode from any question. */
export function isSafeNowStatement(text: string | undefined): boolean {
  return SAFE_NOW.has(normaliseForMatching(text ?? ''));
}
