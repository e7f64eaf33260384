import type { Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

export type StaffRole = 'admin' | 'therapist';
export type CredentialKind = 'session' | 'api_token' | 'set_password';

/**
 * A staff member. The table's `failed_logins` and `locked_until` columns (migration 0008) are no longer
 * used: failed sign-ins are counted by email in `rate_limits`, for unknown addresses as for accounts.
 */
export interface StaffRecord {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  locale: 'nb' | 'en';
  passwordHash?: string;
  disabledAt?: string;
  createdAt: string;
}

export const toStaff = (row: Record<string, unknown>): StaffRecord => ({
  id: str(row, 'id'),
  email: str(row, 'email'),
  name: str(row, 'name'),
  role: str(row, 'role') as StaffRole,
  locale: str(row, 'locale') as 'nb' | 'en',
  passwordHash: optStr(row, 'password_hash'),
  disabledAt: optStr(row, 'disabled_at'),
  createdAt: str(row, 'created_at'),
});

export async function insertStaff(
  q: Queryable,
  staff: Pick<StaffRecord, 'id' | 'email' | 'name' | 'role' | 'locale' | 'passwordHash' | 'createdAt'>,
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO staff (id, email, name, role, locale, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [
      staff.id,
      staff.email,
      staff.name,
      staff.role,
      staff.locale,
      staff.passwordHash ?? null,
      staff.createdAt,
    ],
  });
}

export async function findStaffByEmail(q: Queryable, email: string): Promise<StaffRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM staff WHERE email = ?', args: [email] })).rows[0];
  return row ? toStaff(row) : undefined;
}

export async function findStaffById(q: Queryable, id: string): Promise<StaffRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM staff WHERE id = ?', args: [id] })).rows[0];
  return row ? toStaff(row) : undefined;
}

export async function listStaff(q: Queryable): Promise<StaffRecord[]> {
  return (await q.execute('SELECT * FROM staff ORDER BY disabled_at IS NOT NULL, name, email')).rows.map(
    toStaff,
  );
}

export async function setStaffPassword(q: Queryable, id: string, passwordHash: string): Promise<void> {
  await q.execute({
    sql: 'UPDATE staff SET password_hash = ? WHERE id = ?',
    args: [passwordHash, id],
  });
}

export async function setStaffLocale(q: Queryable, id: string, locale: 'nb' | 'en'): Promise<void> {
  await q.execute({ sql: 'UPDATE staff SET locale = ? WHERE id = ?', args: [locale, id] });
}

export async function disableStaffRow(q: Queryable, id: string, now: string): Promise<void> {
  await q.execute({
    sql: 'UPDATE staff SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?',
    args: [now, id],
  });
}

export interface CredentialRecord {
  tokenHash: string;
  staffId: string;
  kind: CredentialKind;
  createdAt: string;
  lastUsedAt?: string;
  expiresAt?: string;
  endedAt?: string;
}

const toCredential = (row: Record<string, unknown>): CredentialRecord => ({
  tokenHash: str(row, 'token_hash'),
  staffId: str(row, 'staff_id'),
  kind: str(row, 'kind') as CredentialKind,
  createdAt: str(row, 'created_at'),
  lastUsedAt: optStr(row, 'last_used_at'),
  expiresAt: optStr(row, 'expires_at'),
  endedAt: optStr(row, 'ended_at'),
});

export async function insertCredential(
  q: Queryable,
  credential: Pick<CredentialRecord, 'tokenHash' | 'staffId' | 'kind' | 'createdAt' | 'expiresAt'>,
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO staff_credentials (token_hash, staff_id, kind, created_at, last_used_at, expires_at)
          VALUES (?, ?, ?, ?, ?, ?)`,
    args: [
      credential.tokenHash,
      credential.staffId,
      credential.kind,
      credential.createdAt,
      credential.createdAt,
      credential.expiresAt ?? null,
    ],
  });
}

/** A credential of the given kind with its staff member, whatever its state (the caller checks it). */
export async function findCredential(
  q: Queryable,
  tokenHash: string,
  kind: CredentialKind,
): Promise<{ credential: CredentialRecord; staff: StaffRecord } | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT c.token_hash, c.staff_id, c.kind, c.created_at AS c_created_at, c.last_used_at, c.expires_at,
                   c.ended_at, s.*
            FROM staff_credentials c JOIN staff s ON s.id = c.staff_id
            WHERE c.token_hash = ? AND c.kind = ?`,
      args: [tokenHash, kind],
    })
  ).rows[0];
  if (!row) return undefined;
  return {
    credential: toCredential({ ...row, created_at: row.c_created_at }),
    staff: toStaff(row),
  };
}

export async function touchCredential(q: Queryable, tokenHash: string, now: string): Promise<void> {
  await q.execute({
    sql: 'UPDATE staff_credentials SET last_used_at = ? WHERE token_hash = ?',
    args: [now, tokenHash],
  });
}

export async function endCredential(q: Queryable, tokenHash: string, now: string): Promise<boolean> {
  const result = await q.execute({
    sql: 'UPDATE staff_credentials SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL',
    args: [now, tokenHash],
  });
  return result.rowsAffected > 0;
}

/** Ends every live credential of a staff member, of the given kinds. */
export async function endCredentialsOf(
  q: Queryable,
  staffId: string,
  kinds: readonly CredentialKind[],
  now: string,
): Promise<void> {
  await q.execute({
    sql: `UPDATE staff_credentials SET ended_at = ?
          WHERE staff_id = ? AND ended_at IS NULL AND kind IN (${kinds.map(() => '?').join(', ')})`,
    args: [now, staffId, ...kinds],
  });
}
