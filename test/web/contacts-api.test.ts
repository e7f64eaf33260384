import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractFields } from '../../src/domain/contract.ts';
import { createClient } from '../../src/service/clients.ts';
import { planContacts } from '../../src/service/contacts.ts';
import { insertContract } from '../../src/storage/contracts.ts';
import { insertHomework } from '../../src/storage/homework.ts';
import { insertResponse } from '../../src/storage/responses.ts';
import { ContactChanged, ContactList, Review } from '../../src/web/api-contacts-schemas.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { addStaff, apiToken, auditAfter, browser, lastAuditSeq, type Server } from '../support/staff.ts';

/*
 * GET/POST /api/staff/v1/clients/{id}/contacts, GET …/review and the printable review page, over HTTP:
 * a client whose signed contract planned three contacts, with scores and homework, seen by their
 * therapist (A) and refused to another (B).
 */

const BASE = '/api/staff/v1';
let server: Server;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
const tokens = {} as Record<'A' | 'B', string>;
let staffA: string;
let clientId: string;

const fields: ContractFields = {
  focus: 'Bekymring',
  course: 'anxiety',
  goals: ['Sove bedre', 'Mindre <bekymring> på jobb'],
  paceDays: 7,
  startDate: '2026-11-23',
  endDate: '2027-01-04',
  contacts: { count: 3, minutes: 20, mode: 'phone', everyDays: 14, firstDate: '2026-11-30', time: '10:00' },
  measurement: { instruments: ['phq9', 'gad7'], beforeEachContact: true, atEnd: true },
  channels: { web: true, sms: { consent: false }, discreetSms: true },
  quiet: { reminderAfterDays: 7, taskAfterDays: 14 },
  dataSharing: '',
  ending: '',
};

