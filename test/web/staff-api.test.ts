import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { listAccessCodes } from '../../src/service/access-codes.ts';
import { staffApi } from '../../src/web/api.ts';
import {
  AccessCodeChanged,
  Alert,
  AlertAcknowledged,
  Caseload,
  ClientDetail,
  NewClientCreated,
  TranscriptPage,
} from '../../src/web/api-schemas.ts';
import { passwordAuth } from '../../src/web/auth.tsx';
import { FakeClock, startTestServer } from '../support/harness.ts';
import {
  addStaff,
  apiToken,
  auditAfter,
  browser,
  lastAuditSeq,
  type Server,
  webChat,
} from '../support/staff.ts';

const BASE = '/api/staff/v1';
const EVIL = 'https://evil.example';

type Who = 'A' | 'B' | 'admin';
type Json = Record<string, unknown>;

let server: Server;
let clock: FakeClock;
const ids = {} as Record<Who, string>;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
  server = await startTestServer({}, { clock: clock.read });
  ids.A = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  ids.B = await addStaff(server, { email: 'bo@clinic.no', name: 'Bo', role: 'therapist' });
  ids.admin = await addStaff(server, { email: 'ada@clinic.no', name: 'Ada', role: 'admin' });
  tokens.A = await apiToken(server, 'tina@clinic.no');
  tokens.B = await apiToken(server, 'bo@clinic.no');
  tokens.admin = await apiToken(server, 'ada@clinic.no');
});

afterAll(() => server.close());

