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
    }
  | { readonly kind: 'any'; readonly gapBefore: number | undefined }
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
  for (const [index, part] of parts.entries()) {
    const gap = /^(?:\.\.\.|…)([1-9])?$/.exec(part);
    if (gap) {
      if (elements.length === 0 || gapBefore !== 0) return fail('"..." must stand between two parts');
      gapBefore = gap[1] === undefined ? undefined : Number(gap[1]);
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
      elements.push({ kind: 'any', gapBefore });
      gapBefore = 0;
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
    elements.push({ kind: 'options', options, optional, gapBefore });
    gapBefore = 0;
  }
  if (gapBefore !== 0) return fail('"..." must stand between two parts');
  if (elements.length === 0) return fail('is empty');
  const last = elements.at(-1)!;
  if (last.kind === 'options' && last.optional) return fail('the last part may not be optional');
  return { ok: true, elements };
}
