import { afterEach, describe, expect, it } from 'vitest';
import { twilioSender } from '../../src/channels/sms/twilio-sender.ts';
import { createClient } from '../../src/service/clients.ts';
import {
  deliverOutbox,
  retryDelayMs,
  SAFETY_RETRY_BASE_MS,
  SAFETY_SEND_TIMEOUT_MS,
} from '../../src/service/deliver-outbox.ts';
import type { SendResult } from '../../src/service/deps.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { findAddress, setOptedOut } from '../../src/storage/addresses.ts';
import { deliveryAttempts, outboxForAddress } from '../../src/storage/outbox.ts';
import { FakeTwilio } from '../fakes/fake-twilio.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { gatedChannel, PUSH, queueMessages } from '../support/outbox.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

/** A push channel whose answers the test scripts, recording what it was asked to send. */
function scriptedChannel(results: SendResult[]) {
  const sent: string[] = [];
  return {
    sent,
    sender: {
      mode: 'push' as const,
      async send(outbound: { message: { text: string } }): Promise<SendResult> {
        sent.push(outbound.message.text);
        return results.shift() ?? { ok: true, providerId: `p-${sent.length}` };
      },
    },
  };
}

async function setup(results: SendResult[]) {
  const channel = scriptedChannel(results);
  h = await makeHarness({ senders: { push: channel.sender } });
  const outcome = await handleInbound(h.deps, {
    channel: 'push',
    address: 'x',
    content: { kind: 'message', text: 'hei' },
    createAddress: true,
  });
  expect(outcome.kind).toBe('handled');
  const address = await h.deps.db.read((q) => findAddress(q, 'push', 'x'));
  const rows = () => h!.deps.db.read((q) => outboxForAddress(q, address!.id));
  return { channel, rows };
}

describe('outbox delivery', () => {
  it('retries with backoff after two server errors, then delivers once with every attempt recorded', async () => {
    const { channel, rows } = await setup([
      { ok: false, retryable: true, error: 'HTTP 500' },
      { ok: false, retryable: true, error: 'HTTP 500' },
    ]);
    expect(await deliverOutbox(h!.deps)).toEqual({ sent: 0, failed: 0 });
    // Not due again until the backoff has passed.
    h!.clock.advance(retryDelayMs(1, h!.deps.retry.baseDelayMs) - 1);
    await deliverOutbox(h!.deps);
    expect(channel.sent).toHaveLength(1);
    h!.clock.advance(1);
    await deliverOutbox(h!.deps);
    h!.clock.advance(retryDelayMs(2, h!.deps.retry.baseDelayMs));
    expect(await deliverOutbox(h!.deps)).toEqual({ sent: 1, failed: 0 });
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'sent', attempts: 3, providerId: 'p-3' });
    const attempts = await h!.deps.db.read((q) => deliveryAttempts(q, row!.id));
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'sent']);
    h!.clock.advance(24 * 60 * 60 * 1000);
    await deliverOutbox(h!.deps);
    expect(channel.sent).toHaveLength(3);
  });

  it('marks a permanent error failed at once, visibly', async () => {
    const { channel, rows } = await setup([{ ok: false, retryable: false, error: 'invalid number' }]);
    expect(await deliverOutbox(h!.deps)).toEqual({ sent: 0, failed: 1 });
    expect((await rows())[0]).toMatchObject({ status: 'failed', attempts: 1, lastError: 'invalid number' });
    h!.clock.advance(24 * 60 * 60 * 1000);
    await deliverOutbox(h!.deps);
    expect(channel.sent).toHaveLength(1);
  });

  it('gives up after the last retry, about an hour later', async () => {
    const failures = Array.from({ length: 10 }, () => ({
      ok: false as const,
      retryable: true,
      error: 'HTTP 429',
    }));
    const { rows } = await setup(failures);
    for (let i = 0; i < 10; i++) {
      await deliverOutbox(h!.deps);
      h!.clock.advance(40 * 60 * 1000);
    }
    expect((await rows())[0]).toMatchObject({ status: 'failed', attempts: 6 });
    const total = [1, 2, 3, 4, 5].reduce((sum, n) => sum + retryDelayMs(n, h!.deps.retry.baseDelayMs), 0);
    expect(total).toBe(62 * 60_000);
  });

  it('treats a sender that throws as a retryable failure', async () => {
    const channel = {
      mode: 'push' as const,
      send: async (): Promise<SendResult> => {
        throw new Error('socket hang up');
      },
    };
    h = await makeHarness({ senders: { push: channel } });
    const created = await createClient(h.deps, {});
    expect(created.ok).toBe(true);
    await handleInbound(h.deps, {
      channel: 'push',
      address: 'y',
      content: { kind: 'message', text: 'hei' },
      createAddress: true,
    });
    await deliverOutbox(h.deps);
    const address = await h.deps.db.read((q) => findAddress(q, 'push', 'y'));
    const [row] = await h.deps.db.read((q) => outboxForAddress(q, address!.id));
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: socket hang up' });
  });
});

