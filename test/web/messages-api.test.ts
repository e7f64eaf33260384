import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { MessageList, MessageSent } from '../../src/web/api-messages.ts';
import { translator } from '../../src/web/context.ts';
import { MessagesPart } from '../../src/web/pages/messages.tsx';
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

/*
 * GET/POST /api/staff/v1/clients/{id}/messages and the form on the client's page, over HTTP: a client in
 * the web chat with their therapist (A), refused to another therapist (B). The message reaches the web
 * chat's poll; the client's THERAPIST message lands in A's inbox and is marked read by listing it.
 */

const BASE = '/api/staff/v1';
let server: Server;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
const tokens = {} as Record<'A' | 'B' | 'admin', string>;
let clientId: string;
let chat: ReturnType<typeof webChat>;

async function api(who: keyof typeof tokens, path: string, json?: unknown) {
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

const text = (key: string, vars?: Record<string, string>) => server.deps.catalog.text('en', key, vars);

beforeAll(async () => {
  server = await startTestServer({}, { clock: clock.read });
  const staffA = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  await addStaff(server, { email: 'bo@clinic.no', name: 'Bo', role: 'therapist' });
  tokens.A = await apiToken(server, 'tina@clinic.no');
  tokens.B = await apiToken(server, 'bo@clinic.no');
  await addStaff(server, { email: 'ada@clinic.no', name: 'Ada', role: 'admin' });
  tokens.admin = await apiToken(server, 'ada@clinic.no');
  const created = await createClient(server.deps, {
    course: 'intro',
    locale: 'en',
    displayName: 'Mia Melding',
    therapistId: staffA,
  });
  if (!created.ok) throw new Error('no client');
  clientId = created.clientId;
  chat = webChat(server, 'en');
  await chat.start();
  await chat.say(created.accessCode);
});

afterAll(() => server.close());

describe('POST /clients/{id}/messages', () => {
  it("sends the therapist's message to the web chat, with one audit row", async () => {
    const before = await lastAuditSeq(server);
    const res = await api('A', `/clients/${clientId}/messages`, { text: '  How did the exercise go?  ' });
    expect(res.status).toBe(200);
    const sent = MessageSent.parse(res.body);
    expect(sent).toMatchObject({
      delivered: true,
      message: {
        direction: 'out',
        text: 'How did the exercise go?',
        channel: 'web',
        staff: { name: 'Tina' },
      },
    });
    expect((await auditAfter(server, before)).map((r) => [r.action, r.clientId, r.via])).toEqual([
      ['message.send', clientId, 'api'],
    ]);
    const poll = await fetch(`${server.url}/channels/web/messages?conversationId=${chat.conversationId}`);
    const { messages } = (await poll.json()) as { messages: { direction: string; text: string }[] };
    expect(messages.at(-1)).toEqual(
      expect.objectContaining({
        direction: 'out',
        text: text('messages.from_therapist', { name: 'Tina', text: 'How did the exercise go?' }),
      }),
    );
  });

  it('refuses an empty or too long text (400), and a client of another therapist (404)', async () => {
    const before = await lastAuditSeq(server);
    expect((await api('A', `/clients/${clientId}/messages`, { text: '   ' })).status).toBe(400);
    expect((await api('A', `/clients/${clientId}/messages`, { text: 'x'.repeat(1001) })).status).toBe(400);
    expect((await api('A', `/clients/${clientId}/messages`, { text: 'hi', extra: 1 })).status).toBe(400);
    const refused = await api('B', `/clients/${clientId}/messages`, { text: 'Hello' });
    expect(refused).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'No such client.' } },
    });
    expect(await auditAfter(server, before)).toEqual([]);
  });
});

