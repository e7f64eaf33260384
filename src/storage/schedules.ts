import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

/** A measurement schedule: a flow (e.g. `measures`, `screen`) started for a client when it is due. */
export interface ScheduleRecord {
  id: string;
  clientId: string;
  flowId: string;
  everyDays?: number;
  once: boolean;
  nextDueAt?: string;
  active: boolean;
}

const toSchedule = (row: Record<string, unknown>): ScheduleRecord => ({
  id: str(row, 'id'),
  clientId: str(row, 'client_id'),
  flowId: str(row, 'flow_id'),
  everyDays: row.every_days === null ? undefined : num(row, 'every_days'),
  once: num(row, 'once') === 1,
  nextDueAt: optStr(row, 'next_due_at'),
  active: num(row, 'active') === 1,
});

export async function insertSchedule(q: Queryable, s: ScheduleRecord, now: string): Promise<void> {
  await q.execute({
    sql: `INSERT INTO measurement_schedules (id, client_id, flow_id, every_days, next_due_at, active, once, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      s.id,
      s.clientId,
      s.flowId,
      s.everyDays ?? null,
      s.nextDueAt ?? null,
      s.active ? 1 : 0,
      s.once ? 1 : 0,
      now,
    ],
  });
}

/**
 * Schedules that are due, except for clients with an open high-priority safety alert or in safety mode:
 * check-ins pause until a therapist has seen it.
 */
export async function dueSchedules(q: Queryable, now: string, limit: number): Promise<ScheduleRecord[]> {
  const rows = (
    await q.execute({
      sql: `SELECT s.* FROM measurement_schedules s
            WHERE s.active = 1 AND s.next_due_at IS NOT NULL AND s.next_due_at <= ?
              AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.client_id = s.client_id AND a.acknowledged_at IS NULL
                            AND (a.priority = 'high' OR a.safety_step IS NOT NULL))
            ORDER BY s.next_due_at LIMIT ?`,
      args: [now, limit],
    })
  ).rows;
  return rows.map(toSchedule);
}

export async function clientSchedules(q: Queryable, clientId: string): Promise<ScheduleRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM measurement_schedules WHERE client_id = ? ORDER BY rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map(toSchedule);
}

/** Moves a schedule on (compare-and-set on its due time, so two schedulers never start it twice). */
export async function advanceSchedule(
  q: Queryable,
  id: string,
  expectedDueAt: string,
  nextDueAt: string | null,
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE measurement_schedules SET next_due_at = ?, active = CASE WHEN ? IS NULL THEN 0 ELSE active END
          WHERE id = ? AND next_due_at = ?`,
    args: [nextDueAt, nextDueAt, id, expectedDueAt],
  });
  return result.rowsAffected === 1;
}
