import { type ContactMode, type ContractFields, contactDates } from '../domain/contract.ts';
import { instantAt, wallClockOf } from '../domain/local-time.ts';
import { intoSendWindow } from '../domain/quiet-hours.ts';
import { DEFAULT_PREFERRED_TIME } from '../domain/schedule.ts';
import type { Locale } from '../engine/types.ts';
import { preferredAddress } from '../storage/addresses.ts';
import { findClient } from '../storage/clients.ts';
import {
  type ContactNote,
  type ContactRecord,
  clientContacts,
  dropMeasurement,
  dueContactReminders,
  findContact,
  insertContact,
  markReminded,
  plannedMeasurements,
  type ReminderOutcome,
  recordContactOutcome,
  removeContacts,
  replanContact,
  tagSchedule,
  withdrawContactMeasurement,
  withdrawContractEndMeasurements,
} from '../storage/contacts.ts';
import type { Queryable } from '../storage/db.ts';
import { insertSchedule } from '../storage/schedules.ts';
import { workspaceClient } from '../storage/workspace-queries.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { mayReadClient, type StaffActor } from './staff-actor.ts';
import { writeTurn } from './write-turn.ts';

/*
 * Follow-up contacts (CLINICAL.md §5): planned from the signed contract, or added by hand; before each,
 * a questionnaire at the client's preferred time the day before and a reminder to the client the day
 * before, inside the send window; after each, the therapist's note (learned / helped / hard / next).
 *
 * "Missed" is derived, not written by a timer: a planned contact whose end lies more than
 * MISSED_AFTER_HOURS behind shows as missed until the therapist records what happened. Deriving it needs
 * no scheduler pass (a cron that did not run cannot leave a stale status), reads the same in every
 * process, and leaves the stored status free to say what a person recorded.
 */

/** A planned contact this long past its end without a note shows as missed. */
export const MISSED_AFTER_HOURS = 12;
const HOUR_MS = 60 * 60 * 1000;

export type ContactStatus = 'planned' | 'done' | 'missed' | 'cancelled';

/** The questionnaire flow that asks the contract's instruments. */
function measurementFlow(instruments: readonly ('phq9' | 'gad7')[]): string {
  const phq = instruments.includes('phq9');
  const gad = instruments.includes('gad7');
  return phq && gad ? 'measures' : phq ? 'phq9' : 'gad7';
}

const parseDate = (date: string) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day };
};
const parseTime = (time: string) => {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return { hours, minutes };
};

/** The instant the local `date` + `days` calendar days at `time` is in `timeZone` (DST-safe). */
function localInstant(date: string, days: number, time: string, timeZone: string): Date {
  const d = parseDate(date);
  return instantAt({ ...d, day: d.day + days, ...parseTime(time) }, timeZone);
}

/** Whether "YYYY-MM-DD" names a real calendar day (not 2026-02-30). */
function isCalendarDate(date: string): boolean {
  const d = parseDate(date);
  const back = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return (
    back.getUTCFullYear() === d.year && back.getUTCMonth() === d.month - 1 && back.getUTCDate() === d.day
  );
}

interface ContactTimes {
  plannedAt: Date;
  /** The reminder: the day before at the contact's own time, moved into the send window. */
  reminderAt?: Date;
  /** The questionnaire: the day before at the client's preferred time, moved into the send window. */
  measurementAt?: Date;
}

function contactTimes(
  date: string,
  time: string,
  preferredTime: string,
  timeZone: string,
  now: Date,
): ContactTimes {
  const plannedAt = localInstant(date, 0, time, timeZone);
  const dayBefore = (at: string) => intoSendWindow(localInstant(date, -1, at, timeZone), timeZone);
  const reminder = dayBefore(time);
  const measurement = dayBefore(preferredTime);
  // A reminder whose day-before moment has passed goes at once (in the window), if still ahead of the
  // contact; a questionnaire whose moment has passed is not asked (the next contact's will be).
  const reminderAt = intoSendWindow(reminder < now ? now : reminder, timeZone);
  return {
    plannedAt,
    reminderAt: reminderAt < plannedAt ? reminderAt : undefined,
    measurementAt: measurement > now && measurement < plannedAt ? measurement : undefined,
  };
}

