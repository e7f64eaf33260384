import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { FakeClock, postWebMessage, startTestServer } from '../support/harness.ts';
import { settleOutbox } from '../support/outbox.ts';
import { startSmsServer } from '../support/sms.ts';

/**
 * Limits on client messages (issue 16): per conversation (a web chat, a phone number) and per network
 * address over all its web chats, counted in the database. A message over a limit is not taken (nothing
 * of it is written); the web chat gets 429 with Retry-After, an SMS sender one polite text per window.
 * A crisis message, STOP and an answer to the safety question always get through.
 */

const MINUTE = 60_000;
const CRISIS = 'jeg vil ta livet mitt i kveld';

describe('web chat messages', () => {
  const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    server = await startTestServer(
      { MESSAGE_LIMIT: '5', NETWORK_MESSAGE_LIMIT: '8', SCHEDULER_INTERVAL_MS: '3600000' },
      { clock: clock.read },
    );
  });
  afterAll(() => server.close());

  const post = (body: Record<string, unknown>, from: string) => postWebMessage(server.url, body, from);
  const open = async (from: string) =>
    ((await (await post({ locale: 'nb' }, from)).json()) as { conversationId: string }).conversationId;
  const said = async (conversationId: string) => {
    const response = await fetch(
      `${server.url}/channels/web/messages?conversationId=${encodeURIComponent(conversationId)}&after=0`,
    );
    const { messages } = (await response.json()) as { messages: { direction: string; text: string }[] };
    return messages.filter((m) => m.direction === 'in').map((m) => m.text);
  };

  it('refuses the sixth message of a conversation in 10 minutes with 429 and Retry-After, writing nothing', async () => {
    const id = await open('203.0.113.10');
    for (let i = 1; i <= 5; i++) {
      const ok = await post({ conversationId: id, messageId: `m${i}`, text: `kode ${i}` }, '203.0.113.10');
      expect(ok.status).toBe(200);
    }
    const refused = await post({ conversationId: id, messageId: 'm6', text: 'kode 6' }, '203.0.113.10');
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(await said(id)).toEqual(['kode 1', 'kode 2', 'kode 3', 'kode 4', 'kode 5']);

    // A crisis message is never refused: the crisis information comes at once, and it is kept.
    const crisis = await post({ conversationId: id, messageId: 'm7', text: CRISIS }, '203.0.113.10');
    expect(crisis.status).toBe(200);
    const { replies } = (await crisis.json()) as { replies: { text: string }[] };
    expect(replies.map((r) => r.text).join('\n')).toContain('113');
    expect(await said(id)).toContain(CRISIS);

    // The refused message, sent again with its id once the window has passed, is taken.
    clock.advance(10 * MINUTE);
    const later = await post({ conversationId: id, messageId: 'm6', text: 'kode 6' }, '203.0.113.10');
    expect(later.status).toBe(200);
    expect((await said(id)).at(-1)).toBe('kode 6');
  });

  it('takes the answers to the safety question from a conversation over its limit', async () => {
    const id = await open('203.0.113.11');
    for (let i = 1; i <= 5; i++)
      await post({ conversationId: id, messageId: `s${i}`, text: `hei ${i}` }, '203.0.113.11');
    expect((await post({ conversationId: id, messageId: 's6', text: 'hei' }, '203.0.113.11')).status).toBe(
      429,
    );
    const crisis = await post({ conversationId: id, messageId: 's7', text: CRISIS }, '203.0.113.11');
    expect(crisis.status).toBe(200);
    // The protocol asks its question; the answer gets through, and the protocol goes on.
    const answer = await post({ conversationId: id, messageId: 's8', text: 'nei' }, '203.0.113.11');
    expect(answer.status).toBe(200);
    const { replies } = (await answer.json()) as { replies: { text: string }[] };
    expect(replies.length).toBeGreaterThan(0);
    expect(await said(id)).toContain('nei');
  });

  it('counts one network address over all its conversations, and no other address with it', async () => {
    const from = '198.51.100.30';
    const chats = [await open(from), await open(from), await open(from)];
    let taken = 0;
    for (let i = 0; i < 12; i++) {
      const response = await post(
        { conversationId: chats[i % 3], messageId: `n${i}`, text: `hei ${i}` },
        from,
      );
      if (response.status === 200) taken++;
      else expect(response.status).toBe(429);
    }
    expect(taken).toBe(8);
    const elsewhere = await open('198.51.100.31');
    expect(
      (await post({ conversationId: elsewhere, messageId: 'x1', text: 'hei' }, '198.51.100.31')).status,
    ).toBe(200);
  });

  it('holds when many messages arrive at once: exactly the limit is taken', async () => {
    const from = '192.0.2.80';
    const chats = await Promise.all(Array.from({ length: 16 }, () => open(from)));
    const statuses = await Promise.all(
      chats.map((id, i) => post({ conversationId: id, messageId: `c${i}`, text: `hei ${i}` }, from)),
    );
    expect(statuses.filter((r) => r.status === 200)).toHaveLength(8);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(8);
    const written = (await Promise.all(chats.map(said))).flat();
    expect(written).toHaveLength(8);
  });

  it('names the conversation a refused first message started, so the next try goes to it', async () => {
    const from = '192.0.2.90';
    const chats = [await open(from), await open(from)];
    for (let i = 0; i < 8; i++) {
      await post({ conversationId: chats[i % 2], messageId: `f${i}`, text: `hei ${i}` }, from);
    }
    const first = await post({ locale: 'nb', messageId: 'first-1', text: 'hallo' }, from);
    expect(first.status).toBe(429);
    const body = (await first.json()) as { conversationId?: string };
    expect(body.conversationId).toEqual(expect.any(String));
    // The conversation it started has its welcome, for the page to find, and nothing of the message.
    const response = await fetch(
      `${server.url}/channels/web/messages?conversationId=${encodeURIComponent(body.conversationId!)}&after=0`,
    );
    const { messages } = (await response.json()) as { messages: { direction: string; text: string }[] };
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['out', catalog.text('nb', 'service.welcome')],
    ]);
    clock.advance(10 * MINUTE);
    const retried = await post(
      { conversationId: body.conversationId, messageId: 'first-1', text: 'hallo' },
      from,
    );
    expect(retried.status).toBe(200);
    expect(await said(body.conversationId!)).toEqual(['hallo']);
  });
});

