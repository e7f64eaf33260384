import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { setStaffLanguage } from '../../src/service/staff.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { addStaff, apiToken, browser, type Server, webChat } from '../support/staff.ts';

/*
 * The guidance contract through the staff JSON API: draft, sign, the client accepts in the web chat, a
 * new version; validation (400), visibility (404), nothing to sign (409), waiving; the OpenAPI document.
 * And the contract form on the client's page (the staff HTML routes, signed in with the session cookie):
 * its errors per field in the page's language, the values kept, every field the API takes.
 */

let server: Server;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let tina: string;
let bo: string;
let tinaId: string;
let eveId: string;

beforeAll(async () => {
  server = await startTestServer({}, { clock: clock.read });
  tinaId = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  await addStaff(server, { email: 'bo@clinic.no', name: 'Bo', role: 'therapist' });
  // Eve reads the workspace in English (Tina in Bokmål, the default).
  eveId = await addStaff(server, { email: 'eve@clinic.no', name: 'Eve', role: 'therapist' });
  await setStaffLanguage(server.deps, eveId, 'en');
  tina = await apiToken(server, 'tina@clinic.no');
  bo = await apiToken(server, 'bo@clinic.no');
});
afterAll(() => server.close());

/** An answer of the API, loosely: the tests match what they look at. */
type ApiBody = Record<string, unknown> & {
  error: { code: string; message: string };
  history: { status: string }[];
};