describe('GET /clients/{id}/messages', () => {
  it("shows the client's message unread once, newest first, and marks it read", async () => {
    clock.advance(60_000);
    // Kept for the therapist, and the question the chat waits at asked again.
    expect(await chat.say('THERAPIST Can we talk on Friday?')).toEqual([
      text('messages.sent'),
      text('intro.ask_ready'),
    ]);
    const before = await lastAuditSeq(server);
    const res = await api('A', `/clients/${clientId}/messages`);
    expect(res.status).toBe(200);
    const list = MessageList.parse(res.body);
    expect(list.unread).toBe(1);
    expect(list.messages.map((m) => [m.direction, m.text, m.channel])).toEqual([
      ['in', 'Can we talk on Friday?', 'web'],
      ['out', 'How did the exercise go?', 'web'],
    ]);
    expect((await auditAfter(server, before)).map((r) => [r.action, r.clientId])).toEqual([
      ['message.list', clientId],
    ]);
    const again = MessageList.parse((await api('A', `/clients/${clientId}/messages`)).body);
    expect(again.unread).toBe(0);
    expect(again.messages[0]?.readAt).toBe(clock.now.toISOString());
    expect((await api('B', `/clients/${clientId}/messages`)).status).toBe(404);
  });
});

describe('who marks the messages read', () => {
  it("an admin's listing and page leave them unread; the therapist's client page marks them read", async () => {
    clock.advance(60_000);
    await chat.say('THERAPIST Are you there?');
    const before = await lastAuditSeq(server);
    const byAdmin = MessageList.parse((await api('admin', `/clients/${clientId}/messages`)).body);
    expect(byAdmin).toMatchObject({ unread: 1, markedRead: false });
    const admin = browser(server);
    await admin.signIn('ada@clinic.no');
    expect((await admin.request(`/staff/clients/${clientId}`)).status).toBe(200);
    expect((await api('B', `/clients/${clientId}/messages`)).status).toBe(404);

    const tina = browser(server);
    await tina.signIn('tina@clinic.no');
    const page = await (await tina.request(`/staff/clients/${clientId}`)).text();
    // Shown unread on the page that read it, then read everywhere.
    expect(
      page.match(new RegExp(`> ${server.deps.catalog.text('nb', 'workspace.messages.unread')}<`, 'g')),
    ).toHaveLength(1);
    const after = MessageList.parse((await api('A', `/clients/${clientId}/messages`)).body);
    expect(after).toMatchObject({ unread: 0, markedRead: true });
    expect(after.messages[0]).toMatchObject({ text: 'Are you there?', readAt: clock.now.toISOString() });
    expect((await auditAfter(server, before)).map((r) => [r.action, r.via])).toEqual([
      ['message.list', 'api'],
      ['client.view', 'page'],
      ['client.view', 'page'],
      ['message.list', 'api'],
    ]);
  });
});

describe('the form on the client page', () => {
  it('sends and goes back to the messages; an empty text is refused', async () => {
    const page = browser(server);
    await page.signIn('tina@clinic.no');
    const sent = await page.request(`/staff/clients/${clientId}/messages`, {
      form: { text: 'See you Friday.' },
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/staff/clients/${clientId}#messages`);
    const empty = await page.request(`/staff/clients/${clientId}/messages`, { form: { text: ' ' } });
    expect(empty.status).toBe(400);
    const list = MessageList.parse((await api('A', `/clients/${clientId}/messages`)).body);
    expect(list.messages[0]).toMatchObject({ direction: 'out', text: 'See you Friday.' });
  });
});

describe('MessagesPart', () => {
  it('shows the form, both directions, the unread mark, and escapes the words', async () => {
    const html = String(
      await MessagesPart({
        t: translator(server.deps, 'en'),
        locale: 'en',
        timeZone: 'Europe/Oslo',
        clientId: 'c 1',
        messages: [
          {
            id: 'm2',
            direction: 'in',
            text: '<b>help</b>',
            channel: 'sms',
            createdAt: '2026-11-23T10:00:00.000Z',
          },
          {
            id: 'm1',
            direction: 'out',
            text: 'Hi',
            staff: { id: 's', name: 'Tina' },
            channel: 'web',
            createdAt: '2026-11-23T09:00:00.000Z',
          },
        ],
      }),
    );
    expect(html).toContain('action="/staff/clients/c%201/messages"');
    expect(html).toContain('&lt;b&gt;help&lt;/b&gt;');
    expect(html).toContain(text('workspace.messages.unread'));
    expect(html).toContain(text('workspace.messages.from_staff', { name: 'Tina' }));
    expect(html.match(new RegExp(text('workspace.messages.unread'), 'g'))).toHaveLength(1);
  });
});
