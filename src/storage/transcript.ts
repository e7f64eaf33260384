import type { InStatement, Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

export interface TranscriptEntry {
  seq: number;
  addressId: string;
  clientId?: string;
  enrollmentId?: string;
  direction: 'in' | 'out';
  text: string;
  payload: unknown;
  createdAt: string;
}

/** Appends a transcript row; its `seq` is the statement's last inserted rowid. */
export const appendTranscriptStatement = (entry: Omit<TranscriptEntry, 'seq'>): InStatement =>
  appendTranscriptRowsStatement([entry]);

const APPEND_SQL = `INSERT INTO transcript (address_id, client_id, enrollment_id, direction, text, payload, created_at)
          VALUES`;
/** One row's SQL text, made once (the driver keeps prepared statements by text). */
const APPEND_ONE_SQL = `${APPEND_SQL} (?, ?, ?, ?, ?, ?, ?)`;

/**
 * Appends transcript rows in the order given, in one statement (one engine call where a turn writes its
 * message and two or three replies); the last inserted rowid is the `seq` of the last row.
 */
export function appendTranscriptRowsStatement(entries: Omit<TranscriptEntry, 'seq'>[]): InStatement {
  if (entries.length === 0) throw new RangeError('no transcript rows to append');
  return {
    sql:
      entries.length === 1
        ? APPEND_ONE_SQL
        : `${APPEND_SQL} ${entries.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    args: entries.flatMap((entry) => [
      entry.addressId,
      entry.clientId ?? null,
      entry.enrollmentId ?? null,
      entry.direction,
      entry.text,
      JSON.stringify(entry.payload),
      entry.createdAt,
    ]),
  };
}

export async function appendTranscript(q: Queryable, entry: Omit<TranscriptEntry, 'seq'>): Promise<number> {
  const result = await q.execute(appendTranscriptStatement(entry));
  return Number(result.lastInsertRowid);
}

const toEntry = (row: Record<string, unknown>): TranscriptEntry => ({
  seq: num(row, 'seq'),
  addressId: str(row, 'address_id'),
  clientId: optStr(row, 'client_id'),
  enrollmentId: optStr(row, 'enrollment_id'),
  direction: str(row, 'direction') as 'in' | 'out',
  text: str(row, 'text'),
  payload: JSON.parse(str(row, 'payload')),
  createdAt: str(row, 'created_at'),
});

/** Messages sent to one address after a given sequence number (what a web chat page has not seen yet). */
export async function outboundAfter(
  q: Queryable,
  addressId: string,
  afterSeq: number,
): Promise<TranscriptEntry[]> {
  const rows = (
    await q.execute({
      sql: `SELECT * FROM transcript WHERE address_id = ? AND direction = 'out' AND seq > ? ORDER BY seq LIMIT 200`,
      args: [addressId, afterSeq],
    })
  ).rows;
  return rows.map(toEntry);
}

/**
 * What a conversation shows its own device after `afterSeq` (0: everything; otherwise only what was said
 * to it): never what was said while the address belonged to another client. Once a device is unlinked,
 * and perhaps linked to someone else (a shared family computer), its history starts after the last row
 * of any client but `clientId` (the address's client now; undefined when it has none).
 */
export async function conversationTranscript(
  q: Queryable,
  addressId: string,
  clientId: string | undefined,
  afterSeq: number,
): Promise<TranscriptEntry[]> {
  const rows = (
    await q.execute({
      sql: `SELECT * FROM transcript WHERE address_id = ?1 AND seq > ?2 AND (?2 = 0 OR direction = 'out')
              AND seq > COALESCE((SELECT MAX(seq) FROM transcript WHERE address_id = ?1
                                  AND client_id IS NOT NULL AND client_id IS NOT ?3), 0)
            ORDER BY seq ${afterSeq === 0 ? '' : 'LIMIT 200'}`,
      args: [addressId, afterSeq, clientId ?? null],
    })
  ).rows;
  return rows.map(toEntry);
}

export async function clientTranscript(q: Queryable, clientId: string): Promise<TranscriptEntry[]> {
  const rows = (
    await q.execute({ sql: 'SELECT * FROM transcript WHERE client_id = ? ORDER BY seq', args: [clientId] })
  ).rows;
  return rows.map(toEntry);
}

export async function addressTranscript(q: Queryable, addressId: string): Promise<TranscriptEntry[]> {
  const rows = (
    await q.execute({ sql: 'SELECT * FROM transcript WHERE address_id = ? ORDER BY seq', args: [addressId] })
  ).rows;
  return rows.map(toEntry);
}
