import { DEFAULT_PREFERRED_TIME, localDayAt, nextDue } from '../domain/schedule.ts';
import { type ClientRecord, findClient } from '../storage/clients.ts';
import type { InStatement, Queryable } from '../storage/db.ts';
import type { EnrollmentRecord } from '../storage/enrollments.ts';
import {
  advanceScheduleStatement,
  checkinContexts,
  clientSchedules,
  dueSchedules,
  insertSchedule,
  type ScheduleRecord,
} from '../storage/schedules.ts';
import { inClientBatches } from './client-batches.ts';
import type { ServiceDeps } from './deps.ts';
import { type BatchTurn, runTurns } from './run-turn.ts';

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

/**
 * Check-ins started per batch: one read batch, one write transaction and the engine run for each. A
 * larger batch writes faster (bench/README.md, the scheduler part) but holds its clients' locks, and the
 * single database connection of the embedded driver, for longer: a client of the batch who writes
 * meanwhile waits for it.
 */
export const CHECKIN_BATCH = 250;

/**
 * Starts every check-in that is due (at most `limit` per call: one scheduler pass), in batches of
 * `batchSize` clients: each batch reads what its check-ins need in one read batch, runs the engine for
 * each, and writes them all in one transaction (runTurns). A client with two check-ins due waits for the
 * next batch with the second. Returns how many conversations were started.
 */
export async function fireDueSchedules(
  deps: ServiceDeps,
  limit = 4 * CHECKIN_BATCH,
  batchSize = CHECKIN_BATCH,
): Promise<number> {
  const due = await deps.db.read((q) => dueSchedules(q, deps.clock().toISOString(), limit));
  return inClientBatches(deps, due, batchSize, (batch) => startCheckins(deps, batch));
}

async function startCheckins(deps: ServiceDeps, schedules: ScheduleRecord[]): Promise<number> {
  const now = deps.clock();
  const ctx = await deps.db.read((q) =>
    checkinContexts(
      q,
      schedules.map((s) => s.clientId),
      now,
    ),
  );
  const advances: InStatement[] = [];
  const turns: BatchTurn[] = [];
  // A morning's schedules mostly share their due time, cadence, time of day and zone.
  const nextDues = new Map<string, string>();
  const nextOf = (dueAt: string, everyDays: number, time: string, timeZone: string): string => {
    const memo = `${dueAt} ${everyDays} ${time} ${timeZone}`;
    let next = nextDues.get(memo);
    if (next === undefined) {
      next = nextDue(new Date(dueAt), everyDays, time, timeZone).toISOString();
      nextDues.set(memo, next);
    }
    return next;
  };
  for (const schedule of schedules) {
    const dueAt = schedule.nextDueAt!;
    const client = ctx.clients.get(schedule.clientId);
    const address = client && ctx.addresses.get(client.id);
    const running = ctx.running.has(`${schedule.clientId} ${schedule.flowId}`);
    // On a day the full measurement is due as well, the short screen steps aside.
    const fullDueToo =
      schedule.flowId === 'screen' &&
      (ctx.schedules.get(schedule.clientId) ?? []).some(
        (s) =>
          s.flowId === 'measures' &&
          s.active &&
          s.nextDueAt !== undefined &&
          Math.abs(Date.parse(s.nextDueAt) - Date.parse(dueAt)) < 86_400_000,
      );
    const next =
      schedule.everyDays && client
        ? nextOf(dueAt, schedule.everyDays, client.preferredTime ?? DEFAULT_PREFERRED_TIME, client.timeZone)
        : null;
    // Nothing to start: the client never linked a channel, the number sent STOP, or the last check-in is
    // still open.
    if (!client || !address || address.optedOutAt || address.undeliverableAt || running || fullDueToo) {
      advances.push(advanceScheduleStatement(schedule.id, dueAt, next));
      continue;
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
    turns.push({
      target: { now, client, enrollment, address, locale: client.locale },
      trigger: { kind: 'start_enrollment' },
      options: {
        leadEvents: [{ type: 'checkin.started', data: { scheduleId: schedule.id, flowId: flow.id, dueAt } }],
        scheduledFor: { timeZone: client.timeZone },
        // Another pass that took this schedule first (its due time moved) turns this check-in down: its
        // enrollment is not created, and the rest of the batch is written without it.
        statements: [{ mustChange: advanceScheduleStatement(schedule.id, dueAt, next, now.toISOString()) }],
        // The turn inserts the enrollment with the started questionnaire in it.
        newEnrollment: true,
      },
    });
  }
  if (advances.length > 0) await deps.db.write((tx) => tx.batch(advances));
  const outcomes = await runTurns(deps, turns);
  return outcomes.filter((o) => o.kind !== 'conflict').length;
}
