import type { AnswerValue } from './instruments/types.ts';
import { normaliseForMatching } from './safety/normalise.ts';

/**
 * Parses a free-text answer to a PHQ/GAD frequency question into 0..3, or undefined when the text is
 * not clearly one answer (the caller then asks again; a re-ask is cheap, a wrong score is not).
 *
 * Accepted:
 * - a single digit 0..3 alone, with any punctuation or spaces around ("2", " (2) ", "2.", "2️⃣");
 * - one of the answer wordings below in Bokmål, Nynorsk or English, in any case, with or without
 *   æ/ø/å or their keyboard spellings (ae/oe/aa), with doubled letters or spaces missing or added
 *   ("nestenhver dag", "more than half", "IKKE I DET HELE TATT!");
 * - a small typo (one edit, two for long wordings) when only one wording is that close;
 * - a digit together with a wording that agrees ("2 - mer enn halvparten"). A digit that disagrees
 *   with the words, two numbers, a negative number, or a digit with other words ("2 dager") is undefined.
 */
export function parseAnswer(text: string): AnswerValue | undefined {
  // A minus glued to a digit is a negative number, not an answer ("-1" must not read as 1).
  if (/(^|\s)[-−]\d/.test(text)) return undefined;
  const normalised = normaliseForMatching(text);
  if (normalised === '') return undefined;
  const tokens = normalised.split(' ');
  const numbers = tokens.filter((token) => /^[0-9]+$/.test(token));
  const words = tokens.filter((token) => !/^[0-9]+$/.test(token)).join(' ');
  if (numbers.length > 1) return undefined;
  if (numbers.length === 1) {
    const digit = toAnswerValue(numbers[0]!);
    if (digit === undefined) return undefined;
    if (words === '') return digit;
    return parseWords(words) === digit ? digit : undefined;
  }
  return parseWords(words);
}

function toAnswerValue(token: string): AnswerValue | undefined {
  return token === '0' || token === '1' || token === '2' || token === '3'
    ? (Number(token) as AnswerValue)
    : undefined;
}

/**
 * Wordings per value. Besides the official answer texts (nb NFKT and en original) this holds the
 * Nynorsk forms, the spoken short forms and a few near-synonyms that can only mean one option.
 * Vaguer words ("sometimes", "av og til", "ofte") are left out on purpose: they do not map to one option.
 */
const WORDINGS: Readonly<Record<AnswerValue, readonly string[]>> = {
  0: [
    'ikke i det hele tatt',
    'ikke i hele tatt',
    'ikke',
    'aldri',
    'ingen dager',
    'ikkje i det heile tatt',
    'ikkje i det heile teke',
    'ikkje i det heile',
    'ikkje',
    'ingen dagar',
    'not at all',
    'never',
    'none',
    'no days',
    'null',
    'zero',
  ],
  1: ['noen dager', 'noen få dager', 'nokre dagar', 'nokon dagar', 'several days', 'some days', 'a few days'],
  2: [
    'mer enn halvparten av dagene',
    'mer enn halvparten',
    'mer enn halve tiden',
    'meir enn halvparten av dagane',
    'meir enn halvparten',
    'more than half the days',
    'more than half of the days',
    'more than half',
  ],
  3: [
    'nesten hver dag',
    'nesten hver eneste dag',
    'hver dag',
    'hver eneste dag',
    'nesten kvar dag',
    'kvar dag',
    'nearly every day',
    'almost every day',
    'nearly everyday',
    'every day',
    'everyday',
  ],
};

/** Wordings folded and with spaces removed, so "nesten hverdag" and "nestenhver dag" both match. */
const COMPACT_WORDINGS: readonly { readonly compact: string; readonly value: AnswerValue }[] = (
  Object.entries(WORDINGS) as unknown as [string, readonly string[]][]
).flatMap(([value, wordings]) =>
  wordings.map((wording) => ({
    compact: compact(normaliseForMatching(wording)),
    value: Number(value) as AnswerValue,
  })),
);

function compact(normalised: string): string {
  return normalised.replace(/ /g, '');
}

function parseWords(words: string): AnswerValue | undefined {
  const input = compact(words);
  if (input === '') return undefined;
  const exact = COMPACT_WORDINGS.find((wording) => wording.compact === input);
  if (exact) return exact.value;
  const close = new Set(
    COMPACT_WORDINGS.filter(
      (wording) => editDistance(input, wording.compact) <= allowedTypos(wording.compact.length),
    ).map((wording) => wording.value),
  );
  return close.size === 1 ? [...close][0] : undefined;
}

/**
 * Short wordings must match exactly ("ike" vs "ikje" differ by one letter but are both 0; "hver dag"
 * must never be reached from "ikke hver dag", which is three edits away).
 */
function allowedTypos(length: number): number {
  if (length < 7) return 0;
  if (length < 12) return 1;
  return 2;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
