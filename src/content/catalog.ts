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
  has(locale: Locale, key: string): boolean;
  text(locale: Locale, key: string, vars?: TextVars): string;
  keys(locale: Locale): string[];
}

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
    const template = tables[locale].get(key);
    if (template === undefined) throw new ContentError(`content/${locale}: missing key ${key}`);
    if (depth > 5) throw new ContentError(`content/${locale}: includes nested too deep at ${key}`);
    return template
      .replace(/\{@([a-z0-9_.]+)\}/g, (_, included: string) => resolve(locale, included, vars, depth + 1))
      .replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, name: string) =>
        vars && name in vars ? String(vars[name]) : whole,
      );
  };

  return {
    has: (locale, key) => tables[locale].has(key),
    text: (locale, key, vars) => resolve(locale, key, vars, 0),
    keys: (locale) => [...tables[locale].keys()],
  };
}
