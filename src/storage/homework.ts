import type { Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

export interface HomeworkEntry {
  id: string;
  clientId: string;
  enrollmentId?: string;
  type: string;
  step: string;
  entry: Record<string, unknown>;
  channel: string;
  createdAt: string;
}

export async function insertHomework(q: Queryable, h: HomeworkEntry): Promise<void> {
  await q.execute({
    sql: `INSERT INTO homework_entries (id, client_id, enrollment_id, type, step, entry, channel, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      h.id,
      h.clientId,
      h.enrollmentId ?? null,
      h.type,
      h.step,
      JSON.stringify(h.entry),
      h.channel,
      h.createdAt,
    ],
  });
}

export async function clientHomework(q: Queryable, clientId: string): Promise<HomeworkEntry[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM homework_entries WHERE client_id = ? ORDER BY created_at, rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map((row) => ({
    id: str(row, 'id'),
    clientId: str(row, 'client_id'),
    enrollmentId: optStr(row, 'enrollment_id'),
    type: str(row, 'type'),
    step: str(row, 'step'),
    entry: JSON.parse(str(row, 'entry')) as Record<string, unknown>,
    channel: str(row, 'channel'),
    createdAt: str(row, 'created_at'),
  }));
}
