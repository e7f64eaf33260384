import { normaliseForMatching } from './normalise.ts';

export type SafeAnswer = 'safe' | 'not_safe';

const words = (list: string[]) => new Set(list.map(normaliseForMatching));

const NOT_SAFE = words([
  '2',
  'nei',
  'no',
  'nope',
  'ikke',
  'ikkje',
  'ikke trygg',
  'ikkje trygg',
  'nei ikke trygg',
  'nei jeg er ikke trygg',
  'nei eg er ikkje trygg',
  'not safe',
  "no i'm not safe",
  'no i am not safe',
  'no im not',
]);
const SAFE = words([
  '1',
  'ja',
  'jo',
  'yes',
  'yeah',
  'yep',
  'trygg',
  'safe',
  'ja jeg er trygg',
  'ja eg er trygg',
  'jeg er trygg',
  'eg er trygg',
  'yes i am safe',
  "yes i'm safe",
  'i am safe',
  "i'm safe",
]);

/**
 * Reads an answer to "are you safe right now?": the pressed button, or typed yes/no words in nb, nn, en.
 * Anything else is undefined, and the conversation simply goes on: the client is never trapped here.
 */
export function parseSafeAnswer(input: { text?: string; value?: string }): SafeAnswer | undefined {
  if (input.value === 'safe' || input.value === 'not_safe') return input.value;
  const text = normaliseForMatching(input.text ?? '');
  if (NOT_SAFE.has(text)) return 'not_safe';
  if (SAFE.has(text)) return 'safe';
  return undefined;
}
