import { normaliseForMatching } from './normalise.ts';
import {
  PHRASE_KINDS,
  type PhraseKind,
  type PhraseList,
  type PhraseLists,
  SAFETY_LOCALES,
  type SafetyLocale,
} from './phrase-lists.ts';
import { compilePhrase, phraseNeedle } from './phrase-pattern.ts';

/**
 * Crisis detection on free text, tuned for sensitivity: a false alarm costs one direct question, a
 * miss can cost a life (CLINICAL.md §3). Every inbound text goes through this before any flow.
 */

export type CrisisDetection =
  | { readonly matched: false }
  | {
      readonly matched: true;
      /** The phrase as written in the list that matched first. */
      readonly phrase: string;
      readonly locale: SafetyLocale;
      readonly kind: PhraseKind;
    };

interface CompiledPhrase {
  readonly phrase: string;
  readonly pattern: RegExp;
  /** See phraseNeedle: checked on the spaceless text before the pattern runs. */
  readonly needle: string;
}

type CompiledList = Readonly<Record<PhraseKind, readonly CompiledPhrase[]>>;

/** Compiled patterns per list object, so a list is compiled once however many messages it checks. */
const compiledLists = new WeakMap<PhraseList, CompiledList>();

function compiled(list: PhraseList): CompiledList {
  let result = compiledLists.get(list);
  if (!result) {
    const compile = (phrases: readonly string[]) =>
      phrases.map((phrase) => ({ phrase, pattern: compilePhrase(phrase), needle: phraseNeedle(phrase) }));
    result = { direct: compile(list.direct), indirect: compile(list.indirect) };
    compiledLists.set(list, result);
  }
  return result;
}

/**
 * Looks for any crisis phrase in `text`, in every language regardless of the client's locale.
 * Direct phrases are tried before indirect ones; within a kind, locales in the order nb, nn, en.
 * Phrase lists must have been validated (loadPhraseLists).
 */
export function detectCrisis(text: string, phraseLists: PhraseLists): CrisisDetection {
  const normalised = normaliseForMatching(text);
  if (normalised === '') return { matched: false };
  const spaceless = normalised.replace(/ /g, '');
  for (const kind of PHRASE_KINDS) {
    for (const locale of SAFETY_LOCALES) {
      const list = phraseLists[locale];
      if (!list) continue;
      const hit = compiled(list)[kind].find(
        ({ pattern, needle }) => spaceless.includes(needle) && pattern.test(normalised),
      );
      if (hit) return { matched: true, phrase: hit.phrase, locale, kind };
    }
  }
  return { matched: false };
}
