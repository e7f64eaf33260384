import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { addStaff, apiToken, type Server, webChat } from '../support/staff.ts';

/*
 * The guidance contract through the staff JSON API: draft, sign, the client accepts in the web chat, a
 * new version; validation (400), visibility (404), nothing to sign (409), waiving; the OpenAPI document.
 */

let server: Server;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let tina: string;
let bo: string;
let tinaId: string;

beforeAll(async () => {
  server = await startTestServer({}, { clock: clock.read });
  tinaId = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  await addStaff(server, { email: 'bo@clinic.no', name: 'Bo', role: 'therapist' });
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

async function newClient() {
  const created = await createClient(server.deps, { course: 'stress', locale: 'en', therapistId: tinaId });
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
});
