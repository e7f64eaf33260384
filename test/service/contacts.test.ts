import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractFields } from '../../src/domain/contract.ts';
import { createClient } from '../../src/service/clients.ts';
import {
  addContact,
  contactStatus,
  listContacts,
  planContacts,
  recordContact,
  sendDueContactReminders,
} from '../../src/service/contacts.ts';
import { fireDueSchedules } from '../../src/service/measurements.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import { insertAddress } from '../../src/storage/addresses.ts';
import { setPreferredTime } from '../../src/storage/clients.ts';
import { clientContacts, plannedMeasurements } from '../../src/storage/contacts.ts';
import { insertContract, markSent, markSigned } from '../../src/storage/contracts.ts';
import { heldMessages } from '../../src/storage/held-messages.ts';
import { clientSchedules, dueSchedules } from '../../src/storage/schedules.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

/*
 * The contract's contact plan as rows: contacts on the client's wall clock (across the spring DST change,
 * Europe/Oslo: 2027-03-28 02:00 → 03:00), the questionnaire the day before at the client's preferred
 * time, the reminder the day before inside the send window; a new version moves them; notes; missed.
 */

const sent: { address: string; text: string }[] = [];
let h: Harness;
beforeEach(async () => {
  sent.length = 0;
  h = await makeHarness({
    senders: {
      sms: {
        mode: 'push',
        send: async ({ address, message }) => {
          sent.push({ address, text: message.text });
          return { ok: true };
        },
      },
    },
  });
});
afterEach(() => h.close());

const therapist: StaffActor = {
  staffId: 'ther-a',
  email: 'a@clinic.test',
  name: 'A',
  role: 'therapist',
  locale: 'en',
  via: 'api',
};
const other: StaffActor = { ...therapist, staffId: 'ther-b', email: 'b@clinic.test' };

const fields = (change: Partial<ContractFields['contacts']> = {}, more: Partial<ContractFields> = {}) =>
  ({
    focus: 'Bekymring',
    course: 'anxiety',
    goals: ['Sove bedre'],
    paceDays: 7,
    startDate: '2027-03-15',
    endDate: '2027-04-19',
    contacts: {
      count: 3,
      minutes: 20,
      mode: 'phone',
      everyDays: 7,
      firstDate: '2027-03-22',
      time: '10:00',
      ...change,
    },
    measurement: { instruments: ['phq9', 'gad7'], beforeEachContact: true, atEnd: true },
    channels: { web: true, sms: { consent: true, phone: '+4791234567' }, discreetSms: true },
    quiet: { reminderAfterDays: 7, taskAfterDays: 14 },
    dataSharing: '',
    ending: '',
    ...more,
  }) satisfies ContractFields;

async function setUp(options: { preferredTime?: string } = {}) {
  h.clock.now = new Date('2027-03-15T09:00:00.000Z');
  await h.deps.db.write(async (tx) => {
    for (const s of [therapist, other]) {
      await tx.execute({
        sql: `INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, 'therapist', ?)`,
        args: [s.staffId, s.email, s.name, h.clock.now.toISOString()],
      });
    }
  });
  const created = await createClient(h.deps, {
    course: 'intro',
    locale: 'nb',
    timeZone: 'Europe/Oslo',
    therapistId: therapist.staffId,
  });
  if (!created.ok) throw new Error('no client');
  const clientId = created.clientId;
  await h.deps.db.write(async (tx) => {
    if (options.preferredTime) await setPreferredTime(tx, clientId, options.preferredTime);
    await insertAddress(tx, {
      id: 'addr-sms',
      channel: 'sms',
      address: '+4791234567',
      clientId,
      locale: 'nb',
      createdAt: h.clock.now.toISOString(),
    });
  });
  return clientId;
}

async function sign(clientId: string, contractId: string, version: number, f: ContractFields) {
  return h.deps.db.write(async (tx) => {
    await insertContract(tx, {
      id: contractId,
      clientId,
      version,
      fields: f,
      draftedBy: therapist.staffId,
      now: h.clock.now.toISOString(),
    });
    return planContacts(h.deps, tx, clientId, contractId, f, 'Europe/Oslo');
  });
}