async function api(who: 'A' | 'B', path: string, json?: unknown) {
  const res = await fetch(`${server.url}${BASE}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${tokens[who]}`,
      ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const score = async (instrument: 'phq9' | 'gad7', total: number, at: string) => {
  const items = instrument === 'phq9' ? [0, 0, 0, 0, 0, 0, 0, 0, 0] : [0, 0, 0, 0, 0, 0, 0];
  for (
    let i = 0, left = total;
    left > 0;
    i = (i + 1) % (items.length - (instrument === 'phq9' ? 1 : 0)), left--
  )
    items[i]!++;
  await server.deps.db.write((tx) =>
    insertResponse(
      tx,
      {
        id: `${instrument}-${at}`,
        clientId,
        instrument,
        instrumentVersion: '1',
        items,
        total,
        channel: 'web',
        startedAt: at,
        completedAt: at,
      },
      at,
    ),
  );
};

beforeAll(async () => {
  server = await startTestServer({}, { clock: clock.read });
  staffA = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  await addStaff(server, { email: 'bo@clinic.no', name: 'Bo', role: 'therapist' });
  tokens.A = await apiToken(server, 'tina@clinic.no');
  tokens.B = await apiToken(server, 'bo@clinic.no');
  const created = await createClient(server.deps, {
    course: 'intro',
    locale: 'nb',
    timeZone: 'Europe/Oslo',
    displayName: 'Kari Kontakt',
    therapistId: staffA,
  });
  if (!created.ok) throw new Error('no client');
  clientId = created.clientId;
  // What the contract's signing does (src/service/contracts.ts): the version in force plans the contacts.
  await server.deps.db.write(async (tx) => {
    await insertContract(tx, {
      id: 'contract-1',
      clientId,
      version: 1,
      fields,
      draftedBy: staffA,
      now: clock.now.toISOString(),
    });
    await tx.execute({ sql: "UPDATE contracts SET status = 'signed' WHERE id = 'contract-1'", args: [] });
    await planContacts(server.deps, tx, clientId, 'contract-1', fields, 'Europe/Oslo');
  });
  await score('phq9', 15, '2026-11-22T18:00:00.000Z');
  await score('phq9', 12, '2026-11-29T18:00:00.000Z');
  await server.deps.db.write((tx) =>
    insertHomework(tx, {
      id: 'hw-1',
      clientId,
      type: 'anxiety.worry_diary',
      step: 'diary',
      entry: {},
      channel: 'web',
      createdAt: '2026-12-01T19:00:00.000Z',
    }),
  );
});

afterAll(() => server.close());

describe('GET/POST /clients/{id}/contacts', () => {
  it('lists the planned contacts with their reminder and questionnaire', async () => {
    const before = await lastAuditSeq(server);
    const res = await api('A', `/clients/${clientId}/contacts`);
    expect(res.status).toBe(200);
    const list = ContactList.parse(res.body);
    expect(list.contacts.map((c) => [c.localDate, c.localTime, c.status, c.source])).toEqual([
      ['2026-11-30', '10:00', 'planned', 'contract'],
      ['2026-12-14', '10:00', 'planned', 'contract'],
      ['2026-12-28', '10:00', 'planned', 'contract'],
    ]);
    expect(list.contacts[0]).toMatchObject({
      plannedAt: '2026-11-30T09:00:00.000Z',
      reminder: { at: '2026-11-29T09:00:00.000Z' },
      measurement: { flowId: 'measures', dueAt: '2026-11-29T17:00:00.000Z', active: true },
    });
    expect((await auditAfter(server, before)).map((r) => [r.action, r.clientId, r.via])).toEqual([
      ['client.contacts', clientId, 'api'],
    ]);
  });

  it('adds a contact, records notes and outcomes, and refuses what does not fit', async () => {
    const added = await api('A', `/clients/${clientId}/contacts`, {
      action: 'add',
      date: '2026-12-03',
      time: '15:00',
      minutes: 30,
      mode: 'video',
    });
    expect(added.status).toBe(200);
    const contact = ContactChanged.parse(added.body).contact;
    expect(contact).toMatchObject({
      source: 'manual',
      plannedAt: '2026-12-03T14:00:00.000Z',
      status: 'planned',
    });

    // A later one, taken early: recorded done, it keeps its note (correctable, never cancelled after).
    const early = ContactChanged.parse(
      (
        await api('A', `/clients/${clientId}/contacts`, {
          action: 'add',
          date: '2026-12-20',
          time: '10:00',
          minutes: 20,
          mode: 'phone',
        })
      ).body,
    ).contact;
    const note = { learned: 'Bekymringstid', helped: 'Skrive ned', hard: 'Kveldene', next: 'Del 3' };
    const recorded = await api('A', `/clients/${clientId}/contacts`, {
      action: 'record',
      contactId: early.id,
      status: 'done',
      note,
    });
    expect(recorded.status).toBe(200);
    expect(ContactChanged.parse(recorded.body).contact).toMatchObject({
      status: 'done',
      note,
      noteBy: staffA,
    });

    const cases: [unknown, number, string][] = [
      [{ action: 'record', contactId: contact.id, status: 'done' }, 400, 'note_required'],
      // 3 December has not come: a contact can be taken early (done), not missed.
      [{ action: 'record', contactId: contact.id, status: 'missed' }, 409, 'not_yet'],
      [{ action: 'record', contactId: early.id, status: 'cancelled' }, 409, 'already_done'],
      [{ action: 'add', date: '2026-11-20', time: '10:00', minutes: 20, mode: 'phone' }, 400, 'in_the_past'],
      [{ action: 'add', date: '2026-02-30', time: '10:00', minutes: 20, mode: 'phone' }, 400, 'invalid_date'],
      [
        { action: 'add', date: '2026-12-20', time: '25:00', minutes: 20, mode: 'phone' },
        400,
        'invalid_request',
      ],
      [{ action: 'move', contactId: contact.id }, 400, 'invalid_request'],
      [{ action: 'record', contactId: 'no-such-contact', status: 'missed' }, 404, 'not_found'],
      // An unknown contact is not found before anything else is checked (here: the missing note).
      [{ action: 'record', contactId: 'no-such-contact', status: 'done' }, 404, 'not_found'],
    ];
    for (const [body, status, code] of cases) {
      const res = await api('A', `/clients/${clientId}/contacts`, body);
      expect([res.status, (res.body.error as { code: string }).code], JSON.stringify(body)).toEqual([
        status,
        code,
      ]);
    }
    const cancel = { action: 'record', contactId: contact.id, status: 'cancelled' };
    expect((await api('A', `/clients/${clientId}/contacts`, cancel)).status).toBe(200);
    expect((await api('A', `/clients/${clientId}/contacts`, { ...cancel, status: 'missed' })).status).toBe(
      409,
    );
  });

  it('answers another therapist 404, as for a client that does not exist', async () => {
    const before = await lastAuditSeq(server);
    const other = await api('B', `/clients/${clientId}/contacts`);
    const missing = await api('B', '/clients/no-such-client/contacts');
    expect(other).toEqual(missing);
    expect(other.status).toBe(404);
    const post = await api('B', `/clients/${clientId}/contacts`, {
      action: 'add',
      date: '2026-12-20',
      time: '10:00',
      minutes: 20,
      mode: 'phone',
    });
    expect(post.status).toBe(404);
    expect((await api('B', `/clients/${clientId}/review`)).status).toBe(404);
    expect(await auditAfter(server, before)).toEqual([]);
  });
});

describe('the review before a contact', () => {
  it('starts at the last contact that took place, with goals, scores and the agenda', async () => {
    clock.now = new Date('2026-11-30T09:30:00.000Z');
    const list = ContactList.parse((await api('A', `/clients/${clientId}/contacts`)).body);
    const first = list.contacts[0]!;
    await api('A', `/clients/${clientId}/contacts`, {
      action: 'record',
      contactId: first.id,
      status: 'done',
      note: { learned: 'a', helped: 'b', hard: 'c', next: 'd' },
    });
    clock.now = new Date('2026-12-13T09:00:00.000Z');
    await score('phq9', 7, '2026-12-12T18:00:00.000Z');

    const before = await lastAuditSeq(server);
    const res = await api('A', `/clients/${clientId}/review`);
    expect(res.status).toBe(200);
    const review = Review.parse(res.body);
    expect((await auditAfter(server, before)).map((r) => r.action)).toEqual(['client.review']);
    expect(review).toMatchObject({
      client: { id: clientId, name: 'Kari Kontakt', locale: 'nb', timeZone: 'Europe/Oslo' },
      since: '2026-11-30T09:00:00.000Z',
      lastContact: { id: first.id, status: 'done' },
      nextContact: { plannedAt: '2026-12-14T09:00:00.000Z' },
      goals: fields.goals,
      homework: { total: 1, byType: [{ type: 'anxiety.worry_diary', count: 1 }] },
      scores: [
        {
          instrument: 'phq9',
          first: { total: 15 },
          previous: { total: 12 },
          latest: { total: 7 },
          reliableChange: 'improvement',
          newSinceLastContact: 1,
        },
      ],
    });
    expect(review.agenda.helped).toEqual([
      { key: 'workspace.review.agenda.score_fell_reliably', vars: { instrument: 'PHQ-9', from: 15, to: 7 } },
    ]);
    expect(review.agenda.hard).toContainEqual({
      key: 'workspace.review.agenda.homework_gap',
      vars: { days: 11 },
      terms: { kind: 'workspace.homework_type.anxiety.worry_diary' },
    });
  });

  it('prints as a page in the therapist’s language, the client’s words escaped', async () => {
    const b = browser(server);
    await b.signIn('tina@clinic.no');
    const res = await b.request(`/staff/clients/${clientId}/review`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(
      /<button type="button" class="secondary" data-print="true" hidden="">Skriv ut<\/button>/,
    );
    expect(html).toContain('PHQ-9 falt reelt fra 15 til 7.');
    expect(html).toContain('Bekymringsdagbok er ikke fylt ut på 11 dager.');
    expect(html).toContain('Mindre &lt;bekymring&gt; på jobb');
    expect(html).not.toContain('<bekymring>');
  });

  it('records a note from the client page’s form', async () => {
    const b = browser(server);
    await b.signIn('tina@clinic.no');
    const list = ContactList.parse((await api('A', `/clients/${clientId}/contacts`)).body);
    const next = list.contacts.find((c) => c.status === 'planned')!;
    // An unknown contact answers 404 as the API does, not 400 with the note message.
    const unknown = await b.request(`/staff/clients/${clientId}/contacts`, {
      form: {
        action: 'record',
        contactId: 'no-such-contact',
        status: 'done',
        learned: '',
        helped: '',
        hard: '',
        next: '',
      },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toContain('notat');
    // The next contact has not begun: the form offers no "missed", and a posted one is refused.
    const page = await (await b.request(`/staff/clients/${clientId}`)).text();
    const select = page.slice(page.indexOf(`id="status-${next.id}"`)).split('</select>')[0]!;
    expect(select).toContain('value="done"');
    expect(select).not.toContain('value="missed"');
    const early = { action: 'record', contactId: next.id, learned: '', helped: '', hard: '', next: '' };
    const missed = await b.request(`/staff/clients/${clientId}/contacts`, {
      form: { ...early, status: 'missed' },
    });
    expect(missed.status).toBe(409);
    expect(await missed.text()).toContain('Samtalen har ikke begynt ennå.');
    const res = await b.request(`/staff/clients/${clientId}/contacts`, {
      form: { ...early, status: 'cancelled' },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/staff/clients/${clientId}#contacts`);
    const bad = await b.request(`/staff/clients/${clientId}/contacts`, {
      form: {
        action: 'record',
        contactId: next.id,
        status: 'done',
        learned: '',
        helped: '',
        hard: '',
        next: '',
      },
    });
    expect(bad.status).toBe(400);
    const after = ContactList.parse((await api('A', `/clients/${clientId}/contacts`)).body);
    expect(after.contacts.find((c) => c.id === next.id)?.status).toBe('cancelled');
  });

  it('is described in the OpenAPI document', async () => {
    const res = await fetch(`${server.url}${BASE}/openapi.json`);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/clients/{id}/contacts'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/clients/{id}/review'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Contact', 'ContactRequest', 'Review']),
    );
  });
});
