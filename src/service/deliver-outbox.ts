import { setOptedOut, setUndeliverable } from '../storage/addresses.ts';
import { claimOutbox, dueOutbox, type OutboxRow, recordAttempt } from '../storage/outbox.ts';
import type { OutboundMessage, SendResult, ServiceDeps } from './deps.ts';

const LEASE_MS = 5 * 60 * 1000;

/** Exponential backoff: base, 2x, 4x, ... With a 2 min base and 6 attempts the last try is ~1 h in. */
export function retryDelayMs(attempt: number, baseDelayMs: number): number {
  return baseDelayMs * 2 ** (attempt - 1);
}

/** Why a row must not be sent at all: the number opted out (STOP) or cannot receive. */
function heldBack(row: OutboxRow): string | undefined {
  if (row.undeliverableAt) return 'address is undeliverable';
  // After STOP only the safety layer and the STOP confirmation itself may reach the number.
  if (row.optedOutAt && row.kind === 'normal') return 'address opted out (STOP)';
  return undefined;
}

/**
 * Sends what is due in the outbox through each row's channel. A retryable failure is tried again later
 * with backoff; a permanent failure, or the last attempt, marks the row failed so it is visible. A
 * number that opted out or cannot receive gets nothing but what the safety layer must send.
 */
export async function deliverOutbox(
  deps: ServiceDeps,
  limit = 100,
): Promise<{ sent: number; failed: number }> {
  const now = deps.clock();
  const rows = await deps.db.read((q) => dueOutbox(q, now.toISOString(), limit));
  let sent = 0;
  let failed = 0;
  for (const row of rows) {
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    if (!(await deps.db.write((tx) => claimOutbox(tx, row.id, now.toISOString(), leaseUntil)))) continue;
    const sender = deps.senders[row.channel];
    const attempt = row.attempts + 1;
    const reason = heldBack(row);
    const result: SendResult = reason
      ? { ok: false, retryable: false, error: reason }
      : sender?.mode === 'push'
        ? await sender
            .send({ address: row.address, message: row.payload as OutboundMessage, outboxId: row.id })
            .catch((error: unknown) => ({ ok: false as const, retryable: true, error: String(error) }))
        : { ok: false, retryable: false, error: `no sender for channel ${row.channel}` };
    const at = deps.clock();
    if (result.ok) {
      sent++;
      await deps.db.write((tx) =>
        recordAttempt(tx, {
          id: row.id,
          attempt,
          now: at.toISOString(),
          outcome: 'sent',
          providerId: result.providerId,
        }),
      );
      continue;
    }
    const giveUp = !result.retryable || attempt >= deps.retry.maxAttempts;
    if (giveUp) {
      failed++;
      deps.log.warn('outbox message failed', {
        outboxId: row.id,
        channel: row.channel,
        attempt,
        error: result.error,
      });
    }
    await deps.db.write(async (tx) => {
      if (result.address === 'undeliverable') await setUndeliverable(tx, row.addressId, at.toISOString());
      if (result.address === 'opted_out') await setOptedOut(tx, row.addressId, at.toISOString());
      await recordAttempt(tx, {
        id: row.id,
        attempt,
        now: at.toISOString(),
        outcome: giveUp ? 'failed' : 'retry',
        detail: result.error,
        nextAttemptAt: giveUp
          ? undefined
          : new Date(at.getTime() + retryDelayMs(attempt, deps.retry.baseDelayMs)).toISOString(),
      });
    });
  }
  return { sent, failed };
}
