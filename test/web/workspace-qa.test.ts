import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { createClient } from '../../src/service/clients.ts';
import { contractForStaff } from '../../src/service/contracts.ts';
import { disableStaff, listStaffMembers } from '../../src/service/staff.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import { insertHomework } from '../../src/storage/homework.ts';
import { draftAndSign } from '../support/contracts.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { addStaff, auditAfter, browser, lastAuditSeq, type Server, webChat } from '../support/staff.ts';

/*
 * Three findings of the workspace's outside-in QA, through its HTTP routes:
 * - the staff page offers no "Disable" on the signed-in admin's own account (and the server still refuses it);
 * - every page shows dates in one date form and one date-time form per language (format.ts);
 * - reassigning a client withdraws the contract that waits for their answer: it carries the signature of
 *   a therapist who no longer follows them up.
 */

let server: Server;
// 14:03 in Oslo, on a day whose date reads differently in every form (5 Dec, not 12 May).
const clock = new FakeClock(new Date('2026-12-05T13:03:00.000Z'));
const ids = { ada: '', tina: '', tor: '' };
const actor = (who: 'tina' | 'tor'): StaffActor => ({
  staffId: ids[who],
  email: `${who}@clinic.no`,
  name: who === 'tina' ? 'Tina' : 'Tor',
  role: 'therapist',
  locale: 'nb',
  via: 'page',
});
const ada: StaffActor = { ...actor('tina'), email: 'ada@clinic.no', name: 'Ada', role: 'admin' };
const text = (locale: 'nb' | 'en', key: string) => catalog.text(locale, key);

beforeAll(async () => {
  server = await startTestServer({}, { clock: clock.read });
  ids.ada = await addStaff(server, { email: 'ada@clinic.no', name: 'Ada', role: 'admin' });
  ada.staffId = ids.ada;
  ids.tina = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  ids.tor = await addStaff(server, { email: 'tor@clinic.no', name: 'Tor', role: 'therapist' });
});
afterAll(() => server.close());

/** A client of Tina's on the stress course, linked in the web chat (English). */
async function newClient() {
  const created = await createClient(server.deps, { course: 'stress', locale: 'en', therapistId: ids.tina });
  if (!created.ok) throw new Error('no client');
  const chat = webChat(server, 'en');
  await chat.start();
  await chat.say(created.accessCode);
  return { id: created.clientId, chat };
}

/** Signed in as Ada, the workspace in `locale`. */
async function adminIn(locale: 'nb' | 'en') {
  const b = browser(server);
  await b.signIn('ada@clinic.no');
  expect((await b.request('/staff/language', { form: { locale } })).status).toBe(303);
  return b;
}

/** What the page says: its text without markup, scripts and styles (attributes such as datetime= left out). */
const visible = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&nbsp;|\u00a0/g, ' ');

