import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractFields } from '../../src/domain/contract.ts';
import { parseKeyword } from '../../src/domain/keywords.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound, type InboundContent } from '../../src/service/handle-inbound.ts';
import { fireDueSchedules } from '../../src/service/measurements.ts';
import { sendTherapistMessage } from '../../src/service/messages.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import { insertContract, markSent, markSigned } from '../../src/storage/contracts.ts';
import { heldMessages } from '../../src/storage/held-messages.ts';
import { type OutboxRow, outboxForAddress } from '../../src/storage/outbox.ts';
import { clientResponses } from '../../src/storage/responses.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

/*
 * Discreet SMS (CLINICAL.md §7), on the real libSQL engine: what the client did not just ask for goes out
 * as one neutral line and its content is held; JA / YES or any message releases it first, in order (and
 * a message other than JA is not taken as an answer to what it had not seen).
 * Times: Europe/Oslo is UTC+1 in November; the SMS check-ins start at the default preferred time, 18:00.
 */

const PHONE = '+4791234567';
const NOTICE_NB = 'Du har en ny melding fra klinikken. Svar JA for å se den.';
const NOTICE_EN = 'You have a new message from the clinic. Reply YES to see it.';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness({
    senders: { sms: { mode: 'push', send: async () => ({ ok: true }) } },
  });
});
afterEach(() => h.close());

const admin: StaffActor = {
  staffId: 'admin-1',
  email: 'admin@clinic.test',
  name: 'Anne',
  role: 'admin',
  locale: 'nb',
  via: 'api',
};

interface SmsClient {
  clientId: string;
  addressId: string;
  send(text: string): Promise<string[]>;
  /** Outbox rows added since the last look, as `kind text`. */
  fresh(): Promise<string[]>;
  outbox(): Promise<OutboxRow[]>;
  held(): Promise<string[]>;
}

const textOf = (row: { payload: unknown }) => (row.payload as { text: string }).text;

async function smsClient(locale: 'nb' | 'en' = 'nb'): Promise<SmsClient> {
  await h.deps.db.write((tx) =>
    tx.execute({
      sql: `INSERT OR IGNORE INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, 'admin', ?)`,
      args: [admin.staffId, admin.email, admin.name, h.clock.now.toISOString()],
    }),
  );
  const created = await createClient(h.deps, { course: 'anxiety', locale, timeZone: 'Europe/Oslo' });
  if (!created.ok) throw new Error('no client');
  let addressId = '';
  let seen = 0;
  const outbox = () => h.deps.db.read((q) => outboxForAddress(q, addressId));
  const client: SmsClient = {
    clientId: created.clientId,
    get addressId() {
      return addressId;
    },
    async send(text) {
      // As the Twilio webhook parses it: a keyword alone is a keyword.
      const keyword = parseKeyword(text);
      const content: InboundContent = keyword
        ? { kind: 'keyword', keyword, text }
        : { kind: 'message', text };
      const outcome = await handleInbound(h.deps, {
        channel: 'sms',
        address: PHONE,
        content,
        createAddress: true,
      });
      if (outcome.kind !== 'handled') throw new Error(outcome.kind);
      addressId = outcome.addressId;
      return outcome.replies.map((r) => r.text);
    },
    async fresh() {
      const rows = await outbox();
      const added = rows.slice(seen);
      seen = rows.length;
      return added.map((row) => `${row.kind} ${textOf(row)}`);
    },
    outbox,
    async held() {
      return (await h.deps.db.read((q) => heldMessages(q, addressId))).map(textOf);
    },
  };
  await client.send(created.accessCode);
  await client.fresh();
  return client;
}

/** The weekly SMS screen falls due a week after linking, at 18:00 Oslo time. */
async function fireWeeklyScreen(): Promise<void> {
  h.clock.now = new Date('2026-11-30T17:00:00.000Z');
  expect(await fireDueSchedules(h.deps)).toBe(1);
}

