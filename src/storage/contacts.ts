import type { ContactMode } from '../domain/contract.ts';
import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

/** As stored; `missed` is also derived by the service for a planned contact whose time has passed. */
export type StoredContactStatus = 'planned' | 'done' | 'missed' | 'cancelled';
export type ReminderOutcome = 'sent' | 'no_address' | 'too_late';

/** The therapist's note after a contact: the four questions of CLINICAL.md §5. */
export interface ContactNote {
  learned: string;
  helped: string;
  hard: string;
  next: string;
}

export interface ContactRecord {
  id: string;
  clientId: string;
  /** The contract whose plan made it; none for a contact added by hand. */
  contractId?: string;
  plannedAt: string;
  minutes: number;
  mode: ContactMode;
  status: StoredContactStatus;
  note?: ContactNote;
  noteBy?: string;
  noteAt?: string;
  reminderAt?: string;
  remindedAt?: string;
  reminderOutcome?: ReminderOutcome;
  discreet: boolean;
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
}

const toContact = (row: Record<string, unknown>): ContactRecord => {
  const note = optStr(row, 'note');
  return {
    id: str(row, 'id'),
    clientId: str(row, 'client_id'),
    contractId: optStr(row, 'contract_id'),
    plannedAt: str(row, 'planned_at'),
    minutes: num(row, 'minutes'),
    mode: str(row, 'mode') as ContactMode,
    status: str(row, 'status') as StoredContactStatus,
    note: note === undefined ? undefined : (JSON.parse(note) as ContactNote),
    noteBy: optStr(row, 'note_by'),
    noteAt: optStr(row, 'note_at'),
    reminderAt: optStr(row, 'reminder_at'),
    remindedAt: optStr(row, 'reminded_at'),
    reminderOutcome: optStr(row, 'reminder_outcome') as ReminderOutcome | undefined,
    discreet: num(row, 'discreet') === 1,
    createdBy: optStr(row, 'created_by'),
    createdAt: str(row, 'created_at'),
    updatedAt: str(row, 'updated_at'),
  };
};

export async function insertContact(
  q: Queryable,
  c: Omit<ContactRecord, 'note' | 'noteBy' | 'noteAt' | 'remindedAt' | 'reminderOutcome' | 'updatedAt'>,
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO contacts (id, client_id, contract_id, planned_at, minutes, mode, status, reminder_at, discreet,
            created_by, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      c.id,
      c.clientId,
      c.contractId ?? null,
      c.plannedAt,
      c.minutes,
      c.mode,
      c.status,
      c.reminderAt ?? null,
      c.discreet ? 1 : 0,
      c.createdBy ?? null,
      c.createdAt,
      c.createdAt,
    ],
  });
}

/** A client's contacts, in the order they are planned (index contacts_client). */
export async function clientContacts(q: Queryable, clientId: string): Promise<ContactRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM contacts WHERE client_id = ? ORDER BY planned_at, rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map(toContact);
}

export async function findContact(q: Queryable, id: string): Promise<ContactRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM contacts WHERE id = ?', args: [id] })).rows[0];
  return row ? toContact(row) : undefined;
}

/**
 * Removes contacts a new version of the contract replaces (planned, not happened), with the
 * questionnaires asked for them that have not started (those that did stay, untied from the contact).
 */
export async function removeContacts(q: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const list = JSON.stringify(ids);
  const of = 'contact_id IN (SELECT value FROM json_each(?))';
  await q.execute({
    sql: `UPDATE measurement_schedules SET active = 0, next_due_at = NULL WHERE active = 1 AND ${of}`,
    args: [list],
  });
  await q.execute({ sql: `UPDATE measurement_schedules SET contact_id = NULL WHERE ${of}`, args: [list] });
  await q.execute({
    sql: "DELETE FROM contacts WHERE id IN (SELECT value FROM json_each(?)) AND status = 'planned'",
    args: [list],
  });
}

/** Withdraws the questionnaires asked for the end of a client's contracts that have not started. */
export async function withdrawContractEndMeasurements(q: Queryable, clientId: string): Promise<void> {
  await q.execute({
    sql: `UPDATE measurement_schedules SET active = 0, next_due_at = NULL
          WHERE client_id = ? AND contract_id IS NOT NULL AND active = 1`,
    args: [clientId],
  });
}

/**
 * A planned contact a new version of the contract keeps (the same day): it belongs to the new version,
 * takes its time, length, mode and discretion, and a reminder not sent yet moves with it. A reminder that
 * went stays as it went: it is never sent again for the same contact.
 */
