import type { Locale } from '../engine/types.ts';
import type { InStatement, Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

export interface ClientRecord {
  id: string;
  accessCode: string;
  locale: Locale;
  timeZone: string;
  displayName?: string;
  phone?: string;
  createdAt: string;
  /** Local time of day ("HH:MM") the client prefers for scheduled messages. */
  preferredTime?: string;
  /** The responsible therapist (a staff id), if any. */
  therapistId?: string;
}

export const toClient = (row: Record<string, unknown>): ClientRecord => ({
  id: str(row, 'id'),
  accessCode: str(row, 'access_code'),
  locale: str(row, 'locale') as Locale,
  timeZone: str(row, 'time_zone'),
  displayName: optStr(row, 'display_name'),
  phone: optStr(row, 'phone'),
  createdAt: str(row, 'created_at'),
  preferredTime: optStr(row, 'preferred_time'),
  therapistId: optStr(row, 'therapist_id'),
});

export async function insertClient(q: Queryable, client: ClientRecord): Promise<void> {
  await q.execute({
    sql: `INSERT INTO clients (id, access_code, locale, time_zone, display_name, phone, created_at, therapist_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      client.id,
      client.accessCode,
      client.locale,
      client.timeZone,
      client.displayName ?? null,
      client.phone ?? null,
      client.createdAt,
      client.therapistId ?? null,
    ],
  });
}

export async function findClient(q: Queryable, id: string): Promise<ClientRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM clients WHERE id = ?', args: [id] })).rows[0];
  return row ? toClient(row) : undefined;
}

/** The client's newest access code, kept here for reading; every code and its state is in `access_codes`. */
export async function setClientAccessCode(q: Queryable, id: string, code: string): Promise<void> {
  await q.execute({ sql: 'UPDATE clients SET access_code = ? WHERE id = ?', args: [code, id] });
}

export async function setClientLocale(q: Queryable, id: string, locale: Locale): Promise<void> {
  await q.execute(setClientLocaleStatement(id, locale));
}

export const setClientLocaleStatement = (id: string, locale: Locale): InStatement => ({
  sql: 'UPDATE clients SET locale = ? WHERE id = ?',
  args: [locale, id],
});

export async function setPreferredTime(q: Queryable, id: string, time: string): Promise<void> {
  await q.execute({ sql: 'UPDATE clients SET preferred_time = ? WHERE id = ?', args: [time, id] });
}
