import { describe, expect, it } from 'vitest';
import { contentFiles } from '../../content/index.ts';
import { defaultRegistry } from '../../flows/registry.ts';
import { buildCatalog, ContentError } from '../../src/content/catalog.ts';
import { catalog } from '../../src/content/default.ts';
import { locales } from '../../src/engine/types.ts';

describe('content', () => {
  it('has the same keys in every locale', () => {
    const [first, ...rest] = locales;
    for (const locale of rest) expect(catalog.keys(locale).sort()).toEqual(catalog.keys(first!).sort());
  });

  it('has every text key that every flow can send, in every locale', () => {
    for (const flow of defaultRegistry.all()) {
      for (const locale of locales) {
        const missing = flow.textKeys.filter((key) => !catalog.has(locale, key));
        expect(missing, `${flow.id}@${flow.version} in ${locale}`).toEqual([]);
      }
    }
  });

  it('has the texts the service itself sends', () => {
    for (const key of [
      'service.welcome',
      'service.code_unknown',
      'service.code_linked',
      'service.resumed',
      'service.no_course',
      'engine.reask',
      'engine.finished',
    ]) {
      for (const locale of locales) expect(catalog.has(locale, key), `${key} in ${locale}`).toBe(true);
    }
  });

  it('gives the crisis numbers in the intro, from the safety content', () => {
    for (const locale of locales) {
      const text = catalog.text(locale, 'intro.what_not');
      for (const number of ['113', '116 117', '116 123', '22 40 00 40']) expect(text).toContain(number);
    }
  });

  it('refuses to load when a key is missing in one locale', () => {
    const broken = {
      nb: { ...contentFiles.nb, 'extra.json': { 'extra.only_nb': 'Bare på bokmål' } },
      en: contentFiles.en,
    };
    expect(() => buildCatalog(broken)).toThrow(ContentError);
    expect(() => buildCatalog(broken)).toThrow(/content\/en: missing key extra.only_nb/);
  });

  it('refuses an include of an unknown key, a key defined twice and an empty text', () => {
    const include = {
      nb: { 'a.json': { 'a.x': 'Se {@a.nowhere}' } },
      en: { 'a.json': { 'a.x': 'See {@a.nowhere}' } },
    };
    expect(() => buildCatalog(include)).toThrow(/includes unknown key a.nowhere/);
    const twice = {
      nb: { 'a.json': { 'a.x': 'x' }, 'b.json': { 'a.x': 'y' } },
      en: { 'a.json': { 'a.x': 'x' } },
    };
    expect(() => buildCatalog(twice)).toThrow(/defined twice/);
    const empty = { nb: { 'a.json': { 'a.x': '' } }, en: { 'a.json': { 'a.x': 'x' } } };
    expect(() => buildCatalog(empty)).toThrow(/content\/nb\/a.json/);
  });

  it('fills variables and leaves unknown ones visible', () => {
    expect(catalog.text('en', 'engine.hint.number', { min: 0, max: 10 })).toBe(
      'Answer with a whole number from 0 to 10.',
    );
    expect(catalog.text('en', 'engine.hint.number', { min: 0 })).toContain('{max}');
  });

  it('calls the therapist "veileder" in Bokmål, as the client and the workspace know them', () => {
    expect(catalog.keys('nb').filter((key) => /terapeut/i.test(catalog.text('nb', key)))).toEqual([]);
  });

  it('answers a picture or file in plain words: only text is read here, with the crisis numbers', () => {
    const nb = catalog.text('nb', 'service.text_only');
    expect(
      nb.startsWith('Takk! Her kan jeg bare lese tekst, så bilder og filer når ikke fram til meg.'),
    ).toBe(true);
    const en = catalog.text('en', 'service.text_only');
    expect(en.startsWith('Thanks! I can only read text here, so pictures and files do not reach me.')).toBe(
      true,
    );
    for (const text of [nb, en]) expect(text).toContain('113');
  });

  it('picks the form of a counted text by its count, with the CLDR rules of each language', () => {
    const files = {
      nb: {
        'a.json': {
          'a.alerts_zero': 'ingen varsler',
          'a.alerts_one': '{count} åpent varsel',
          'a.alerts_other': '{count} åpne varsler',
        },
      },
      en: {
        'a.json': {
          'a.alerts_zero': 'no alerts',
          'a.alerts_one': '{count} alert',
          'a.alerts_other': '{count} alerts',
        },
      },
    };
    const counted = buildCatalog(files);
    expect(counted.has('nb', 'a.alerts')).toBe(true);
    expect(counted.text('nb', 'a.alerts', { count: 1 })).toBe('1 åpent varsel');
    expect(counted.text('nb', 'a.alerts', { count: 2 })).toBe('2 åpne varsler');
    expect(counted.text('nb', 'a.alerts', { count: 0 })).toBe('ingen varsler');
    expect(counted.text('en', 'a.alerts', { count: 0 })).toBe('no alerts');
    expect(counted.text('en', 'a.alerts', { count: 1 })).toBe('1 alert');
    expect(counted.text('en', 'a.alerts', { count: 21 })).toBe('21 alerts');
    // A text that counts days is counted by them.
    expect(catalog.text('nb', 'workspace.review.open_days', { days: 1 })).toBe('åpen i 1 dag');
    expect(catalog.text('en', 'workspace.review.open_days', { days: 12 })).toBe('open for 12 days');
    // An ordinary text with a count is left as it is.
    expect(catalog.text('nb', 'workspace.dashboard.caseload', { count: 1 })).toBe('Klienter (1)');
  });

  it('never sends a severity band or a score: phones are shared (CLINICAL.md §7)', () => {
    for (const flow of defaultRegistry.all()) {
      expect(
        flow.textKeys.filter((key) => /\.band\./.test(key)),
        flow.id,
      ).toEqual([]);
      for (const locale of locales) {
        for (const key of flow.textKeys)
          expect(catalog.text(locale, key), key).not.toMatch(/\{(total|score|band)\}/);
      }
    }
  });
});
