import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLINIC_CONTRACT_DEFAULTS,
  type ContractFields,
  contactDates,
  defaultContract,
  localDateOf,
} from '../../src/domain/contract.ts';
import { createClient } from '../../src/service/clients.ts';
import { listContacts } from '../../src/service/contacts.ts';
import { type ContractFieldsInput, contractForStaff, draftContract } from '../../src/service/contracts.ts';
import { COURSE_START_TIMER } from '../../src/service/course-gate.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound, type InboundContent, startConversation } from '../../src/service/handle-inbound.ts';
import { plannedMeasurements } from '../../src/storage/contacts.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { listTimers } from '../../src/storage/timers.ts';
import { draftAndSign as signedContract, therapistA as therapist } from '../support/contracts.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

/*
 * What the client signed takes effect (QA findings 5 and the default plan): the start date holds a
 * course until then (a timer through the one door opens it), a change of course signed before the
 * course starts changes the enrollment and is refused once it has, and the clinic's default plan stays
 * within its period and off weekends. The harness's clock: Monday 23 November 2026, 10:00 in Oslo.
 */

let h: Harness;
const goals = { focus: 'Lite energi', goals: ['Gå tur tre ganger i uka'] };
const ACCEPTED = 'Takk! Avtalen er nå signert av deg og veilederen din.';
const DAY = 24 * 60 * 60 * 1000;

beforeEach(async () => {
  h = await makeHarness();
  await h.deps.db.write((tx) =>
    tx.execute({
      sql: "INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, 'therapist', ?)",
      args: [therapist.staffId, therapist.email, therapist.name, h.clock.now.toISOString()],
    }),
  );
});
afterEach(() => h.close());

/** A client in the depression course with a therapist, linked in the web chat. */
async function client() {
  const created = await createClient(h.deps, {
    course: 'depression',
    locale: 'nb',
    timeZone: 'Europe/Oslo',
    therapistId: therapist.staffId,
  });
  if (!created.ok) throw new Error('no client');
  const { address } = (await startConversation(h.deps, 'web', 'nb')).address;
  let n = 0;
  const send = async (content: InboundContent) => {
    const outcome = await handleInbound(h.deps, { channel: 'web', address, providerId: `m-${++n}`, content });
    if (outcome.kind !== 'handled') throw new Error(outcome.kind);
    return outcome.replies.map((r) => r.text);
  };
  await send({ kind: 'message', text: created.accessCode });
  return {
    id: created.clientId,
    say: (text: string) => send({ kind: 'message', text }),
    press: (value: string) => send({ kind: 'button', value }),
  };
}

const enrollment = async (clientId: string) =>
  (await h.deps.db.read((q) => listEnrollments(q, clientId)))[0]!;
const startTimers = async (enrollmentId: string) =>
  (await h.deps.db.read((q) => listTimers(q, enrollmentId))).filter((t) => t.key === COURSE_START_TIMER);
const transcriptTexts = (clientId: string) =>
  h.deps.db.read(async (q) =>
    (
      await q.execute({
        sql: "SELECT text FROM transcript WHERE client_id = ? AND direction = 'out' ORDER BY seq",
        args: [clientId],
      })
    ).rows.map((r) => String(r.text)),
  );

const draftAndSign = (clientId: string, fields: ContractFieldsInput = {}) =>
  signedContract(h.deps, therapist, clientId, { ...goals, ...fields });

