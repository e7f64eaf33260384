import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

export type SleepWindowStatus = 'awaiting_approval' | 'approved' | 'rejected' | 'superseded';

export interface SleepWindowRecord {
  id: string;
  clientId: string;
  enrollmentId?: string;
  bedTime: string;
  riseTime: string;
  minutes: number;
  proposal: Record<string, unknown>;
  status: SleepWindowStatus;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
}

const toWindow = (row: Record<string, unknown>): SleepWindowRecord => ({
  id: str(row, 'id'),
  clientId: str(row, 'client_id'),
  enrollmentId: optStr(row, 'enrollment_id'),
  bedTime: str(row, 'bed_time'),
  riseTime: str(row, 'rise_time'),
  minutes: num(row, 'minutes'),
  proposal: JSON.parse(str(row, 'proposal')) as Record<string, unknown>,
  status: str(row, 'status') as SleepWindowStatus,
  createdAt: str(row, 'created_at'),
  decidedAt: optStr(row, 'decided_at'),
  decidedBy: optStr(row, 'decided_by'),
});

/** A new proposal replaces any earlier one still waiting: the therapist decides on the latest week. */
export async function insertProposal(q: Queryable, w: Omit<SleepWindowRecord, 'status'>): Promise<void> {
  await q.execute({
    sql: `UPDATE sleep_windows SET status = 'superseded' WHERE client_id = ? AND status = 'awaiting_approval'`,
    args: [w.clientId],
  });
  await q.execute({
    sql: `INSERT INTO sleep_windows (id, client_id, enrollment_id, bed_time, rise_time, minutes, proposal, status, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'awaiting_approval', ?)`,
    args: [
      w.id,
      w.clientId,
      w.enrollmentId ?? null,
      w.bedTime,
      w.riseTime,
      w.minutes,
      JSON.stringify(w.proposal),
      w.createdAt,
    ],
  });
}

export async function sleepWindowsAwaiting(q: Queryable): Promise<SleepWindowRecord[]> {
  const rows = (
    await q.execute(
      `SELECT * FROM sleep_windows WHERE status = 'awaiting_approval' ORDER BY created_at, rowid`,
    )
  ).rows;
  return rows.map(toWindow);
}

export async function clientSleepWindows(q: Queryable, clientId: string): Promise<SleepWindowRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM sleep_windows WHERE client_id = ? ORDER BY created_at, rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map(toWindow);
}

export async function findSleepWindow(q: Queryable, id: string): Promise<SleepWindowRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM sleep_windows WHERE id = ?', args: [id] })).rows[0];
  return row ? toWindow(row) : undefined;
}

/** Approves or rejects a waiting proposal; false when it is no longer waiting. */
export async function decideSleepWindow(
  q: Queryable,
  id: string,
  decision: 'approved' | 'rejected',
  by: string,
  now: string,
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE sleep_windows SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'awaiting_approval'`,
    args: [decision, now, by, id],
  });
  return result.rowsAffected === 1;
}

/** The client's sleep window: the latest approved one. */
export async function currentSleepWindow(
  q: Queryable,
  clientId: string,
): Promise<SleepWindowRecord | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT * FROM sleep_windows WHERE client_id = ? AND status = 'approved' ORDER BY decided_at DESC, rowid DESC LIMIT 1`,
      args: [clientId],
    })
  ).rows[0];
  return row ? toWindow(row) : undefined;
}
