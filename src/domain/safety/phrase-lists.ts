import { z } from 'zod';
import { err, ok, type Result } from '../result.ts';
import { foldPhrase, phraseProblems } from './phrase-pattern.ts';

/** Languages the crisis phrase lists cover: Bokmål, Nynorsk and English. */
export const SAFETY_LOCALES = ['nb', 'nn', 'en'] as const;
export type SafetyLocale = (typeof SAFETY_LOCALES)[number];

/** Direct: names suicide or self-harm. Indirect: hopelessness, wanting to be gone, being a burden. */
export const PHRASE_KINDS = ['direct', 'indirect'] as const;
export type PhraseKind = (typeof PHRASE_KINDS)[number];

export type PhraseList = Readonly<Record<PhraseKind, readonly string[]>>;
export type PhraseLists = Readonly<Partial<Record<SafetyLocale, PhraseList>>>;

const phrase = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, ctx) => {
    for (const problem of phraseProblems(value))
      ctx.addIssue({ code: 'custom', message: `"${value}" ${problem}` });
  });

/** Shape of content/safety-phrases/<locale>.json. */
export const phraseListSchema = z
  .strictObject({ direct: z.array(phrase).min(1), indirect: z.array(phrase).min(1) })
  .superRefine((list, ctx) => {
    const seen = new Map<string, string>();
    for (const kind of PHRASE_KINDS) {
      for (const [index, value] of list[kind].entries()) {
        const folded = foldPhrase(value);
        const earlier = seen.get(folded);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [kind, index],
            message: `"${value}" is the same phrase as "${earlier}" once folded ("${folded}")`,
          });
        }
        seen.set(folded, value);
      }
    }
  });

export interface PhraseListIssue {
  readonly locale: SafetyLocale;
  readonly path: string;
  readonly message: string;
}

/** Validates the phrase files' parsed JSON, one entry per locale. */
export function loadPhraseLists(
  files: Readonly<Record<SafetyLocale, unknown>>,
): Result<Readonly<Record<SafetyLocale, PhraseList>>, readonly PhraseListIssue[]> {
  const issues: PhraseListIssue[] = [];
  const lists: Partial<Record<SafetyLocale, PhraseList>> = {};
  for (const locale of SAFETY_LOCALES) {
    const parsed = phraseListSchema.safeParse(files[locale]);
    if (parsed.success) {
      lists[locale] = parsed.data;
    } else {
      for (const issue of parsed.error.issues) {
        issues.push({ locale, path: issue.path.join('.'), message: issue.message });
      }
    }
  }
  if (issues.length > 0) return err(issues);
  return ok(lists as Record<SafetyLocale, PhraseList>);
}

export type PhraseCounts = Readonly<
  Partial<
    Record<SafetyLocale, { readonly direct: number; readonly indirect: number; readonly total: number }>
  >
>;

export function phraseCounts(lists: PhraseLists): PhraseCounts {
  const counts: Partial<Record<SafetyLocale, { direct: number; indirect: number; total: number }>> = {};
  for (const locale of SAFETY_LOCALES) {
    const list = lists[locale];
    if (list) {
      counts[locale] = {
        direct: list.direct.length,
        indirect: list.indirect.length,
        total: list.direct.length + list.indirect.length,
      };
    }
  }
  return counts;
}
