import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import {
  CLINIC_CONTRACT_DEFAULTS,
  CONTACT_MODES,
  type ContractDraft,
  type ContractFields,
  checkContract,
  contractMessage,
  defaultContract,
} from '../../src/domain/contract.ts';
import type { Locale } from '../../src/engine/types.ts';

/** The contract's counted phrases from the real content, in `locale`. */
const counted = (locale: Locale) => (key: string, vars: { count: number } | { days: number }) =>
  catalog.text(locale, key, vars);

/*
 * The contract's fields as the domain checks them (QA finding 7): real dates, the order of the dates,
 * nothing before today unless kept from the version in force, a valid mobile number kept in E.164, the
 * "goes quiet" rule in order, a channel that reaches the client; a draft may lack the focus and goals.
 */

const TODAY = '2026-11-23';

const draft = (): ContractDraft =>
  defaultContract(CLINIC_CONTRACT_DEFAULTS, {
    course: 'depression',
    today: TODAY,
    texts: { dataSharing: 'Veilederen ser svarene.', ending: 'En siste samtale.' },
  });
const complete = (): ContractDraft => ({ ...draft(), focus: 'Tunge morgener', goals: ['Gå tur'] });

/** The contract with some fields changed, one level deep (contacts, channels, quiet). */
function with_(changes: Record<string, unknown>, base = complete()): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    const before = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && typeof before === 'object'
        ? { ...before, ...value }
        : value;
  }
  return out;
}

/** The refusals of a check, as `field: reason`. */
function refused(input: unknown, purpose: 'draft' | 'sign' = 'sign', context = { today: TODAY }) {
  const checked = checkContract(input, purpose, context);
  return checked.ok ? [] : checked.issues.map((i) => `${i.field}: ${i.reason}`);
}

