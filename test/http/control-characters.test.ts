import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faithfulText } from '../../src/domain/text.ts';
import { listOpenAlerts } from '../../src/service/alerts.ts';
import { handleInbound, startConversation } from '../../src/service/handle-inbound.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { addressTranscript } from '../../src/storage/transcript.ts';
import { FakeClock } from '../support/harness.ts';
import { startSmsServer } from '../support/sms.ts';

/**
 * Text survives whole (issue 16): a NUL or another control character in a client's message is kept as
 * U+FFFD with everything after it, on every channel and in the alert a therapist reads; before, the
 * store gave back "ok" of "ok\u0000 <crisis text>".
 */

const CRISIS = 'jeg skal ta livet mitt i kveld';

let sms: Awaited<ReturnType<typeof startSmsServer>>;
let server: Awaited<ReturnType<typeof startSmsServer>>['server'];
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));

beforeAll(async () => {
  sms = await startSmsServer({ overrides: { clock: clock.read } });
  server = sms.server;
});
afterAll(() => sms.close());

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
    const response = await sms.textFrom('+4791111111', `ok\u0000\u0001 ${CRISIS}`);
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
