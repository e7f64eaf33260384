import { normaliseForMatching } from './normalise.ts';

/**
 * Word matching for the safety lexicons and rules. A word as written in content/safety-phrases:
 * - `word`: that word once folded (normaliseForMatching); at 7 letters or more (folded) it also matches
 *   with one typo: a letter missing, added or wrong, or two neighbours swapped, but never the first letter;
 * - `word*`: any word that starts with it (at least 4 letters before the `*`), the start with one typo
 *   from 7 letters on;
 * - `=word`: exactly that word, no typo allowed.
 * A written "æ" also accepts "a" ("være" matches "vare"): people without a Norwegian keyboard write both.
 */

export const MIN_PREFIX_LETTERS = 4;
export const MIN_TYPO_LETTERS = 7;
/** Words shorter than this are never read as someone's typo: too many real words lie one edit apart. */
const MIN_TYPO_TOKEN = MIN_TYPO_LETTERS - 1;

export interface WordSpec {
  readonly kind: 'exact' | 'prefix';
  readonly text: string;
  readonly typos: boolean;
}

/** Splits one written word into the words it folds to (a hyphen folds to a space), or a reason it is bad. */
export function parseWord(
  written: string,
): { readonly specs: readonly WordSpec[] } | { readonly problem: string } {
  let body = written;
  const exact = body.startsWith('=');
  if (exact) body = body.slice(1);
  const prefix = body.endsWith('*');
  if (prefix) body = body.slice(0, -1);
  if (body.includes('*') || body.includes('='))
    return { problem: `"${written}": "*" only ends a word, "=" only starts it` };
  const folded = normaliseForMatching(body);
  if (folded === '') return { problem: `"${written}" has no letters or digits` };
  const parts = folded.split(' ');
  const last = parts.length - 1;
  if (prefix && parts[last]!.length < MIN_PREFIX_LETTERS) {
    return { problem: `"${written}": a prefix needs at least ${MIN_PREFIX_LETTERS} letters before "*"` };
  }
  return {
    specs: parts.map((text, index) => {
      const kind = prefix && index === last ? 'prefix' : 'exact';
      return { kind, text, typos: !exact && text.length >= MIN_TYPO_LETTERS };
    }),
  };
}

/**
 * The spellings to accept for a written phrase: as written, and with æ typed as a in its words of four
 * letters or more (a short word like "æ" or "jæ" typed with a is another word: "a", "ja").
 */
export function spellings(written: string): readonly string[] {
  const found = new Set<string>();
  for (const variant of dialectVariants(written.toLowerCase())) {
    found.add(variant);
    found.add(
      variant
        .split(' ')
        .map((word) => (word.replace(/[^\p{L}]/gu, '').length >= 4 ? word.replace(/æ|ae/g, 'a') : word))
        .join(' '),
    );
  }
  return [...found];
}

/**
 * Inside a phrase of two words or more, the first-person and negation words also accept their dialect and
 * Nynorsk forms, so that "bestemt meg" also reads "bestemt mæ", "bestemt mej", and "jeg gjør det" also
 * "æ gjør det", "eg gjør det". Single words are left alone (the concepts `self`, `me` and `negation`
 * list them). "i" for "jeg" is left out: it is the everyday preposition "i".
 */
const DIALECT_FORMS: ReadonlyMap<string, readonly string[]> = new Map(
  (
    [
      [
        ['jeg', 'eg', 'æ', 'je', 'jæ', 'jei'],
        ['jeg', 'eg', 'æ', 'je', 'jei'],
      ],
      [
        ['meg', 'mæ', 'mæg', 'mej', 'mei'],
        ['meg', 'mæ', 'mej', 'mei'],
      ],
      [
        ['deg', 'dæ', 'dæg', 'dej'],
        ['deg', 'dæ', 'dej'],
      ],
      [
        ['ikke', 'ikkje', 'itj', 'ikkj', 'ittj'],
        ['ikke', 'ikkje', 'itj', 'ikkj'],
      ],
      [
        ['hjem', 'heim'],
        ['hjem', 'heim'],
      ],
      [
        ['hjemme', 'heime'],
        ['hjemme', 'heime'],
      ],
    ] as const
  ).flatMap(([from, to]) => from.map((word) => [word, to] as const)),
);
/** At most this many spellings per phrase: a phrase with many such words keeps the commonest forms. */
const MAX_DIALECT_VARIANTS = 24;

