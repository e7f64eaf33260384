import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

export interface AuditEntry {
  seq: number;
  at: string;
  staffId?: string;
  staffEmail: string;
  via: 'page' | 'api' | 'cli';
  clientId?: string;
  /** What was read or done, such as "client.view", "client.transcript", "alert.ack". */
  action: string;
  detail?: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq'>;

const toAudit = (row: Record<string, unknown>): AuditEntry => ({
  seq: num(row, 'seq'),
  at: str(row, 'at'),
  staffId: optStr(row, 'staff_id'),
  staffEmail: str(row, 'staff_email'),
  via: str(row, 'via') as AuditEntry['via'],
  clientId: optStr(row, 'client_id'),
  action: str(row, 'action'),
  detail: optStr(row, 'detail'),
});

/** Appends one row; the table's triggers refuse every update and delete. */
export async function appendAudit(q: Queryable, entry: NewAuditEntry): Promise<void> {
  await q.execute({
    sql: `INSERT INTO audit_log (at, staff_id, staff_email, via, client_id, action, detail)
          VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [
      entry.at,
      entry.staffId ?? null,
      entry.staffEmail,
      entry.via,
      entry.clientId ?? null,
      entry.action,
      entry.detail ?? null,
    ],
  });
}

/** The newest entries first, optionally for one client; `before` pages back by sequence number. */
export async function listAudit(
  q: Queryable,
  options: { clientId?: string; limit?: number; before?: number } = {},
): Promise<AuditEntry[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (options.clientId !== undefined) {
    where.push('client_id = ?');
    args.push(options.clientId);
  }
  if (options.before !== undefined) {
    where.push('seq < ?');
    args.push(options.before);
  }
  args.push(options.limit ?? 200);
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
  return (await q.execute({ sql, args })).rows.map(toAudit);
}
