import type { Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

/** A message between a client and their therapist (`staff_messages`). */
export interface StaffMessageRecord {
  id: string;
  clientId: string;
  /** `out`: a therapist wrote to the client; `in`: the client wrote to the therapist. */
  direction: 'in' | 'out';
  text: string;
  /** The therapist who wrote it (out). */
  staffId?: string;
  /** The channel it came from or went to; none when the client had no channel yet. */
  channel?: string;
  createdAt: string;
  /** When a therapist first listed it (in). */
  readAt?: string;
}

/** A message as read back: with the name of the therapist who wrote it. */
export interface StaffMessageRow extends StaffMessageRecord {
  staffName?: string;
}

const toMessage = (row: Record<string, unknown>): StaffMessageRecord => ({
  id: str(row, 'id'),
  clientId: str(row, 'client_id'),
  direction: str(row, 'direction') as 'in' | 'out',
  text: str(row, 'text'),
  staffId: optStr(row, 'staff_id'),
  channel: optStr(row, 'channel'),
  createdAt: str(row, 'created_at'),
  readAt: optStr(row, 'read_at'),
});

export async function insertStaffMessage(q: Queryable, message: StaffMessageRecord): Promise<void> {
  await q.execute({
    sql: `INSERT INTO staff_messages (id, client_id, direction, text, staff_id, channel, created_at, read_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      message.id,
      message.clientId,
      message.direction,
      message.text,
      message.staffId ?? null,
      message.channel ?? null,
      message.createdAt,
      message.readAt ?? null,
    ],
  });
}

/** A client's messages in both directions, newest first (rowid breaks ties within one instant). */
export async function clientMessages(
  q: Queryable,
  clientId: string,
  limit = 200,
): Promise<StaffMessageRow[]> {
  const result = await q.execute({
    sql: `SELECT m.*, s.name AS staff_name FROM staff_messages m LEFT JOIN staff s ON s.id = m.staff_id
          WHERE m.client_id = ? ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?`,
    args: [clientId, limit],
  });
  return result.rows.map((row) => ({ ...toMessage(row), staffName: optStr(row, 'staff_name') }));
}

/** Marks the client's unread inbound messages read; returns how many were. */
export async function markMessagesRead(q: Queryable, clientId: string, at: string): Promise<number> {
  const result = await q.execute({
    sql: `UPDATE staff_messages SET read_at = ? WHERE client_id = ? AND direction = 'in' AND read_at IS NULL`,
    args: [at, clientId],
  });
  return result.rowsAffected;
}

/** Unread messages from clients, per client id (clients with none are left out): the dashboard's count. */
export async function unreadMessageCounts(q: Queryable): Promise<Map<string, number>> {
  const result = await q.execute(
    `SELECT client_id, COUNT(*) AS unread FROM staff_messages
     WHERE direction = 'in' AND read_at IS NULL GROUP BY client_id`,
  );
  return new Map(result.rows.map((row) => [str(row, 'client_id'), Number(row.unread)]));
}