describe('checkContract', () => {
  it('takes the clinic defaults as a draft, and with a focus and a goal to sign', () => {
    expect(checkContract(draft(), 'draft', { today: TODAY })).toMatchObject({ ok: true });
    expect(refused(draft(), 'sign')).toEqual(['focus: required', 'goals: required']);
    expect(checkContract(complete(), 'sign', { today: TODAY })).toMatchObject({ ok: true });
  });

  it('refuses dates that do not exist, with the field named', () => {
    expect(refused(with_({ startDate: '2026-02-30' }), 'draft')).toContain('startDate: date');
    expect(refused(with_({ endDate: '2027-13-01' }), 'draft')).toContain('endDate: date');
    expect(refused(with_({ contacts: { firstDate: '2026-11-31' } }), 'draft')).toContain(
      'contacts.firstDate: date',
    );
    const leap = checkContract(with_({ endDate: '2028-02-29' }), 'draft', { today: TODAY });
    expect(leap.ok).toBe(true);
  });

  it('refuses a start before today, in drafts too, unless kept from the version in force', () => {
    expect(refused(with_({ startDate: '2020-01-01' }), 'draft')).toEqual(['startDate: start_in_past']);
    expect(refused(with_({ startDate: '2026-11-22' }))).toEqual(['startDate: start_in_past']);
    expect(refused(with_({ startDate: TODAY }))).toEqual([]);
    // An amendment of a course under way keeps its start (and first contact) from the signed version.
    const later = { today: '2026-12-20', inForce: { startDate: TODAY, firstDate: '2026-11-30' } };
    expect(refused(complete(), 'sign', later)).toEqual([]);
    expect(refused(with_({ startDate: '2026-11-24' }), 'sign', later)).toEqual(['startDate: start_in_past']);
  });

  it('wants the end after the start', () => {
    expect(refused(with_({ endDate: '2026-11-01' }))).toEqual(['endDate: end_not_after_start']);
    expect(refused(with_({ endDate: TODAY }))).toEqual(['endDate: end_not_after_start']);
  });

  it('wants the first contact on or after the start, and not in the past', () => {
    expect(refused(with_({ contacts: { firstDate: '2026-11-01' } }))).toEqual([
      'contacts.firstDate: first_before_start',
      'contacts.firstDate: first_in_past',
    ]);
    expect(
      refused(
        with_({ startDate: '2026-12-01', endDate: '2027-02-01', contacts: { firstDate: '2026-11-30' } }),
      ),
    ).toEqual(['contacts.firstDate: first_before_start']);
    expect(refused(with_({ contacts: { firstDate: TODAY } }))).toEqual([]);
  });

  it('keeps a valid mobile number in E.164 and refuses anything else', () => {
    const sms = (phone?: string) => with_({ channels: { sms: { consent: true, phone } } });
    const checked = checkContract(sms('912 34 567'), 'sign', { today: TODAY });
    expect(checked.ok && checked.fields.channels.sms.phone).toBe('+4791234567');
    expect(refused(sms('abc'))).toEqual(['channels.sms.phone: phone']);
    expect(refused(sms('12'))).toEqual(['channels.sms.phone: phone']);
    expect(refused(sms(undefined))).toEqual(['channels.sms.phone: phone_missing']);
  });

  it('wants the task for the therapist after the reminder', () => {
    expect(refused(with_({ quiet: { reminderAfterDays: 20, taskAfterDays: 5 } }))).toEqual([
      'quiet.taskAfterDays: quiet_order',
    ]);
    expect(refused(with_({ quiet: { reminderAfterDays: 7, taskAfterDays: 7 } }))).toEqual([
      'quiet.taskAfterDays: quiet_order',
    ]);
    expect(refused(with_({ quiet: { reminderAfterDays: 7, taskAfterDays: 8 } }))).toEqual([]);
  });

  it('wants a channel that reaches the client: the web chat, or SMS with consent', () => {
    expect(refused(with_({ channels: { web: false, sms: { consent: false } } }))).toEqual([
      'channels: no_channel',
    ]);
    expect(
      refused(with_({ channels: { web: false, sms: { consent: true, phone: '+4791234567' } } })),
    ).toEqual([]);
  });

  it('gives the bounds of a number, and every problem at once with its path for the API', () => {
    const checked = checkContract(
      with_({ paceDays: Number.NaN, contacts: { minutes: 200 }, goals: ['a', 'b', 'c', 'd'] }),
      'draft',
      { today: TODAY },
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toEqual([
      {
        field: 'paceDays',
        reason: 'number',
        vars: { min: 1, max: 28 },
        message: 'fields.paceDays: must be a whole number',
      },
      {
        field: 'contacts.minutes',
        reason: 'range',
        vars: { min: 5, max: 120 },
        message: 'fields.contacts.minutes: must be from 5 to 120',
      },
      { field: 'goals', reason: 'too_many', vars: { max: 3 }, message: 'fields.goals: at most 3' },
    ]);
  });
});

describe('checkContract shows every problem in one round', () => {
  it('checks the rules between fields even when a field failed, and names each problem once', () => {
    // Too many goals and a pace that is not whole make zod skip the checks of the whole object.
    const input = with_({
      goals: ['a', 'b', 'c', 'd'],
      paceDays: 2.5,
      startDate: '2026-11-20',
      endDate: '2026-11-19',
      contacts: { firstDate: '2026-11-19' },
      channels: { web: false, sms: { consent: false } },
    });
    for (const purpose of ['draft', 'sign'] as const) {
      expect(refused(input, purpose)).toEqual([
        'paceDays: number',
        'goals: too_many',
        'endDate: end_not_after_start',
        'contacts.firstDate: first_before_start',
        'channels: no_channel',
        'startDate: start_in_past',
        'contacts.firstDate: first_in_past',
      ]);
    }
  });

  it('leaves out of the rules a field that did not read: its own problem is the one named', () => {
    expect(
      refused(with_({ goals: ['a', 'b', 'c', 'd'], quiet: { reminderAfterDays: 7, taskAfterDays: 0 } })),
    ).toEqual(['quiet.taskAfterDays: range', 'goals: too_many']);
    expect(refused(with_({ goals: ['a', 'b', 'c', 'd'], startDate: '2026-02-30' }))).toEqual([
      'startDate: date',
      'goals: too_many',
    ]);
  });
});

describe('contractMessage', () => {
  it('says nothing of measuring before each contact when there are no contacts', () => {
    const fields = { ...complete(), contacts: { ...complete().contacts, count: 0 } };
    const keys = (form: 'full' | 'sms') =>
      contractMessage(fields, form, { version: 1, locale: 'nb', counted: counted('nb') }).map((r) => r.key);
    expect(keys('full')).toContain('contract.full.no_contacts');
    expect(keys('full')).toContain('contract.full.measure_end');
    expect(keys('full')).not.toContain('contract.full.measure_contacts_end');
    expect(keys('sms')).toEqual(['contract.sms_no_contacts']);
    const none = { ...fields, measurement: { ...fields.measurement, atEnd: false } };
    const measured = contractMessage(none, 'full', { version: 2, locale: 'en', counted: counted('en') }).map(
      (r) => r.key,
    );
    expect(measured.filter((k) => k.startsWith('contract.full.measure'))).toEqual([]);
  });

  /** The contract's texts as the client reads them. */
  const texts = (fields: ContractDraft, form: 'full' | 'sms', locale: Locale) =>
    contractMessage(fields as ContractFields, form, { version: 1, locale, counted: counted(locale) }).map(
      (r) => catalog.text(locale, r.key, r.vars),
    );
  const ones = (mode: ContractDraft['contacts']['mode']) => ({
    ...complete(),
    paceDays: 1,
    contacts: { ...complete().contacts, count: 1, everyDays: 1, mode },
    quiet: { reminderAfterDays: 1, taskAfterDays: 2 },
  });

  it('reads right for one: one talk (on its date, with no rhythm), every day, one day', () => {
    const nb = texts(ones('phone'), 'full', 'nb').join('\n');
    expect(nb).toContain('Tempo: en ny del hver dag, fra 23.11.2026');
    expect(nb).toMatch(/Oppfølging: 1 samtale på telefon à 20 minutter, \d+\.\d+\.\d{4} kl\. \d\d:\d\d\./);
    expect(nb).not.toContain('omtrent hver');
    expect(nb).toContain('Hører vi ikke fra deg på 1 dag, får du en påminnelse. Etter 2 dager tar');
    const en = texts(ones('phone'), 'full', 'en').join('\n');
    expect(en).toContain('Pace: a new part every day, from 23 Nov 2026');
    expect(en).toMatch(/Follow-up: 1 phone call of 20 minutes, on \d+ [A-Z][a-z]{2} \d{4} at \d\d:\d\d\./);
    expect(en).not.toContain('about every');
    expect(en).toContain('If we do not hear from you for 1 day, you get a reminder. After 2 days your');
    for (const mode of CONTACT_MODES) {
      for (const locale of ['nb', 'en'] as const) {
        const text = texts(ones(mode), 'full', locale).join('\n');
        expect(text).not.toMatch(
          /\b1 (samtaler|dager|days|[a-z ]*(calls|sessions|meetings))\b|hver 1\. dag|every 1 days/,
        );
      }
    }
    expect(texts(ones('video'), 'sms', 'nb')).toEqual([
      expect.stringContaining(
        'en ny del hver dag fra 23.11.2026 til ca. 8.2.2027. 1 samtale på 20 min, 30.11.2026 kl. 10:00.',
      ),
    ]);
    expect(texts(ones('video'), 'sms', 'en')).toEqual([
      expect.stringContaining(
        'a new part every day from 23 Nov 2026 to about 8 Feb 2027. 1 talk of 20 min on 30 Nov 2026 at 10:00.',
      ),
    ]);
  });

  it('reads right for many, and the SMS stays GSM-7 in two messages at most', () => {
    const many = {
      ...complete(),
      paceDays: 10,
      contacts: { ...complete().contacts, count: 12, everyDays: 14, mode: 'in_person' as const },
    };
    expect(texts(many, 'full', 'nb').join('\n')).toContain(
      'Oppfølging: 12 samtaler ansikt til ansikt à 20 minutter, omtrent hver 14. dag.',
    );
    expect(texts(many, 'full', 'en').join('\n')).toContain(
      'Follow-up: 12 meetings in person of 20 minutes, about every 14 days.',
    );
    for (const locale of ['nb', 'en'] as const) {
      for (const fields of [many, ones('chat')]) {
        const [sms] = texts(fields, 'sms', locale);
        expect(sms).toMatch(/^[\x20-\x7EæøåÆØÅ\n]*$/);
        expect(sms!.length).toBeLessThanOrEqual(306);
      }
    }
  });
});
