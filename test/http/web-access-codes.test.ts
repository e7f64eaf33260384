import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { FakeClock, postWebMessage, startTestServer } from '../support/harness.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  server = await startTestServer({}, { clock: clock.read });
});
afterEach(async () => {
  await server.close();
});

const MINUTE = 60_000;
const en = (key: string, vars?: Record<string, number>) => server.deps.catalog.text('en', key, vars);

/** Posts to the web chat over real HTTP on 127.0.0.1, optionally as a proxy forwarding for `ip`. */
async function post(body: object, ip?: string): Promise<{ conversationId: string; replies: string[] }> {
  const response = await postWebMessage(server.url, body, ip);
  expect(response.status).toBe(200);
  const json = (await response.json()) as { conversationId: string; replies: { text: string }[] };
  return { conversationId: json.conversationId, replies: json.replies.map((r) => r.text) };
}

async function chat(ip?: string) {
  const { conversationId } = await post({ locale: 'en' }, ip);
  return (text: string) => post({ conversationId, text }, ip).then((r) => r.replies);
}

async function accessCode(): Promise<string> {
  const created = await createClient(server.deps, { course: 'intro', locale: 'en' });
  if (!created.ok) throw new Error();
  return created.accessCode;
}

const wrong = (i: number) => `ZZZZZ${'ABCDEFGHJK'[i % 10]}${'ABCDEFGHJK'[Math.floor(i / 10) % 10]}`;

describe('wrong access codes in the web chat', () => {
  it('locks one conversation after 5 wrong codes for 15 minutes, the right code included', async () => {
    const code = await accessCode();
    const send = await chat();
    for (let i = 0; i < 5; i++) expect(await send(wrong(i))).toEqual([en('service.code_unknown')]);
    expect(await send(code)).toEqual([en('service.code_locked', { minutes: 15 })]);
    clock.advance(15 * MINUTE);
    expect((await send(code))[0]).toBe(en('service.code_linked'));
  });

  it('locks a network address after 20 wrong codes in any number of conversations, for an hour', async () => {
    const code = await accessCode();
    // From 127.0.0.1 itself: four conversations, five wrong codes each.
    for (let c = 0; c < 4; c++) {
      const send = await chat();
      for (let i = 0; i < 5; i++) expect(await send(wrong(c * 5 + i))).toEqual([en('service.code_unknown')]);
    }
    const fresh = await chat();
    expect(await fresh(code)).toEqual([en('service.code_locked', { minutes: 60 })]);

    // A crisis is answered whatever the limits say.
    const crisis = await fresh('I want to end my life tonight');
    expect(crisis[0]).toBe(en('safety.crisis_ack'));
    expect(crisis).not.toContain(en('service.code_locked', { minutes: 60 }));

    // A proxy on this machine forwarding for another network: not held back.
    const other = await chat('198.51.100.23');
    expect((await other(code))[0]).toBe(en('service.code_linked'));

    clock.advance(60 * MINUTE);
    const later = await chat();
    expect(await later(wrong(99))).toEqual([en('service.code_unknown')]);
  });
});
