import { type AddressRecord, toAddress } from './addresses.ts';
import { type ClientRecord, toClient } from './clients.ts';
import type { InStatement, Queryable, Value } from './db.ts';
import { type EnrollmentRecord, toEnrollment } from './enrollments.ts';
import type { RateLimitCounter } from './rate-limits.ts';
import { optStr } from './rows.ts';

/*
 * The reads of a turn, each in one statement that always returns exactly one row (LEFT JOINs from a
 * one-row source). The columns of each joined table carry a prefix (`a_`, `c_`, `e_`); `part` takes them
 * back out for the table's own row mapper.
 */

type Row = Record<string, Value>;

async function oneRow(q: Queryable, sql: string, args: (string | null)[]): Promise<Row> {
  const row = (await q.execute({ sql, args })).rows[0];
  if (!row) throw new Error('a one-row context query returned no row');
  return row;
}

/** The columns read of a joined table: as the SELECT names them, and back under their own names. */
function joined(alias: string, prefix: string, names: readonly string[]) {
  return {
    select: names.map((name) => `${alias}.${name} AS ${prefix}${name}`).join(', '),
    pairs: names.map((name) => [name, `${prefix}${name}`] as const),
    id: `${prefix}id`,
  };
}
type Joined = ReturnType<typeof joined>;

const addressColumns = joined('a', 'a_', [
  'id',
  'channel',
  'address',
  'client_id',
  'locale',
  'created_at',
  'opted_out_at',
  'undeliverable_at',
  'menu_prompt',
  'last_inbound_at',
]);
const clientColumns = joined('c', 'c_', [
  'id',
  'access_code',
  'locale',
  'time_zone',
  'display_name',
  'phone',
  'created_at',
  'preferred_time',
  'therapist_id',
]);
const enrollmentColumns = joined('e', 'e_', [
  'id',
  'client_id',
  'flow_id',
  'flow_version',
  'status',
  'snapshot',
  'row_version',
]);

/**
 * The table's columns of `row`, under their own names; undefined when its `id` is NULL (no row joined).
 * Reads the known names only: every turn reads a row of ~30 columns, and walking all of them for each
 * table cost more than the table mappers themselves.
 */
function part(row: Row, table: Joined): Row | undefined {
  if (row[table.id] === null || row[table.id] === undefined) return undefined;
  const out: Row = {};
  for (const [name, prefixed] of table.pairs) out[name] = row[prefixed] ?? null;
  return out;
}

/**
 * What an inbound message needs before its client's lock: the address (as `findAddress`), whether the
 * provider id was processed already (as `wasProcessed`), and the client the address links to (as
 * `findClient`). `linkedClientMissing` is true when the address links to a client id without a row.
 */
export interface InboundContext {
  address?: AddressRecord;
  processed: boolean;
  client?: ClientRecord;
  linkedClientMissing: boolean;
  /**
   * When the address links to a client: what `loadClientTurnContext` would read at the same moment. It is
   * read before the client's lock, so the service uses it only if nothing ran under that lock since.
   */
  turn?: ClientTurnContext;
  /**
   * The alert whose safety question the address has not answered, linked or not (as
   * `pendingSafetyQuestionRef`).
   */
  pendingSafetyAlert?: { id: string };
  /** The message counters this message would be counted in (`rate_limits` rows), where they exist. */
  counters: { conversation?: RateLimitCounter; network?: RateLimitCounter };
}

/**
 * The counters to read with the context: the conversation's (keyed by the address row's id) and, where the
 * channel knows it, the network address's (keyed by the caller).
 */
export interface CounterBuckets {
  conversation: string;
  network?: { bucket: string; key: string };
}

export interface ClientTurnContext {
  pending?: { id: string };
  enrollment?: EnrollmentRecord;
  /** The guidance contract that waits for the client's answer (or the words of their change), if any. */
  awaitingContract?: { id: string };
}

/** The columns of a ClientTurnContext for the address `addr` of the outer query (see the join below). */
const turnColumns = (addr: string, cid: string) => `
       (SELECT id FROM alerts WHERE address_id = ${addr} AND safety_step IS NOT NULL
        ORDER BY created_at DESC LIMIT 1) AS pending_alert,
       (SELECT id FROM contracts WHERE client_id = ${cid}
          AND (status = 'sent' OR (status = 'changes_requested' AND change_request IS NULL))
        ORDER BY version DESC LIMIT 1) AS awaiting_contract,
       ${enrollmentColumns.select}`;

/** Joins the client `cid`'s current enrollment as `e`. */
const currentEnrollmentJoin = (cid: string) => `
     LEFT JOIN enrollments e ON e.rowid = (
       SELECT rowid FROM enrollments WHERE client_id = ${cid} AND status IN ('pending', 'active')
       ORDER BY created_at DESC, rowid DESC LIMIT 1)`;

