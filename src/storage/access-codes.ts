import { type ClientRecord, toClient } from './clients.ts';
import type { InStatement, Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

/** One code a client was given (table `access_codes`); `accessCodeState` in the domain reads its state. */
export interface AccessCodeRecord {
  code: string;
  clientId: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
  /** The conversation (channel address) the code linked. */
  usedByAddressId?: string;
  revokedAt?: string;
}

const toAccessCode = (row: Record<string, unknown>): AccessCodeRecord => ({
  code: str(row, 'code'),
  clientId: str(row, 'client_id'),
  createdAt: str(row, 'created_at'),
  expiresAt: str(row, 'expires_at'),
  usedAt: optStr(row, 'used_at'),
  usedByAddressId: optStr(row, 'used_by_address_id'),
  revokedAt: optStr(row, 'revoked_at'),
});

export async function insertAccessCode(
  q: Queryable,
  code: { code: string; clientId: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await q.execute({
    sql: 'INSERT INTO access_codes (code, client_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    args: [code.code, code.clientId, code.createdAt, code.expiresAt],
  });
}

export async function findAccessCode(q: Queryable, code: string): Promise<AccessCodeRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM access_codes WHERE code = ?', args: [code] })).rows[0];
  return row ? toAccessCode(row) : undefined;
}

/** A code and the client it was given to, in one batch (one round trip to a remote server). */
export async function findAccessCodeAndClient(
  q: Queryable,
  code: string,
): Promise<{ record?: AccessCodeRecord; client?: ClientRecord }> {
  const [codes, clients] = await q.batch(accessCodeAndClientStatements(code));
  return accessCodeAndClientOf(codes!.rows, clients!.rows);
}

/** The two reads of `findAccessCodeAndClient`, for a caller's batch; `accessCodeAndClientOf` takes their rows. */
export function accessCodeAndClientStatements(code: string): [InStatement, InStatement] {
  return [
    { sql: 'SELECT * FROM access_codes WHERE code = ?', args: [code] },
    {
      sql: 'SELECT * FROM clients WHERE id = (SELECT client_id FROM access_codes WHERE code = ?)',
      args: [code],
    },
  ];
}

export function accessCodeAndClientOf(
  codes: readonly Record<string, unknown>[],
  clients: readonly Record<string, unknown>[],
): { record?: AccessCodeRecord; client?: ClientRecord } {
  const record = codes[0];
  const client = clients[0];
  return { record: record && toAccessCode(record), client: client && toClient(client) };
}

/** Whether any client was ever given `code` (the newest codes are in `clients` too, older ones only here). */
export async function accessCodeTaken(q: Queryable, code: string): Promise<boolean> {
  const row = (
    await q.execute({
      sql: `SELECT EXISTS (SELECT 1 FROM access_codes WHERE code = ?)
                OR EXISTS (SELECT 1 FROM clients WHERE access_code = ?) AS taken`,
      args: [code, code],
    })
  ).rows[0];
  return Number(row?.taken) === 1;
}

/**
 * Spends an open code on the conversation `addressId`. A compare-and-set: false when the code was used,
 * revoked or had expired by `now` (another device, another process, a therapist got there first).
 */
export async function markAccessCodeUsed(
  q: Queryable,
  code: string,
  addressId: string,
  now: string,
): Promise<boolean> {
  const result = await q.execute(markAccessCodeUsedStatement(code, addressId, now));
  return result.rowsAffected === 1;
}

/** `markAccessCodeUsed` as a statement: it changes one row when the code was still open, else none. */
export const markAccessCodeUsedStatement = (code: string, addressId: string, now: string): InStatement => ({
  sql: `UPDATE access_codes SET used_at = ?, used_by_address_id = ?
        WHERE code = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
  args: [now, addressId, code, now],
});

/** Revokes every code of the client that has not been used (and was not revoked before); how many. */
export async function revokeOpenAccessCodes(q: Queryable, clientId: string, now: string): Promise<number> {
  const result = await q.execute({
    sql: `UPDATE access_codes SET revoked_at = ?
          WHERE client_id = ? AND used_at IS NULL AND revoked_at IS NULL`,
    args: [now, clientId],
  });
  return result.rowsAffected;
}

/** Every code the client was given, newest first. */
export async function clientAccessCodes(q: Queryable, clientId: string): Promise<AccessCodeRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM access_codes WHERE client_id = ? ORDER BY created_at DESC, rowid DESC',
      args: [clientId],
    })
  ).rows;
  return rows.map(toAccessCode);
}
