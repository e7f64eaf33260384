import type { InStatement, Queryable } from './db.ts';
import { jsonOf, num, optStr, str } from './rows.ts';

export type OutboxStatus = 'pending' | 'sent' | 'delivered' | 'failed';

/** Safety replies and the STOP confirmation go out whatever else holds messages back. */
export type OutboxKind = 'normal' | 'safety' | 'consent';

export interface OutboxRow {
  id: number;
  addressId: string;
  channel: string;
  address: string;
  transcriptSeq: number;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  providerId?: string;
  lastError?: string;
  kind: OutboxKind;
  segments?: number;
  encoding?: string;
  optedOutAt?: string;
  undeliverableAt?: string;
  /**
   * When the earliest attempt started whose outcome is not known: set by the claim, before the provider
   * call, and kept after a crash or a timeout; cleared once the row is sent or failed, or once the provider
   * was asked and had no such message.
   */
  sendingSince?: string;
}

interface OutboxInsert {
  addressId: string;
  channel: string;
  transcriptSeq: number;
  payload: unknown;
  now: string;
  notBefore: string;
  kind: OutboxKind;
  segments?: number;
  encoding?: string;
}

/** The SQL texts of `enqueueOutboxStatement`, made once (the driver keeps prepared statements by text). */
const enqueueSql = (seq: string) =>
  `INSERT INTO outbox (address_id, channel, transcript_seq, payload, status, attempts, next_attempt_at, created_at,
          updated_at, kind, segments, encoding) VALUES (?, ?, ${seq}, ?, 'pending', 0, ?, ?, ?, ?, ?, ?)`;
const ENQUEUE_SQL = enqueueSql('?');
const ENQUEUE_LATEST_SQL = enqueueSql('(SELECT max(seq) FROM transcript WHERE address_id = ?)');

/**
 * The insert of an outbox row. For a batch, where the transcript row it sends was inserted by an earlier
 * statement of the same write, `transcriptSeq: 'latest'` takes the address's newest transcript row.
 */
export function enqueueOutboxStatement(
  row: Omit<OutboxInsert, 'transcriptSeq'> & { transcriptSeq: number | 'latest' },
): InStatement {
  const latest = row.transcriptSeq === 'latest';
  return {
    sql: latest ? ENQUEUE_LATEST_SQL : ENQUEUE_SQL,
    args: [
      row.addressId,
      row.channel,
      latest ? row.addressId : row.transcriptSeq,
      jsonOf(row.payload),
      row.notBefore,
      row.now,
      row.now,
      row.kind,
      row.segments ?? null,
      row.encoding ?? null,
    ],
  };
}

export async function enqueueOutbox(q: Queryable, row: OutboxInsert): Promise<number> {
  const result = await q.execute(enqueueOutboxStatement(row));
  return Number(result.lastInsertRowid);
}

const toRow = (row: Record<string, unknown>): OutboxRow => ({
  id: num(row, 'id'),
  addressId: str(row, 'address_id'),
  channel: str(row, 'channel'),
  address: str(row, 'address'),
  transcriptSeq: num(row, 'transcript_seq'),
  payload: JSON.parse(str(row, 'payload')),
  status: str(row, 'status') as OutboxStatus,
  attempts: num(row, 'attempts'),
  providerId: optStr(row, 'provider_id'),
  lastError: optStr(row, 'last_error'),
  kind: str(row, 'kind') as OutboxKind,
  segments: row.segments === null ? undefined : num(row, 'segments'),
  encoding: optStr(row, 'encoding'),
  optedOutAt: optStr(row, 'opted_out_at'),
  undeliverableAt: optStr(row, 'undeliverable_at'),
  sendingSince: optStr(row, 'sending_since'),
});

const SELECT = `SELECT o.*, a.address, a.opted_out_at, a.undeliverable_at
                FROM outbox o JOIN channel_addresses a ON a.id = o.address_id`;

/** Rows due now, safety rows first (so a full batch of other rows never leaves one out), then by id. */
export async function dueOutbox(
  q: Queryable,
  now: string,
  limit: number,
  only?: OutboxKind,
): Promise<OutboxRow[]> {
  // In order per conversation and lane (safety replies; everything else): a row waits while an earlier
  // one of its lane to the same address is not due (waiting for a retry, or claimed by a pass: in
  // flight). Due rows come in order, and a pass sends each lane in order, stopping where one fails.
  const rows = (
    await q.execute({
      sql: `${SELECT} WHERE o.status = 'pending' AND o.next_attempt_at <= ?${only ? ' AND o.kind = ?' : ''}
              AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.address_id = o.address_id AND e.id < o.id
                                AND e.status = 'pending' AND e.next_attempt_at > ?
                                AND (e.kind = 'safety') = (o.kind = 'safety'))
            ORDER BY o.kind = 'safety' DESC, o.id LIMIT ?`,
      args: only ? [now, only, now, limit] : [now, now, limit],
    })
  ).rows;
  return rows.map(toRow);
}

/** Whether a message to the address is still waiting to go out. */
export async function hasPendingOutbox(q: Queryable, addressId: string): Promise<boolean> {
  const rows = (
    await q.execute({
      sql: "SELECT 1 FROM outbox WHERE address_id = ? AND status = 'pending' LIMIT 1",
      args: [addressId],
    })
  ).rows;
  return rows.length > 0;
}

export async function outboxForAddress(q: Queryable, addressId: string): Promise<OutboxRow[]> {
  const rows = (await q.execute({ sql: `${SELECT} WHERE o.address_id = ? ORDER BY o.id`, args: [addressId] }))
    .rows;
  return rows.map(toRow);
}

