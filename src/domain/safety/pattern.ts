import { parseWord, type WordSpec } from './vocabulary.ts';

/**
 * Rule pattern syntax (content/safety-phrases/README.md). Parts are separated by spaces and must follow
 * one another directly, except where `...` stands between them:
 * - `@name`: any word or phrase of the concept `name` (in any language's lexicon);
 * - `word`, `word*`, `=word`: a literal word (see vocabulary.ts);
 * - `a|@b|c`: any one of these; a `?` at the end makes the part optional (`@self?`);
 * - `*`: any one word;
 * - `...`: up to `gap` other words (rules.json), never a negation and never across a sentence end;
 *   `...6` allows up to 6;
 * - `a|b + c|d`: two groups of alternative words in a row ("a or b, then c or d") must be joined by `+`:
 *   written without it ("a|b c|d") they look like the options "a", "b c", "d", so validation rejects them;
 * - `~`, `~6`: the same gap, but it may step over a negation ("i don't see a future", "kommer ikke hjem");
 *   for concern-tier safety nets only, where a negation does not make a message safe;
 * - `$`: only at the end: the clause ends here (a sentence end, a comma, an emoji or the end of the
 *   text), after nothing but words of the concepts `filler` and `laughter`; `@more|$` in the last part
 *   means "followed by @more, or the clause ends".
 */

export type PatternOption =
  | { readonly kind: 'concept'; readonly name: string }
  | { readonly kind: 'word'; readonly spec: WordSpec }
  | { readonly kind: 'end' };

export type PatternElement =
  | {
      readonly kind: 'options';
      readonly options: readonly PatternOption[];
      readonly optional: boolean;
      /** Words that may stand before this part: 0, or the `N` of `...N` (undefined: the rules' gap). */
      readonly gapBefore: number | undefined;
      /** The gap was written `~`: it may step over a negation. */
      readonly overNegation: boolean;
    }
  | { readonly kind: 'any'; readonly gapBefore: number | undefined; readonly overNegation: boolean }
  | { readonly kind: 'end' };

export type ParsedPattern =
  | { readonly ok: true; readonly elements: readonly PatternElement[] }
  | { readonly ok: false; readonly problem: string };

const END = '$';
const ANY = '*';
const CONCEPT_NAME = /^[a-z][a-z0-9_]*$/;

export function parsePattern(pattern: string): ParsedPattern {
  const fail = (problem: string): ParsedPattern => ({ ok: false, problem: `"${pattern}": ${problem}` });
  const parts = pattern
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '');
  const elements: PatternElement[] = [];
  let gapBefore: number | undefined = 0;
  let overNegation = false;
  let previousLiterals = false;
  let previousWords: readonly string[] = [];
  let sequence = false;
  for (const [index, part] of parts.entries()) {
    if (part === '+') {
      if (elements.length === 0 || gapBefore !== 0 || sequence || index === parts.length - 1)
        return fail('"+" must stand between two parts');
      sequence = true;
      continue;
    }
    if (sequence && /^(?:\.\.\.|…|~)[1-9]?$/.test(part)) return fail('"+" must stand between two parts');
    const gap = /^(\.\.\.|…|~)([1-9])?$/.exec(part);
    if (gap) {
      if (elements.length === 0 || gapBefore !== 0) return fail(`"${gap[1]}" must stand between two parts`);
      gapBefore = gap[2] === undefined ? undefined : Number(gap[2]);
      overNegation = gap[1] === '~';
      continue;
    }
    if (part === END) {
      if (index !== parts.length - 1 || elements.length === 0 || gapBefore !== 0) {
        return fail('"$" may only end a pattern, right after a part');
      }
      elements.push({ kind: 'end' });
      continue;
    }
    if (part === ANY) {
      if (elements.length === 0) return fail('"*" may not start a pattern');
      elements.push({ kind: 'any', gapBefore, overNegation });
      gapBefore = 0;
      overNegation = false;
      previousLiterals = false;
      previousWords = [];
      sequence = false;
      continue;
    }
    const optional = part.endsWith('?');
    const body = optional ? part.slice(0, -1) : part;
    const options: PatternOption[] = [];
    for (const option of body.split('|')) {
      if (option === END) {
        if (index !== parts.length - 1) return fail('"$" may only be in the last part');
        options.push({ kind: 'end' });
        continue;
      }
      if (option.startsWith('@')) {
        const name = option.slice(1);
        if (!CONCEPT_NAME.test(name)) return fail(`"${option}" is not a concept name (a-z, 0-9, _)`);
        options.push({ kind: 'concept', name });
        continue;
      }
      const word = parseWord(option);
      if ('problem' in word) return fail(word.problem);
      if (word.specs.length !== 1)
        return fail(`"${option}" is more than one word; use a concept for phrases`);
      options.push({ kind: 'word', spec: word.specs[0]! });
    }
    if (optional && elements.length === 0) return fail('the first part may not be optional');
    // "a|b c|d" reads as "a or b, then c or d"; written so it is almost always meant as the options "a",
    // "b c" and "d". Two such groups side by side must be separated by "..." or use a concept for phrases.
    const literals = options.filter((option) => option.kind === 'word').length >= 2;
    if (literals && previousLiterals && gapBefore === 0 && !sequence)
      return fail(
        `"${parts[index - 1]} ${part}" is ambiguous: two groups of alternative words side by side are read as one word of each in a row, never as phrases; put phrases in a concept, or write "+" between the groups to mean the sequence`,
      );
    // "bridge|the bridge" reads as "bridge or the, then bridge": a word of a group repeated right after it
    // is almost always a phrase written as an option.
    const words = options.flatMap((option) => (option.kind === 'word' ? [option.spec.text] : []));
    if (gapBefore === 0 && !sequence && words.some((word) => previousWords.includes(word)))
      return fail(
        `"${parts[index - 1]} ${part}": a word of the group before is repeated right after it; a phrase cannot be an option, put it in a concept`,
      );
    previousLiterals = literals;
    previousWords = words;
    sequence = false;
    elements.push({ kind: 'options', options, optional, gapBefore, overNegation });
    gapBefore = 0;
    overNegation = false;
  }
  if (gapBefore !== 0) return fail('"..." must stand between two parts');
  if (elements.length === 0) return fail('is empty');
  const last = elements.at(-1)!;
  if (last.kind === 'options' && last.optional) return fail('the last part may not be optional');
  return { ok: true, elements };
}