async function signContract(clientId: string, discreetSms: boolean): Promise<void> {
  const fields: ContractFields = {
    focus: 'Bekymring',
    course: 'anxiety',
    goals: ['Bekymre meg mindre'],
    paceDays: 7,
    startDate: '2026-11-23',
    endDate: '2027-01-04',
    contacts: { count: 2, minutes: 20, mode: 'phone', everyDays: 14, firstDate: '2026-12-07', time: '10:00' },
    measurement: { instruments: ['phq9', 'gad7'], beforeEachContact: false, atEnd: true },
    channels: { web: false, sms: { consent: true, phone: PHONE }, discreetSms },
    quiet: { reminderAfterDays: 7, taskAfterDays: 14 },
    dataSharing: '',
    ending: '',
  };
  const now = h.clock.now.toISOString();
  await h.deps.db.write(async (tx) => {
    await insertContract(tx, {
      id: 'contract-1',
      clientId,
      version: 1,
      fields,
      draftedBy: admin.staffId,
      now,
    });
    expect(await markSent(tx, 'contract-1', admin.staffId, now)).toBe(true);
    expect(await markSigned(tx, { id: 'contract-1', clientId, via: 'sms', now })).toBe(true);
  });
}

describe('discreet SMS', () => {
  it('sends a check-in as one neutral line and holds its content; JA releases it in order and goes no further', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    expect(await client.fresh()).toEqual([`normal ${NOTICE_NB}`]);
    const held = await client.held();
    expect(held.length).toBeGreaterThan(1);
    expect(held.join('\n')).toContain('PHQ/GAD-7');
    const [notice] = (await client.outbox()).slice(-1);
    expect(notice!.kind).toBe('normal');

    expect(await client.send('Ja!')).toEqual([]);
    expect(await client.fresh()).toEqual(held.map((text) => `normal ${text}`));
    expect(await client.held()).toEqual([]);
    // The word was not an answer: the screen's first item still waits for one, and "1" answers it.
    await client.send('1');
    const answered = await client.fresh();
    expect(answered).toHaveLength(1);
    expect(answered[0]).not.toBe(`normal ${held.at(-1)}`);
  });

  it('sends no second notice for a push while one waits, and releases both in the order they came', async () => {
    const client = await smsClient('en');
    await fireWeeklyScreen();
    expect(await client.fresh()).toEqual([`normal ${NOTICE_EN}`]);
    const screen = await client.held();
    h.clock.now = new Date('2026-11-30T17:05:00.000Z');
    const sent = await sendTherapistMessage(h.deps, admin, client.clientId, 'See you on Monday');
    expect(sent.ok && sent.delivered).toBe(true);
    expect(await client.fresh()).toEqual([]);
    const both = await client.held();
    expect(both.slice(0, screen.length)).toEqual(screen);
    expect(both.at(-1)).toContain('See you on Monday');

    expect(await client.send('YES')).toEqual([]);
    const released = await client.outbox();
    const fresh = released.slice(-both.length);
    expect(fresh.map(textOf)).toEqual(both);
    // In the order they were held: ids ascending, all due at once.
    expect(fresh.map((r) => r.id)).toEqual([...fresh.map((r) => r.id)].sort((a, b) => a - b));
  });

  it('any other message releases the held content first and is not taken as an answer to it', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    await client.fresh();
    const held = await client.held();
    // A bare number to the notice: the client has not seen the question it would answer.
    const replies = await client.send('2');
    expect(replies).toEqual([h.deps.catalog.text('nb', 'sms.held_answer_again')]);
    const fresh = await client.fresh();
    expect(fresh.slice(0, held.length)).toEqual(held.map((text) => `normal ${text}`));
    expect(fresh.slice(held.length)).toEqual(replies.map((text) => `normal ${text}`));
    expect(await client.held()).toEqual([]);
    expect(await h.deps.db.read((q) => clientResponses(q, client.clientId))).toEqual([]);
    // Now that it has been seen, the same answer is taken.
    const answered = await client.send('2');
    expect(answered).not.toContain(h.deps.catalog.text('nb', 'sms.held_answer_again'));
    // It moved the check-in on: the next question, which was never among what was held.
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.some((text) => !held.includes(text))).toBe(true);
  });

  it('a picture alone to a notice releases the held content first, and asks nothing twice', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    await client.fresh();
    const held = await client.held();
    expect(held.length).toBeGreaterThan(0);
    const outcome = await handleInbound(h.deps, {
      channel: 'sms',
      address: PHONE,
      content: { kind: 'unreadable', what: 'attachment' },
      createAddress: true,
    });
    if (outcome.kind !== 'handled') throw new Error(outcome.kind);
    const textOnly = h.deps.catalog.text('nb', 'service.text_only');
    // What was held ends with the waiting question: it is not asked a second time after the reply.
    expect(outcome.replies.map((r) => r.text)).toEqual([textOnly]);
    expect(await client.fresh()).toEqual([...held, textOnly].map((text) => `normal ${text}`));
    expect(await client.held()).toEqual([]);
  });

  it('never shows the questions of a check-in that ran out behind its notice; only that it ran out', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    await client.fresh();
    const questions = await client.held();
    expect(questions.length).toBeGreaterThan(0);
    // Nobody opens the notice; two days later the check-in has expired.
    h.clock.now = new Date('2026-12-02T17:00:00.000Z');
    await fireDueTimers(h.deps);
    const stillHeld = await client.held();
    for (const question of questions) expect(stillHeld).not.toContain(question);
    expect(stillHeld).toContain(h.deps.catalog.text('nb', 'questionnaire.expired'));
    await client.send('JA');
    const shown = (await client.fresh()).join('\n');
    for (const question of questions) expect(shown).not.toContain(question);
    expect(shown).toContain(h.deps.catalog.text('nb', 'questionnaire.expired'));
  });

  it('shows the content itself to a client who chose full SMS in the contract', async () => {
    const client = await smsClient('nb');
    await signContract(client.clientId, false);
    await fireWeeklyScreen();
    const fresh = await client.fresh();
    expect(fresh.join('\n')).toContain('PHQ/GAD-7');
    expect(fresh).not.toContain(`normal ${NOTICE_NB}`);
    expect(await client.held()).toEqual([]);
  });

  it('names the clinic from CLINIC_NAME when it is set', async () => {
    h.deps.defaults.clinicName = 'Rask psykisk helsehjelp';
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    expect(await client.fresh()).toEqual([
      'normal Du har en ny melding fra Rask psykisk helsehjelp. Svar JA for å se den.',
    ]);
  });

  it('stays discreet under a signed contract that keeps it discreet', async () => {
    const client = await smsClient('nb');
    await signContract(client.clientId, true);
    await fireWeeklyScreen();
    expect(await client.fresh()).toEqual([`normal ${NOTICE_NB}`]);
  });

  it('never holds or delays the safety protocol, and keeps the held content held while it runs', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    await client.fresh();
    const held = await client.held();
    h.clock.now = new Date('2026-11-30T23:30:00.000Z');
    await client.send('jeg skal ta alle pillene i kveld');
    const rows = (await client.outbox()).slice(-4);
    expect(rows.map((r) => r.kind)).toEqual(['safety', 'safety', 'safety', 'safety']);
    expect(await client.fresh()).toHaveLength(4);
    const due = await h.deps.db.read(
      async (q) =>
        (
          await q.execute({
            sql: "SELECT DISTINCT next_attempt_at FROM outbox WHERE kind = 'safety'",
            args: [],
          })
        ).rows,
    );
    expect(due.map((r) => r.next_attempt_at)).toEqual(['2026-11-30T23:30:00.000Z']);
    expect(await client.held()).toEqual(held);
    // A bare "Ja" now answers the protocol's question, not the notice.
    await client.send('Ja');
    expect((await client.fresh()).every((line) => line.startsWith('safety '))).toBe(true);
    expect(await client.held()).toEqual(held);
  });

  it('keeps quiet hours for the notice: a therapist message late at night is announced at 08:00', async () => {
    const client = await smsClient('nb');
    h.clock.now = new Date('2026-11-24T21:30:00.000Z');
    await sendTherapistMessage(h.deps, admin, client.clientId, 'Hei, hvordan går det?');
    const [notice] = (await client.outbox()).slice(-1);
    expect(textOf(notice!)).toBe(NOTICE_NB);
    const due = await h.deps.db.read(
      async (q) =>
        (await q.execute({ sql: 'SELECT next_attempt_at FROM outbox WHERE id = ?', args: [notice!.id] }))
          .rows[0]?.next_attempt_at,
    );
    expect(due).toBe('2026-11-25T07:00:00.000Z');
  });

  it('withdraws a notice still waiting for the morning when the client writes first', async () => {
    const client = await smsClient('nb');
    h.clock.now = new Date('2026-11-24T21:30:00.000Z'); // 22:30 in Oslo: the notice waits for 08:00
    await sendTherapistMessage(h.deps, admin, client.clientId, 'Hei, hvordan går det?');
    const [notice] = (await client.outbox()).slice(-1);
    h.clock.now = new Date('2026-11-24T22:00:00.000Z');
    await client.send('JA');
    const rows = await client.outbox();
    expect(rows.find((r) => r.id === notice!.id)).toMatchObject({
      status: 'failed',
      lastError: 'discreet notice withdrawn: the client answered first',
    });
    expect(textOf(rows.at(-1)!)).toContain('Hei, hvordan går det?');
    // A later "JA" is an ordinary answer again: nothing is held.
    expect(await client.held()).toEqual([]);
  });

  it('answers STOP and HELP at once; HELP leaves the content held, STOP drops it', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    await client.fresh();
    const held = await client.held();
    await client.send('HJELP');
    const help = await client.fresh();
    expect(help).toHaveLength(1);
    expect(help[0]).toMatch(/^consent selvhjelp/);
    expect(await client.held()).toEqual(held);
    await client.send('STOPP');
    expect(await client.fresh()).toEqual([`consent ${h.deps.catalog.text('nb', 'sms.stopped')}`]);
    expect(await client.held()).toEqual([]);
  });

  it('takes nothing a stopped number writes as an answer, and asks the waiting question again after START', async () => {
    const client = await smsClient('nb');
    await fireWeeklyScreen();
    await client.send('JA');
    const shown = await client.fresh();
    const question = shown.at(-1)!;
    await client.send('STOPP');
    await client.fresh();
    // Nothing can reach the number now: an answer would move the check-in on where the client never sees it.
    expect(await client.send('2')).toEqual([]);
    expect(await client.fresh()).toEqual([]);
    await client.send('START');
    const again = await client.fresh();
    expect(again[0]).toBe(`normal ${h.deps.catalog.text('nb', 'sms.started')}`);
    // The same question as before STOP: the "2" answered nothing.
    expect(again.at(-1)).toBe(question);
  });

  it('names the clinic of CLINIC_NAME in the HELP answer when CLINIC_CONTACT is not set', async () => {
    h.deps.defaults.clinicName = 'Helsestasjonen';
    const client = await smsClient('nb');
    await client.send('HJELP');
    const [help] = await client.fresh();
    expect(help).toContain('kontakt veilederen din hos Helsestasjonen i åpningstiden');
    h.deps.defaults.clinicContact = 'ring 22 00 00 00';
    await client.send('HJELP');
    expect((await client.fresh())[0]).toContain('Spørsmål om tjenesten: ring 22 00 00 00.');
  });
});
