import type { FlowEvent, TimerSpec } from '../engine/types.ts';
import { type AddressRecord, clientsAddressesStatement, preferredAddresses } from './addresses.ts';
import { type ClientRecord, toClient } from './clients.ts';
import type { InStatement, Queryable } from './db.ts';
import { type EnrollmentRecord, toEnrollment } from './enrollments.ts';
import { jsonOf, str } from './rows.ts';

export interface DueTimer {
  enrollmentId: string;
  clientId: string;
  key: string;
  dueAt: string;
  event: FlowEvent;
}

export const upsertTimerStatement = (enrollmentId: string, timer: TimerSpec, now: string): InStatement => ({
  sql: `INSERT INTO timers (enrollment_id, timer_key, due_at, event, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (enrollment_id, timer_key) DO UPDATE SET due_at = excluded.due_at, event = excluded.event,
        created_at = excluded.created_at`,
  args: [enrollmentId, timer.key, timer.dueAt, jsonOf(timer.event), now],
});

export async function upsertTimer(
  q: Queryable,
  enrollmentId: string,
  timer: TimerSpec,
  now: string,
): Promise<void> {
  await q.execute(upsertTimerStatement(enrollmentId, timer, now));
}

/** Deletes a timer; the rows it changed (0 or 1) say whether it still existed. */
export const deleteTimerStatement = (enrollmentId: string, key: string): InStatement => ({
  sql: 'DELETE FROM timers WHERE enrollment_id = ? AND timer_key = ?',
  args: [enrollmentId, key],
});

export async function deleteTimer(q: Queryable, enrollmentId: string, key: string): Promise<number> {
  const result = await q.execute(deleteTimerStatement(enrollmentId, key));
  return result.rowsAffected;
}

/**
 * Timers that are due, except for clients with an open high-priority safety alert: theirs wait for a
 * therapist, and of clients in safety mode (a direct question waits for an answer). A concern that was
 * answered (normal priority) does not pause the course.
 */
export async function dueTimers(q: Queryable, now: string, limit: number): Promise<DueTimer[]> {
  const rows = (
    await q.execute({
      sql: `SELECT t.enrollment_id, t.timer_key, t.due_at, t.event, e.client_id
            FROM timers t JOIN enrollments e ON e.id = t.enrollment_id
            WHERE t.due_at <= ?
              AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.client_id = e.client_id AND a.acknowledged_at IS NULL
                            AND (a.priority = 'high' OR a.safety_step IS NOT NULL))
            ORDER BY t.due_at LIMIT ?`,
      args: [now, limit],
    })
  ).rows;
  return rows.map((row) => ({
    enrollmentId: str(row, 'enrollment_id'),
    clientId: str(row, 'client_id'),
    key: str(row, 'timer_key'),
    dueAt: str(row, 'due_at'),
    event: JSON.parse(str(row, 'event')) as FlowEvent,
  }));
}

/** What the scheduler reads again, under the clients' locks, to fire a batch of due timers. */
export interface TimerContexts {
  /** Each timer as it is now, by `timerId`; a timer cancelled meanwhile is missing. */
  timers: Map<string, { dueAt: string; event: FlowEvent }>;
  enrollments: Map<string, EnrollmentRecord>;
  clients: Map<string, ClientRecord>;
  /** Each client's preferred address (`preferredAddress`'s rule), at `now`. */
  addresses: Map<string, AddressRecord>;
}

/** How `TimerContexts.timers` names a timer. */
export const timerId = (enrollmentId: string, key: string): string => `${enrollmentId}\u0000${key}`;

/**
 * Everything firing the timers of `due` needs, in four statements and one read batch (one round trip to
 * a remote server), whatever their number: what `findTimer`, `findEnrollment`, `findClient` and
 * `preferredAddress` read for one.
 */
export async function timerContexts(q: Queryable, due: DueTimer[], now: Date): Promise<TimerContexts> {
  const enrollmentIds = JSON.stringify([...new Set(due.map((t) => t.enrollmentId))]);
  const clientIds = [...new Set(due.map((t) => t.clientId))];
  const [timers, enrollments, clients, addresses] = await q.batch([
    {
      sql: `SELECT enrollment_id, timer_key, due_at, event FROM timers
            WHERE enrollment_id IN (SELECT value FROM json_each(?))`,
      args: [enrollmentIds],
    },
    { sql: 'SELECT * FROM enrollments WHERE id IN (SELECT value FROM json_each(?))', args: [enrollmentIds] },
    {
      sql: 'SELECT * FROM clients WHERE id IN (SELECT value FROM json_each(?))',
      args: [JSON.stringify(clientIds)],
    },
    clientsAddressesStatement(clientIds),
  ]);
  const wanted = new Set(due.map((t) => timerId(t.enrollmentId, t.key)));
  const current = new Map<string, { dueAt: string; event: FlowEvent }>();
  for (const row of timers!.rows) {
    const id = timerId(str(row, 'enrollment_id'), str(row, 'timer_key'));
    if (wanted.has(id))
      current.set(id, { dueAt: str(row, 'due_at'), event: JSON.parse(str(row, 'event')) as FlowEvent });
  }
  return {
    timers: current,
    enrollments: new Map(enrollments!.rows.map((row) => [str(row, 'id'), toEnrollment(row)])),
    clients: new Map(clients!.rows.map((row) => [str(row, 'id'), toClient(row)])),
    addresses: preferredAddresses(addresses!.rows, now),
  };
}

export async function findTimer(
  q: Queryable,
  enrollmentId: string,
  key: string,
): Promise<{ dueAt: string; event: FlowEvent } | undefined> {
  const row = (
    await q.execute({
      sql: 'SELECT due_at, event FROM timers WHERE enrollment_id = ? AND timer_key = ?',
      args: [enrollmentId, key],
    })
  ).rows[0];
  return row ? { dueAt: str(row, 'due_at'), event: JSON.parse(str(row, 'event')) as FlowEvent } : undefined;
}

export async function listTimers(
  q: Queryable,
  enrollmentId: string,
): Promise<{ key: string; dueAt: string }[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT timer_key, due_at FROM timers WHERE enrollment_id = ? ORDER BY due_at',
      args: [enrollmentId],
    })
  ).rows;
  return rows.map((row) => ({ key: str(row, 'timer_key'), dueAt: str(row, 'due_at') }));
}
