import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { renderReply } from '../../src/service/render.ts';

describe('renderReply', () => {
  it('gives SMS a text’s SMS wording where it has one: nothing to press by SMS', () => {
    for (const locale of ['nb', 'en'] as const) {
      const chat = renderReply(catalog, locale, { key: 'questionnaire.intro' }, 'web').text;
      const sms = renderReply(catalog, locale, { key: 'questionnaire.intro' }, 'sms').text;
      expect(chat).toMatch(locale === 'nb' ? /Trykk på svaret/ : /Tap the answer/);
      expect(sms).not.toMatch(/trykk|tap/i);
      expect(sms).toMatch(locale === 'nb' ? /Svar med tallet/ : /Reply with the number/);
      // The attribution line, word for word as published (CLINICAL.md §1), on both channels.
      expect(sms).toContain(catalog.text(locale, 'instruments.attribution'));
    }
  });

  it('has an SMS wording for every text that tells the client to press or tap', () => {
    for (const locale of ['nb', 'en'] as const) {
      const pressing = catalog
        .keys(locale)
        .filter((key) => !key.endsWith('_sms') && /\b(trykk|tap)\b/i.test(catalog.text(locale, key)));
      expect(pressing.length, locale).toBeGreaterThan(0);
      for (const key of pressing) {
        expect(renderReply(catalog, locale, { key }, 'sms').text, `${locale} ${key}`).not.toMatch(
          /\b(trykk|tap)\b/i,
        );
      }
    }
  });

  it('keeps the one text of a key without an SMS wording on every channel', () => {
    const reply = { key: 'questionnaire.paused' };
    expect(renderReply(catalog, 'nb', reply, 'sms')).toEqual(renderReply(catalog, 'nb', reply, 'web'));
  });
});