function dialectVariants(lower: string): readonly string[] {
  const words = lower.split(' ');
  if (words.length < 2 || !words.some((word) => DIALECT_FORMS.has(word))) return [lower];
  let variants: string[][] = [[]];
  for (const word of words) {
    const forms = DIALECT_FORMS.get(word);
    const options = forms ? [word, ...forms.filter((form) => form !== word)] : [word];
    const next: string[][] = [];
    for (const option of options) {
      for (const variant of variants) {
        if (next.length < MAX_DIALECT_VARIANTS || option === word) next.push([...variant, option]);
      }
    }
    variants = next;
  }
  return variants.map((variant) => variant.join(' '));
}

interface IndexedWord {
  readonly id: number;
  readonly text: string;
}

/** Finds which word specs a folded token satisfies. Build with addWord, then call finish once. */
export class WordIndex {
  private readonly ids = new Map<string, number>();
  private readonly exact = new Map<string, number[]>();
  private readonly prefixes = new Map<number, Map<string, number[]>>();
  private prefixLengths: readonly number[] = [];
  private readonly typoExact = new Map<string, IndexedWord[]>();
  private readonly typoPrefix = new Map<string, IndexedWord[]>();
  private readonly cache = new Map<string, readonly number[]>();
  private notTypos: ReadonlySet<string> = new Set();
  count = 0;

  /** The id of a word spec, the same for the same spec. */
  addWord(spec: WordSpec): number {
    const key = `${spec.kind}:${spec.typos ? '~' : ''}${spec.text}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.count++;
    this.ids.set(key, id);
    if (spec.kind === 'exact') push(this.exact, spec.text, id);
    else {
      const byLength = this.prefixes.get(spec.text.length) ?? new Map<string, number[]>();
      this.prefixes.set(spec.text.length, byLength);
      push(byLength, spec.text, id);
    }
    if (spec.typos)
      push(spec.kind === 'exact' ? this.typoExact : this.typoPrefix, spec.text[0]!, { id, text: spec.text });
    return id;
  }

  /** Call once after the last addWord: words listed here are real words, never read as a typo. */
  finish(notTypos: Iterable<string>): void {
    this.notTypos = new Set(notTypos);
    this.prefixLengths = [...this.prefixes.keys()].sort((a, b) => a - b);
  }

  /** Ids of the specs the token satisfies as written, without typos and without the cache. */
  matchAsWritten(token: string): readonly number[] {
    const found: number[] = [...(this.exact.get(token) ?? [])];
    for (const length of this.prefixLengths) {
      if (length > token.length) break;
      const ids = this.prefixes.get(length)!.get(token.slice(0, length));
      if (ids) found.push(...ids);
    }
    return found;
  }

  /**
   * Ids of the specs the token satisfies. Typos are only tried when nothing matches as written, so a real
   * word of the lexicon is never also read as a misspelling of another.
   */
  match(token: string): readonly number[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const found = [...this.matchAsWritten(token)];
    if (found.length === 0 && token.length >= MIN_TYPO_TOKEN && !this.notTypos.has(token)) {
      for (const word of this.typoExact.get(token[0]!) ?? []) {
        if (withinOneEdit(token, word.text)) found.push(word.id);
      }
      for (const word of this.typoPrefix.get(token[0]!) ?? []) {
        const length = word.text.length;
        for (let cut = length - 1; cut <= length + 1 && cut <= token.length; cut++) {
          if (withinOneEdit(token.slice(0, cut), word.text)) {
            found.push(word.id);
            break;
          }
        }
      }
    }
    // Bounded so that a stream of unique words cannot grow it without end; the words repeat a lot.
    if (this.cache.size >= 20_000) this.cache.clear();
    this.cache.set(token, found);
    return found;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
