import { normaliseForMatching } from './normalise.ts';

/**
 * Crisis phrase syntax. A phrase is words separated by spaces, folded with normaliseForMatching:
 * - `*` on its own is one optional word of any kind: "vil ikke * leve" matches "vil ikke leve" and
 *   "vil ikke lenger leve". It may not start or end a phrase nor follow another `*`.
 * - A word ending in `*` matches any word that starts with it: "selvmord*" matches "selvmord",
 *   "selvmordet" and "selvmordstanker". At least 4 letters must come before the `*`.
 * A phrase matches only whole words (it starts and ends on a word boundary), but spaces inside and
 * between its words are optional, so "selvmord" also matches "selv mord" and "self harm" "selfharm".
 */

const ANY_WORD = '*';
const MIN_PREFIX_LETTERS = 4;

type Part =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'any' };

/** The reasons a phrase is malformed; empty when it is fine. */
export function phraseProblems(phrase: string): readonly string[] {
  const parts = toParts(phrase);
  const problems: string[] = [];
  if (!parts.some((part) => part.kind !== 'any' && part.text !== ''))
    problems.push('has no letters or digits');
  if (parts[0]?.kind === 'any' || parts.at(-1)?.kind === 'any')
    problems.push('"*" may not start or end a phrase');
  if (parts.some((part, index) => part.kind === 'any' && parts[index + 1]?.kind === 'any')) {
    problems.push('"*" may not follow another "*"');
  }
  for (const part of parts) {
    if (part.kind === 'prefix' && part.text.replace(/ /g, '').length < MIN_PREFIX_LETTERS) {
      problems.push(`a prefix needs at least ${MIN_PREFIX_LETTERS} letters before "*"`);
    }
    if (part.kind !== 'any' && part.text.includes('*'))
      problems.push('"*" may only stand alone or end a word');
  }
  return problems;
}

/** The folded form of a phrase, used to find duplicates ("døden" and "doeden" are the same phrase). */
export function foldPhrase(phrase: string): string {
  return toParts(phrase)
    .map((part) =>
      part.kind === 'any' ? ANY_WORD : part.kind === 'prefix' ? `${part.text}${ANY_WORD}` : part.text,
    )
    .join(' ');
}

/**
 * A regular expression over normalised text. Check phrases with phraseProblems first; a malformed phrase
 * still compiles (it never throws) but may match less than intended.
 */
export function compilePhrase(phrase: string): RegExp {
  let source = '';
  for (const [index, part] of toParts(phrase).entries()) {
    if (part.kind === 'any') {
      source += '(?: [a-z0-9]+)?';
      continue;
    }
    if (index > 0) source += ' ?';
    source += letters(part.text);
    if (part.kind === 'prefix') source += '[a-z0-9]*';
  }
  return new RegExp(`(?:^| )${source}(?= |$)`);
}

/**
 * Letters that any text matching the phrase contains back to back once its spaces are removed: those of
 * the phrase's first word. Spaces are the only thing a pattern allows between letters, so a text whose
 * spaceless form lacks them cannot match, and the pattern need not run (most texts skip every pattern).
 */
export function phraseNeedle(phrase: string): string {
  const first = toParts(phrase).find((part) => part.kind !== 'any');
  return first?.kind === 'word' || first?.kind === 'prefix' ? first.text.replace(/ /g, '') : '';
}

function letters(text: string): string {
  // Folded text is [a-z0-9] only; escaping keeps even an unvalidated phrase from breaking the pattern.
  return [...text.replace(/ /g, '')].map((char) => char.replace(/[^a-z0-9]/, '\\$&')).join(' ?');
}

function toParts(phrase: string): readonly Part[] {
  return phrase
    .trim()
    .split(/\s+/)
    .map((word): Part => {
      if (word === ANY_WORD) return { kind: 'any' };
      if (word.endsWith(ANY_WORD)) return { kind: 'prefix', text: fold(word.slice(0, -1)) };
      return { kind: 'word', text: fold(word) };
    })
    .filter((part) => part.kind !== 'word' || part.text !== '');
}

/** Folds one word, keeping any `*` inside it visible so that phraseProblems can reject it. */
function fold(word: string): string {
  return word
    .split(ANY_WORD)
    .map((piece) => normaliseForMatching(piece))
    .join(ANY_WORD);
}
