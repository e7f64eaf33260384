import { type AddressRecord, toAddress } from './addresses.ts';
import { type ClientRecord, toClient } from './clients.ts';
import type { Queryable, Value } from './db.ts';
import { type EnrollmentRecord, toEnrollment } from './enrollments.ts';
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

/** The columns of `row` named `<prefix>…`, under their names without the prefix; undefined if all NULL. */
function part(row: Row, prefix: string): Row | undefined {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return undefined;
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith(prefix)) out[name.slice(prefix.length)] = value;
  }
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
       e.id AS e_id, e.client_id AS e_client_id, e.flow_id AS e_flow_id, e.flow_version AS e_flow_version,
       e.status AS e_status, e.snapshot AS e_snapshot, e.row_version AS e_row_version`;

/** Joins the client `cid`'s current enrollment as `e`. */
const currentEnrollmentJoin = (cid: string) => `
     LEFT JOIN enrollments e ON e.rowid = (
       SELECT rowid FROM enrollments WHERE client_id = ${cid} AND status IN ('pending', 'active')
       ORDER BY created_at DESC, rowid DESC LIMIT 1)`;

/** The ClientTurnContext in a row read with `turnColumns` and `currentEnrollmentJoin`. */
function turnContext(row: Row): ClientTurnContext {
  const pendingId = optStr(row, 'pending_alert');
  const contractId = optStr(row, 'awaiting_contract');
  const enrollment = part(row, 'e_');
  return {
    pending: pendingId === undefined ? undefined : { id: pendingId },
    enrollment: enrollment && toEnrollment(enrollment),
    ...(contractId === undefined ? {} : { awaitingContract: { id: contractId } }),
  };
}

export async function loadInboundContext(
  q: Queryable,
  channel: string,
  address: string,
  providerId: string | undefined,
): Promise<InboundContext> {
  const row = await oneRow(
    q,
    `SELECT
       a.id AS a_id, a.channel AS a_channel, a.address AS a_address, a.client_id AS a_client_id,
       a.locale AS a_locale, a.created_at AS a_created_at, a.opted_out_at AS a_opted_out_at,
       a.undeliverable_at AS a_undeliverable_at, a.menu_prompt AS a_menu_prompt,
       a.last_inbound_at AS a_last_inbound_at,
       EXISTS (SELECT 1 FROM processed_inbound WHERE channel = p.channel AND provider_id = p.provider_id)
         AS processed,
       c.id AS c_id, c.access_code AS c_access_code, c.locale AS c_locale, c.time_zone AS c_time_zone,
       c.display_name AS c_display_name, c.phone AS c_phone, c.created_at AS c_created_at,
       c.preferred_time AS c_preferred_time, c.therapist_id AS c_therapist_id,${turnColumns('a.id', 'c.id')}
     FROM (SELECT ? AS channel, ? AS address, ? AS provider_id) AS p
     LEFT JOIN channel_addresses a ON a.channel = p.channel AND a.address = p.address
     LEFT JOIN clients c ON c.id = a.client_id${currentEnrollmentJoin('c.id')}`,
    [channel, address, providerId ?? null],
  );
  const addressRow = part(row, 'a_');
  const clientRow = part(row, 'c_');
  const found = addressRow && toAddress(addressRow);
  const client = clientRow && toClient(clientRow);
  return {
    address: found,
    processed: providerId !== undefined && row.processed === 1,
    client,
    linkedClientMissing: found?.clientId !== undefined && !client,
    turn: client ? turnContext(row) : undefined,
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
  const row = await oneRow(
    q,
    `SELECT${turnColumns('p.address_id', 'p.client_id')}
     FROM (SELECT ? AS address_id, ? AS client_id) AS p${currentEnrollmentJoin('p.client_id')}`,
    [addressId, clientId],
  );
  return turnContext(row);
}
