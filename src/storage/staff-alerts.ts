import { type AlertRecord, toAlert } from './alerts.ts';
import type { Queryable } from './db.ts';
import { optStr } from './rows.ts';

/** An alert with what the workspace needs beside it: the client's name and responsible therapist. */
export interface StaffAlertRow {
  alert: AlertRecord;
  clientName?: string;
  therapistId?: string;
}

/**
 * Alerts a staff member may see: with `therapistId`, those of that therapist's clients and of clients
 * nobody is responsible for (and of conversations not linked to a client yet); without it, all (admin).
 */
export async function alertsFor(
  q: Queryable,
  options: { therapistId?: string; open: boolean; limit?: number },
): Promise<StaffAlertRow[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (options.open) where.push('a.acknowledged_at IS NULL');
  if (options.therapistId !== undefined) {
    where.push('(c.therapist_id IS NULL OR c.therapist_id = ?)');
    args.push(options.therapistId);
  }
  args.push(options.limit ?? 500);
  const rows = (
    await q.execute({
      sql: `SELECT a.*, c.display_name AS client_name, c.therapist_id AS client_therapist_id
            FROM alerts a LEFT JOIN clients c ON c.id = a.client_id
            ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
            ORDER BY a.acknowledged_at IS NOT NULL, a.priority = 'high' DESC, a.created_at DESC, a.rowid DESC
            LIMIT ?`,
      args,
    })
  ).rows;
  return rows.map((row) => ({
    alert: toAlert(row),
    clientName: optStr(row, 'client_name'),
    therapistId: optStr(row, 'client_therapist_id'),
  }));
}

/** How many open alerts a staff member may see (see `alertsFor`). */
export async function countOpenAlertsFor(q: Queryable, therapistId: string | undefined): Promise<number> {
  const row = (
    await q.execute({
      sql: `SELECT COUNT(*) AS n FROM alerts a LEFT JOIN clients c ON c.id = a.client_id
            WHERE a.acknowledged_at IS NULL ${therapistId === undefined ? '' : 'AND (c.therapist_id IS NULL OR c.therapist_id = ?)'}`,
      args: therapistId === undefined ? [] : [therapistId],
    })
  ).rows[0];
  return Number(row?.n ?? 0);
}

/** One alert with its client's responsible therapist, for a visibility check. */
export async function findAlertWithClient(q: Queryable, id: string): Promise<StaffAlertRow | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT a.*, c.display_name AS client_name, c.therapist_id AS client_therapist_id
            FROM alerts a LEFT JOIN clients c ON c.id = a.client_id WHERE a.id = ?`,
      args: [id],
    })
  ).rows[0];
  return row
    ? {
        alert: toAlert(row),
        clientName: optStr(row, 'client_name'),
        therapistId: optStr(row, 'client_therapist_id'),
      }
    : undefined;
}
