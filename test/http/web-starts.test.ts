import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOpenAlerts } from '../../src/service/alerts.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound, startConversation } from '../../src/service/handle-inbound.ts';
import { tick } from '../../src/service/scheduler.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { FakeClock, postWebMessage, startTestServer } from '../support/harness.ts';

/**
 * Unauthenticated writes to the web chat (issue 16): new conversations are limited per network address,
 * with a 429 and Retry-After; a first message retried with its id returns the conversation it started,
 * and only to the address that sent it; conversations nobody linked are deleted after
 * UNLINKED_RETENTION_DAYS, unless they raised an alert.
 */

const DAY = 24 * 60 * 60 * 1000;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  server = await startTestServer(
    { WEB_START_LIMIT: '5', UNLINKED_RETENTION_DAYS: '7', SCHEDULER_INTERVAL_MS: '3600000' },
    { clock: clock.read },
  );
});
afterAll(() => server.close());

/** A request as from `from` (the server sits behind a proxy on loopback, so it reads cf-connecting-ip). */
const post = (body: Record<string, unknown>, from: string) => postWebMessage(server.url, body, from);

const conversationExists = async (id: string) =>
  (await server.deps.db.read((q) => findAddress(q, 'web', id))) !== undefined;

describe('starting web conversations', () => {
  it('refuses the sixth new conversation from one address in 10 minutes with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await post({ locale: 'nb' }, '203.0.113.7')).status).toBe(200);
    const refused = await post({ locale: 'nb' }, '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address, and the same one once the window has passed, may start one.
    expect((await post({ locale: 'nb' }, '198.51.100.20')).status).toBe(200);
    clock.advance(10 * 60 * 1000);
    expect((await post({ locale: 'nb' }, '203.0.113.7')).status).toBe(200);
  });

  it('counts an IPv6 /64 as one address', async () => {
    for (let i = 1; i <= 5; i++) expect((await post({}, `2001:db8:1:2::${i}`)).status).toBe(200);
    expect((await post({}, '2001:db8:1:2:ffff::1')).status).toBe(429);
  });

  it('gives a retried first message the conversation it started, with the same replies', async () => {
    const first = await post({ locale: 'en', messageId: 'msg-first-1', text: 'hello' }, '192.0.2.50');
    expect(first.status).toBe(200);
    const a = (await first.json()) as { conversationId: string; replies: { text: string }[] };
    const again = await post({ locale: 'en', messageId: 'msg-first-1', text: 'hello' }, '192.0.2.50');
    expect(again.status).toBe(200);
    const b = (await again.json()) as {
      conversationId: string;
      replies: { text: string }[];
      duplicate?: boolean;
    };
    expect(b.conversationId).toBe(a.conversationId);
    expect(b.duplicate).toBe(true);
    expect(b.replies.map((r) => r.text)).toEqual(a.replies.map((r) => r.text));
    // The message is in the transcript once.
    const transcript = await fetch(
      `${server.url}/channels/web/messages?conversationId=${encodeURIComponent(a.conversationId)}&after=0`,
    );
    const { messages } = (await transcript.json()) as { messages: { direction: string; text: string }[] };
    expect(messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['hello']);
  });

  it('does not hand that conversation to another address that sends the same id', async () => {
    const owner = (await (await post({ messageId: 'guessable-1', text: 'hei' }, '192.0.2.60')).json()) as {
      conversationId: string;
    };
    const other = (await (await post({ messageId: 'guessable-1', text: 'hei' }, '192.0.2.61')).json()) as {
      conversationId: string;
    };
    expect(other.conversationId).not.toBe(owner.conversationId);
  });
});