describe('the signed start date holds', () => {
  it('accepted before the start date: part 1 waits, the reply says when, and a timer opens it that day', async () => {
    const c = await client();
    await draftAndSign(c.id, { startDate: '2026-11-26' });
    const answer = await c.press('contract.accept');
    expect(answer).toEqual([ACCEPTED, 'Kurset starter 26.11.2026. Du får en melding her da.']);
    const course = await enrollment(c.id);
    expect(course.status).toBe('pending');
    // 09:00 in Oslo (no preferred time), inside the send window.
    expect(await startTimers(course.id)).toEqual([
      { key: COURSE_START_TIMER, dueAt: '2026-11-26T08:00:00.000Z' },
    ]);
    // A message before then is told the same, and starts nothing.
    h.clock.advance(DAY);
    expect(await c.say('hei')).toEqual(['Kurset starter 26.11.2026. Du får en melding her da.']);
    expect((await enrollment(c.id)).status).toBe('pending');
    h.clock.now = new Date('2026-11-26T07:59:00.000Z');
    expect(await fireDueTimers(h.deps)).toBe(0);
    h.clock.now = new Date('2026-11-26T08:00:00.000Z');
    expect(await fireDueTimers(h.deps)).toBe(1);
    const started = await enrollment(c.id);
    expect(started.status).toBe('active');
    expect(await startTimers(started.id)).toEqual([]);
    expect((await transcriptTexts(c.id)).join('\n')).toContain('Del 1');
  });

  it('a client who writes on the start date before the timer starts the course, and the timer goes', async () => {
    const c = await client();
    await draftAndSign(c.id, { startDate: '2026-11-25' });
    await c.press('contract.accept');
    const waiting = await enrollment(c.id);
    expect(waiting.status).toBe('pending');
    expect(await startTimers(waiting.id)).toHaveLength(1);
    h.clock.now = new Date('2026-11-25T06:30:00.000Z');
    expect((await c.say('hei')).join('\n')).toContain('Del 1');
    const started = await enrollment(c.id);
    expect(started.status).toBe('active');
    expect(await startTimers(started.id)).toEqual([]);
    h.clock.now = new Date('2026-11-25T09:00:00.000Z');
    expect(await fireDueTimers(h.deps)).toBe(0);
  });

  it('accepted on the start date: the course starts at once, as before', async () => {
    const c = await client();
    await draftAndSign(c.id);
    const answer = await c.press('contract.accept');
    expect(answer[0]).toBe(ACCEPTED);
    expect(answer.join('\n')).toContain('Del 1');
    expect(answer.join('\n')).not.toContain('Kurset starter');
    expect(await startTimers((await enrollment(c.id)).id)).toEqual([]);
  });
});

describe('a signed change of course', () => {
  it('before the course starts, the enrollment becomes the signed course', async () => {
    const c = await client();
    await draftAndSign(c.id, { course: 'sleep', startDate: '2026-11-26' });
    await c.press('contract.accept');
    const waiting = await enrollment(c.id);
    expect([waiting.flowId, waiting.status]).toEqual(['sleep', 'pending']);
    h.clock.now = new Date('2026-11-26T08:00:00.000Z');
    expect(await fireDueTimers(h.deps)).toBe(1);
    const started = await enrollment(c.id);
    expect([started.flowId, started.status]).toEqual(['sleep', 'active']);
  });

  it('once the course has started, drafting a change of course is refused (409 in the API)', async () => {
    const c = await client();
    await draftAndSign(c.id);
    await c.press('contract.accept');
    expect((await enrollment(c.id)).status).toBe('active');
    expect(await draftContract(h.deps, therapist, c.id, { course: 'anxiety' })).toEqual({
      ok: false,
      error: 'course_started',
    });
    // Nothing was drafted; another change still is.
    expect((await contractForStaff(h.deps, therapist, c.id))?.history).toHaveLength(1);
    const amended = await draftContract(h.deps, therapist, c.id, { course: 'depression', paceDays: 10 });
    expect(amended.ok).toBe(true);
  });
});