describe('the staff page', () => {
  it("offers no Disable on the admin's own account, and the server still refuses it", async () => {
    const b = await adminIn('en');
    const html = await (await b.request('/staff/admin/staff')).text();
    const rows = html.split('<tr>').slice(2);
    const row = (name: string) => rows.find((r) => r.includes(`<th scope="row">${name}</th>`))!;
    expect(row('Ada')).toBeDefined();
    expect(row('Ada')).not.toContain('/staff/admin/staff/disable');
    expect(row('Ada')).toContain('/staff/admin/staff/reset');
    expect(row('Tina')).toContain('/staff/admin/staff/disable');
    expect(row('Tor')).toContain('/staff/admin/staff/disable');

    const refused = await b.request('/staff/admin/staff/disable', { form: { email: 'ADA@clinic.no' } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(text('en', 'workspace.admin.not_yourself'));
    const staff = await listStaffMembers(server.deps);
    expect(staff.find((s) => s.id === ids.ada)?.disabledAt).toBeUndefined();
    expect((await b.request('/staff/admin/staff')).status).toBe(200);
  });
});

describe('dates in the workspace', () => {
  const EN_MONTH = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec';
  const FORMS = {
    en: { date: new RegExp(`\\b\\d{1,2} (${EN_MONTH}) \\d{4}`, 'g'), time: /, \d{2}:\d{2}/ },
    nb: { date: /\b\d{1,2}\. [a-zæøå]{3,4}\.? \d{4}/g, time: /, \d{2}:\d{2}/ },
  };
  /** The text with every date and date-time in the language's one form taken out. */
  const withoutDates = (page: string, locale: 'nb' | 'en') => {
    const { date, time } = FORMS[locale];
    return page.replace(new RegExp(`${date.source}(${time.source})?`, 'g'), '‹date›');
  };
  let client = '';

  beforeAll(async () => {
    // A client with a signed contract (contacts planned), the two questionnaires of part 1 (the chart),
    // a worry-diary entry and a sleep-diary night, a disabled colleague, and an alert.
    const c = await newClient();
    client = c.id;
    await draftAndSign(server.deps, actor('tina'), c.id, { focus: 'Work', goals: ['Rest'] });
    await c.chat.say('yes');
    for (const answer of [...'11111111', '0', ...'11111111']) await c.chat.say(answer);
    for (const [type, entry] of [
      [
        'anxiety.worry_diary',
        {
          time: '07:30',
          worry: 'The deadline',
          distress: 6,
          minutes: 20,
          about_now: true,
          can_act: true,
          kind: 'practical',
        },
      ],
      [
        'sleep.diary',
        {
          week: 1,
          night: 1,
          date: '2026-12-04',
          timeZone: 'Europe/Oslo',
          intoBed: '23:00',
          lightsOut: '23:15',
          finalWake: '06:30',
          outOfBed: '06:45',
          latencyMinutes: 20,
          awakenings: 1,
          minutesAwake: 10,
          quality: 3,
        },
      ],
    ] as const) {
      await server.deps.db.write((tx) =>
        insertHomework(tx, {
          id: server.deps.ids.id(),
          clientId: c.id,
          type,
          step: 'entry',
          entry,
          channel: 'web',
          createdAt: clock.now.toISOString(),
        }),
      );
    }
    await addStaff(server, { email: 'leaver@clinic.no', name: 'Leaver', role: 'therapist' });
    await disableStaff(server.deps, 'leaver@clinic.no');
    await c.chat.say('I will kill myself tonight');
  });

  for (const locale of ['en', 'nb'] as const) {
    it(`uses one date form and one date-time form on every page (${locale})`, async () => {
      const b = await adminIn(locale);
      const pages = [
        '/staff',
        '/staff/alerts',
        `/staff/clients/${client}`,
        `/staff/clients/${client}/review`,
        '/staff/admin/staff',
        '/staff/admin/audit',
      ];
      for (const path of pages) {
        const res = await b.request(path);
        expect(res.status, path).toBe(200);
        const page = visible(await res.text());
        expect(page, path).toMatch(FORMS[locale].date);
        const rest = withoutDates(page, locale);
        // No year left outside the two forms: no ISO date, no "Dec 5, 2026".
        expect(rest.match(/[^\n]*\b20\d\d\b[^\n]*/g) ?? [], path).toEqual([]);
        // No month before the day in English (the chart's axis included).
        if (locale === 'en')
          expect(rest.match(new RegExp(`\\b(${EN_MONTH}) \\d{1,2}\\b`, 'g')) ?? [], path).toEqual([]);
      }
    });
  }

  it('shows the chart, the diaries and the contract in those forms, durations in its language', async () => {
    const en = visible(await (await (await adminIn('en')).request(`/staff/clients/${client}`)).text());
    // The chart's table and tooltip, the worry's time as the client gave it, the night's date.
    expect(en).toContain('5 Dec 2026: ');
    expect(en).toMatch(/\n5 Dec 2026\n\s*\nPHQ-9/);
    expect(en).toContain('5 Dec 2026, 07:30');
    expect(en).toContain('4 Dec 2026');
    expect(en).toContain('Signed by the therapist: Tina, 5 Dec 2026, 14:03');
    // The night's time in bed and asleep, in the page's language.
    expect(en).toContain('7 h 45 min');
    expect(en).toContain('6 h 45 min');
    const nb = visible(await (await (await adminIn('nb')).request(`/staff/clients/${client}`)).text());
    expect(nb).toContain('5. des. 2026: ');
    expect(nb).toContain('5. des. 2026, 07:30');
    expect(nb).toContain('4. des. 2026');
    expect(nb).toContain('Signert av veileder: Tina, 5. des. 2026, 14:03');
    expect(nb).toContain('7 t 45 min');
  });
});

describe('reassigning a client whose contract waits for their answer', () => {
  const contract = async (clientId: string) => (await contractForStaff(server.deps, ada, clientId))!;
  const reassign = (b: ReturnType<typeof browser>, clientId: string, therapistId: string) =>
    b.request(`/staff/clients/${clientId}/therapist`, { form: { therapistId } });

  it('withdraws it: the new therapist signs their own, and only theirs can be accepted', async () => {
    const c = await newClient();
    await draftAndSign(server.deps, actor('tina'), c.id, { focus: 'Work', goals: ['Rest'] });
    expect(await contract(c.id)).toMatchObject({ status: 'sent', therapistSignature: { by: ids.tina } });
    const b = await adminIn('en');
    const seq = await lastAuditSeq(server);

    expect((await reassign(b, c.id, ids.tor)).status).toBe(303);
    const withdrawn = await contract(c.id);
    expect(withdrawn).toMatchObject({
      version: 1,
      status: 'draft',
      therapistSignature: null,
      courseWaits: true,
    });
    expect(withdrawn.fields).toMatchObject({ focus: 'Work', goals: ['Rest'] });
    const log = (await auditAfter(server, seq)).map((e) => [e.action, e.clientId, e.detail]);
    expect(log).toEqual([
      ['client.assign', c.id, ids.tor],
      ['contract.withdraw', c.id, 'version 1: responsible therapist changed'],
      ['contract.view', c.id, undefined],
    ]);

    // The client's yes signs nothing now: the agreement comes when it is ready.
    const reply = await c.chat.say('yes');
    expect(reply).toContain(text('en', 'contract.waits'));
    expect(reply).not.toContain(text('en', 'contract.accepted'));
    expect((await contract(c.id)).status).toBe('draft');

    // The page shows Tor the draft to sign, with nobody's signature on it.
    const tor = browser(server);
    await tor.signIn('tor@clinic.no');
    const page = visible(await (await tor.request(`/staff/clients/${c.id}`)).text());
    expect(page).not.toContain('Tina');
    const signed = await tor.request(`/staff/clients/${c.id}/contract`, { form: { action: 'sign' } });
    expect(signed.status).toBe(303);
    expect(await contract(c.id)).toMatchObject({ status: 'sent', therapistSignature: { by: ids.tor } });
    expect(await c.chat.say('yes')).toContain(text('en', 'contract.accepted'));
    expect(await contract(c.id)).toMatchObject({
      status: 'signed',
      therapistSignature: { by: ids.tor, name: 'Tor' },
      clientSignature: { via: 'web' },
    });
  });

  it("keeps the client's words of a change for the new therapist", async () => {
    const c = await newClient();
    await draftAndSign(server.deps, actor('tina'), c.id, { focus: 'Work', goals: ['Rest'] });
    await c.chat.say('I want to change something');
    await c.chat.say('Fewer calls');
    const b = await adminIn('en');
    expect((await reassign(b, c.id, ids.tor)).status).toBe(303);
    expect(await contract(c.id)).toMatchObject({
      status: 'draft',
      therapistSignature: null,
      changeRequest: { text: 'Fewer calls' },
    });
  });

  it('leaves it alone for the same therapist, a refused reassignment, and a signed contract', async () => {
    const c = await newClient();
    await draftAndSign(server.deps, actor('tina'), c.id, { focus: 'Work', goals: ['Rest'] });
    const b = await adminIn('en');
    const seq = await lastAuditSeq(server);
    expect((await reassign(b, c.id, ids.tina)).status).toBe(303);
    expect((await reassign(b, c.id, 'no-such-staff')).status).toBe(400);
    expect((await b.request(`/staff/clients/${c.id}/therapist`, { form: {} })).status).toBe(404);
    expect(await contract(c.id)).toMatchObject({ status: 'sent', therapistSignature: { by: ids.tina } });
    expect((await auditAfter(server, seq)).map((e) => e.action)).toEqual(['client.assign', 'contract.view']);

    await c.chat.say('yes');
    expect((await reassign(b, c.id, ids.tor)).status).toBe(303);
    expect(await contract(c.id)).toMatchObject({ status: 'signed', therapistSignature: { by: ids.tina } });
  });

  it('withdraws it when nobody follows the client up any more', async () => {
    const c = await newClient();
    await draftAndSign(server.deps, actor('tina'), c.id, { focus: 'Work', goals: ['Rest'] });
    const b = await adminIn('en');
    expect((await reassign(b, c.id, '')).status).toBe(303);
    expect(await contract(c.id)).toMatchObject({ status: 'draft', therapistSignature: null });
  });
});