describe('a first message that starts the conversation', () => {
  type Answer = { conversationId: string; replies: { text: string }[] };
  const nb = (key: string) => server.deps.catalog.text('nb', key);
  const first = async (body: Record<string, unknown>, from: string) => {
    const response = await post({ locale: 'nb', ...body }, from);
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };
  const transcript = async (conversationId: string) => {
    const response = await fetch(
      `${server.url}/channels/web/messages?conversationId=${encodeURIComponent(conversationId)}&after=0`,
    );
    const { messages } = (await response.json()) as { messages: { direction: string; text: string }[] };
    return messages.map((m) => `${m.direction}: ${m.text}`);
  };

  it('answers a crisis with the crisis reply alone, its question last, no welcome before it (CLINICAL.md §3)', async () => {
    const crisis = 'jeg vil ta livet mitt';
    const answer = await first({ text: crisis, messageId: 'first-crisis' }, '192.0.2.70');
    const texts = answer.replies.map((r) => r.text);
    expect(texts[0]).toBe(nb('safety.crisis_ack'));
    expect(texts.at(-1)).toBe(nb('safety.ask_thoughts'));
    expect(texts).not.toContain(nb('service.welcome'));
    // The conversation says it in that order too, after the client's message: a reload shows the same.
    expect(await transcript(answer.conversationId)).toEqual([
      `in: ${crisis}`,
      ...texts.map((text) => `out: ${text}`),
    ]);
    // A crisis is answered by the protocol, never as a wrong access code.
    expect(texts).not.toContain(nb('service.code_unknown'));
  });

  it('welcomes before anything else that is not a crisis: a wrong code, and a code that links', async () => {
    const wrong = await first({ text: 'hei', messageId: 'first-hei' }, '192.0.2.71');
    expect(wrong.replies.map((r) => r.text)).toEqual([nb('service.welcome'), nb('service.code_unknown')]);
    expect(await transcript(wrong.conversationId)).toEqual([
      'in: hei',
      `out: ${nb('service.welcome')}`,
      `out: ${nb('service.code_unknown')}`,
    ]);

    const created = await createClient(server.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error(created.error);
    const linked = await first({ text: created.accessCode, messageId: 'first-code' }, '192.0.2.72');
    const texts = linked.replies.map((r) => r.text);
    expect(texts.slice(0, 2)).toEqual([nb('service.welcome'), nb('service.code_linked')]);
    expect(texts.at(-1)).toBe(nb('intro.ask_ready'));
  });

  it('handles a retried first message whose first attempt failed after the start: nothing is lost', async () => {
    // The start is written, then the message's own write fails (a disk error, a process stopping).
    const db = server.deps.db;
    let writes = 0;
    server.deps.db = {
      ...db,
      write: (fn) => (++writes === 2 ? Promise.reject(new Error('disk I/O error')) : db.write(fn)),
    };
    try {
      const failed = await post({ locale: 'nb', text: 'hei', messageId: 'first-lost' }, '192.0.2.74');
      expect(failed.status).toBe(500);
    } finally {
      server.deps.db = db;
    }
    // The page sends it again with the same id: the message is handled now, welcome first.
    const again = await first({ text: 'hei', messageId: 'first-lost' }, '192.0.2.74');
    expect(again.replies.map((r) => r.text)).toEqual([nb('service.welcome'), nb('service.code_unknown')]);
    expect(await transcript(again.conversationId)).toEqual([
      'in: hei',
      `out: ${nb('service.welcome')}`,
      `out: ${nb('service.code_unknown')}`,
    ]);
    // A third time it is a duplicate: the same replies, nothing handled twice.
    const third = (await (
      await post({ locale: 'nb', text: 'hei', messageId: 'first-lost' }, '192.0.2.74')
    ).json()) as Answer & { duplicate?: boolean };
    expect(third).toMatchObject({ conversationId: again.conversationId, duplicate: true });
    expect(third.replies.map((r) => r.text)).toEqual(again.replies.map((r) => r.text));
    expect(await transcript(again.conversationId)).toHaveLength(3);
  });

  it('never refuses a crisis first message, not even over the limit on new conversations', async () => {
    const from = '192.0.2.80';
    for (let i = 0; i < 5; i++) expect((await post({ locale: 'nb' }, from)).status).toBe(200);
    expect((await post({ locale: 'nb', text: 'hei' }, from)).status).toBe(429);
    const alerts = (await listOpenAlerts(server.deps)).length;
    const crisis = await first({ text: 'jeg vil ta livet mitt i kveld', messageId: 'over-limit' }, from);
    expect(crisis.replies[0]!.text).toBe(nb('safety.crisis_ack'));
    expect((await listOpenAlerts(server.deps)).length).toBe(alerts + 1);
    // A protocol button pressed on a page opened before counts as the same kind of message.
    const pressed = await first({ value: 'thoughts_yes', messageId: 'over-limit-button' }, from);
    expect(pressed.replies.at(-1)!.text).toBe(nb('safety.ask_danger'));
    // Anything else still waits for the limit.
    expect((await post({ locale: 'nb', text: 'hei igjen' }, from)).status).toBe(429);
  });

  it('answers a first message retried from another network address in the conversation it starts there', async () => {
    const crisis = 'jeg vil ta livet mitt';
    const a = await first({ text: crisis, messageId: 'moved' }, '192.0.2.81');
    // The answer was lost and the phone moved from wifi to 4G: a new conversation, answered in full.
    const b = await first({ text: crisis, messageId: 'moved' }, '198.51.100.81');
    expect(b.conversationId).not.toBe(a.conversationId);
    expect(b.replies.map((r) => r.text)).toEqual(a.replies.map((r) => r.text));
    expect(await transcript(b.conversationId)).toHaveLength(1 + a.replies.length);
  });

  it('takes a message id as naming a message within its conversation only', async () => {
    const one = await first({ text: 'hei', messageId: '1' }, '192.0.2.82');
    // The same id and network address with other words: another message, so another conversation.
    const other = await first({ text: 'jeg skal ta livet mitt i kveld', messageId: '1' }, '192.0.2.82');
    expect(other.conversationId).not.toBe(one.conversationId);
    expect(other.replies[0]!.text).toBe(nb('safety.crisis_ack'));
    expect(await transcript(one.conversationId)).toEqual([
      'in: hei',
      `out: ${nb('service.welcome')}`,
      `out: ${nb('service.code_unknown')}`,
    ]);
    // In a conversation of its own, an id other conversations used is a new message too.
    const fresh = await first({}, '192.0.2.83');
    const next = (await (
      await post({ conversationId: fresh.conversationId, text: 'hei', messageId: '1' }, '192.0.2.83')
    ).json()) as Answer & { duplicate?: boolean };
    expect(next.duplicate).toBeUndefined();
    expect(next.replies.length).toBeGreaterThan(0);
  });

  it('still answers a start without a message with the welcome alone', async () => {
    const started = await first({}, '192.0.2.73');
    expect(started.replies.map((r) => r.text)).toEqual([nb('service.welcome')]);
  });
});

describe('abandoned conversations', () => {
  it('are deleted after UNLINKED_RETENTION_DAYS, unless linked, recent, SMS, or with an alert', async () => {
    const idle = await startConversation(server.deps, 'web', 'nb');
    await handleInbound(server.deps, {
      channel: 'web',
      address: idle.address.address,
      content: { kind: 'message', text: 'hei' },
    });
    const crisis = await startConversation(server.deps, 'web', 'nb');
    await handleInbound(server.deps, {
      channel: 'web',
      address: crisis.address.address,
      content: { kind: 'message', text: 'jeg skal ta livet mitt i kveld' },
    });
    const linked = await startConversation(server.deps, 'web', 'nb');
    const client = await createClient(server.deps, { locale: 'nb' });
    if (!client.ok) throw new Error('no client');
    await handleInbound(server.deps, {
      channel: 'web',
      address: linked.address.address,
      content: { kind: 'message', text: client.accessCode },
    });
    await handleInbound(server.deps, {
      channel: 'sms',
      address: '+4790000001',
      createAddress: true,
      content: { kind: 'message', text: 'hei' },
    });

    clock.advance(6 * DAY);
    const recent = await startConversation(server.deps, 'web', 'nb');
    await tick(server.deps);
    expect(await conversationExists(idle.address.address)).toBe(true);

    clock.advance(DAY + 60_000);
    const { purged } = await tick(server.deps);
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await conversationExists(idle.address.address)).toBe(false);
    expect(await conversationExists(crisis.address.address)).toBe(true);
    expect(await conversationExists(linked.address.address)).toBe(true);
    expect(await conversationExists(recent.address.address)).toBe(true);
    expect(await server.deps.db.read((q) => findAddress(q, 'sms', '+4790000001'))).toBeDefined();
    // Its transcript went with it: the page gets a 404 for it now.
    const gone = await fetch(
      `${server.url}/channels/web/messages?conversationId=${encodeURIComponent(idle.address.address)}&after=0`,
    );
    expect(gone.status).toBe(404);
  });
});