/** A request to the API with a bearer token; `json` is sent as JSON, `body` as it is. */
async function api(
  who: Who | undefined,
  path: string,
  init: { method?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(init.headers);
  if (who) headers.set('Authorization', `Bearer ${tokens[who]}`);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  const res = await fetch(`${server.url}${BASE}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: (text ? JSON.parse(text) : undefined) as Json,
  };
}

/** The body validates against its documented schema, and the schema leaves nothing out. */
function documented<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.parse(body);
  expect(parsed).toEqual(body);
  return parsed;
}

function expectError(res: Awaited<ReturnType<typeof api>>, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const error = (res.body as { error: { code: string; message: string } }).error;
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  if (code) expect(error.code).toBe(code);
  else expect(typeof error.code).toBe('string');
}

const countClients = () =>
  server.deps.db.read(async (q) => Number((await q.execute('SELECT COUNT(*) AS n FROM clients')).rows[0]?.n));

async function newClient(who: Who, body: Json): Promise<z.infer<typeof NewClientCreated>> {
  const res = await api(who, '/clients', { json: body });
  expect(res.status, res.text).toBe(201);
  return documented(NewClientCreated, res.body);
}

describe('POST /clients and GET /clients', () => {
  it('adds a client to a therapist’s own caseload and shows the access code once', async () => {
    const before = await lastAuditSeq(server);
    const res = await api('A', '/clients', {
      json: { displayName: 'Vera Vik', course: 'gad7', locale: 'en', timeZone: 'Europe/Oslo' },
    });
    expect(res.status, res.text).toBe(201);
    const created = documented(NewClientCreated, res.body);
    expect(created.therapistId).toBe(ids.A);
    expect(created.flowId).toBe('gad7');
    expect(created.accessCode).toMatch(/^\S{6,}$/);
    expect(created.accessCodeExpiresAt).toBe('2026-12-23T09:00:00.000Z');
    expect(res.headers.get('location')).toBe(`${BASE}/clients/${created.clientId}`);
    expect(await auditAfter(server, before)).toMatchObject([
      { action: 'client.create', clientId: created.clientId, staffId: ids.A, via: 'api' },
    ]);

    const mine = documented(Caseload, (await api('A', '/clients')).body);
    expect(mine.clients.find((c) => c.clientId === created.clientId)).toMatchObject({
      name: 'Vera Vik',
      therapist: { id: ids.A, name: 'Tina' },
      flags: { safetyMode: false },
    });
    const theirs = documented(Caseload, (await api('B', '/clients')).body);
    expect(theirs.clients.map((c) => c.clientId)).not.toContain(created.clientId);
    expect((await api('B', '/clients')).text).not.toContain('Vera Vik');
  });

  it('lists the caseload with one audit row, sorted as asked', async () => {
    await newClient('B', { displayName: 'Anna Aas' });
    await newClient('B', { displayName: 'Ole Olsen' });
    const before = await lastAuditSeq(server);
    const byName = documented(Caseload, (await api('B', '/clients?sort=name')).body);
    expect(byName.sort).toEqual({ key: 'name', direction: 'asc' });
    expect(byName.clients.map((c) => c.name)).toEqual(['Anna Aas', 'Ole Olsen']);
    const desc = documented(Caseload, (await api('B', '/clients?sort=name&direction=desc')).body);
    expect(desc.clients.map((c) => c.name)).toEqual(['Ole Olsen', 'Anna Aas']);
    expect(await auditAfter(server, before)).toMatchObject([
      { action: 'dashboard.view', clientId: undefined, staffId: ids.B, via: 'api' },
      { action: 'dashboard.view', clientId: undefined, staffId: ids.B, via: 'api' },
    ]);
    expectError(await api('B', '/clients?sort=age'), 400, 'invalid_request');
    expectError(await api('B', '/clients?direction=up'), 400, 'invalid_request');
  });

  it('lets a therapist name only themselves as the responsible therapist', async () => {
    const self = await newClient('A', { therapistId: ids.A });
    expect(self.therapistId).toBe(ids.A);
    const clients = await countClients();
    for (const therapistId of [ids.B, 'no-such-staff', null]) {
      const res = await api('A', '/clients', { json: { therapistId } });
      expectError(res, 400, 'not_own_caseload');
    }
    // Naming a colleague and naming nobody who exists get the same answer: no probing of staff ids.
    const colleague = await api('A', '/clients', { json: { therapistId: ids.B } });
    const nobody = await api('A', '/clients', { json: { therapistId: 'no-such-staff' } });
    expect(colleague.body).toEqual(nobody.body);
    expect(await countClients()).toBe(clients);
  });

  it('lets an admin add a client for any active therapist, or for nobody', async () => {
    const forB = await newClient('admin', { displayName: 'Berit Brun', therapistId: ids.B });
    expect(forB.therapistId).toBe(ids.B);
    const bSees = documented(Caseload, (await api('B', '/clients')).body);
    expect(bSees.clients.map((c) => c.clientId)).toContain(forB.clientId);

    for (const body of [{}, { therapistId: null }]) {
      const nobody = await newClient('admin', body);
      expect(nobody.therapistId).toBeUndefined();
      const all = documented(Caseload, (await api('admin', '/clients')).body);
      expect(all.clients.find((c) => c.clientId === nobody.clientId)?.therapist).toBeUndefined();
    }
    expectError(
      await api('admin', '/clients', { json: { therapistId: 'no-such-staff' } }),
      400,
      'unknown_therapist',
    );
  });

  it('answers bad input with 400 (or 413, 415) JSON and creates nothing', async () => {
    const clients = await countClients();
    const before = await lastAuditSeq(server);
    const invalid: [string, unknown][] = [
      ['an array', []],
      ['a string', 'hello'],
      ['null', null],
      ['an unknown locale', { locale: 'de' }],
      ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }],
      ['an empty name', { displayName: '   ' }],
      ['a name too long', { displayName: 'x'.repeat(201) }],
      ['a number as therapist', { therapistId: 5 }],
      ['an unknown field', { therapistID: ids.B }],
      ['an empty course', { course: '' }],
    ];
    for (const [what, json] of invalid) {
      const res = await api('admin', '/clients', { json });
      expect(res.status, what).toBe(400);
      expectError(res, 400, 'invalid_request');
    }
    expectError(
      await api('admin', '/clients', { json: { course: 'no-such-course' } }),
      400,
      'unknown_course',
    );
    expectError(
      await api('admin', '/clients', {
        body: '{"displayName":',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'invalid_json',
    );
    // fetch labels a string body text/plain: not JSON.
    expectError(await api('admin', '/clients', { body: '{}' }), 415, 'unsupported_media_type');
    expectError(
      await api('admin', '/clients', { body: 'displayName=x', headers: { 'Content-Type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
    expectError(
      await api('admin', '/clients', { json: { displayName: 'x'.repeat(20_000) } }),
      413,
      'payload_too_large',
    );
    expect(await countClients()).toBe(clients);
    expect(await auditAfter(server, before)).toEqual([]);
  });
});

describe('one client: GET /clients/{id} and its transcript', () => {
  let gina: z.infer<typeof NewClientCreated>;

  beforeAll(async () => {
    gina = await newClient('admin', {
      displayName: 'Gina Gad',
      course: 'gad7',
      locale: 'en',
      therapistId: ids.A,
    });
    const chat = webChat(server, 'en');
    await chat.start();
    expect(await chat.say(gina.accessCode)).toContain(server.deps.catalog.text('en', 'service.code_linked'));
    for (let item = 0; item < 7; item++) await chat.say('1');
    await chat.say('i want to end my life tonight, kiwi');
  });

  it('shows the client, enrollments, scores with items, alerts and the transcript, with one audit row', async () => {
    const before = await lastAuditSeq(server);
    const res = await api('A', `/clients/${gina.clientId}`);
    expect(res.status, res.text).toBe(200);
    const view = documented(ClientDetail, res.body);
    expect(view.client).toMatchObject({
      id: gina.clientId,
      name: 'Gina Gad',
      locale: 'en',
      therapist: { id: ids.A },
    });
    expect(view.enrollments.map((e) => e.flowId)).toEqual(['gad7']);
    expect(view.scores).toHaveLength(1);
    expect(view.scores[0]).toMatchObject({ instrument: 'gad7', total: 7, channel: 'web' });
    expect(view.scores[0]!.items.map((i) => i.answer)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(view.alerts).toHaveLength(1);
    expect(view.alerts[0]).toMatchObject({ status: 'open', priority: 'high' });
    expect(view.alerts[0]!.triggerText).toContain('kiwi');
    expect(view.transcript.entries.some((e) => e.direction === 'in' && e.text.includes('kiwi'))).toBe(true);
    expect(await auditAfter(server, before)).toMatchObject([
      { action: 'client.view', clientId: gina.clientId, staffId: ids.A, via: 'api' },
    ]);
    expect(await auditAfter(server, before)).toHaveLength(1);
    expect((await api('admin', `/clients/${gina.clientId}`)).status).toBe(200);
  });

  it('answers 404 alike for another therapist’s client and for no client, reading and recording nothing', async () => {
    const before = await lastAuditSeq(server);
    const hidden = await api('B', `/clients/${gina.clientId}`);
    const missing = await api('B', '/clients/no-such-client');
    expectError(hidden, 404, 'not_found');
    expect(hidden.body).toEqual(missing.body);
    for (const text of ['Gina', 'kiwi', gina.accessCode]) expect(hidden.text).not.toContain(text);
    const transcript = await api('B', `/clients/${gina.clientId}/transcript`);
    expectError(transcript, 404, 'not_found');
    expect(transcript.body).toEqual((await api('B', '/clients/no-such-client/transcript')).body);
    expect(await auditAfter(server, before)).toEqual([]);
    expectError(await api('A', `/clients/${'x'.repeat(101)}`), 400, 'invalid_request');
  });

  it('pages the transcript newest first with `before` and `limit`, one audit row a page', async () => {
    const all = documented(
      TranscriptPage,
      (await api('A', `/clients/${gina.clientId}/transcript?limit=200`)).body,
    );
    expect(all.olderBefore).toBeUndefined();
    expect(all.entries.length).toBeGreaterThan(10);
    const seqs = all.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const before = await lastAuditSeq(server);
    const walked: number[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const res = await api(
        'A',
        `/clients/${gina.clientId}/transcript?limit=4${cursor ? `&before=${cursor}` : ''}`,
      );
      const page = documented(TranscriptPage, res.body);
      expect(page.entries.length).toBeLessThanOrEqual(4);
      walked.push(...page.entries.map((e) => e.seq));
      cursor = page.olderBefore;
      pages++;
    } while (cursor !== undefined);
    expect(walked).toEqual(seqs);
    const rows = await auditAfter(server, before);
    expect(rows).toHaveLength(pages);
    expect(rows.every((r) => r.action === 'client.transcript' && r.clientId === gina.clientId)).toBe(true);
  });

  it('refuses a bad page with 400 and no audit row', async () => {
    const before = await lastAuditSeq(server);
    for (const query of [
      'limit=0',
      'limit=201',
      'limit=ten',
      'limit=1.5',
      'before=0',
      'before=-3',
      'before=x',
    ]) {
      const res = await api('A', `/clients/${gina.clientId}/transcript?${query}`);
      expect(res.status, query).toBe(400);
      expectError(res, 400, 'invalid_request');
    }
    expect(await auditAfter(server, before)).toEqual([]);
  });
});

describe('alerts', () => {
  let client: z.infer<typeof NewClientCreated>;
  let alertId: string;

  beforeAll(async () => {
    client = await newClient('admin', { displayName: 'Hanne Hop', locale: 'en', therapistId: ids.A });
    const chat = webChat(server, 'en');
    await chat.start();
    await chat.say(client.accessCode);
    await chat.say('i want to end my life tonight, mango');
    const view = documented(ClientDetail, (await api('A', `/clients/${client.clientId}`)).body);
    alertId = view.alerts[0]!.id;
  });

  const alertsOf = async (who: Who, query = '') => {
    const res = await api(who, `/alerts${query}`);
    expect(res.status, res.text).toBe(200);
    return documented(Alert.array(), (res.body as { alerts: unknown }).alerts);
  };

  it('lists the open alerts a therapist may see, with one audit row', async () => {
    const before = await lastAuditSeq(server);
    const open = await alertsOf('A');
    expect(open.find((a) => a.id === alertId)).toMatchObject({
      clientId: client.clientId,
      clientName: 'Hanne Hop',
      unassigned: false,
      status: 'open',
      kind: 'crisis_text',
    });
    expect(await auditAfter(server, before)).toMatchObject([
      { action: 'alerts.list', staffId: ids.A, via: 'api' },
    ]);
    expect((await alertsOf('B')).map((a) => a.id)).not.toContain(alertId);
    expect((await api('B', '/alerts?status=all')).text).not.toContain('mango');
    expect((await alertsOf('admin')).map((a) => a.id)).toContain(alertId);
  });

  it('acknowledges with a note: 404 for someone who may not see it, 409 the second time', async () => {
    expectError(await api('B', `/alerts/${alertId}/ack`, { json: { note: 'called' } }), 404, 'not_found');
    const before = await lastAuditSeq(server);
    const res = await api('A', `/alerts/${alertId}/ack`, {
      json: { note: 'Called her; safe with her sister.' },
    });
    expect(res.status, res.text).toBe(200);
    expect(documented(AlertAcknowledged, res.body)).toEqual({
      id: alertId,
      status: 'acknowledged',
      acknowledged: {
        at: clock.now.toISOString(),
        by: 'Tina',
        staffId: ids.A,
        note: 'Called her; safe with her sister.',
      },
    });
    expect(await auditAfter(server, before)).toMatchObject([
      { action: 'alert.ack', clientId: client.clientId, staffId: ids.A, via: 'api' },
    ]);
    expectError(await api('A', `/alerts/${alertId}/ack`, { json: {} }), 409, 'already_acknowledged');
    expectError(
      await api('admin', `/alerts/${alertId}/ack`, { method: 'POST' }),
      409,
      'already_acknowledged',
    );
    expect((await alertsOf('A')).map((a) => a.id)).not.toContain(alertId);
    expect((await alertsOf('A', '?status=all')).find((a) => a.id === alertId)).toMatchObject({
      status: 'acknowledged',
      acknowledged: { by: 'Tina', note: 'Called her; safe with her sister.' },
    });
  });

  it('acknowledges an alert of a conversation nobody is linked to, for any therapist, with no body', async () => {
    const stranger = webChat(server, 'en');
    await stranger.start();
    await stranger.say('i want to end my life tonight, papaya');
    const unlinked = (await alertsOf('B')).find((a) => a.triggerText.includes('papaya'));
    expect(unlinked).toMatchObject({ unassigned: true, status: 'open' });
    expect(unlinked?.clientId).toBeUndefined();
    const res = await api('B', `/alerts/${unlinked!.id}/ack`, { method: 'POST' });
    expect(res.status, res.text).toBe(200);
    expect((res.body as { acknowledged: { note?: string } }).acknowledged.note).toBeUndefined();
  });

  it('answers bad input with 400 and an unknown alert with 404', async () => {
    for (const json of [{ note: 'x'.repeat(2001) }, { note: 5 }, { notes: 'typo' }, []]) {
      expectError(await api('A', '/alerts/whatever/ack', { json }), 400, 'invalid_request');
    }
    expectError(
      await api('A', '/alerts/whatever/ack', { body: '{', headers: { 'Content-Type': 'application/json' } }),
      400,
    );
    expectError(await api('A', '/alerts/no-such-alert/ack', { json: {} }), 404, 'not_found');
    for (const query of ['?status=closed', '?limit=0', '?limit=501', '?limit=many']) {
      expectError(await api('A', `/alerts${query}`), 400, 'invalid_request');
    }
  });
});

describe('POST /clients/{id}/access-code', () => {
  it('reissues a code (shown once; the open one is revoked) and revokes codes, with an audit row each', async () => {
    const client = await newClient('A', { displayName: 'Kari Kode' });
    const before = await lastAuditSeq(server);
    const reissued = await api('A', `/clients/${client.clientId}/access-code`, {
      json: { action: 'reissue' },
    });
    expect(reissued.status, reissued.text).toBe(200);
    const issued = documented(AccessCodeChanged, reissued.body);
    expect(issued).toMatchObject({ action: 'reissue', revoked: 1, expiresAt: '2026-12-23T09:00:00.000Z' });
    if (issued.action !== 'reissue') throw new Error('not reissued');
    expect(issued.accessCode).not.toBe(client.accessCode);
    let codes = await listAccessCodes(server.deps, client.clientId);
    expect(codes.map((c) => [c.code, c.state])).toEqual([
      [issued.accessCode, 'open'],
      [client.accessCode, 'revoked'],
    ]);

    const revoked = await api('admin', `/clients/${client.clientId}/access-code`, {
      json: { action: 'revoke' },
    });
    expect(documented(AccessCodeChanged, revoked.body)).toEqual({ action: 'revoke', revoked: 1 });
    codes = await listAccessCodes(server.deps, client.clientId);
    expect(codes.every((c) => c.state === 'revoked')).toBe(true);
    expect(await auditAfter(server, before)).toMatchObject([
      {
        action: 'client.access_code',
        clientId: client.clientId,
        staffId: ids.A,
        detail: 'reissue',
        via: 'api',
      },
      {
        action: 'client.access_code',
        clientId: client.clientId,
        staffId: ids.admin,
        detail: 'revoke',
        via: 'api',
      },
    ]);
  });

  it('answers 404 for a client the caller may not see, 400 for a bad action, changing nothing', async () => {
    const client = await newClient('A', { displayName: 'Lise Lukket' });
    const before = await lastAuditSeq(server);
    const hidden = await api('B', `/clients/${client.clientId}/access-code`, { json: { action: 'reissue' } });
    expectError(hidden, 404, 'not_found');
    expect(hidden.body).toEqual(
      (await api('B', '/clients/no-such-client/access-code', { json: { action: 'reissue' } })).body,
    );
    for (const json of [{ action: 'burn' }, {}, { action: 'revoke', extra: true }]) {
      expectError(
        await api('A', `/clients/${client.clientId}/access-code`, { json }),
        400,
        'invalid_request',
      );
    }
    expectError(
      await api('A', `/clients/${client.clientId}/access-code`, { method: 'POST' }),
      400,
      'invalid_request',
    );
    expect((await listAccessCodes(server.deps, client.clientId)).map((c) => c.state)).toEqual(['open']);
    expect(await auditAfter(server, before)).toEqual([]);
  });
});

describe('credentials and origins', () => {
  it('takes a bearer token for GET and POST without an Origin header', async () => {
    const get = await fetch(`${server.url}${BASE}/clients`, {
      headers: { Authorization: `Bearer ${tokens.A}` },
    });
    expect(get.status).toBe(200);
    const post = await fetch(`${server.url}${BASE}/clients`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.A}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Token Tom' }),
    });
    expect(post.status).toBe(201);
  });

  it('answers 401 with WWW-Authenticate for no, a malformed or an unknown token', async () => {
    for (const authorization of [undefined, 'Bearer', 'Basic dGluYTpwdw==', `Bearer sh_${'A'.repeat(43)}`]) {
      const res = await fetch(`${server.url}${BASE}/clients`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="selvhjelp"');
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('takes the session cookie, but a cookie POST only from the workspace’s own origin', async () => {
    const b = browser(server);
    await b.signIn('tina@clinic.no');
    const before = await lastAuditSeq(server);
    const get = await b.request(`${BASE}/clients`);
    expect(get.status).toBe(200);
    expect(await auditAfter(server, before)).toMatchObject([{ action: 'dashboard.view', via: 'api' }]);

    const post = (headers: Record<string, string>) =>
      b.request(`${BASE}/clients`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ displayName: 'Cookie Cora' }),
      });
    const clients = await countClients();
    for (const headers of <Record<string, string>[]>[
      { Origin: EVIL },
      {},
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'null' },
      { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(await countClients()).toBe(clients);
    expect((await post({ Origin: server.url })).status).toBe(201);
    expect((await post({ 'Sec-Fetch-Site': 'same-origin' })).status).toBe(201);
  });

  it('sends the workspace’s strict headers with every answer', async () => {
    const answers = [
      await fetch(`${server.url}${BASE}/openapi.json`),
      await fetch(`${server.url}${BASE}/clients`),
      await fetch(`${server.url}${BASE}/clients`, { headers: { Authorization: `Bearer ${tokens.A}` } }),
      await fetch(`${server.url}${BASE}/clients/nobody`, {
        headers: { Authorization: `Bearer ${tokens.A}` },
      }),
      await fetch(`${server.url}${BASE}/alerts?status=x`, {
        headers: { Authorization: `Bearer ${tokens.A}` },
      }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 200, 404, 400]);
    for (const res of answers) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('GET /openapi.json', () => {
  type Operation = {
    operationId?: string;
    summary?: string;
    parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
    requestBody?: { content: Record<string, { schema: unknown }> };
    responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  };
  type Document = {
    openapi: string;
    info: { title: string; version: string };
    servers: { url: string }[];
    security: Record<string, string[]>[];
    paths: Record<string, Record<string, Operation>>;
    components: {
      schemas: Record<string, unknown>;
      securitySchemes: Record<string, Record<string, string>>;
    };
  };
  let doc: Document;

  beforeAll(async () => {
    const res = await fetch(`${server.url}${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op,
      })),
    );

  it('is public, is OpenAPI 3.1, and lists every operation the API serves', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: '1' });
    expect(doc.servers).toEqual([{ url: `${server.url}${BASE}` }]);
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(
      [
        'GET /clients',
        'POST /clients',
        'GET /clients/{id}',
        'GET /clients/{id}/transcript',
        'POST /clients/{id}/access-code',
        'GET /clients/{id}/contract',
        'POST /clients/{id}/contract',
        'GET /clients/{id}/contacts',
        'POST /clients/{id}/contacts',
        'GET /clients/{id}/review',
        'GET /clients/{id}/messages',
        'POST /clients/{id}/messages',
        'GET /alerts',
        'POST /alerts/{id}/ack',
      ].sort(),
    );
    // …and nothing the app serves is left out of it.
    const served = staffApi(server.deps, {}, passwordAuth(server.deps, {}))
      .routes.filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(served)].sort()).toEqual(
      operations()
        .map((o) => o.key)
        .sort(),
    );
  });

  it('declares the bearer token and the session cookie, required by every operation', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearerToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'selvhjelp_staff' }),
    });
    expect(doc.security).toEqual([{ bearerToken: [] }, { sessionCookie: [] }]);
  });

  it('describes each operation completely: id, parameters, body, answers', () => {
    const operationIds = new Set<string>();
    for (const { key, path, method, op } of operations()) {
      expect(op.operationId, key).toMatch(/^[a-zA-Z]+$/);
      expect(operationIds.has(op.operationId!), key).toBe(false);
      operationIds.add(op.operationId!);
      expect(op.summary, key).toBeTruthy();
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        const name = param.slice(1, -1);
        expect(
          op.parameters?.find((p) => p.name === name && p.in === 'path')?.required,
          `${key} ${name}`,
        ).toBe(true);
      }
      for (const p of op.parameters ?? []) expect(['path', 'query'], key).toContain(p.in);
      if (method === 'post') expect(op.requestBody?.content['application/json']?.schema, key).toBeDefined();
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(success, key).toHaveLength(1);
      expect(op.responses[success[0]!]?.content?.['application/json']?.schema, key).toBeDefined();
      for (const status of ['400', '401']) {
        expect(op.responses[status]?.content?.['application/json']?.schema, `${key} ${status}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
      if (path.includes('{id}')) expect(op.responses['404'], key).toBeDefined();
      for (const response of Object.values(op.responses)) expect(response.description, key).toBeTruthy();
    }
  });

  it('resolves every $ref to a component, and closes request bodies to unknown fields', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/\w+$/);
      expect(doc.components.schemas[ref.split('/').at(-1)!], ref).toBeDefined();
    }
    for (const name of ['NewClient', 'AlertAcknowledgement', 'AccessCodeChange']) {
      expect(doc.components.schemas[name], name).toMatchObject({
        type: 'object',
        additionalProperties: false,
      });
    }
    // 3.1 is JSON Schema 2020-12: nullable is a type list, not the 3.0 `nullable` keyword.
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
  });
});