describe('SMS messages', () => {
  const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
  let sms: Awaited<ReturnType<typeof startSmsServer>>;

  beforeAll(async () => {
    sms = await startSmsServer({
      env: { MESSAGE_LIMIT: '3' },
      overrides: { clock: clock.read },
      twilio: { now: clock.read },
    });
  });
  afterAll(() => sms.close());

  const textsTo = (to: string) => sms.twilio.messages.filter((m) => m.to === to).map((m) => m.body);

  it('answers a flood from one number with one polite text per window, and nothing else', async () => {
    const phone = '+4791111001';
    for (let i = 1; i <= 3; i++) expect((await sms.textFrom(phone, `hei ${i}`)).status).toBe(200);
    await settleOutbox(sms.server.deps);
    const answered = textsTo(phone).length;
    expect(answered).toBeGreaterThan(0);

    for (let i = 4; i <= 9; i++) expect((await sms.textFrom(phone, `hei ${i}`)).status).toBe(200);
    await settleOutbox(sms.server.deps);
    const extra = textsTo(phone).slice(answered);
    expect(extra).toHaveLength(1);
    expect(extra[0]).toMatch(/^Du har sendt mange meldinger på kort tid/);
    expect(extra[0]).toContain('Prøv igjen om 10 min');

    // A crisis text still gets the crisis information at once.
    await sms.textFrom(phone, CRISIS);
    await settleOutbox(sms.server.deps);
    const afterCrisis = textsTo(phone)
      .slice(answered + 1)
      .join('\n');
    expect(afterCrisis).toContain('113');
  });

  it('always takes STOP', async () => {
    const phone = '+4791111002';
    for (let i = 1; i <= 5; i++) await sms.textFrom(phone, `hei ${i}`);
    await sms.textFrom(phone, 'STOP');
    await settleOutbox(sms.server.deps);
    const stopped = catalog.text('nb', 'sms.stopped');
    expect(textsTo(phone).at(-1)).toBe(stopped);
  });

  it('counts each number on its own', async () => {
    await sms.textFrom('+4791111003', 'hei');
    await settleOutbox(sms.server.deps);
    expect(textsTo('+4791111003').some((text) => text.startsWith('Du har sendt mange'))).toBe(false);
  });
});
