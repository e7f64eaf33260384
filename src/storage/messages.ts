import type { InStatement, Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

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
  /** The transcript row the therapist's message was written to the client's conversation as (out). */
  transcriptSeq?: number;
}

/**
 * Where the rows that send a therapist's message to a push channel are: its outbox rows by status, the
 * row held behind a discreet notice, and whether the address takes no more messages (STOP, a number the
 * provider refused). All zero and false for a message that went to a pull channel (the transcript is the
 * delivery) and for one that was never sent.
 */
export interface MessageOutboxFacts {
  outbox: number;
  failed: number;
  pending: number;
  held: number;
  addressClosed: boolean;
}

/** A message as read back: with the name of the therapist who wrote it, and what its sending did. */
export interface StaffMessageRow extends StaffMessageRecord {
  staffName?: string;
  outbox: MessageOutboxFacts;
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
  transcriptSeq:
    row.transcript_seq === null || row.transcript_seq === undefined ? undefined : num(row, 'transcript_seq'),
});

const toRow = (row: Record<string, unknown>): StaffMessageRow => ({
  ...toMessage(row),
  staffName: optStr(row, 'staff_name'),
  outbox: {
    outbox: num(row, 'outbox_rows'),
    failed: num(row, 'outbox_failed'),
    pending: num(row, 'outbox_pending'),
    held: num(row, 'held_rows'),
    addressClosed: num(row, 'address_closed') === 1,
  },
});

/**
 * A message with its sender's name and its outbox facts. The held rows and the address are found through
 * the transcript row (held_messages by address), the outbox rows by the row they send (outbox_transcript).
 */
const SELECT = `SELECT m.*, s.name AS staff_name,
    (SELECT count(*) FROM outbox o WHERE o.transcript_seq = m.transcript_seq) AS outbox_rows,
    (SELECT count(*) FROM outbox o WHERE o.transcript_seq = m.transcript_seq AND o.status = 'failed')
      AS outbox_failed,
    (SELECT count(*) FROM outbox o WHERE o.transcript_seq = m.transcript_seq AND o.status = 'pending')
      AS outbox_pending,
    (SELECT count(*) FROM held_messages h
     WHERE h.address_id = t.address_id AND h.transcript_seq = m.transcript_seq) AS held_rows,
    (a.opted_out_at IS NOT NULL OR a.undeliverable_at IS NOT NULL) AS address_closed
  FROM staff_messages m LEFT JOIN staff s ON s.id = m.staff_id
    LEFT JOIN transcript t ON t.seq = m.transcript_seq
    LEFT JOIN channel_addresses a ON a.id = t.address_id`;

export async function insertStaffMessage(q: Queryable, message: StaffMessageRecord): Promise<void> {
  await q.execute({
    sql: `INSERT INTO staff_messages (id, client_id, direction, text, staff_id, channel, created_at, read_at,
            transcript_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      message.id,
      message.clientId,
      message.direction,
      message.text,
      message.staffId ?? null,
      message.channel ?? null,
      message.createdAt,
      message.readAt ?? null,
      message.transcriptSeq ?? null,
    ],
  });
}

/**
 * Links a therapist's message to the transcript row its turn just wrote to the address: the newest
 * `messages.from_therapist` row there. Last in the turn's batch (TurnWrite.closing), after that row and
 * before any other turn can write one; a discreet notice written after it has another key.
 */
export function linkMessageToTranscriptStatement(messageId: string, addressId: string): InStatement {
  return {
    sql: `UPDATE staff_messages SET transcript_seq = (
            SELECT seq FROM transcript WHERE address_id = ? AND direction = 'out'
              AND json_extract(payload, '$.reply.key') = 'messages.from_therapist'
            ORDER BY seq DESC LIMIT 1)
          WHERE id = ?`,
    args: [addressId, messageId],
  };
}

/** A client's messages in both directions, newest first (rowid breaks ties within one instant). */
export async function clientMessages(
  q: Queryable,
  clientId: string,
  limit = 200,
): Promise<StaffMessageRow[]> {
  const result = await q.execute({
    sql: `${SELECT} WHERE m.client_id = ? ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?`,
    args: [clientId, limit],
  });
  return result.rows.map(toRow);
}

/** One message as `clientMessages` reads it. */
export async function findMessage(q: Queryable, id: string): Promise<StaffMessageRow | undefined> {
  const row = (await q.execute({ sql: `${SELECT} WHERE m.id = ?`, args: [id] })).rows[0];
  return row ? toRow(row) : undefined;
}

/** How many of the client's messages are unread. */
export async function unreadMessageCount(q: Queryable, clientId: string): Promise<number> {
  const row = (
    await q.execute({
      sql: `SELECT count(*) AS unread FROM staff_messages
            WHERE client_id = ? AND direction = 'in' AND read_at IS NULL`,
      args: [clientId],
    })
  ).rows[0]!;
  return num(row, 'unread');
}

/** Marks the client's unread inbound messages read; returns how many were. */
export async function markMessagesRead(q: Queryable, clientId: string, at: string): Promise<number> {
  const result = await q.execute({
    sql: `UPDATE staff_messages SET read_at = ? WHERE client_id = ? AND direction = 'in' AND read_at IS NULL`,
    args: [at, clientId],
  });
  return result.rowsAffected;
}

/**
 * Each client's newest message from a therapist, as `clientMessages` reads it (clients who were never
 * written to are left out): the dashboard's "a message did not reach the client".
 */
export async function newestTherapistMessages(q: Queryable): Promise<StaffMessageRow[]> {
  const result = await q.execute(
    `${SELECT} WHERE m.direction = 'out' AND NOT EXISTS (
       SELECT 1 FROM staff_messages n WHERE n.client_id = m.client_id AND n.direction = 'out'
         AND (n.created_at > m.created_at OR (n.created_at = m.created_at AND n.rowid > m.rowid)))`,
  );
  return result.rows.map(toRow);
}

/** Unread messages from clients, per client id (clients with none are left out): the dashboard's count. */
export async function unreadMessageCounts(q: Queryable): Promise<Map<string, number>> {
  const result = await q.execute(
    `SELECT client_id, COUNT(*) AS unread FROM staff_messages
     WHERE direction = 'in' AND read_at IS NULL GROUP BY client_id`,
  );
  return new Map(result.rows.map((row) => [str(row, 'client_id'), Number(row.unread)]));
}