/**
 * Records the outcome of an attempt. `sendingSince` is what stays uncertain after it (see
 * `OutboxRow.sendingSince`): left out, the row is no longer sending.
 */
export async function recordAttempt(
  q: Queryable,
  a: {
    id: number;
    attempt: number;
    now: string;
    outcome: 'sent' | 'retry' | 'failed';
    detail?: string;
    providerId?: string;
    nextAttemptAt?: string;
    sendingSince?: string;
  },
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO delivery_attempts (outbox_id, attempt, attempted_at, outcome, detail) VALUES (?, ?, ?, ?, ?)`,
    args: [a.id, a.attempt, a.now, a.outcome, a.detail ?? null],
  });
  const status: OutboxStatus = a.outcome === 'sent' ? 'sent' : a.outcome === 'failed' ? 'failed' : 'pending';
  await q.execute({
    sql: `UPDATE outbox SET status = ?, attempts = ?, provider_id = COALESCE(?, provider_id), last_error = ?,
          next_attempt_at = COALESCE(?, next_attempt_at), sending_since = ?, updated_at = ? WHERE id = ?`,
    args: [
      status,
      a.attempt,
      a.providerId ?? null,
      a.outcome === 'sent' ? null : (a.detail ?? null),
      a.nextAttemptAt ?? null,
      a.outcome === 'retry' ? (a.sendingSince ?? null) : null,
      a.now,
      a.id,
    ],
  });
}

export async function deliveryAttempts(
  q: Queryable,
  outboxId: number,
): Promise<{ attempt: number; outcome: string; detail?: string }[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT attempt, outcome, detail FROM delivery_attempts WHERE outbox_id = ? ORDER BY attempt',
      args: [outboxId],
    })
  ).rows;
  return rows.map((row) => ({
    attempt: num(row, 'attempt'),
    outcome: str(row, 'outcome'),
    detail: optStr(row, 'detail'),
  }));
}

/**
 * Claims a due row for one sender by pushing its next attempt past a lease, so a second scheduler
 * (another process running `selvhjelp tick`) cannot send it at the same time, and marks it as sending in
 * the same statement, before the provider call: if the process dies before the outcome is recorded, the
 * row is found still sending after the lease. `sendingSince` and `attempts` are the values the caller
 * read; a row changed since (another pass tried it while this one waited for a send rate's slot) is not
 * claimed. An earlier uncertain start is kept, being the earliest.
 */
export async function claimOutbox(
  q: Queryable,
  claim: { id: number; now: string; leaseUntil: string; sendingSince: string | undefined; attempts: number },
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE outbox SET next_attempt_at = ?, sending_since = COALESCE(sending_since, ?)
          WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? AND sending_since IS ? AND attempts = ?`,
    args: [claim.leaseUntil, claim.now, claim.id, claim.now, claim.sendingSince ?? null, claim.attempts],
  });
  return result.rowsAffected === 1;
}

/** Which of these provider ids another outbox row already holds: a message found there is not this one. */
export async function providerIdsTaken(
  q: Queryable,
  providerIds: readonly string[],
  exceptId: number,
): Promise<Set<string>> {
  if (providerIds.length === 0) return new Set();
  const rows = (
    await q.execute({
      sql: `SELECT provider_id FROM outbox WHERE id != ? AND provider_id IN (${providerIds.map(() => '?').join(', ')})`,
      args: [exceptId, ...providerIds],
    })
  ).rows;
  return new Set(rows.map((row) => str(row, 'provider_id')));
}

export async function findOutboxByProviderId(
  q: Queryable,
  providerId: string,
): Promise<OutboxRow | undefined> {
  const row = (await q.execute({ sql: `${SELECT} WHERE o.provider_id = ?`, args: [providerId] })).rows[0];
  return row ? toRow(row) : undefined;
}

/**
 * Records a delivery status the provider reported. `delivered` and `failed` are final for the row;
 * intermediate statuses (queued, sent, ...) are kept as events only.
 */
export async function recordDeliveryStatus(
  q: Queryable,
  s: {
    outboxId: number;
    providerId: string;
    status: string;
    errorCode?: number;
    now: string;
    final?: 'delivered' | 'failed';
  },
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO delivery_status_events (outbox_id, provider_id, status, error_code, received_at) VALUES (?, ?, ?, ?, ?)`,
    args: [s.outboxId, s.providerId, s.status, s.errorCode ?? null, s.now],
  });
  if (s.final) {
    await q.execute({
      sql: `UPDATE outbox SET status = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      args: [
        s.final,
        s.final === 'failed' ? `provider status ${s.status}${s.errorCode ? ` (${s.errorCode})` : ''}` : null,
        s.now,
        s.outboxId,
      ],
    });
  }
}

export async function deliveryStatuses(
  q: Queryable,
  outboxId: number,
): Promise<{ status: string; errorCode?: number }[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT status, error_code FROM delivery_status_events WHERE outbox_id = ? ORDER BY id',
      args: [outboxId],
    })
  ).rows;
  return rows.map((row) => ({
    status: str(row, 'status'),
    errorCode: row.error_code === null ? undefined : num(row, 'error_code'),
  }));
}

/**
 * Gives up the address's messages that were not sent yet, but for safety messages, marking them failed
 * with `reason`; returns how many.
 */
export async function cancelPendingOutbox(
  q: Queryable,
  addressId: string,
  now: string,
  reason: string,
): Promise<number> {
  const result = await q.execute({
    sql: `UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ?
          WHERE address_id = ? AND status = 'pending' AND kind != 'safety'`,
    args: [reason, now, addressId],
  });
  return result.rowsAffected;
}
