import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';
import { faithfulText } from '../../src/domain/text.ts';
import { listOpenAlerts } from '../../src/service/alerts.ts';
import { handleInbound, startConversation } from '../../src/service/handle-inbound.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { addressTranscript } from '../../src/storage/transcript.ts';
import { FakeTwilio } from '../fakes/fake-twilio.ts';
import { FakeClock, freePort, startTestServer } from '../support/harness.ts';

/**
 * Text survives whole (issue 16): a NUL or another control character in a client's message is kept as
 * U+FFFD with everything after it, on every channel and in the alert a therapist reads; before, the
 * store gave back "ok" of "ok\u0000 <crisis text>".
 */

const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'control-auth-token-0123456789';
const OUR_NUMBER = '+4759440002';
const CRISIS = 'jeg skal ta livet mitt i kveld';

let twilio: FakeTwilio;
let server: Awaited<ReturnType<typeof startTestServer>>;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));

beforeAll(async () => {
  twilio = new FakeTwilio({ accountSid: ACCOUNT, authToken: TOKEN });
  const apiBase = await twilio.start();
  const port = await freePort();
  server = await startTestServer(
    {
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM: OUR_NUMBER,
      TWILIO_API_BASE_URL: apiBase,
      SCHEDULER_INTERVAL_MS: '3600000',
    },
    { clock: clock.read },
  );
});

afterAll(async () => {
  await server.close();
  await twilio.stop();
});

const alertFor = async (channel: string) =>
  (await listOpenAlerts(server.deps)).find((a) => a.channel === channel && a.triggerText.includes(CRISIS));

const storedIn = async (channel: string, address: string) => {
  const record = await server.deps.db.read((q) => findAddress(q, channel, address));
  const rows = await server.deps.db.read((q) => addressTranscript(q, record!.id));
  return rows.filter((r) => r.direction === 'in').map((r) => r.text);
};

describe('faithfulText', () => {
  it('keeps text, tabs and line breaks, and marks what no person types', () => {
    expect(faithfulText('Hei\tdu\nhvordan går det? 😊')).toBe('Hei\tdu\nhvordan går det? 😊');
    expect(faithfulText('ok\u0000 neste')).toBe('ok\uFFFD neste');
    expect(faithfulText('a\u0007b\u001bc\u007fd\u0085e')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
    expect(faithfulText('lone \uD83D surrogate')).toBe('lone \uFFFD surrogate');
  });
});

describe('a crisis message after a NUL byte', () => {
  it('over the web chat: stored whole and shown whole in the alert', async () => {
    const start = await fetch(`${server.url}/channels/web/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'nb' }),
    });
    const { conversationId } = (await start.json()) as { conversationId: string };
    const response = await fetch(`${server.url}/channels/web/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId, text: `ok\u0000 ${CRISIS}` }),
    });
    expect(response.status).toBe(200);
    const { replies } = (await response.json()) as { replies: { text: string }[] };
    expect(replies.map((r) => r.text).join('\n')).toContain('113');
    expect(await storedIn('web', conversationId)).toEqual([`ok\uFFFD ${CRISIS}`]);
    expect((await alertFor('web'))?.triggerText).toBe(`ok\uFFFD ${CRISIS}`);
  });

  it('by SMS: stored whole and shown whole in the alert', async () => {
    const url = `${server.url}/channels/sms/twilio`;
    const params = {
      MessageSid: `SM${'7'.repeat(32)}`,
      AccountSid: ACCOUNT,
      From: '+4791111111',
      To: OUR_NUMBER,
      Body: `ok\u0000\u0001 ${CRISIS}`,
      NumMedia: '0',
    };
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': await computeTwilioSignature(TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    expect(await storedIn('sms', '+4791111111')).toEqual([`ok\uFFFD\uFFFD ${CRISIS}`]);
    expect((await alertFor('sms'))?.triggerText).toBe(`ok\uFFFD\uFFFD ${CRISIS}`);
  });

  it('through any other channel (the service door itself)', async () => {
    const { address } = await startConversation(server.deps, 'terminal', 'nb');
    await handleInbound(server.deps, {
      channel: 'terminal',
      address: address.address,
      content: { kind: 'message', text: `ok\u0000 ${CRISIS}` },
    });
    expect(await storedIn('terminal', address.address)).toEqual([`ok\uFFFD ${CRISIS}`]);
    expect((await alertFor('terminal'))?.triggerText).toBe(`ok\uFFFD ${CRISIS}`);
  });
});
