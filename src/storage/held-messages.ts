import type { InStatement, Queryable } from './db.ts';
import { jsonOf, num, optStr, str } from './rows.ts';

/**
 * Content held behind a discreet SMS notice (migration 0016): each row is the outbox row it would have
 * been. Released rows move into the outbox in the order they were held, due at once.
 */
export interface HeldMessage {
  id: number;
  addressId: string;
  transcriptSeq: number;
  payload: unknown;
  kind: string;
  createdAt: string;
}

/** The SQL texts of `holdMessageStatement`, made once (the driver keeps prepared statements by text). */
const holdSql = (seq: string) =>
  `INSERT INTO held_messages (address_id, channel, transcript_seq, payload, kind, segments, encoding, created_at)
          VALUES (?, ?, ${seq}, ?, ?, ?, ?, ?)`;
const HOLD_SQL = holdSql('?');
const HOLD_LATEST_SQL = holdSql('(SELECT max(seq) FROM transcript WHERE address_id = ?)');

/**
 * The insert of a held message. As for the outbox, `transcriptSeq: 'latest'` takes the address's newest
 * transcript row, inserted by an earlier statement of the same batch.
 */
export function holdMessageStatement(row: {
  addressId: string;
  channel: string;
  transcriptSeq: number | 'latest';
  payload: unknown;
  kind: string;
  segments?: number;
  encoding?: string;
  now: string;
}): InStatement {
  const latest = row.transcriptSeq === 'latest';
  return {
    sql: latest ? HOLD_LATEST_SQL : HOLD_SQL,
    args: [
      row.addressId,
      row.channel,
      latest ? row.addressId : row.transcriptSeq,
      jsonOf(row.payload),
      row.kind,
      row.segments ?? null,
      row.encoding ?? null,
      row.now,
    ],
  };
}

/** The reply key of the neutral line that stands in for held content (content/{nb,en}/sms.json). */
export const NOTICE_KEY = 'sms.discreet_notice';

/**
 * Moves the address's held messages into the outbox, in the order they were held and due at `now`,
 * ahead of anything the same batch enqueues after these statements. A notice still waiting for the send
 * window is withdrawn (failed, with the reason): the client has answered before it went, and a notice
 * with nothing behind it would take their next "JA" for asking to see something.
 */
export function releaseHeldStatements(addressId: string, now: string): InStatement[] {
  return [
    {
      sql: `UPDATE outbox SET status = 'failed', last_error = 'discreet notice withdrawn: the client answered first',
            updated_at = ?
            WHERE address_id = ? AND status = 'pending' AND attempts = 0 AND next_attempt_at > ?
              AND EXISTS (SELECT 1 FROM held_messages WHERE address_id = ?)
              AND transcript_seq IN (SELECT seq FROM transcript WHERE address_id = ? AND direction = 'out'
                                     AND json_extract(payload, '$.reply.key') = ?)`,
      args: [now, addressId, now, addressId, addressId, NOTICE_KEY],
    },
    {
      sql: `INSERT INTO outbox (address_id, channel, transcript_seq, payload, status, attempts, next_attempt_at,
            created_at, updated_at, kind, segments, encoding)
            SELECT address_id, channel, transcript_seq, payload, 'pending', 0, ?, ?, ?, kind, segments, encoding
            FROM held_messages WHERE address_id = ? ORDER BY id`,
      args: [now, now, now, addressId],
    },
    { sql: 'DELETE FROM held_messages WHERE address_id = ?', args: [addressId] },
  ];
}

/**
 * Drops what is held for the address from one enrollment: a questionnaire that ran out before the client
 * opened its notice (its questions and reminder are void; the notice that it expired is held anew after
 * this statement, in the same batch). The transcript keeps the content.
 */
export const dropHeldOfEnrollmentStatement = (addressId: string, enrollmentId: string): InStatement => ({
  sql: `DELETE FROM held_messages WHERE address_id = ?
          AND transcript_seq IN (SELECT seq FROM transcript WHERE address_id = ? AND enrollment_id = ?)`,
  args: [addressId, addressId, enrollmentId],
});

/** Drops what is held for the address (STOP, an unlinked device): the transcript keeps the content. */
export function dropHeldStatement(addressId: string): InStatement {
  return { sql: 'DELETE FROM held_messages WHERE address_id = ?', args: [addressId] };
}

/**
 * What decides whether a push to the client is held: whether a notice already waits for an answer
 * (something is held for the address), and the contract in force's choice of discreet SMS (undefined
 * without a signed contract). One statement.
 */
export async function discreetSmsState(
  q: Queryable,
  addressId: string,
  clientId: string,
): Promise<DiscreetSmsState> {
  const row = (
    await q.execute({
      sql: `SELECT EXISTS (SELECT 1 FROM held_messages WHERE address_id = ?) AS waiting,
                   (SELECT fields FROM contracts WHERE client_id = ? AND status = 'signed'
                    ORDER BY version DESC LIMIT 1) AS fields`,
      args: [addressId, clientId],
    })
  ).rows[0]!;
  return toDiscreetState(row);
}

export interface DiscreetSmsState {
  waiting: boolean;
  contract: { channels: { discreetSms: boolean } } | undefined;
}

function toDiscreetState(row: Record<string, unknown>): DiscreetSmsState {
  const fields = optStr(row, 'fields');
  const discreetSms = fields
    ? (JSON.parse(fields) as { channels?: { discreetSms?: boolean } }).channels?.discreetSms
    : undefined;
  return {
    waiting: num(row, 'waiting') === 1,
    contract: discreetSms === undefined ? undefined : { channels: { discreetSms } },
  };
}

/**
 * `discreetSmsState` for many (address, client) pairs in one statement, keyed by address id: what a batch
 * of scheduled turns reads inside its write transaction before it builds its statements.
 */
export async function discreetSmsStates(
  q: Queryable,
  pairs: { addressId: string; clientId: string }[],
): Promise<Map<string, DiscreetSmsState>> {
  if (pairs.length === 0) return new Map();
  const rows = (
    await q.execute({
      sql: `SELECT p.value ->> 'a' AS address_id,
                   EXISTS (SELECT 1 FROM held_messages WHERE address_id = p.value ->> 'a') AS waiting,
                   (SELECT fields FROM contracts WHERE client_id = p.value ->> 'c' AND status = 'signed'
                    ORDER BY version DESC LIMIT 1) AS fields
            FROM json_each(?) p`,
      args: [JSON.stringify(pairs.map((p) => ({ a: p.addressId, c: p.clientId })))],
    })
  ).rows;
  return new Map(rows.map((row) => [str(row, 'address_id'), toDiscreetState(row)]));
}

/** Whether anything is held for the address (a notice waits for the client's answer). */
export async function hasHeldMessages(q: Queryable, addressId: string): Promise<boolean> {
  const rows = (
    await q.execute({ sql: 'SELECT 1 FROM held_messages WHERE address_id = ? LIMIT 1', args: [addressId] })
  ).rows;
  return rows.length > 0;
}

export async function heldMessages(q: Queryable, addressId: string): Promise<HeldMessage[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM held_messages WHERE address_id = ? ORDER BY id',
      args: [addressId],
    })
  ).rows;
  return rows.map((row) => ({
    id: num(row, 'id'),
    addressId: str(row, 'address_id'),
    transcriptSeq: num(row, 'transcript_seq'),
    payload: JSON.parse(str(row, 'payload')),
    kind: str(row, 'kind'),
    createdAt: str(row, 'created_at'),
  }));
}