async function api(token: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/staff/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

async function newClient(therapistId = tinaId) {
  const created = await createClient(server.deps, { course: 'stress', locale: 'en', therapistId });
  if (!created.ok) throw new Error('no client');
  const chat = webChat(server, 'en');
  await chat.start();
  const linked = await chat.say(created.accessCode);
  return { id: created.clientId, chat, linked };
}

describe('the contract API', () => {
  it('answers 404 before there is a contract, and for another therapist', async () => {
    const c = await newClient();
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).status).toBe(404);
    await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'draft' });
    expect((await api(bo, 'GET', `/clients/${c.id}/contract`)).status).toBe(404);
    expect((await api(bo, 'POST', `/clients/${c.id}/contract`, { action: 'sign' })).status).toBe(404);
  });

  it('drafts, signs, and shows both signatures once the client accepts in the web chat', async () => {
    const c = await newClient();
    expect(c.linked.join('\n')).toContain('Before the course starts');
    const drafted = await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'draft',
      fields: { focus: 'Work stress', goals: ['Leave work at five'], contacts: { mode: 'video' } },
    });
    expect(drafted.status).toBe(200);
    expect(drafted.body).toMatchObject({
      status: 'draft',
      version: 1,
      fields: { course: 'stress', contacts: { mode: 'video', count: 6, minutes: 20 } },
      therapistSignature: null,
      clientSignature: null,
      courseWaits: true,
    });
    const signed = await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'sign' });
    expect(signed.body).toMatchObject({ status: 'sent', therapistSignature: { by: tinaId, name: 'Tina' } });
    expect((await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'sign' })).status).toBe(409);

    expect(await c.chat.say('I accept')).toContain(
      'Thank you! The agreement is now signed by you and your therapist.',
    );
    const read = await api(tina, 'GET', `/clients/${c.id}/contract`);
    expect(read.body).toMatchObject({
      status: 'signed',
      clientSignature: { via: 'web', at: clock.now.toISOString() },
      courseWaits: false,
    });

    const amended = await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'draft',
      fields: { paceDays: 10 },
    });
    expect(amended.body).toMatchObject({ version: 2, status: 'draft' });
    expect(amended.body.history.map((v) => v.status)).toEqual(['draft', 'signed']);
  });

  it('keeps the words of a change request', async () => {
    const c = await newClient();
    await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'draft',
      fields: { focus: 'x', goals: ['y'] },
    });
    await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'sign' });
    await c.chat.say('I want to change something');
    await c.chat.say('Fewer calls, <b>please</b>');
    const read = await api(tina, 'GET', `/clients/${c.id}/contract`);
    expect(read.body).toMatchObject({
      status: 'changes_requested',
      changeRequest: { text: 'Fewer calls, <b>please</b>' },
    });
  });

  it('refuses what is not a contract with 400, and changes nothing', async () => {
    const c = await newClient();
    for (const body of [
      { action: 'publish' },
      { action: 'waive' },
      { action: 'draft', fields: { paceDays: 0 } },
      { action: 'draft', fields: { goals: ['a', 'b', 'c', 'd'] } },
      { action: 'draft', fields: { startDate: '2026-12-01', endDate: '2026-11-01' } },
    ]) {
      const res = await api(tina, 'POST', `/clients/${c.id}/contract`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).status).toBe(404);
    const incomplete = await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'draft' });
    expect(incomplete.status).toBe(200);
    const sign = await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'sign' });
    expect(sign.status).toBe(400);
    expect(sign.body.error.message).toContain('fields.focus');
  });

  it('records a waiver, and the course starts', async () => {
    const c = await newClient();
    const waived = await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'waive',
      reason: 'Signed on paper',
    });
    expect(waived).toMatchObject({ status: 200, body: { waived: { reason: 'Signed on paper' } } });
    expect((await c.chat.say('hello')).join('\n')).not.toContain('Before the course starts');
  });

  it('lists both operations in the OpenAPI document', async () => {
    const res = await fetch(`${server.url}/api/staff/v1/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.paths['/clients/{id}/contract']?.get?.operationId).toBe('getContract');
    expect(doc.paths['/clients/{id}/contract']?.post?.operationId).toBe('changeContract');
  });

  it('refuses what cannot be a contract, naming each field by the same path, and writes nothing', async () => {
    const c = await newClient();
    const refusals: [unknown, string][] = [
      [{ startDate: '2026-02-30' }, 'fields.startDate: '],
      [{ startDate: '2020-01-01' }, 'fields.startDate: must not be before today'],
      [{ channels: { sms: { consent: true, phone: 'abc' } } }, 'fields.channels.sms.phone: '],
      [{ channels: { sms: { consent: true } } }, 'fields.channels.sms.phone: SMS consent needs'],
      [{ quiet: { reminderAfterDays: 20, taskAfterDays: 5 } }, 'fields.quiet.taskAfterDays: '],
      [{ channels: { web: false, sms: { consent: false } } }, 'fields.channels: at least one channel'],
      [{ contacts: { firstDate: '2026-11-01' } }, 'fields.contacts.firstDate: must not be before startDate'],
      [{ contacts: { firstDate: '2026-11-01' } }, 'fields.contacts.firstDate: must not be before today'],
      [{ contacts: { firstDate: '2026-11-31' } }, 'fields.contacts.firstDate: '],
      [{ startDate: '2026-12-01', endDate: '2026-12-01' }, 'fields.endDate: must be after startDate'],
      [{ goals: ['a', 'b', 'c', 'd'] }, 'fields.goals: '],
      [{ paceDays: 29 }, 'fields.paceDays: '],
      [{ contacts: { count: 21 } }, 'fields.contacts.count: '],
      [{ contacts: { minutes: 4 } }, 'fields.contacts.minutes: '],
      [{ contacts: { everyDays: 61 } }, 'fields.contacts.everyDays: '],
      [{ quiet: { reminderAfterDays: 0 } }, 'fields.quiet.reminderAfterDays: '],
    ];
    for (const [fields, message] of refusals) {
      for (const action of ['draft', 'sign']) {
        const body = { action, fields: { focus: 'x', goals: ['y'], ...(fields as object) } };
        const res = await api(tina, 'POST', `/clients/${c.id}/contract`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
        expect(res.body.error.message, JSON.stringify(body)).toContain(message);
        expect(res.body.error.message).not.toMatch(/\bjson\./);
      }
    }
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).status).toBe(404);
  });

  it('keeps the SMS number in E.164', async () => {
    const c = await newClient();
    const drafted = await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'draft',
      fields: { channels: { sms: { consent: true, phone: '912 34 567' } } },
    });
    expect(drafted.body).toMatchObject({
      fields: { channels: { sms: { consent: true, phone: '+4791234567' } } },
    });
  });

  it('signs with fields in one step: drafts them first, and writes nothing when they cannot be signed', async () => {
    const c = await newClient();
    await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'draft', fields: { paceDays: 10 } });
    const incomplete = await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'sign',
      fields: { focus: 'Work stress', contacts: { mode: 'video' } },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.message).toContain('fields.goals: required');
    // The draft is as it was: the refused fields were not written.
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).body).toMatchObject({
      status: 'draft',
      fields: { focus: '', paceDays: 10, contacts: { mode: 'phone' } },
    });
    const signed = await api(tina, 'POST', `/clients/${c.id}/contract`, {
      action: 'sign',
      fields: { focus: 'Work stress', goals: ['Leave work at five'], contacts: { mode: 'video' } },
    });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({
      status: 'sent',
      version: 1,
      therapistSignature: { by: tinaId },
      fields: {
        focus: 'Work stress',
        goals: ['Leave work at five'],
        paceDays: 10,
        contacts: { mode: 'video' },
      },
    });
    expect(c.linked.join('\n')).toContain('Before the course starts');
  });

  it('refuses a waiver once the contract is signed, and a second waiver, with 409', async () => {
    const signedClient = await newClient();
    await api(tina, 'POST', `/clients/${signedClient.id}/contract`, {
      action: 'sign',
      fields: { focus: 'x', goals: ['y'] },
    });
    await signedClient.chat.say('I accept');
    const afterSigning = await api(tina, 'POST', `/clients/${signedClient.id}/contract`, {
      action: 'waive',
      reason: 'Signed on paper',
    });
    expect(afterSigning.status).toBe(409);
    expect(afterSigning.body.error).toEqual({
      code: 'already_signed',
      message: 'The client has a signed contract: there is nothing to waive.',
    });

    const waivedClient = await newClient();
    const first = await api(tina, 'POST', `/clients/${waivedClient.id}/contract`, {
      action: 'waive',
      reason: 'Signed on paper',
    });
    expect(first.status).toBe(200);
    const second = await api(tina, 'POST', `/clients/${waivedClient.id}/contract`, {
      action: 'waive',
      reason: 'Another reason',
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('already_waived');
    await api(tina, 'POST', `/clients/${waivedClient.id}/contract`, { action: 'draft' });
    expect((await api(tina, 'GET', `/clients/${waivedClient.id}/contract`)).body).toMatchObject({
      waivedReason: 'Signed on paper',
    });
  });

  it('documents the bounds and what signing needs in the OpenAPI document', async () => {
    const res = await fetch(`${server.url}/api/staff/v1/openapi.json`);
    type Schema = {
      properties: Record<string, Schema & Record<string, unknown>>;
      description?: string;
    } & Record<string, unknown>;
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { description: string }>>;
      components: { schemas: Record<string, Schema> };
    };
    const fields = doc.components.schemas.ContractFields!.properties;
    const bounds = (s: Record<string, unknown> | undefined) => [s?.minimum, s?.maximum];
    expect(bounds(fields.paceDays)).toEqual([1, 28]);
    expect(bounds(fields.contacts!.properties.count)).toEqual([0, 20]);
    expect(bounds(fields.contacts!.properties.minutes)).toEqual([5, 120]);
    expect(bounds(fields.contacts!.properties.everyDays)).toEqual([1, 60]);
    expect(fields.quiet!.properties.reminderAfterDays!.minimum).toBe(1);
    expect(fields.quiet!.properties.taskAfterDays!.minimum).toBe(1);
    expect(fields.goals!.maxItems).toBe(3);
    for (const date of [fields.startDate, fields.endDate, fields.contacts!.properties.firstDate])
      expect(date!.format).toBe('date');
    const post = doc.paths['/clients/{id}/contract']!.post!.description;
    expect(post).toContain('signing needs a focus and one to three goals');
  });
});

/** The contract form as the client page posts it; a checkbox left out is not ticked. */
function contractForm(changes: Record<string, string | string[] | undefined> = {}) {
  const values: Record<string, string | string[] | undefined> = {
    action: 'draft',
    focus: 'Tunge morgener',
    course: 'stress',
    goals: 'Gå tur tre ganger i uka\r\nRinge en venn',
    paceDays: '7',
    startDate: '2026-11-23',
    endDate: '2027-02-08',
    contactsCount: '6',
    contactsMinutes: '20',
    contactsMode: 'phone',
    contactsEveryDays: '14',
    contactsFirstDate: '2026-11-30',
    contactsTime: '10:00',
    instruments: ['phq9', 'gad7'],
    measureBeforeEachContact: 'on',
    measureAtEnd: 'on',
    channelWeb: 'on',
    smsPhone: '',
    smsContent: 'discreet',
    quietReminder: '7',
    quietTask: '14',
    dataSharing: 'Svarene',
    ending: 'En siste samtale',
    ...changes,
  };
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) body.append(name, v);
  }
  return body;
}

describe('the contract form on the client page', () => {
  async function signedIn(email = 'tina@clinic.no') {
    const b = browser(server);
    await b.signIn(email);
    const post = (clientId: string, body: URLSearchParams) =>
      b.request(`/staff/clients/${clientId}/contract`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: body.toString(),
      });
    return { b, post };
  }

  /** A new client with the clinic's draft of a contract, and Tina signed in to the workspace. */
  async function draftedAndSignedIn() {
    const c = await newClient();
    await api(tina, 'POST', `/clients/${c.id}/contract`, { action: 'draft' });
    return { c, ...(await signedIn()) };
  }

  /** The field's error: the input names it with aria-describedby, and the text is in the page. */
  function errorOf(html: string, name: string): string | undefined {
    const input = new RegExp(`<(?:input|textarea|select|fieldset)[^>]*id="contract-${name}"[^>]*>`).exec(
      html,
    )?.[0];
    const described = input && /aria-describedby="([^"]+)"/.exec(input)?.[1];
    if (!described) return undefined;
    return new RegExp(`<p id="${described}"[^>]*>([^<]*)</p>`).exec(html)?.[1];
  }

  it('marks the fields in the page language, keeps what was typed, and says to check the fields', async () => {
    const { c, post } = await draftedAndSignedIn();
    const res = await post(
      c.id,
      contractForm({
        focus: 'Tunge <morgener>',
        endDate: '2026-11-01',
        paceDays: 'fort',
        contactsFirstDate: '2026-11-20',
        smsConsent: 'on',
        smsPhone: 'abc',
        quietReminder: '20',
        quietTask: '5',
      }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Sjekk feltene som er merket.');
    expect(html).not.toContain('ikke fullstendig');
    expect(html).not.toMatch(/fields\.|Invalid input|must not be|received NaN/);
    expect(errorOf(html, 'endDate')).toBe('Slutten må være etter starten.');
    expect(errorOf(html, 'paceDays')).toBe('Skriv et helt tall fra 1 til 28.');
    expect(errorOf(html, 'contactsFirstDate')).toBe('Den første samtalen kan ikke være før starten.');
    expect(errorOf(html, 'smsPhone')).toBe('Skriv et gyldig mobilnummer, for eksempel 912 34 567.');
    expect(errorOf(html, 'quietTask')).toMatch(/^Oppgaven må komme etter påminnelsen/);
    expect(errorOf(html, 'focus')).toBeUndefined();
    expect(html).toMatch(/aria-invalid="true"[^>]*name="endDate"/);
    // What was typed comes back (the stored draft has no focus nor goals), escaped.
    expect(html).toMatch(/name="focus"[^>]*>Tunge &lt;morgener&gt;<\/textarea>/);
    expect(html).toMatch(/name="goals"[^>]*>Gå tur tre ganger i uka\r?\nRinge en venn<\/textarea>/);
    expect(html).toMatch(/name="endDate" value="2026-11-01"/);
    expect(html).toMatch(/name="paceDays" value="fort"/);
    expect(html).toMatch(/name="smsPhone" value="abc"/);
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).body).toMatchObject({
      fields: { focus: '', goals: [] },
    });
  });

  it('shows the field errors and the errors between fields together, after one post', async () => {
    const { c, post } = await draftedAndSignedIn();
    const res = await post(
      c.id,
      contractForm({
        goals: 'Gå tur\r\nRinge en venn\r\nLese\r\nSove',
        paceDays: '2.5',
        startDate: '2026-11-20',
        endDate: '2026-11-19',
        contactsFirstDate: '2026-11-19',
        channelWeb: undefined,
      }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(errorOf(html, 'goals')).toBe('Høyst 3 mål.');
    expect(errorOf(html, 'paceDays')).toBe('Skriv et helt tall fra 1 til 28.');
    expect(errorOf(html, 'startDate')).toBe('Starten kan ikke være før i dag.');
    expect(errorOf(html, 'endDate')).toBe('Slutten må være etter starten.');
    expect(errorOf(html, 'contactsFirstDate')).toBe('Den første samtalen kan ikke være før starten.');
    expect(errorOf(html, 'channels')).toBe(
      'Velg minst én kanal som når klienten: nettchatten, eller SMS med samtykke.',
    );
  });

  it('moves the end and a default first contact with a start moved in the form', async () => {
    const { c, post } = await draftedAndSignedIn();
    // The form sends every field as shown (the clinic's draft): only the start is new.
    const res = await post(c.id, contractForm({ startDate: '2026-12-07' }));
    expect(res.status).toBe(303);
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).body).toMatchObject({
      fields: { startDate: '2026-12-07', endDate: '2027-02-22', contacts: { firstDate: '2026-12-14' } },
    });
  });

  it('marks the missing focus and goals when an incomplete draft is signed', async () => {
    const { c, post } = await draftedAndSignedIn();
    const res = await post(c.id, new URLSearchParams({ action: 'sign' }));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Kontrakten kan ikke signeres ennå. Sjekk feltene som er merket');
    expect(errorOf(html, 'focus')).toBe('Fyll ut dette feltet.');
    expect(errorOf(html, 'goals')).toBe('Fyll ut dette feltet.');
    expect(html).not.toMatch(/fields\.|Too small/);
  });

  it('names the courses in the page language, and has every field the API takes', async () => {
    const { c, b, post } = await draftedAndSignedIn();
    const nb = await (await b.request(`/staff/clients/${c.id}`)).text();
    expect(nb).toMatch(/<option value="depression">Depresjon \(atferdsaktivering\)<\/option>/);
    expect(nb).toMatch(/<option value="stress" selected="">Stress<\/option>/);
    expect(nb).not.toMatch(/<option value="sleep">sleep</);
    for (const name of [
      'instruments',
      'measureBeforeEachContact',
      'measureAtEnd',
      'channelWeb',
      'smsConsent',
    ])
      expect(nb, name).toMatch(new RegExp(`type="checkbox" id="contract-${name}[^"]*" name="${name}"`));
    expect(nb).toMatch(/type="radio" id="contract-smsContent-full" name="smsContent" value="full"/);
    expect(nb).toMatch(/<label for="contract-smsContent-full">Hele teksten<\/label>/);
    expect(nb).toMatch(/<label for="contract-startDate">Start<\/label>/);

    const saved = await post(
      c.id,
      contractForm({
        instruments: ['phq9'],
        measureAtEnd: undefined,
        channelWeb: undefined,
        smsConsent: 'on',
        smsPhone: '912 34 567',
        smsContent: 'full',
      }),
    );
    expect(saved.status).toBe(303);
    expect((await api(tina, 'GET', `/clients/${c.id}/contract`)).body).toMatchObject({
      fields: {
        focus: 'Tunge morgener',
        goals: ['Gå tur tre ganger i uka', 'Ringe en venn'],
        measurement: { instruments: ['phq9'], beforeEachContact: true, atEnd: false },
        channels: { web: false, sms: { consent: true, phone: '+4791234567' }, discreetSms: false },
      },
    });

    const theirs = await newClient(eveId);
    await api(await apiToken(server, 'eve@clinic.no'), 'POST', `/clients/${theirs.id}/contract`, {
      action: 'draft',
    });
    const eve = await signedIn('eve@clinic.no');
    const en = await (await eve.b.request(`/staff/clients/${theirs.id}`)).text();
    expect(en).toMatch(/<option value="depression">Depression \(behavioural activation\)<\/option>/);
    const refused = await eve.post(theirs.id, contractForm({ channelWeb: undefined }));
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('Check the fields marked.');
    expect(errorOf(html, 'channels')).toBe(
      'Choose at least one channel that reaches the client: the web chat, or SMS with consent.',
    );
  });

  it('refuses a second waiver on the page with 409, keeping the first reason', async () => {
    const c = await newClient();
    const { post } = await signedIn();
    expect((await post(c.id, new URLSearchParams({ action: 'waive', reason: 'På papir' }))).status).toBe(303);
    const again = await post(c.id, new URLSearchParams({ action: 'waive', reason: 'Noe annet' }));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Det er allerede lagret en begrunnelse');
  });
});