export interface PlannedContacts {
  /** The contacts of the new plan: new ones and the ones it kept (same day), in order. */
  contacts: ContactRecord[];
  /** The questionnaires asked: one the day before each contact, and one at the end when the plan says so. */
  measurements: { scheduleId: string; contactId?: string; flowId: string; dueAt: string }[];
  /** Contacts of an earlier version that were still ahead and were replaced. */
  withdrawn: number;
}

const localDateKey = (instant: string, timeZone: string) => {
  const wall = wallClockOf(new Date(instant), timeZone);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
};

/**
 * Turns a signed contract's contact and measurement plan into rows, inside the caller's transaction
 * `tx` (the contract's signing): the contacts ahead (the first on `contacts.firstDate` at
 * `contacts.time`, then every `everyDays` calendar days, in `timeZone`, so a contact stays at its local
 * time across DST; one that would fall on a weekend on the next Monday), each with a reminder to the
 * client the day before (inside the send window) and, when `measurement.beforeEachContact`, a
 * questionnaire (the contract's instruments) at the client's preferred time the day before; and one at
 * the end date when `measurement.atEnd`.
 *
 * A later version replans around what happened. Contacts recorded done, missed or cancelled stay as
 * recorded, and so do contacts added by hand and planned ones whose time has passed; the new plan puts
 * nothing on a day one of them holds. A planned contact still ahead on a day the new plan keeps is kept
 * (its row, its reminder: one that went is never sent again; its questionnaire: one that started is
 * never asked again) and takes the new time, length and mode; the other planned contacts still ahead are
 * removed with their questionnaires that have not started. The questionnaire for the end is asked anew.
 */
export async function planContacts(
  deps: ServiceDeps,
  tx: Queryable,
  clientId: string,
  contractId: string,
  fields: ContractFields,
  timeZone: string,
): Promise<PlannedContacts> {
  const now = deps.clock();
  const at = now.toISOString();
  const client = await findClient(tx, clientId);
  const preferredTime = client?.preferredTime ?? DEFAULT_PREFERRED_TIME;
  const plan = fields.contacts;
  const flowId = measurementFlow(fields.measurement.instruments);
  const contacts: ContactRecord[] = [];
  const measurements: PlannedContacts['measurements'] = [];

  const existing = await clientContacts(tx, clientId);
  const asked = await plannedMeasurements(tx, clientId);
  // Planned by a contract and still ahead: what a new plan may keep (on the same day) or replace.
  const replaceable = new Map<string, ContactRecord>();
  const held = new Set<string>();
  const replaced: string[] = [];
  for (const contact of existing) {
    const day = localDateKey(contact.plannedAt, timeZone);
    const open = contact.status === 'planned' && contact.contractId !== undefined && contact.plannedAt > at;
    if (!open) held.add(day);
    else if (replaceable.has(day)) replaced.push(contact.id);
    else replaceable.set(day, contact);
  }
  await withdrawContractEndMeasurements(tx, clientId);

  const askQuestionnaire = async (dueAt: Date, tag: { contactId?: string; contractId?: string }) => {
    const scheduleId = deps.ids.id();
    await insertSchedule(
      tx,
      { id: scheduleId, clientId, flowId, once: true, nextDueAt: dueAt.toISOString(), active: true },
      at,
    );
    await tagSchedule(tx, scheduleId, tag);
    measurements.push({ scheduleId, contactId: tag.contactId, flowId, dueAt: dueAt.toISOString() });
  };

  const kept = new Set<string>();
  for (const date of contactDates(plan)) {
    const times = contactTimes(date, plan.time, preferredTime, timeZone, now);
    if (times.plannedAt <= now || held.has(date)) continue;
    const before = replaceable.get(date);
    const wanted = fields.measurement.beforeEachContact ? times.measurementAt : undefined;
    if (before) {
      kept.add(before.id);
      const contact: ContactRecord = {
        ...before,
        contractId,
        plannedAt: times.plannedAt.toISOString(),
        minutes: plan.minutes,
        mode: plan.mode,
        discreet: fields.channels.discreetSms,
        reminderAt: before.remindedAt ? before.reminderAt : times.reminderAt?.toISOString(),
        updatedAt: at,
      };
      await replanContact(tx, { ...contact, at });
      contacts.push(contact);
      const questionnaire = asked.find((m) => m.contactId === before.id);
      if (questionnaire && !questionnaire.active) continue; // asked already: never again
      const same =
        questionnaire &&
        wanted &&
        questionnaire.flowId === flowId &&
        questionnaire.dueAt === wanted.toISOString();
      if (same) {
        measurements.push({
          scheduleId: questionnaire.id,
          contactId: before.id,
          flowId,
          dueAt: questionnaire.dueAt!,
        });
        continue;
      }
      if (questionnaire) await dropMeasurement(tx, questionnaire.id);
      if (wanted) await askQuestionnaire(wanted, { contactId: before.id });
      continue;
    }
    const contact: ContactRecord = {
      id: deps.ids.id(),
      clientId,
      contractId,
      plannedAt: times.plannedAt.toISOString(),
      minutes: plan.minutes,
      mode: plan.mode,
      status: 'planned',
      reminderAt: times.reminderAt?.toISOString(),
      discreet: fields.channels.discreetSms,
      createdAt: at,
      updatedAt: at,
    };
    await insertContact(tx, contact);
    contacts.push(contact);
    if (wanted) await askQuestionnaire(wanted, { contactId: contact.id });
  }
  for (const contact of replaceable.values()) if (!kept.has(contact.id)) replaced.push(contact.id);
  await removeContacts(tx, replaced);
  if (fields.measurement.atEnd) {
    const end = intoSendWindow(localInstant(fields.endDate, 0, preferredTime, timeZone), timeZone);
    if (end > now) await askQuestionnaire(end, { contractId });
  }
  return { contacts, measurements, withdrawn: replaced.length };
}

