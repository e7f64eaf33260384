import type { FlowEvent, TimerSpec } from '../engine/types.ts';
import type { InStatement, Queryable } from './db.ts';
import { str } from './rows.ts';

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
  args: [enrollmentId, timer.key, timer.dueAt, JSON.stringify(timer.event), now],
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
