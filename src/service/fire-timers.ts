import { type DueTimer, dueTimers, timerContexts, timerId } from '../storage/timers.ts';
import { inClientBatches } from './client-batches.ts';
import type { ServiceDeps } from './deps.ts';
import { type BatchTurn, runTurns } from './run-turn.ts';

/**
 * Timers fired per batch: one read batch, the engine for each, one write transaction (runTurns). The
 * same trade as check-ins (CHECKIN_BATCH in measurements.ts): a larger batch writes faster but holds its
 * clients' locks, and the embedded driver's single connection, for longer.
 */
export const TIMER_BATCH = 250;

/**
 * Feeds every timer that is due back through its flow, through the one door (`runTurns`) like an inbound
 * message: at most `limit` per call (one scheduler pass), in batches of `batchSize` clients. A client
 * with two timers due gets the second in a later batch, after the first is written. Returns how many
 * fired.
 */
export async function fireDueTimers(
  deps: ServiceDeps,
  limit = 4 * TIMER_BATCH,
  batchSize = TIMER_BATCH,
): Promise<number> {
  const due = await deps.db.read((q) => dueTimers(q, deps.clock().toISOString(), limit));
  return inClientBatches(deps, due, batchSize, (batch) => fireBatch(deps, batch));
}

/**
 * Fires one batch under its clients' locks: the timers, their enrollments, clients and preferred
 * addresses are read again in one read batch, and a timer that was cancelled or moved later meanwhile is
 * skipped, as is one with nowhere to go. Each turn's write checks that its timer still exists and that
 * its enrollment did not change since this read (runTurns): a turn that lost such a race is dropped
 * without the rest of the batch. A turn that opens a safety step or fails is written alone, as
 * `runTurn` writes it.
 */
async function fireBatch(deps: ServiceDeps, due: DueTimer[]): Promise<number> {
  const now = deps.clock();
  const ctx = await deps.db.read((q) => timerContexts(q, due, now));
  const turns: BatchTurn[] = [];
  for (const { enrollmentId, key } of due) {
    const timer = ctx.timers.get(timerId(enrollmentId, key));
    const enrollment = ctx.enrollments.get(enrollmentId);
    const client = enrollment && ctx.clients.get(enrollment.clientId);
    const address = client && ctx.addresses.get(client.id);
    // A pending course has a timer too: the start date of its signed contract (course-gate.ts).
    const startable = enrollment?.persisted !== undefined || enrollment?.status === 'pending';
    if (!timer || timer.dueAt > now.toISOString() || !enrollment || !startable || !client || !address)
      continue;
    turns.push({
      target: { now, client, enrollment, address, locale: client.locale },
      trigger: { kind: 'timer_due', key, event: timer.event },
      options: { scheduledFor: { timeZone: client.timeZone } },
    });
  }
  const outcomes = await runTurns(deps, turns);
  return outcomes.filter((o) => o.kind !== 'conflict').length;
}