describe('safety messages are never held back', () => {
  let channel: ReturnType<typeof gatedChannel> | undefined;
  afterEach(() => channel?.releaseAll());
  async function withChannel() {
    channel = gatedChannel();
    h = await makeHarness({ senders: { [PUSH]: channel.sender } });
    return channel;
  }
  const statusOf = async (id: number) => {
    const [row] = (
      await h!.deps.db.read((q) =>
        q.execute({ sql: 'SELECT status, attempts, last_error FROM outbox WHERE id = ?', args: [id] }),
      )
    ).rows;
    return { status: row?.status, attempts: row?.attempts, lastError: row?.last_error ?? undefined };
  };

  it('sends safety messages first, even when normal ones fill the batch', async () => {
    const channel = await withChannel();
    await queueMessages(h!.deps, [
      { to: '+4790000001', text: 'n1', kind: 'normal' },
      { to: '+4790000002', text: 'n2', kind: 'normal' },
      { to: '+4790000003', text: 'crisis', kind: 'safety' },
    ]);
    expect(await deliverOutbox(h!.deps, { limit: 2 })).toEqual({ sent: 2, failed: 0 });
    expect(channel.started.map((s) => s.text)).toEqual(['crisis', 'n1']);
    expect(await deliverOutbox(h!.deps)).toEqual({ sent: 1, failed: 0 });
  });

  it('gives safety sends the short provider timeout and leaves normal sends on the channel default', async () => {
    const channel = await withChannel();
    await queueMessages(h!.deps, [
      { to: '+4790000001', text: 'reminder', kind: 'normal' },
      { to: '+4790000001', text: 'Ring 113', kind: 'safety' },
    ]);
    await deliverOutbox(h!.deps);
    expect(channel.started).toEqual([
      { to: '+4790000001', text: 'Ring 113', timeoutMs: SAFETY_SEND_TIMEOUT_MS },
      { to: '+4790000001', text: 'reminder' },
    ]);
  });

  it('a hanging normal send holds neither a safety send nor another recipient, and keeps its own order', async () => {
    const channel = await withChannel();
    channel.hold('a1');
    await queueMessages(h!.deps, [
      { to: '+4790000001', text: 'a1', kind: 'normal' },
      { to: '+4790000001', text: 'a2', kind: 'normal' },
      { to: '+4790000002', text: 'b1', kind: 'normal' },
      { to: '+4790000003', text: 'crisis', kind: 'safety' },
    ]);
    const pass = deliverOutbox(h!.deps);
    await channel.until(() => channel.finished.includes('crisis') && channel.finished.includes('b1'));
    // a2 waits for a1: one recipient's normal messages go one at a time, in order.
    expect(channel.started.map((s) => s.text)).not.toContain('a2');
    channel.release('a1');
    expect(await pass).toEqual({ sent: 4, failed: 0 });
    expect(channel.finished).toEqual(['crisis', 'b1', 'a1', 'a2']);
  });

  it("a hanging safety send does not hold another number's safety sends; one number's go in order", async () => {
    const channel = await withChannel();
    channel.hold('crisis 1');
    await queueMessages(h!.deps, [
      { to: '+4790000001', text: 'crisis 1', kind: 'safety' },
      { to: '+4790000001', text: 'Ring 113', kind: 'safety' },
      { to: '+4790000002', text: 'crisis 2', kind: 'safety' },
    ]);
    const pass = deliverOutbox(h!.deps);
    await channel.until(() => channel.finished.length === 1);
    expect(channel.finished).toEqual(['crisis 2']);
    expect(channel.started).not.toContain('Ring 113');
    channel.release('crisis 1');
    expect(await pass).toEqual({ sent: 3, failed: 0 });
    expect(channel.finished).toEqual(['crisis 2', 'crisis 1', 'Ring 113']);
  });

  it('a row in flight is not sent again by a second pass', async () => {
    const channel = await withChannel();
    channel.hold('crisis');
    const [id] = await queueMessages(h!.deps, [{ to: '+4790000001', text: 'crisis', kind: 'safety' }]);
    const first = deliverOutbox(h!.deps);
    await channel.until(() => channel.started.length === 1);
    expect(await deliverOutbox(h!.deps)).toEqual({ sent: 0, failed: 0 });
    expect(await deliverOutbox(h!.deps, { only: 'safety' })).toEqual({ sent: 0, failed: 0 });
    channel.release('crisis');
    expect(await first).toEqual({ sent: 1, failed: 0 });
    expect(channel.started).toHaveLength(1);
    expect(await statusOf(id!)).toEqual({ status: 'sent', attempts: 1, lastError: undefined });
  });

  it('sends safety messages after STOP, and nothing else', async () => {
    const channel = await withChannel();
    const [normal, safety] = await queueMessages(h!.deps, [
      { to: '+4790000001', text: 'reminder', kind: 'normal' },
      { to: '+4790000001', text: 'Ring 113', kind: 'safety' },
    ]);
    await h!.deps.db.write((tx) => setOptedOut(tx, 'addr-+4790000001', h!.deps.clock().toISOString()));
    expect(await deliverOutbox(h!.deps)).toEqual({ sent: 1, failed: 1 });
    expect(channel.started.map((s) => s.text)).toEqual(['Ring 113']);
    expect(await statusOf(safety!)).toEqual({ status: 'sent', attempts: 1, lastError: undefined });
    expect(await statusOf(normal!)).toEqual({
      status: 'failed',
      attempts: 1,
      lastError: 'address opted out (STOP)',
    });
  });

  it(`abandons a hanging safety send after ${SAFETY_SEND_TIMEOUT_MS} ms and retries it after ${SAFETY_RETRY_BASE_MS} ms`, async () => {
    const twilio = new FakeTwilio();
    await twilio.start();
    try {
      const sms = twilioSender({
        apiBaseUrl: twilio.baseUrl,
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: '+4759440000',
      });
      h = await makeHarness({ senders: { [PUSH]: sms } });
      twilio.hangNumber('+4790000001');
      const [hung, other] = await queueMessages(h.deps, [
        { to: '+4790000001', text: 'Ring 113', kind: 'safety' },
        { to: '+4790000002', text: 'Ring 113', kind: 'safety' },
      ]);
      const started = performance.now();
      const pass = deliverOutbox(h.deps);
      await until(() => twilio.messages.length === 1);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(await pass).toEqual({ sent: 1, failed: 0 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(SAFETY_SEND_TIMEOUT_MS - 50);
      expect(await statusOf(hung!)).toEqual({ status: 'pending', attempts: 1, lastError: 'timed out' });
      expect(await statusOf(other!)).toEqual({ status: 'sent', attempts: 1, lastError: undefined });

      // The sender hung up on the first attempt; it must not reach Twilio late as well.
      await until(() => twilio.abandoned === 1);
      twilio.release();
      // A safety message is retried after seconds, not the normal minutes.
      expect(SAFETY_RETRY_BASE_MS).toBeLessThan(h.deps.retry.baseDelayMs);
      h.clock.advance(retryDelayMs(1, SAFETY_RETRY_BASE_MS) - 1);
      expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
      h.clock.advance(1);
      expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
      expect(await statusOf(hung!)).toEqual({ status: 'sent', attempts: 2, lastError: undefined });
      const attempts = await h.deps.db.read((q) => deliveryAttempts(q, hung!));
      expect(attempts.map((a) => [a.outcome, a.detail])).toEqual([
        ['retry', 'timed out'],
        ['sent', undefined],
      ]);
      expect(twilio.messages.map((m) => m.to)).toEqual(['+4790000002', '+4790000001']);
    } finally {
      await twilio.stop();
    }
  });
});

/** Polls until `done` holds, for what happens in another server. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
}