/** The ClientTurnContext in a row read with `turnColumns` and `currentEnrollmentJoin`. */
function turnContext(row: Row): ClientTurnContext {
  const pendingId = optStr(row, 'pending_alert');
  const contractId = optStr(row, 'awaiting_contract');
  const enrollment = part(row, enrollmentColumns);
  return {
    pending: pendingId === undefined ? undefined : { id: pendingId },
    enrollment: enrollment && toEnrollment(enrollment),
    ...(contractId === undefined ? {} : { awaitingContract: { id: contractId } }),
  };
}

// Built once: the same string every turn is also a cheaper key for the driver's statement cache.
const inboundContextSql = `SELECT
       ${addressColumns.select},
       EXISTS (SELECT 1 FROM processed_inbound WHERE channel = p.channel AND provider_id = p.provider_id)
         AS processed,
       ${clientColumns.select},${turnColumns('a.id', 'c.id')},
       rc.window_start AS rc_window_start, rc.count AS rc_count,
       rn.window_start AS rn_window_start, rn.count AS rn_count
     FROM (SELECT ? AS channel, ? AS address, ? AS provider_id, ? AS rc_bucket, ? AS rn_bucket, ? AS rn_key) AS p
     LEFT JOIN channel_addresses a ON a.channel = p.channel AND a.address = p.address
     LEFT JOIN clients c ON c.id = a.client_id${currentEnrollmentJoin('c.id')}
     LEFT JOIN rate_limits rc ON rc.bucket = p.rc_bucket AND rc.key = a.id
     LEFT JOIN rate_limits rn ON rn.bucket = p.rn_bucket AND rn.key = p.rn_key`;

function counterOf(row: Row, prefix: 'rc' | 'rn'): RateLimitCounter | undefined {
  const windowStart = optStr(row, `${prefix}_window_start`);
  return windowStart === undefined ? undefined : { windowStart, count: Number(row[`${prefix}_count`]) };
}

export async function loadInboundContext(
  q: Queryable,
  channel: string,
  address: string,
  providerId: string | undefined,
  counters: CounterBuckets,
): Promise<InboundContext> {
  const row = await oneRow(q, inboundContextSql, [
    channel,
    address,
    providerId ?? null,
    counters.conversation,
    counters.network?.bucket ?? null,
    counters.network?.key ?? null,
  ]);
  const addressRow = part(row, addressColumns);
  const clientRow = part(row, clientColumns);
  const found = addressRow && toAddress(addressRow);
  const client = clientRow && toClient(clientRow);
  return {
    address: found,
    processed: providerId !== undefined && row.processed === 1,
    client,
    linkedClientMissing: found?.clientId !== undefined && !client,
    turn: client ? turnContext(row) : undefined,
    ...(found && row.pending_alert !== null && row.pending_alert !== undefined
      ? { pendingSafetyAlert: { id: String(row.pending_alert) } }
      : {}),
    counters: { conversation: counterOf(row, 'rc'), network: counterOf(row, 'rn') },
  };
}

/**
 * What a linked client's turn reads inside the client's lock: the id of the alert whose safety question
 * the address has not answered (as `pendingSafetyQuestionRef`) and the client's current enrollment (as
 * `currentEnrollment`).
 */
export async function loadClientTurnContext(
  q: Queryable,
  addressId: string,
  clientId: string,
): Promise<ClientTurnContext> {
  return turnContext(await oneRow(q, clientTurnContextSql, [addressId, clientId]));
}

const clientTurnContextSql = `SELECT${turnColumns('p.address_id', 'p.client_id')}
     FROM (SELECT ? AS address_id, ? AS client_id) AS p${currentEnrollmentJoin('p.client_id')}`;

/**
 * What `loadClientTurnContext` would read for the client that the access code `code` belongs to, as a
 * statement for a caller's batch (the code's own check reads in the same round trip); `turnContextOf`
 * takes its row. The client's id is not known before the code is read.
 */
export function clientTurnContextByCodeStatement(addressId: string, code: string): InStatement {
  return { sql: clientTurnContextByCodeSql, args: [addressId, code] };
}

export function turnContextOf(rows: readonly Row[]): ClientTurnContext {
  const row = rows[0];
  if (!row) throw new Error('a one-row context query returned no row');
  return turnContext(row);
}

const clientTurnContextByCodeSql = `SELECT${turnColumns('p.address_id', 'p.client_id')}
     FROM (SELECT ? AS address_id, (SELECT client_id FROM access_codes WHERE code = ?) AS client_id) AS p${currentEnrollmentJoin('p.client_id')}`;
