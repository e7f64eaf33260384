import type { Queryable } from './db.ts';
import { num, optStr } from './rows.ts';

/** What the database says about the service's health, read in one statement at each scrape. */
export interface DatabaseGauges {
  outboxPending: number;
  /** Pending rows already due: waiting for a pass or a retry. */
  outboxDue: number;
  outboxFailed: number;
  /** The due time of the oldest pending row that is due, if any. */
  outboxOldestDueAt?: string;
  openAlerts: number;
  /** The due time of the oldest timer that is due and not fired yet, if any. */
  oldestDueTimerAt?: string;
}

export async function databaseGauges(q: Queryable, now: string): Promise<DatabaseGauges> {
  const row = (
    await q.execute({
      sql: `SELECT
              (SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS outbox_pending,
              (SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?) AS outbox_due,
              (SELECT COUNT(*) FROM outbox WHERE status = 'failed') AS outbox_failed,
              (SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?)
                AS outbox_oldest_due,
              (SELECT COUNT(*) FROM alerts WHERE acknowledged_at IS NULL) AS open_alerts,
              (SELECT MIN(due_at) FROM timers WHERE due_at <= ?) AS oldest_due_timer`,
      args: [now, now, now],
    })
  ).rows[0]!;
  return {
    outboxPending: num(row, 'outbox_pending'),
    outboxDue: num(row, 'outbox_due'),
    outboxFailed: num(row, 'outbox_failed'),
    outboxOldestDueAt: optStr(row, 'outbox_oldest_due'),
    openAlerts: num(row, 'open_alerts'),
    oldestDueTimerAt: optStr(row, 'oldest_due_timer'),
  };
}
