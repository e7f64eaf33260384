import { DEFAULT_PREFERRED_TIME, localDayAt, nextDue } from '../domain/schedule.ts';
import { preferredAddress } from '../storage/addresses.ts';
import { type ClientRecord, findClient } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import { activeEnrollmentOfFlow, type EnrollmentRecord, insertEnrollment } from '../storage/enrollments.ts';
import {
  advanceSchedule,
  clientSchedules,
  dueSchedules,
  insertSchedule,
  type ScheduleRecord,
} from '../storage/schedules.ts';
import type { ServiceDeps } from './deps.ts';
import { runTurn } from './run-turn.ts';

export type ScheduleRequest =
  | { clientId: string; flowId: string; everyDays: number }
  | { clientId: string; flowId: string; at: Date };

export type ScheduleOutcome =
  | { ok: true; schedule: ScheduleRecord }
  | { ok: false; error: 'unknown_client' | 'unknown_flow' | 'in_the_past' };

/**
 * Asks for a measurement (a questionnaire flow such as `measures` or `screen`) every N days at the
 * client's preferred time, or once at a given time (e.g. before a follow-up contact). Each becomes a
 * durable schedule row that the scheduler turns into a check-in conversation when it is due.
 */
export async function scheduleMeasurement(
  deps: ServiceDeps,
  request: ScheduleRequest,
): Promise<ScheduleOutcome> {
  const now = deps.clock();
  const client = await deps.db.read((q) => findClient(q, request.clientId));
  if (!client) return { ok: false, error: 'unknown_client' };
  if (!deps.flows.latest(request.flowId)) return { ok: false, error: 'unknown_flow' };
  const repeating = 'everyDays' in request;
  const due = repeating
    ? localDayAt(now, request.everyDays, client.preferredTime ?? DEFAULT_PREFERRED_TIME, client.timeZone)
    : request.at;
  if (due.getTime() < now.getTime()) return { ok: false, error: 'in_the_past' };
  const schedule: ScheduleRecord = {
    id: deps.ids.id(),
    clientId: client.id,
    flowId: request.flowId,
    everyDays: repeating ? request.everyDays : undefined,
    once: !repeating,
    nextDueAt: due.toISOString(),
    active: true,
  };
  await deps.db.write((tx) => insertSchedule(tx, schedule, now.toISOString()));
  return { ok: true, schedule };
}

/**
 * The first time a client links a phone, SMS check-ins start at the configured cadence (default: the
 * short screen PHQ-2 + GAD-2 weekly, the full PHQ-9 + GAD-7 every 14 days), unless the client already
 * has a measurement plan. Runs inside the linking transaction.
 */
export async function startDefaultCheckins(
  deps: ServiceDeps,
  tx: Queryable,
  client: ClientRecord,
  channel: string,
  now: Date,
): Promise<void> {
  const cadence = deps.checkins[channel];
  if (!cadence || (await clientSchedules(tx, client.id)).length > 0) return;
  const time = client.preferredTime ?? DEFAULT_PREFERRED_TIME;
  for (const [flowId, everyDays] of [
    ['screen', cadence.screenEveryDays],
    ['measures', cadence.fullEveryDays],
  ] as const) {
    if (everyDays <= 0) continue;
    const schedule: ScheduleRecord = {
      id: deps.ids.id(),
      clientId: client.id,
      flowId,
      everyDays,
      once: false,
      nextDueAt: localDayAt(now, everyDays, time, client.timeZone).toISOString(),
      active: true,
    };
    await insertSchedule(tx, schedule, now.toISOString());
  }
}

/** Starts every check-in that is due; returns how many conversations were started. */
export async function fireDueSchedules(deps: ServiceDeps, limit = 100): Promise<number> {
  const due = await deps.db.read((q) => dueSchedules(q, deps.clock().toISOString(), limit));
  let started = 0;
  for (const schedule of due) {
    if (await deps.locks.run(`client:${schedule.clientId}`, () => startCheckin(deps, schedule))) started++;
  }
  return started;
}

async function startCheckin(deps: ServiceDeps, schedule: ScheduleRecord): Promise<boolean> {
  const now = deps.clock();
  const dueAt = schedule.nextDueAt!;
  const { client, address, running } = await deps.db.read(async (q) => {
    const client = await findClient(q, schedule.clientId);
    return {
      client,
      address: client ? await preferredAddress(q, client.id, now) : undefined,
      running: await activeEnrollmentOfFlow(q, schedule.clientId, schedule.flowId),
    };
  });
  // On a day the full measurement is due as well, the short screen steps aside.
  const fullDueToo =
    schedule.flowId === 'screen' &&
    (await deps.db.read((q) => clientSchedules(q, schedule.clientId))).some(
      (s) =>
        s.flowId === 'measures' &&
        s.active &&
        s.nextDueAt !== undefined &&
        Math.abs(Date.parse(s.nextDueAt) - Date.parse(dueAt)) < 86_400_000,
    );
  const next =
    schedule.everyDays && client
      ? nextDue(
          new Date(dueAt),
          schedule.everyDays,
          client.preferredTime ?? DEFAULT_PREFERRED_TIME,
          client.timeZone,
        )
      : undefined;
  // Nothing to start: the client never linked a channel, the number sent STOP, or the last check-in is
  // still open.
  if (!client || !address || address.optedOutAt || address.undeliverableAt || running || fullDueToo) {
    await deps.db.write((tx) => advanceSchedule(tx, schedule.id, dueAt, next?.toISOString() ?? null));
    return false;
  }
  const flow = deps.flows.latest(schedule.flowId)!;
  const enrollment: EnrollmentRecord = {
    id: deps.ids.id(),
    clientId: client.id,
    flowId: flow.id,
    flowVersion: flow.version,
    status: 'pending',
    rowVersion: 0,
  };
  let advanced = false;
  await runTurn(
    deps,
    { now, client, enrollment, address, locale: client.locale },
    { kind: 'start_enrollment' },
    {
      leadEvents: [{ type: 'checkin.started', data: { scheduleId: schedule.id, flowId: flow.id, dueAt } }],
      scheduledFor: { timeZone: client.timeZone },
      // Another pass that took this schedule first makes this one a no-op: the enrollment is not created.
      alongside: async (tx) => {
        advanced = await advanceSchedule(tx, schedule.id, dueAt, next?.toISOString() ?? null);
        if (!advanced) throw new ScheduleTaken();
        await insertEnrollment(tx, {
          id: enrollment.id,
          clientId: client.id,
          flowId: flow.id,
          flowVersion: flow.version,
          now: now.toISOString(),
        });
      },
    },
  ).catch((error: unknown) => {
    if (!(error instanceof ScheduleTaken)) throw error;
  });
  return advanced;
}

/** Thrown inside the write when the schedule was advanced by someone else: the transaction rolls back. */
class ScheduleTaken extends Error {}