/** The client signs the version too: it is the contract in force. */
async function signedByClient(clientId: string, contractId: string) {
  const now = h.clock.now.toISOString();
  await h.deps.db.write(async (tx) => {
    await markSent(tx, contractId, therapist.staffId, now);
    await markSigned(tx, { id: contractId, clientId, via: 'sms', now });
  });
}

const rows = (clientId: string) => h.deps.db.read((q) => clientContacts(q, clientId));
const measurementsOf = (clientId: string) => h.deps.db.read((q) => plannedMeasurements(q, clientId));

describe('planning contacts from the contract', () => {
  it('keeps the local time across the DST change, with the questionnaire and the reminder the day before', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    const plan = await sign(clientId, 'contract-1', 1, fields());
    expect(plan.withdrawn).toBe(0);
    // 10:00 in Oslo: CET (UTC+1) on the 22nd, CEST (UTC+2) from the 28th.
    expect(plan.contacts.map((c) => [c.plannedAt, c.reminderAt, c.minutes, c.mode])).toEqual([
      ['2027-03-22T09:00:00.000Z', '2027-03-21T09:00:00.000Z', 20, 'phone'],
      ['2027-03-29T08:00:00.000Z', '2027-03-28T08:00:00.000Z', 20, 'phone'],
      ['2027-04-05T08:00:00.000Z', '2027-04-04T08:00:00.000Z', 20, 'phone'],
    ]);
    // The day before at 19:30, the preferred time: on the DST day itself too; and at the end date.
    expect(plan.measurements.map((m) => [m.flowId, m.dueAt, m.contactId])).toEqual([
      ['measures', '2027-03-21T18:30:00.000Z', plan.contacts[0]!.id],
      ['measures', '2027-03-28T17:30:00.000Z', plan.contacts[1]!.id],
      ['measures', '2027-04-04T17:30:00.000Z', plan.contacts[2]!.id],
      ['measures', '2027-04-19T17:30:00.000Z', undefined],
    ]);
    const view = await listContacts(h.deps, therapist, clientId);
    expect(view?.contacts.map((c) => [c.localDate, c.localTime, c.status, c.source])).toEqual([
      ['2027-03-22', '10:00', 'planned', 'contract'],
      ['2027-03-29', '10:00', 'planned', 'contract'],
      ['2027-04-05', '10:00', 'planned', 'contract'],
    ]);
    expect(view?.contacts[1]?.measurement).toMatchObject({ dueAt: '2027-03-28T17:30:00.000Z', active: true });
  });

  it('asks the contract’s instruments at 18:00 without a preferred time, and plans no contact in the past', async () => {
    const clientId = await setUp();
    const plan = await sign(
      clientId,
      'contract-1',
      1,
      fields(
        { firstDate: '2027-03-08', count: 3 },
        { measurement: { instruments: ['gad7'], beforeEachContact: true, atEnd: false } },
      ),
    );
    // The 8th has passed (now is the 15th, 09:00 UTC); the 15th at 10:00 Oslo is 09:00 UTC: not ahead.
    expect(plan.contacts.map((c) => c.plannedAt)).toEqual(['2027-03-22T09:00:00.000Z']);
    expect(plan.measurements.map((m) => [m.flowId, m.dueAt])).toEqual([['gad7', '2027-03-21T17:00:00.000Z']]);
  });

  it('keeps a reminder inside the send window: a 07:30 contact is announced at 08:00 the day before', async () => {
    const clientId = await setUp();
    const plan = await sign(clientId, 'contract-1', 1, fields({ time: '07:30', count: 1 }));
    expect(plan.contacts[0]).toMatchObject({
      plannedAt: '2027-03-22T06:30:00.000Z',
      reminderAt: '2027-03-21T07:00:00.000Z',
    });
  });

  it('moves the plan when a new version changes it, and keeps what already happened', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    const first = await sign(clientId, 'contract-1', 1, fields());
    // The questionnaire before the first contact starts on the 21st, as the scheduler would.
    h.clock.now = new Date('2027-03-21T18:30:00.000Z');
    expect(await fireDueSchedules(h.deps)).toBe(1);
    h.clock.now = new Date('2027-03-23T12:00:00.000Z');
    const second = await sign(
      clientId,
      'contract-2',
      2,
      fields({ firstDate: '2027-03-24', time: '14:00', count: 2 }, { endDate: '2027-04-26' }),
    );
    expect(second.withdrawn).toBe(2);
    const stored = await rows(clientId);
    expect(stored.map((c) => [c.contractId, c.plannedAt])).toEqual([
      ['contract-1', '2027-03-22T09:00:00.000Z'],
      ['contract-2', '2027-03-24T13:00:00.000Z'],
      ['contract-2', '2027-03-31T12:00:00.000Z'],
    ]);
    // The first contact passed without a note: it shows as missed, derived from the time.
    const view = await listContacts(h.deps, therapist, clientId);
    expect(view?.contacts.map((c) => [c.status, c.statusDerived])).toEqual([
      ['missed', true],
      ['planned', false],
      ['planned', false],
    ]);
    // The questionnaires of the old plan that had not started are withdrawn (the one that started is
    // done with); the new plan's are due.
    const measurements = await measurementsOf(clientId);
    const active = measurements.filter((m) => m.active).map((m) => m.dueAt);
    expect(active).toEqual([
      '2027-03-23T18:30:00.000Z',
      '2027-03-30T17:30:00.000Z',
      '2027-04-26T17:30:00.000Z',
    ]);
    const all = await h.deps.db.read((q) => clientSchedules(q, clientId));
    const old = new Set(first.measurements.map((m) => m.scheduleId));
    expect(all.filter((s) => old.has(s.id)).map((s) => s.active)).toEqual([false, false, false, false]);
    const due = await h.deps.db.read((q) => dueSchedules(q, '2027-04-20T00:00:00.000Z', 100));
    expect(due.map((s) => s.nextDueAt)).toEqual(['2027-03-23T18:30:00.000Z', '2027-03-30T17:30:00.000Z']);
  });
});

