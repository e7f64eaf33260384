import type { Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

export async function setClientTherapist(q: Queryable, clientId: string, therapistId: string | undefined) {
  await q.execute({
    sql: 'UPDATE clients SET therapist_id = ? WHERE id = ?',
    args: [therapistId ?? null, clientId],
  });
}

export interface AssignmentRow {
  clientId: string;
  name?: string;
  therapistId?: string;
  createdAt: string;
}

/** Clients with their responsible therapist, nobody's first, newest first. */
export async function listAssignments(q: Queryable, limit: number): Promise<AssignmentRow[]> {
  const rows = (
    await q.execute({
      sql: `SELECT id, display_name, therapist_id, created_at FROM clients
            ORDER BY therapist_id IS NOT NULL, created_at DESC LIMIT ?`,
      args: [limit],
    })
  ).rows;
  return rows.map((row) => ({
    clientId: str(row, 'id'),
    name: optStr(row, 'display_name'),
    therapistId: optStr(row, 'therapist_id'),
    createdAt: str(row, 'created_at'),
  }));
}
