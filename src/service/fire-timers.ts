import { turn } from '../engine/turn.ts';
import { preferredAddress } from '../storage/addresses.ts';
import { findClient } from '../storage/clients.ts';
import { findEnrollment } from '../storage/enrollments.ts';
import { dueTimers, findTimer } from '../storage/timers.ts';
import { enrollmentWrite, flowOf, resumeOther } from './advance-enrollment.ts';
import type { ServiceDeps } from './deps.ts';
import { WriteConflict } from './errors.ts';
import { writeTurn } from './write-turn.ts';

/**
 * Feeds every timer that is due back through its flow, through the same write path as an inbound
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
    const address = client ? await preferredAddress(q, client.id) : undefined;
    return { timer, enrollment, client, address };
  });
  const { timer, enrollment, client, address } = loaded;
  if (!timer || timer.dueAt > now.toISOString() || !enrollment?.persisted || !client || !address)
    return false;

  const flow = flowOf(deps, enrollment);
  const result = turn({
    flow,
    persisted: enrollment.persisted,
    event: { kind: 'timer', key, event: timer.event },
    now,
    locale: client.locale,
    timeZone: client.timeZone,
    text: (k, vars) => deps.catalog.text(client.locale, k, vars),
  });
  const resumed = result.done ? await resumeOther(deps, client.id, enrollment.id) : [];
  const events = result.done
    ? [...result.events, { type: 'enrollment.completed', data: { flowId: flow.id, version: flow.version } }]
    : result.events;
  try {
    await deps.db.write((tx) =>
      writeTurn(deps, tx, {
        now,
        address,
        clientId: client.id,
        locale: client.locale,
        enrollment: { ...enrollmentWrite(enrollment, result)!, firedTimer: key },
        events,
        replies: [...result.replies, ...resumed],
        scheduledFor: { timeZone: client.timeZone },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
}