// ---------------------------------------------------------------------------------------------------
// Reading

export interface ContactView {
  id: string;
  /** `contract`: planned from a signed contract; `manual`: added by a therapist. */
  source: 'contract' | 'manual';
  contractId?: string;
  plannedAt: string;
  /** The planned date and time on the client's wall clock. */
  localDate: string;
  localTime: string;
  minutes: number;
  mode: ContactMode;
  /** `missed` also when a planned contact passed without a note (see MISSED_AFTER_HOURS). */
  status: ContactStatus;
  /** The status is derived from the time, not recorded by anyone. */
  statusDerived: boolean;
  /** The contact's time has come: before, it can be cancelled or taken early (done), not missed. */
  begun: boolean;
  note?: ContactNote;
  noteBy?: string;
  noteAt?: string;
  reminder: { at?: string; sentAt?: string; outcome?: ReminderOutcome };
  /** The questionnaire before it: when it is due, or when it went (`startedAt`). */
  measurement?: { scheduleId: string; flowId: string; dueAt?: string; active: boolean; startedAt?: string };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The effective status of a contact at `now`. */
export function contactStatus(
  contact: Pick<ContactRecord, 'status' | 'plannedAt' | 'minutes'>,
  now: Date,
): { status: ContactStatus; derived: boolean } {
  const end = Date.parse(contact.plannedAt) + contact.minutes * 60_000;
  if (contact.status === 'planned' && now.getTime() >= end + MISSED_AFTER_HOURS * HOUR_MS) {
    return { status: 'missed', derived: true };
  }
  return { status: contact.status, derived: false };
}

/**
 * A client's contacts as the workspace shows them, oldest first. No audit row: call it inside a read
 * that records one (listContacts, the review, the client page's read).
 */
export async function readContacts(
  q: Queryable,
  clientId: string,
  timeZone: string,
  now: Date,
): Promise<ContactView[]> {
  const contacts = await clientContacts(q, clientId);
  const measurements = await plannedMeasurements(q, clientId);
  return contacts.map((contact) => {
    const wall = wallClockOf(new Date(contact.plannedAt), timeZone);
    const measurement = measurements.find((m) => m.contactId === contact.id);
    const { status, derived } = contactStatus(contact, now);
    return {
      id: contact.id,
      source: contact.contractId === undefined ? 'manual' : 'contract',
      contractId: contact.contractId,
      plannedAt: contact.plannedAt,
      localDate: `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`,
      localTime: `${pad(wall.hours)}:${pad(wall.minutes)}`,
      minutes: contact.minutes,
      mode: contact.mode,
      status,
      statusDerived: derived,
      begun: contact.plannedAt <= now.toISOString(),
      note: contact.note,
      noteBy: contact.noteBy,
      noteAt: contact.noteAt,
      reminder: { at: contact.reminderAt, sentAt: contact.remindedAt, outcome: contact.reminderOutcome },
      measurement: measurement && {
        scheduleId: measurement.id,
        flowId: measurement.flowId,
        dueAt: measurement.dueAt,
        active: measurement.active,
        ...(measurement.startedAt ? { startedAt: measurement.startedAt } : {}),
      },
    };
  });
}

export interface ContactList {
  clientId: string;
  timeZone: string;
  contacts: ContactView[];
}

/**
 * A client's contacts, or undefined when the client does not exist or `actor` may not see them (404
 * for both). One `client.contacts` audit row, in the same transaction as the read.
 */
export async function listContacts(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
): Promise<ContactList | undefined> {
  const now = deps.clock();
  return deps.db.write(async (tx) => {
    const client = await workspaceClient(tx, clientId);
    if (!client || !mayReadClient(actor, client)) return undefined;
    const contacts = await readContacts(tx, clientId, client.timeZone, now);
    await audit(tx, actor, now, { action: 'client.contacts', clientId });
    return { clientId, timeZone: client.timeZone, contacts };
  });
}

// ---------------------------------------------------------------------------------------------------
// Staff actions

/**
 * Whether `actor` may see the client (for answering a malformed form with 400 rather than 404). Reads
 * no client data, so it leaves no audit row.
 */
export async function clientVisibleTo(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
): Promise<boolean> {
  const client = await deps.db.read((q) => workspaceClient(q, clientId));
  return client !== undefined && mayReadClient(actor, client);
}

export interface NewContact {
  /** The client's local date and time. */
  date: string;
  time: string;
  minutes: number;
  mode: ContactMode;
  /** Ask PHQ-9 and GAD-7 the day before (default: yes). */
  measure?: boolean;
}

export type AddContactOutcome =
  | { ok: true; contact: ContactView }
  | { ok: false; error: 'not_found' | 'invalid_date' | 'in_the_past' };

/**
 * Adds a contact by hand (outside the contract's plan), with its reminder and, unless `measure` is
 * false, a PHQ-9 + GAD-7 the day before. One `contact.add` audit row in the same transaction.
 */
export async function addContact(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  input: NewContact,
): Promise<AddContactOutcome> {
  const now = deps.clock();
  const at = now.toISOString();
  if (!isCalendarDate(input.date)) return { ok: false, error: 'invalid_date' };
  return deps.db.write(async (tx): Promise<AddContactOutcome> => {
    const client = await workspaceClient(tx, clientId);
    if (!client || !mayReadClient(actor, client)) return { ok: false, error: 'not_found' };
    const record = await findClient(tx, clientId);
    const times = contactTimes(
      input.date,
      input.time,
      record?.preferredTime ?? DEFAULT_PREFERRED_TIME,
      client.timeZone,
      now,
    );
    if (times.plannedAt <= now) return { ok: false, error: 'in_the_past' };
    const contact: ContactRecord = {
      id: deps.ids.id(),
      clientId,
      plannedAt: times.plannedAt.toISOString(),
      minutes: input.minutes,
      mode: input.mode,
      status: 'planned',
      reminderAt: times.reminderAt?.toISOString(),
      discreet: true,
      createdBy: actor.staffId,
      createdAt: at,
      updatedAt: at,
    };
    await insertContact(tx, contact);
    if (input.measure !== false && times.measurementAt) {
      const scheduleId = deps.ids.id();
      await insertSchedule(
        tx,
        {
          id: scheduleId,
          clientId,
          flowId: 'measures',
          once: true,
          nextDueAt: times.measurementAt.toISOString(),
          active: true,
        },
        at,
      );
      await tagSchedule(tx, scheduleId, { contactId: contact.id });
    }
    await audit(tx, actor, now, { action: 'contact.add', clientId, detail: contact.id });
    const view = (await readContacts(tx, clientId, client.timeZone, now)).find((c) => c.id === contact.id)!;
    return { ok: true, contact: view };
  });
}

export interface ContactOutcomeInput {
  status: 'done' | 'missed' | 'cancelled';
  /** Required for `done`: what the contact went through. */
  note?: ContactNote;
}

export type RecordContactOutcome =
  | { ok: true; contact: ContactView }
  /**
   * `not_yet`: a contact cannot be missed before it begins. `already_done`: a contact recorded done keeps
   * its note; it can be corrected (recorded done again), not turned into missed or cancelled.
   */
  | { ok: false; error: 'not_found' | 'cancelled' | 'note_required' | 'not_yet' | 'already_done' };

/**
 * Records how a contact went: done (with the note), missed, or cancelled. A contact recorded needs no
 * questionnaire or reminder before it: the ones not sent yet are withdrawn (a call taken early, before
 * its planned time, is done and not announced any more). Missed only once it has begun: before that it
 * can be cancelled or taken early, not missed. A note can be corrected by recording it again; a contact
 * recorded done stays done (its note is the clinical record). One
 * `contact.note` audit row in the same transaction.
 */
export async function recordContact(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  contactId: string,
  input: ContactOutcomeInput,
): Promise<RecordContactOutcome> {
  const now = deps.clock();
  return deps.db.write(async (tx): Promise<RecordContactOutcome> => {
    const client = await workspaceClient(tx, clientId);
    if (!client || !mayReadClient(actor, client)) return { ok: false, error: 'not_found' };
    const contact = await findContact(tx, contactId);
    // An unknown contact is 404 whatever else is wrong with the request (the form and the API alike).
    if (!contact || contact.clientId !== clientId) return { ok: false, error: 'not_found' };
    if (input.status === 'done' && !input.note) return { ok: false, error: 'note_required' };
    if (input.status === 'missed' && contact.plannedAt > now.toISOString())
      return { ok: false, error: 'not_yet' };
    // The note is the clinical record of the contact: recording it missed or cancelled would erase it.
    if (contact.status === 'done' && input.status !== 'done') return { ok: false, error: 'already_done' };
    const changed = await recordContactOutcome(tx, {
      id: contactId,
      status: input.status,
      note: input.note,
      by: actor.staffId,
      at: now.toISOString(),
    });
    if (!changed) return { ok: false, error: 'cancelled' };
    await withdrawContactMeasurement(tx, contactId);
    await audit(tx, actor, now, { action: 'contact.note', clientId, detail: `${contactId} ${input.status}` });
    const view = (await readContacts(tx, clientId, client.timeZone, now)).find((c) => c.id === contactId)!;
    return { ok: true, contact: view };
  });
}

// ---------------------------------------------------------------------------------------------------
// Reminders

function reminderText(
  deps: ServiceDeps,
  locale: Locale,
  contact: ContactRecord,
  timeZone: string,
): { key: string; vars: Record<string, string | number> } {
  const planned = new Date(contact.plannedAt);
  const date = new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  }).format(planned);
  const wall = wallClockOf(planned, timeZone);
  const time = `${pad(wall.hours)}:${pad(wall.minutes)}`;
  // Both say how the contact is held (a call to expect, a video link, a place to be); only the full one
  // says what it is about and how long it takes.
  const mode = deps.catalog.text(locale, `contacts.mode.${contact.mode}`);
  if (contact.discreet) return { key: 'contacts.reminder.discreet', vars: { date, time, mode } };
  return { key: 'contacts.reminder.full', vars: { date, time, minutes: contact.minutes, mode } };
}

