import { z } from 'zod';
import { type Locale, locales, type TextVars } from '../engine/types.ts';

/** A content file: a flat map of dotted keys (namespaced by the file, e.g. `intro.welcome`) to texts. */
export const contentFileSchema = z.record(
  z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, 'keys are dotted lower-case names such as intro.welcome'),
  z.string().min(1),
);

export type ContentFiles = Record<Locale, Record<string, unknown>>;

export class ContentError extends Error {
  override name = 'ContentError';
}

export interface Catalog {
  /** True for a text and for a counted text (one that has `_other`, see `text`). */
  has(locale: Locale, key: string): boolean;
  /**
   * The text of `key` with `vars` put in. A counted text is stored as `key_one`, `key_other` (and any
   * other CLDR category the language uses, and optionally `key_zero` for exactly 0); asked for by `key`,
   * it picks the form for its number: `vars.count`, or `vars.days` for a text that counts days.
   */
  text(locale: Locale, key: string, vars?: TextVars): string;
  keys(locale: Locale): string[];
}

/** The CLDR plural rules of each locale: Bokmål and English both have `one` and `other`. */
const pluralRules: Record<Locale, Intl.PluralRules> = {
  nb: new Intl.PluralRules('nb'),
  en: new Intl.PluralRules('en'),
};

/**
 * The key of the form of a counted text that fits `count` (`_zero` for exactly 0 where the text has one,
 * as i18next does; else the CLDR category), or `key` itself when it is not a counted text.
 */
export function pluralKey(
  locale: Locale,
  key: string,
  count: number,
  exists: (key: string) => boolean,
): string {
  if (exists(key) || !exists(`${key}_other`)) return key;
  if (count === 0 && exists(`${key}_zero`)) return `${key}_zero`;
  const form = `${key}_${pluralRules[locale].select(count)}`;
  return exists(form) ? form : `${key}_other`;
}

/** The number a counted text is about. */
const countOf = (vars: TextVars | undefined) => vars?.count ?? vars?.days;

/**
 * Validates the content of every locale and builds the lookup. A file that does not parse, a key defined
 * twice, a key missing in one locale, or a `{@key}` include of an unknown key is a load error.
 */
export function buildCatalog(files: ContentFiles): Catalog {
  const tables = {} as Record<Locale, Map<string, string>>;
  for (const locale of locales) {
    const table = new Map<string, string>();
    for (const [fileName, raw] of Object.entries(files[locale] ?? {})) {
      const parsed = contentFileSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ContentError(`content/${locale}/${fileName}: ${issue.path.join('.')} ${issue.message}`);
      }
      for (const [key, value] of Object.entries(parsed.data)) {
        if (table.has(key)) throw new ContentError(`content/${locale}: key ${key} is defined twice`);
        table.set(key, value);
      }
    }
    tables[locale] = table;
  }
  for (const locale of locales) {
    for (const other of locales) {
      for (const key of tables[other].keys()) {
        if (!tables[locale].has(key)) throw new ContentError(`content/${locale}: missing key ${key}`);
      }
    }
    for (const [key, value] of tables[locale]) {
      for (const [, included] of value.matchAll(/\{@([a-z0-9_.]+)\}/g)) {
        if (!tables[locale].has(included!)) {
          throw new ContentError(`content/${locale}: ${key} includes unknown key ${included}`);
        }
      }
    }
  }

  const resolve = (locale: Locale, key: string, vars: TextVars | undefined, depth: number): string => {
    const table = tables[locale];
    const count = countOf(vars);
    const counted = count === undefined ? key : pluralKey(locale, key, Number(count), (k) => table.has(k));
    const template = table.get(counted);
    if (template === undefined) throw new ContentError(`content/${locale}: missing key ${counted}`);
    if (depth > 5) throw new ContentError(`content/${locale}: includes nested too deep at ${key}`);
    return template
      .replace(/\{@([a-z0-9_.]+)\}/g, (_, included: string) => resolve(locale, included, vars, depth + 1))
      .replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, name: string) =>
        vars && name in vars ? String(vars[name]) : whole,
      );
  };

  return {
    has: (locale, key) => tables[locale].has(key) || tables[locale].has(`${key}_other`),
    text: (locale, key, vars) => resolve(locale, key, vars, 0),
    keys: (locale) => [...tables[locale].keys()],
  };
}
