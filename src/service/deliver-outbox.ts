import { claimOutbox, dueOutbox, recordAttempt } from '../storage/outbox.ts';
import type { ServiceDeps } from './deps.ts';
import type { RenderedReply } from './render.ts';

const LEASE_MS = 5 * 60 * 1000;

/** Exponential backoff: base, 2x, 4x, ... With a 2 min base and 6 attempts the last try is ~1 h in. */
export function retryDelayMs(attempt: number, baseDelayMs: number): number {
  return baseDelayMs * 2 ** (attempt - 1);
}

/**
 * Sends what is due in the outbox through each row's channel. A retryable failure is tried again later
 * with backoff; a permanent failure, or the last attempt, marks the row failed so it is visible.
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
    const result =
      sender?.mode === 'push'
        ? await sender
            .send({ address: row.address, reply: row.payload as RenderedReply, outboxId: row.id })
            .catch((error: unknown) => ({ ok: false as const, retryable: true, error: String(error) }))
        : { ok: false as const, retryable: false, error: `no sender for channel ${row.channel}` };
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
    await deps.db.write((tx) =>
      recordAttempt(tx, {
        id: row.id,
        attempt,
        now: at.toISOString(),
        outcome: giveUp ? 'failed' : 'retry',
        detail: result.error,
        nextAttemptAt: giveUp
          ? undefined
          : new Date(at.getTime() + retryDelayMs(attempt, deps.retry.baseDelayMs)).toISOString(),
      }),
    );
  }
  return { sent, failed };
}
