import { describe, expect, it } from 'vitest';
import en from '../../content/en/instruments.json' with { type: 'json' };
import nb from '../../content/nb/instruments.json' with { type: 'json' };
import { contentFileSchema } from '../../src/content/catalog.ts';
import {
  checkinTextKeys,
  INSTRUMENT_IDS,
  instruments,
  instrumentTextKeys,
} from '../../src/domain/instruments.ts';

const locales: Record<string, Record<string, unknown>> = { nb, en };

const referenced = new Set([
  ...INSTRUMENT_IDS.flatMap((id) => instrumentTextKeys(instruments[id])),
  ...checkinTextKeys(),
]);

describe.each(Object.keys(locales))('content/%s/instruments.json', (locale) => {
  const texts = locales[locale] ?? {};

  it('is a flat object of non-empty strings with keys the content catalogue accepts', () => {
    expect(contentFileSchema.safeParse(texts).error?.issues).toBeUndefined();
    for (const [key, value] of Object.entries(texts)) expect((value as string).trim(), key).not.toBe('');
  });

  it('has every key the definitions refer to', () => {
    const missing = [...referenced].filter((key) => !(key in texts));
    expect(missing).toEqual([]);
  });

  it('has no key that no definition refers to', () => {
    const unused = Object.keys(texts).filter((key) => !referenced.has(key));
    expect(unused).toEqual([]);
  });

  it('keeps the attribution line word for word', () => {
    expect(texts['instruments.attribution']).toBe(
      'PHQ/GAD-7: Drs. Spitzer, Williams, Kroenke and colleagues; no permission required',
    );
  });

  it('has the provisional keys it declares', () => {
    for (const id of INSTRUMENT_IDS) {
      const translation = instruments[id].translations[locale as 'nb' | 'en'];
      for (const key of translation.provisionalKeys) expect(texts).toHaveProperty([key]);
    }
  });
});

describe('instrument texts', () => {
  it('uses the NFKT answer wordings in nb and the originals in en', () => {
    expect([0, 1, 2, 3].map((value) => nb[`phq9.answer${value}` as keyof typeof nb])).toEqual([
      'Ikke i det hele tatt',
      'Noen dager',
      'Mer enn halvparten av dagene',
      'Nesten hver dag',
    ]);
    expect([0, 1, 2, 3].map((value) => en[`phq9.answer${value}` as keyof typeof en])).toEqual([
      'Not at all',
      'Several days',
      'More than half the days',
      'Nearly every day',
    ]);
  });

  it('keeps PHQ-9 item 9 word for word', () => {
    expect(nb['phq9.item9']).toBe(
      'Tanker om at det ville vært bedre om du var død eller om å skade deg selv',
    );
    expect(en['phq9.item9']).toBe(
      'Thoughts that you would be better off dead or of hurting yourself in some way',
    );
  });
});
