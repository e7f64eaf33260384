import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { deliverOutbox, retryDelayMs } from '../../src/service/deliver-outbox.ts';
import type { SendResult } from '../../src/service/deps.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { deliveryAttempts, outboxForAddress } from '../../src/storage/outbox.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

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
    text: 'hei',
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
    await handleInbound(h.deps, { channel: 'push', address: 'y', text: 'hei', createAddress: true });
    await deliverOutbox(h.deps);
    const address = await h.deps.db.read((q) => findAddress(q, 'push', 'y'));
    const [row] = await h.deps.db.read((q) => outboxForAddress(q, address!.id));
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: socket hang up' });
  });
});