describe('contact reminders', () => {
  it('go once, the day before, to the client’s channel, discreetly', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    await sign(clientId, 'contract-1', 1, fields({ count: 1 }));
    // Signed by both: the contract's choice of discreet SMS holds (without it, discreet by default).
    await signedByClient(clientId, 'contract-1');
    h.clock.now = new Date('2027-03-21T08:59:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(0);
    h.clock.now = new Date('2027-03-21T09:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(1);
    expect(await sendDueContactReminders(h.deps)).toBe(0);
    const outbox = await h.deps.db.read(
      async (q) =>
        (
          await q.execute(
            'SELECT o.payload, o.next_attempt_at, t.text FROM outbox o JOIN transcript t ON t.seq = o.transcript_seq',
          )
        ).rows,
    );
    // By SMS the reminder itself waits behind one neutral line until the client answers.
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.next_attempt_at).toBe('2027-03-21T09:00:00.000Z');
    expect(String(outbox[0]!.text)).toBe('Du har en ny melding fra klinikken. Svar JA for å se den.');
    const [held] = await h.deps.db.read((q) => heldMessages(q, 'addr-sms'));
    expect((held!.payload as { text: string }).text).toBe(
      'Hei! En påminnelse: du har en avtale mandag 22. mars kl. 10:00 på telefon. Passer det ikke, gi beskjed til veilederen din.',
    );
    const [contact] = (await listContacts(h.deps, therapist, clientId))!.contacts;
    expect(contact?.reminder).toEqual({
      at: '2027-03-21T09:00:00.000Z',
      sentAt: '2027-03-21T09:00:00.000Z',
      outcome: 'sent',
    });
  });

  it('name the mode and length when the client chose full SMS, and are dropped once the contact began', async () => {
    const clientId = await setUp();
    await sign(
      clientId,
      'contract-1',
      1,
      fields(
        { count: 2 },
        { channels: { web: true, sms: { consent: true, phone: '+4791234567' }, discreetSms: false } },
      ),
    );
    await signedByClient(clientId, 'contract-1');
    h.clock.now = new Date('2027-03-21T10:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(1);
    const text = await h.deps.db.read(
      async (q) =>
        (await q.execute("SELECT text FROM transcript WHERE direction = 'out' ORDER BY seq DESC LIMIT 1"))
          .rows[0]?.text,
    );
    expect(text).toContain('20 minutter på telefon');
    // The second contact's reminder was held (say, by an alert) until after the contact: not sent.
    h.clock.now = new Date('2027-03-29T09:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(0);
    const stored = await rows(clientId);
    expect(stored[1]).toMatchObject({ reminderOutcome: 'too_late' });
  });
});

describe('recording contacts', () => {
  const note = { learned: 'Bekymringstid virker', helped: 'Å skrive ned', hard: 'Kveldene', next: 'Del 3' };

  it('records a note, a missed and a cancelled contact; a recorded one withdraws its questionnaire', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    const plan = await sign(clientId, 'contract-1', 1, fields());
    const [one, two, three] = plan.contacts.map((c) => c.id) as [string, string, string];
    h.clock.now = new Date('2027-03-22T09:30:00.000Z');

    expect(await recordContact(h.deps, therapist, clientId, one, { status: 'done' })).toEqual({
      ok: false,
      error: 'note_required',
    });
    const done = await recordContact(h.deps, therapist, clientId, one, { status: 'done', note });
    expect(done.ok && done.contact).toMatchObject({
      status: 'done',
      statusDerived: false,
      note,
      noteBy: therapist.staffId,
      noteAt: '2027-03-22T09:30:00.000Z',
    });
    // Done keeps its note: it can be corrected, not recorded missed or cancelled (the note would go).
    for (const status of ['missed', 'cancelled'] as const) {
      expect(await recordContact(h.deps, therapist, clientId, one, { status })).toEqual({
        ok: false,
        error: 'already_done',
      });
    }
    const corrected = { ...note, next: 'Keep the diary one more week.' };
    const again = await recordContact(h.deps, therapist, clientId, one, { status: 'done', note: corrected });
    expect(again.ok && again.contact).toMatchObject({ status: 'done', note: corrected });
    expect(await recordContact(h.deps, other, clientId, two, { status: 'missed' })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect((await recordContact(h.deps, therapist, clientId, three, { status: 'cancelled' })).ok).toBe(true);
    expect(await recordContact(h.deps, therapist, clientId, three, { status: 'done', note })).toEqual({
      ok: false,
      error: 'cancelled',
    });
    let measurements = await measurementsOf(clientId);
    expect(measurements.find((m) => m.contactId === three)?.active).toBe(false);
    expect(measurements.find((m) => m.contactId === two)?.active).toBe(true);
    // The second contact (29 March, 10:00 Oslo = 08:00 UTC) can be missed once it has begun.
    h.clock.now = new Date('2027-03-29T08:30:00.000Z');
    expect((await recordContact(h.deps, therapist, clientId, two, { status: 'missed' })).ok).toBe(true);
    measurements = await measurementsOf(clientId);
    expect(measurements.find((m) => m.contactId === two)?.active).toBe(false);
    const view = await listContacts(h.deps, therapist, clientId);
    expect(view?.contacts.map((c) => c.status)).toEqual(['done', 'missed', 'cancelled']);
    const audit = await h.deps.db.read(
      async (q) => (await q.execute('SELECT action, detail FROM audit_log ORDER BY seq')).rows,
    );
    expect(audit.map((r) => `${r.action} ${r.detail ?? ''}`.trim())).toEqual([
      `contact.note ${one} done`,
      `contact.note ${one} done`,
      `contact.note ${three} cancelled`,
      `contact.note ${two} missed`,
      'client.contacts',
    ]);
  });

  it('adds a contact by hand with its reminder and questionnaire, and refuses a past or impossible date', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    const added = await addContact(h.deps, therapist, clientId, {
      date: '2027-03-17',
      time: '13:15',
      minutes: 30,
      mode: 'in_person',
    });
    expect(added.ok && added.contact).toMatchObject({
      source: 'manual',
      plannedAt: '2027-03-17T12:15:00.000Z',
      localTime: '13:15',
      status: 'planned',
      reminder: { at: '2027-03-16T12:15:00.000Z' },
      measurement: { flowId: 'measures', dueAt: '2027-03-16T18:30:00.000Z', active: true },
    });
    const base = { time: '10:00', minutes: 20, mode: 'phone' as const };
    expect(await addContact(h.deps, therapist, clientId, { ...base, date: '2027-03-14' })).toEqual({
      ok: false,
      error: 'in_the_past',
    });
    expect(await addContact(h.deps, therapist, clientId, { ...base, date: '2027-02-30' })).toEqual({
      ok: false,
      error: 'invalid_date',
    });
    expect(await addContact(h.deps, other, clientId, { ...base, date: '2027-03-20' })).toEqual({
      ok: false,
      error: 'not_found',
    });
    // A contact added by hand stays when a contract is signed later.
    await sign(clientId, 'contract-1', 1, fields({ count: 1 }));
    expect((await rows(clientId)).map((c) => c.contractId ?? 'manual')).toEqual(['manual', 'contract-1']);
  });
});

describe('a new version of the contract keeps what happened (QA finding 3)', () => {
  const note = { learned: 'Aktivitetsplan', helped: 'Turene', hard: 'Morgenene', next: 'Del 4' };
  const reminders = () =>
    h.deps.db.read(
      async (q) =>
        (await q.execute("SELECT count(*) AS n FROM transcript WHERE direction = 'out'")).rows[0]!
          .n as number,
    );

  it('leaves done, missed and cancelled contacts as recorded, plans nothing on their days, and keeps the row of a contact whose day stays', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    // 22 and 29 March, 5 and 12 April, 10:00 Oslo.
    const first = await sign(clientId, 'contract-1', 1, fields({ count: 4 }));
    await signedByClient(clientId, 'contract-1');
    const [one, two, three, four] = first.contacts.map((c) => c.id) as [string, string, string, string];
    h.clock.now = new Date('2027-03-21T09:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(1);
    h.clock.now = new Date('2027-03-22T12:00:00.000Z');
    expect((await recordContact(h.deps, therapist, clientId, one, { status: 'done', note })).ok).toBe(true);
    // The second is taken early; the third is cancelled.
    expect((await recordContact(h.deps, therapist, clientId, two, { status: 'done', note })).ok).toBe(true);
    expect((await recordContact(h.deps, therapist, clientId, three, { status: 'cancelled' })).ok).toBe(true);
    const recorded = (await rows(clientId)).filter((c) => c.status !== 'planned');

    // A new pace: the same contacts.
    const second = await sign(clientId, 'contract-2', 2, fields({ count: 4 }, { paceDays: 10 }));
    expect(second.withdrawn).toBe(0);
    expect(second.contacts.map((c) => c.id)).toEqual([four]);
    // A new time on the same days: the days of recorded contacts are not planned again.
    const third = await sign(clientId, 'contract-3', 3, fields({ count: 4, time: '14:00' }));
    expect(third.withdrawn).toBe(0);
    expect(third.contacts.map((c) => [c.id, c.plannedAt])).toEqual([[four, '2027-04-12T12:00:00.000Z']]);

    const stored = await rows(clientId);
    expect(stored).toHaveLength(4);
    expect(stored.filter((c) => c.status !== 'planned')).toEqual(recorded);
    expect(stored.map((c) => [c.id, c.status, c.contractId])).toEqual([
      [one, 'done', 'contract-1'],
      [two, 'done', 'contract-1'],
      [three, 'cancelled', 'contract-1'],
      [four, 'planned', 'contract-3'],
    ]);
    // The kept contact's reminder moved with it; the questionnaires of recorded contacts stay withdrawn.
    expect(stored[3]).toMatchObject({ reminderAt: '2027-04-11T12:00:00.000Z' });
    const active = (await measurementsOf(clientId)).filter((m) => m.active);
    expect(active.map((m) => [m.contactId, m.dueAt])).toEqual([
      [four, '2027-04-11T17:30:00.000Z'],
      [undefined, '2027-04-19T17:30:00.000Z'],
    ]);
    // Until the end, the one reminder left is the fourth contact's: the done one is not announced again.
    const before = await reminders();
    for (const day of ['2027-03-28', '2027-04-04', '2027-04-11', '2027-04-13']) {
      h.clock.now = new Date(`${day}T15:00:00.000Z`);
      await sendDueContactReminders(h.deps);
    }
    expect((await reminders()) - before).toBe(1);
  });

  it('never sends a reminder or a questionnaire twice for a contact a new version keeps', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    const first = await sign(clientId, 'contract-1', 1, fields({ count: 2 }));
    await signedByClient(clientId, 'contract-1');
    const [one] = first.contacts.map((c) => c.id) as [string];
    h.clock.now = new Date('2027-03-21T19:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(1);
    expect(await fireDueSchedules(h.deps)).toBe(1);
    const reminded = (await rows(clientId))[0]!;
    // The contact list says when the questionnaire went, after its schedule ended.
    const listed = await listContacts(h.deps, therapist, clientId);
    expect(listed?.contacts[0]?.measurement).toMatchObject({
      active: false,
      startedAt: '2027-03-21T19:00:00.000Z',
    });
    expect(listed?.contacts[1]?.measurement?.startedAt).toBeUndefined();

    // The same days an hour later, after the reminder and the questionnaire went.
    const second = await sign(clientId, 'contract-2', 2, fields({ count: 2, time: '11:00' }));
    expect(second.withdrawn).toBe(0);
    const [kept] = await rows(clientId);
    expect(kept).toMatchObject({
      id: one,
      contractId: 'contract-2',
      plannedAt: '2027-03-22T10:00:00.000Z',
      reminderAt: reminded.reminderAt,
      remindedAt: reminded.remindedAt,
      reminderOutcome: 'sent',
    });
    expect(second.measurements.some((m) => m.contactId === one)).toBe(false);
    expect(await sendDueContactReminders(h.deps)).toBe(0);
    expect(await fireDueSchedules(h.deps)).toBe(0);
    h.clock.now = new Date('2027-03-22T09:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(0);
    expect(await fireDueSchedules(h.deps)).toBe(0);
  });

  it('replaces the planned contacts that have not happened and moves weekend slots to Monday', async () => {
    const clientId = await setUp();
    await sign(clientId, 'contract-1', 1, fields({ count: 3 }));
    // Every 10 days from Monday 22 March: 1 April (Thursday), 11 April (a Sunday: Monday 12), 21 April.
    const second = await sign(
      clientId,
      'contract-2',
      2,
      fields({ count: 4, everyDays: 10 }, { endDate: '2027-04-26' }),
    );
    const view = await listContacts(h.deps, therapist, clientId);
    expect(view?.contacts.map((c) => [c.localDate, c.localTime, c.contractId])).toEqual([
      ['2027-03-22', '10:00', 'contract-2'],
      ['2027-04-01', '10:00', 'contract-2'],
      ['2027-04-12', '10:00', 'contract-2'],
      ['2027-04-21', '10:00', 'contract-2'],
    ]);
    // The 22 March contact kept its row; 29 March and 5 April went.
    expect(second.withdrawn).toBe(2);
  });
});

describe('recording a contact that has not begun (QA finding 4)', () => {
  const note = { learned: 'x', helped: 'y', hard: 'z', next: 'w' };

  it('refuses missed; done (an early call) withdraws its reminder and questionnaire', async () => {
    const clientId = await setUp({ preferredTime: '19:30' });
    const plan = await sign(clientId, 'contract-1', 1, fields({ count: 1 }));
    await signedByClient(clientId, 'contract-1');
    const [one] = plan.contacts.map((c) => c.id) as [string];
    h.clock.now = new Date('2027-03-19T12:00:00.000Z');
    expect(await recordContact(h.deps, therapist, clientId, one, { status: 'missed' })).toEqual({
      ok: false,
      error: 'not_yet',
    });
    const done = await recordContact(h.deps, therapist, clientId, one, { status: 'done', note });
    expect(done.ok && done.contact).toMatchObject({ status: 'done', begun: false, reminder: {} });
    expect(done.ok && done.contact.reminder.at).toBeUndefined();
    expect(done.ok && done.contact.measurement?.active).toBe(false);
    // The day before: neither the reminder nor the questionnaire goes.
    h.clock.now = new Date('2027-03-21T19:00:00.000Z');
    expect(await sendDueContactReminders(h.deps)).toBe(0);
    expect(await fireDueSchedules(h.deps)).toBe(0);
  });
});

describe('the missed status', () => {
  it('is derived once the contact ended more than 12 hours ago without a note', () => {
    const contact = { status: 'planned' as const, plannedAt: '2027-03-22T09:00:00.000Z', minutes: 30 };
    expect(contactStatus(contact, new Date('2027-03-22T21:29:00.000Z'))).toEqual({
      status: 'planned',
      derived: false,
    });
    expect(contactStatus(contact, new Date('2027-03-22T21:30:00.000Z'))).toEqual({
      status: 'missed',
      derived: true,
    });
    expect(contactStatus({ ...contact, status: 'done' }, new Date('2027-04-01T00:00:00.000Z'))).toEqual({
      status: 'done',
      derived: false,
    });
  });
});