export async function replanContact(
  q: Queryable,
  c: Pick<
    ContactRecord,
    'id' | 'contractId' | 'plannedAt' | 'minutes' | 'mode' | 'discreet' | 'reminderAt'
  > & {
    at: string;
  },
): Promise<void> {
  await q.execute({
    sql: `UPDATE contacts SET contract_id = ?, planned_at = ?, minutes = ?, mode = ?, discreet = ?,
            reminder_at = CASE WHEN reminded_at IS NULL THEN ? ELSE reminder_at END, updated_at = ?
          WHERE id = ? AND status = 'planned'`,
    args: [
      c.contractId ?? null,
      c.plannedAt,
      c.minutes,
      c.mode,
      c.discreet ? 1 : 0,
      c.reminderAt ?? null,
      c.at,
      c.id,
    ],
  });
}

/** Withdraws a questionnaire that has not started and unties it from its contact (a re-plan asks anew). */
export async function dropMeasurement(q: Queryable, scheduleId: string): Promise<void> {
  await q.execute({
    sql: `UPDATE measurement_schedules SET active = 0, next_due_at = NULL, contact_id = NULL, contract_id = NULL
          WHERE id = ? AND active = 1`,
    args: [scheduleId],
  });
}

/** Withdraws the questionnaire asked before one contact, if it has not started. */
export async function withdrawContactMeasurement(q: Queryable, contactId: string): Promise<void> {
  await q.execute({
    sql: 'UPDATE measurement_schedules SET active = 0, next_due_at = NULL WHERE contact_id = ? AND active = 1',
    args: [contactId],
  });
}

/** Ties a measurement schedule to the contact (or contract) it was asked for. */
export async function tagSchedule(
  q: Queryable,
  scheduleId: string,
  tag: { contactId?: string; contractId?: string },
): Promise<void> {
  await q.execute({
    sql: 'UPDATE measurement_schedules SET contact_id = ?, contract_id = ? WHERE id = ?',
    args: [tag.contactId ?? null, tag.contractId ?? null, scheduleId],
  });
}

/** The measurement schedules asked for a client's contacts and contracts, for reading the plan. */
export async function plannedMeasurements(
  q: Queryable,
  clientId: string,
): Promise<
  {
    id: string;
    flowId: string;
    dueAt?: string;
    active: boolean;
    startedAt?: string;
    contactId?: string;
    contractId?: string;
  }[]
> {
  const rows = (
    await q.execute({
      sql: `SELECT id, flow_id, next_due_at, active, last_started_at, contact_id, contract_id FROM measurement_schedules
            WHERE client_id = ? AND (contact_id IS NOT NULL OR contract_id IS NOT NULL) ORDER BY next_due_at, rowid`,
      args: [clientId],
    })
  ).rows;
  return rows.map((row) => ({
    id: str(row, 'id'),
    flowId: str(row, 'flow_id'),
    dueAt: optStr(row, 'next_due_at'),
    active: num(row, 'active') === 1,
    startedAt: optStr(row, 'last_started_at'),
    contactId: optStr(row, 'contact_id'),
    contractId: optStr(row, 'contract_id'),
  }));
}

/**
 * Records how a contact went: its status and, for a done one, the note. A reminder not sent yet is
 * withdrawn (a contact recorded is not announced). A cancelled contact stays cancelled. Returns whether
 * the contact changed.
 */
export async function recordContactOutcome(
  q: Queryable,
  c: { id: string; status: 'done' | 'missed' | 'cancelled'; note?: ContactNote; by: string; at: string },
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE contacts SET status = ?, note = ?, note_by = ?, note_at = ?, updated_at = ?,
            reminder_at = CASE WHEN reminded_at IS NULL THEN NULL ELSE reminder_at END
          WHERE id = ? AND status <> 'cancelled'`,
    args: [c.status, c.note ? JSON.stringify(c.note) : null, c.by, c.at, c.at, c.id],
  });
  return result.rowsAffected === 1;
}

/**
 * Planned contacts whose reminder is due, except for clients with an open high-priority alert or in
 * safety mode: like check-ins, reminders wait until a therapist has seen it.
 */
export async function dueContactReminders(
  q: Queryable,
  now: string,
  limit: number,
): Promise<ContactRecord[]> {
  const rows = (
    await q.execute({
      sql: `SELECT c.* FROM contacts c
            WHERE c.reminded_at IS NULL AND c.status = 'planned' AND c.reminder_at IS NOT NULL AND c.reminder_at <= ?
              AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.client_id = c.client_id AND a.acknowledged_at IS NULL
                              AND (a.priority = 'high' OR a.safety_step IS NOT NULL))
            ORDER BY c.reminder_at LIMIT ?`,
      args: [now, limit],
    })
  ).rows;
  return rows.map(toContact);
}

/** Marks a reminder as dealt with (compare-and-set: two schedulers never send it twice). */
export async function markReminded(
  q: Queryable,
  id: string,
  at: string,
  outcome: ReminderOutcome,
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE contacts SET reminded_at = ?, reminder_outcome = ?, updated_at = ?
          WHERE id = ? AND reminded_at IS NULL AND status = 'planned'`,
    args: [at, outcome, at, id],
  });
  return result.rowsAffected === 1;
}
