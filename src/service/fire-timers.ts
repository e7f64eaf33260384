import { preferredAddress } from '../storage/addresses.ts';
import { findClient } from '../storage/clients.ts';
import { findEnrollment } from '../storage/enrollments.ts';
import { dueTimers, findTimer } from '../storage/timers.ts';
import type { ServiceDeps } from './deps.ts';
import { WriteConflict } from './errors.ts';
import { runTurn } from './run-turn.ts';

/**
 * Feeds every timer that is due back through its flow, through the one door (`runTurn`) like an inbound
 * message. A timer that was cancelled or changed meanwhile is skipped. Returns how many fired.
 */
export async function fireDueTimers(deps: ServiceDeps, limit = 100): Promise<number> {
  const due = await deps.db.read((q) => dueTimers(q, deps.clock().toISOString(), limit));
  let fired = 0;
  for (const timer of due) {
    const ok = await deps.locks.run(`client:${timer.clientId}`, () =>
      fireOne(deps, timer.enrollmentId, timer.key),
    );
    if (ok) fired++;
  }
  return fired;
}

async function fireOne(deps: ServiceDeps, enrollmentId: string, key: string): Promise<boolean> {
  const now = deps.clock();
  const loaded = await deps.db.read(async (q) => {
    const timer = await findTimer(q, enrollmentId, key);
    const enrollment = await findEnrollment(q, enrollmentId);
    const client = enrollment ? await findClient(q, enrollment.clientId) : undefined;
    const address = client ? await preferredAddress(q, client.id, now) : undefined;
    return { timer, enrollment, client, address };
  });
  const { timer, enrollment, client, address } = loaded;
  if (!timer || timer.dueAt > now.toISOString() || !enrollment?.persisted || !client || !address)
    return false;

  try {
    await runTurn(
      deps,
      { now, client, enrollment, address, locale: client.locale },
      { kind: 'timer_due', key, event: timer.event },
      { scheduledFor: { timeZone: client.timeZone } },
    );
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
}