/**
 * Sends every contact reminder that is due, to the channel the client used last: a transcript row and,
 * on a push channel, an outbox row held to the send window. A reminder that comes due after its contact
 * began (held back by a safety alert) or for a client with no reachable channel is dropped and marked
 * so. Returns how many were sent. Called by the scheduler's pass.
 */
export async function sendDueContactReminders(deps: ServiceDeps, limit = 100): Promise<number> {
  const due = await deps.db.read((q) => dueContactReminders(q, deps.clock().toISOString(), limit));
  let sent = 0;
  for (const contact of due) {
    const went = await deps.locks.run(`client:${contact.clientId}`, () => sendReminder(deps, contact));
    if (went) sent++;
  }
  return sent;
}

async function sendReminder(deps: ServiceDeps, contact: ContactRecord): Promise<boolean> {
  const now = deps.clock();
  const at = now.toISOString();
  const { client, address } = await deps.db.read(async (q) => ({
    client: await findClient(q, contact.clientId),
    address: await preferredAddress(q, contact.clientId, now),
  }));
  const drop = (outcome: ReminderOutcome) =>
    deps.db.write((tx) => markReminded(tx, contact.id, at, outcome)).then(() => false);
  if (contact.plannedAt <= at) return drop('too_late');
  if (!client || !address || address.optedOutAt || address.undeliverableAt) return drop('no_address');
  const reply = reminderText(deps, client.locale, contact, client.timeZone);
  return deps.db.write(async (tx) => {
    if (!(await markReminded(tx, contact.id, at, 'sent'))) return false;
    await writeTurn(deps, tx, {
      now,
      address,
      clientId: client.id,
      locale: client.locale,
      events: [],
      replies: [reply],
      scheduledFor: { timeZone: client.timeZone },
    });
    return true;
  });
}