describe("the clinic's default plan", () => {
  const texts = { dataSharing: '', ending: '' };

  it('ends no earlier than its last contact, and puts no contact on a weekend', () => {
    // Saturday 28 November 2026.
    const draft = defaultContract(CLINIC_CONTRACT_DEFAULTS, { course: 'sleep', today: '2026-11-28', texts });
    // One pace on is Saturday 5 December: the first contact moves to Monday 7 December.
    expect(draft.contacts.firstDate).toBe('2026-12-07');
    const dates = contactDates(draft.contacts);
    expect(dates).toEqual([
      '2026-12-07',
      '2026-12-21',
      '2027-01-04',
      '2027-01-18',
      '2027-02-01',
      '2027-02-15',
    ]);
    expect(draft.endDate).toBe('2027-02-15');
    // Fewer contacts: the six parts set the end.
    const short = defaultContract(
      { ...CLINIC_CONTRACT_DEFAULTS, contactCount: 2 },
      { course: 'sleep', today: '2026-11-23', texts },
    );
    expect(short.endDate).toBe('2027-01-04');
  });

  it('moves a slot that falls on a weekend to the next Monday, and never plans one day twice', () => {
    // Every 10 days from Wednesday 2 December: Saturday 12th -> Monday 14th; Tuesday 22nd.
    expect(contactDates({ count: 3, everyDays: 10, firstDate: '2026-12-02' })).toEqual([
      '2026-12-02',
      '2026-12-14',
      '2026-12-22',
    ]);
    // Daily from Friday: Saturday and Sunday both land on Monday, once.
    expect(contactDates({ count: 4, everyDays: 1, firstDate: '2026-12-04' })).toEqual([
      '2026-12-04',
      '2026-12-07',
    ]);
  });

  it('drafted and signed on a Saturday, plans every contact on a weekday within the period', async () => {
    h.clock.now = new Date('2026-11-28T09:00:00.000Z');
    const c = await client();
    const signed = await draftAndSign(c.id);
    await c.press('contract.accept');
    const fields = signed.fields as ContractFields;
    const contacts = (await listContacts(h.deps, therapist, c.id))!.contacts;
    expect(contacts).toHaveLength(6);
    for (const contact of contacts) {
      const weekday = new Date(`${contact.localDate}T12:00:00Z`).getUTCDay();
      expect([0, 6]).not.toContain(weekday);
      expect(contact.localDate <= fields.endDate).toBe(true);
    }
  });
});

describe('the expected end follows the plan', () => {
  // The clinic's draft on Monday 23 November 2026: six weekly parts, six contacts every 14 days from
  // Monday 30 November, so the end is the sixth contact, 8 February 2027.
  async function drafted(clientId: string, fields: Record<string, unknown>) {
    const outcome = await draftContract(h.deps, therapist, clientId, fields);
    if (!outcome.ok || !('contract' in outcome)) throw new Error(JSON.stringify(outcome));
    return outcome.contract.fields;
  }

  it('more contacts: the end is the last of them, not the sixth part', async () => {
    const c = await client();
    expect((await drafted(c.id, goals)).endDate).toBe('2027-02-08');
    const fields = await drafted(c.id, { contacts: { count: 10 } });
    const last = contactDates(fields.contacts).at(-1)!;
    expect(last).toBe('2027-04-05');
    expect(fields.endDate).toBe(last);
  });

  it('no contacts: six parts at the pace', async () => {
    const c = await client();
    const fields = await drafted(c.id, { ...goals, contacts: { count: 0 }, paceDays: 10 });
    expect(fields.endDate).toBe('2027-01-22');
  });

  it('only the start moved: the default first contact and the end move with it', async () => {
    const c = await client();
    await drafted(c.id, goals);
    // Two weeks later, Monday 7 December: the first contact a week on, the sixth ten weeks after it.
    const fields = await drafted(c.id, { startDate: '2026-12-07' });
    expect(fields.contacts.firstDate).toBe('2026-12-14');
    expect(fields.endDate).toBe('2027-02-22');
    // A first contact the therapist chose stays where it is; the end still follows the plan.
    await drafted(c.id, { contacts: { firstDate: '2026-12-16' } });
    const moved = await drafted(c.id, { startDate: '2026-12-09' });
    expect(moved.contacts.firstDate).toBe('2026-12-16');
    expect(moved.endDate).toBe('2027-02-24');
  });

  it('an end date given with the change wins, and is checked as always', async () => {
    const c = await client();
    const fields = await drafted(c.id, { ...goals, startDate: '2026-12-07', endDate: '2027-06-01' });
    expect([fields.contacts.firstDate, fields.endDate]).toEqual(['2026-12-14', '2027-06-01']);
    expect(
      await draftContract(h.deps, therapist, c.id, { paceDays: 14, endDate: '2026-12-01' }),
    ).toMatchObject({
      ok: false,
      error: 'invalid',
      issues: [{ field: 'endDate', reason: 'end_not_after_start' }],
    });
  });

  it('the end-of-course questionnaire is planned on the moved end', async () => {
    const c = await client();
    await draftAndSign(c.id, { startDate: '2026-12-07' });
    await c.press('contract.accept');
    const atEnd = (await h.deps.db.read((q) => plannedMeasurements(q, c.id))).filter(
      (m) => m.contactId === undefined,
    );
    expect(atEnd.map((m) => localDateOf(new Date(m.dueAt!), 'Europe/Oslo'))).toEqual(['2027-02-22']);
  });
});
