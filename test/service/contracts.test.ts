import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, type ContractFields } from '../../src/domain/contract.ts';
import { createClient } from '../../src/service/clients.ts';
import { listContacts } from '../../src/service/contacts.ts';
import {
  type ContractFieldsInput,
  contractForStaff,
  draftContract,
  signContractAsTherapist,
  waiveContract,
} from '../../src/service/contracts.ts';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import { handleInbound, type InboundContent, startConversation } from '../../src/service/handle-inbound.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import { insertAddress, linkAddress } from '../../src/storage/addresses.ts';
import { listAudit } from '../../src/storage/audit.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { outboxForAddress } from '../../src/storage/outbox.ts';
import { listTimers } from '../../src/storage/timers.ts';
import { parseChat } from '../conversations/player.ts';
import { draftAndSign as signedContract, therapistA as therapist } from '../support/contracts.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const PHONE = '+4791234567';
let h: Harness;
/** Whether the fake Twilio takes messages (else it answers 503, and they are tried again later). */
let twilioUp = true;

const other: StaffActor = { ...therapist, staffId: 'ther-b', email: 'b@clinic.test' };

const goals = { focus: 'Lite energi og tunge morgener', goals: ['Gå tur tre ganger i uka'] };

beforeEach(async () => {
  twilioUp = true;
  h = await makeHarness({
    senders: {
      sms: {
        mode: 'push',
        send: async () => (twilioUp ? { ok: true } : { ok: false, retryable: true, error: 'HTTP 503' }),
      },
    },
  });
  await h.deps.db.write(async (tx) => {
    for (const s of [therapist, other]) {
      await tx.execute({
        sql: "INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, 'therapist', ?)",
        args: [s.staffId, s.email, s.name, h.clock.now.toISOString()],
      });
    }
  });
});
afterEach(() => h.close());

/** A client in a course, with or without a therapist, linked in the web chat or by SMS. */
async function client(options: { therapist?: boolean; channel?: 'web' | 'sms'; course?: string } = {}) {
  const created = await createClient(h.deps, {
    course: options.course ?? 'depression',
    locale: 'nb',
    therapistId: options.therapist === false ? undefined : therapist.staffId,
  });
  if (!created.ok) throw new Error('no client');
  const channel = options.channel ?? 'web';
  let address = PHONE;
  if (channel === 'web') address = (await startConversation(h.deps, 'web', 'nb')).address.address;
  let n = 0;
  const send = async (content: InboundContent) => {
    // By SMS, what the scheduler's pass sent (or gave up) before the client writes.
    if (channel === 'sms') await deliverOutbox(h.deps);
    const outcome = await handleInbound(h.deps, {
      channel,
      address,
      providerId: `${address}-${++n}`,
      content,
      ...(channel === 'sms' ? { createAddress: true } : {}),
    });
    if (outcome.kind !== 'handled') throw new Error(outcome.kind);
    return outcome;
  };
  const say = async (text: string) => texts(await send({ kind: 'message', text }));
  const press = async (value: string) => texts(await send({ kind: 'button', value }));
  const linked = await say(created.accessCode);
  return { id: created.clientId, say, press, linked, send };
}

const texts = (o: { replies: { text: string; choices?: { value: string }[] }[] }) =>
  o.replies.map((r) => r.text);

const enrollment = async (clientId: string) =>
  (await h.deps.db.read((q) => listEnrollments(q, clientId)))[0]!;

const draftAndSign = (clientId: string, fields: ContractFieldsInput = {}) =>
  signedContract(h.deps, therapist, clientId, { ...goals, ...fields });

describe('the guidance contract', () => {
  it('holds a course with a therapist until the contract is signed, and tells the client why', async () => {
    const c = await client();
    expect(c.linked.join('\n')).toContain('Før kurset starter');
    expect((await enrollment(c.id)).status).toBe('pending');
    expect(await c.say('hei')).toEqual([expect.stringContaining('Før kurset starter')]);
    expect((await enrollment(c.id)).status).toBe('pending');
  });

  it('leaves a client without a therapist as before: the course starts on first contact', async () => {
    const c = await client({ therapist: false });
    expect((await enrollment(c.id)).status).toBe('active');
    expect(c.linked.join('\n')).not.toContain('Før kurset starter');
  });

  it('drafts with the clinic defaults, refuses to sign an incomplete draft, and signs a complete one', async () => {
    const c = await client();
    const drafted = await draftContract(h.deps, therapist, c.id);
    if (!drafted.ok || !('contract' in drafted)) throw new Error('no draft');
    expect(drafted.contract).toMatchObject({
      status: 'draft',
      version: 1,
      therapistSignature: null,
      clientSignature: null,
      courseWaits: true,
      fields: {
        course: 'depression',
        paceDays: 7,
        startDate: '2026-11-23',
        // Six weekly parts end on 4 Jan; the sixth contact (30 Nov + 5 × 14 days) on 8 Feb: the period
        // covers its contacts.
        endDate: '2027-02-08',
        contacts: { count: 6, minutes: 20, mode: 'phone', everyDays: 14, firstDate: '2026-11-30' },
        quiet: { reminderAfterDays: 7, taskAfterDays: 14 },
      },
    });
    expect(await signContractAsTherapist(h.deps, therapist, c.id)).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    expect(await draftContract(h.deps, therapist, c.id, { paceDays: 0 })).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    const sent = await draftAndSign(c.id);
    expect(sent).toMatchObject({
      status: 'sent',
      therapistSignature: { by: therapist.staffId, name: 'Tina Terapeut', at: h.clock.now.toISOString() },
      clientSignature: null,
    });
    expect(await signContractAsTherapist(h.deps, therapist, c.id)).toEqual({
      ok: false,
      error: 'nothing_to_sign',
    });
  });

  it('is not there for another therapist (404), and leaves audit rows for what the therapist did', async () => {
    const c = await client();
    expect(await draftContract(h.deps, other, c.id, goals)).toEqual({ ok: false, error: 'not_found' });
    await draftAndSign(c.id);
    expect(await contractForStaff(h.deps, other, c.id)).toBeUndefined();
    await contractForStaff(h.deps, therapist, c.id);
    const rows = await h.deps.db.read((q) => listAudit(q, { clientId: c.id }));
    expect(rows.map((r) => r.action).reverse()).toEqual(['contract.draft', 'contract.sign', 'contract.view']);
  });

  it('in the web chat: the whole text with two buttons; "Jeg godtar" signs it and opens part 1 at the contract pace', async () => {
    const c = await client();
    // The therapist signs after the client linked: the contract comes in the chat (the transcript).
    await draftAndSign(c.id, { paceDays: 10 });
    const answer = await c.press('contract.accept');
    expect(answer[0]).toBe('Takk! Avtalen er nå signert av deg og veilederen din.');
    expect(answer.join('\n')).toContain('Del 1');
    const view = await contractForStaff(h.deps, therapist, c.id);
    expect(view).toMatchObject({
      status: 'signed',
      clientSignature: { at: h.clock.now.toISOString(), via: 'web' },
      courseWaits: false,
    });
    const started = await enrollment(c.id);
    expect(started.status).toBe('active');
    const settings = (started.persisted!.snapshot as { context: { settings: { partGapDays: number } } })
      .context.settings;
    expect(settings.partGapDays).toBe(10);
    // Signed by both, the contract's contact plan is planned: every contact ahead, in order.
    const planned = await listContacts(h.deps, therapist, c.id);
    const fields = view!.fields as ContractFields;
    expect(planned?.contacts.length).toBe(fields.contacts.count);
    expect(planned?.contacts.every((contact) => contact.status === 'planned')).toBe(true);
  });

  it('shows the contract when the client links after the therapist signed it', async () => {
    const created = await createClient(h.deps, {
      course: 'sleep',
      locale: 'en',
      therapistId: therapist.staffId,
    });
    if (!created.ok) throw new Error('no client');
    await draftContract(h.deps, therapist, created.clientId, { focus: 'Sleep', goals: ['Sleep through'] });
    await signContractAsTherapist(h.deps, therapist, created.clientId);
    const chat = await startConversation(h.deps, 'web', 'en');
    const linked = await handleInbound(h.deps, {
      channel: 'web',
      address: chat.address.address,
      content: { kind: 'message', text: created.accessCode },
    });
    if (linked.kind !== 'handled') throw new Error('not handled');
    expect(linked.replies.map((r) => r.text)).toContain(
      'Here is the agreement for guided self-help that your therapist has written and signed. Please read it, and say whether you accept it or would like to change something.',
    );
    expect(linked.replies.at(-1)?.choices?.map((c) => c.value)).toEqual([
      'contract.accept',
      'contract.change',
    ]);
  });

  it('by SMS: a neutral line first; JA shows one discreet GSM-7 summary with reply words; JA signs it', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    const sent = () =>
      h.deps.db.read(async (q) => {
        const { rows } = await q.execute({
          sql: "SELECT id FROM channel_addresses WHERE channel = 'sms' AND client_id = ?",
          args: [c.id],
        });
        return outboxForAddress(q, String(rows[0]!.id));
      });
    // Discreet by default (no contract is signed yet): the summary waits behind the notice.
    expect(((await sent()).at(-1)!.payload as { text: string }).text).toBe(
      'Du har en ny melding fra klinikken. Svar JA for å se den.',
    );
    expect(await c.say('ja')).toEqual([]);
    const summary = ((await sent()).at(-1)!.payload as { text: string }).text;
    expect(summary).toContain('Svar JA for å godta');
    expect(summary).not.toMatch(/depresj|nedstemt|Lite energi|Gå tur/i);
    expect(summary).toMatch(/^[\x20-\x7EæøåÆØÅ\n]*$/);
    expect(await c.say('ja')).toEqual(
      expect.arrayContaining(['Takk! Avtalen er nå signert av deg og veilederen din.']),
    );
    expect((await contractForStaff(h.deps, therapist, c.id))?.clientSignature?.via).toBe('sms');
    expect((await enrollment(c.id)).status).toBe('active');
  });

  it('keeps the words of a change request for the therapist (ENDRE + words by SMS)', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    expect(await c.say('ENDRE jeg vil heller ha samtaler på video')).toEqual([
      'Takk! Veilederen din får se det og sender deg en ny versjon av avtalen.',
    ]);
    const view = await contractForStaff(h.deps, therapist, c.id);
    expect(view).toMatchObject({
      status: 'changes_requested',
      changeRequest: { text: 'jeg vil heller ha samtaler på video' },
    });
    // The course still waits; the next message is not taken as an answer any more.
    expect(await c.say('hei')).toEqual([expect.stringContaining('Veilederen din ser på endringen')]);
    // The therapist edits and signs again: the same version, sent anew, behind a discreet notice that
    // the first JA opens.
    await draftAndSign(c.id, { contacts: { mode: 'video' } });
    expect(await c.say('JA')).toEqual([]);
    expect(await c.say('JA')).toContain('Takk! Avtalen er nå signert av deg og veilederen din.');
    expect(await contractForStaff(h.deps, therapist, c.id)).toMatchObject({ status: 'signed', version: 1 });
  });

  it('asks what to change after "Jeg vil endre noe", and keeps the next message as the words', async () => {
    const c = await client();
    await draftAndSign(c.id);
    expect(await c.press('contract.change')).toEqual([
      'Skriv gjerne med egne ord hva du vil endre, så får veilederen din se det.',
    ]);
    expect((await contractForStaff(h.deps, therapist, c.id))?.changeRequest).toEqual({
      text: null,
      at: h.clock.now.toISOString(),
    });
    await c.say('Kan vi starte om to uker?');
    expect((await contractForStaff(h.deps, therapist, c.id))?.changeRequest?.text).toBe(
      'Kan vi starte om to uker?',
    );
  });

  it('asks again, politely, after an unclear answer, and never takes it as a yes', async () => {
    const c = await client();
    await draftAndSign(c.id);
    expect(await c.say('hmm, kanskje')).toEqual(['Jeg forstod ikke helt svaret ditt.', 'Godtar du avtalen?']);
    expect((await contractForStaff(h.deps, therapist, c.id))?.status).toBe('sent');
    expect((await enrollment(c.id)).status).toBe('pending');
  });

  it('answers a crisis text with the crisis protocol, not as an answer to the contract', async () => {
    const c = await client();
    await draftAndSign(c.id);
    const replies = await c.say('ja, jeg vil ta livet mitt');
    expect(replies.join('\n')).toContain('113');
    expect(replies).not.toContain('Takk! Avtalen er nå signert av deg og veilederen din.');
    expect((await contractForStaff(h.deps, therapist, c.id))?.status).toBe('sent');
  });

  it('keeps STOP and HELP working by SMS while a contract waits', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    const help = await c.send({ kind: 'keyword', keyword: 'help', text: 'HJELP' });
    expect(help.replies[0]!.text).toContain('Ikke en akuttjeneste');
    expect((await contractForStaff(h.deps, therapist, c.id))?.status).toBe('sent');
  });

  it('after STOP and START by SMS, shows the waiting contract again, not the course question', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    await c.say('ja');
    await c.say('ja');
    await draftAndSign(c.id, { paceDays: 14 });
    await c.send({ kind: 'keyword', keyword: 'stop', text: 'STOPP' });
    const started = await c.send({ kind: 'keyword', keyword: 'start', text: 'START' });
    // What STOP dropped (the summary held behind the notice) was never read: the whole summary again.
    expect(started.replies.at(-1)?.text).toMatch(/^Ny versjon av avtalen .* Svar JA for å godta/);
  });

  it('moves the expected end with a new pace, unless an end date comes with it', async () => {
    const c = await client();
    const first = await draftAndSign(c.id, { paceDays: 7 });
    // The default period covers its six contacts every 14 days from a week after the start.
    expect(first.fields.endDate).toBe(addDays(first.fields.startDate, 77));
    await c.press('contract.accept');
    const slower = await draftContract(h.deps, therapist, c.id, { paceDays: 14 });
    if (!slower.ok || !('contract' in slower)) throw new Error('no amendment');
    expect(slower.contract.fields.endDate).toBe(addDays(first.fields.startDate, 84));
    const given = await draftContract(h.deps, therapist, c.id, { paceDays: 10, endDate: '2027-03-01' });
    if (!given.ok || !('contract' in given)) throw new Error('no amendment');
    expect(given.contract.fields.endDate).toBe('2027-03-01');
  });

  it('makes a change after signing a new version; the old one is superseded once both sign the new', async () => {
    const c = await client();
    await draftAndSign(c.id);
    await c.press('contract.accept');
    const amended = await draftContract(h.deps, therapist, c.id, { paceDays: 14 });
    if (!amended.ok || !('contract' in amended)) throw new Error('no amendment');
    expect(amended.contract).toMatchObject({
      version: 2,
      status: 'draft',
      fields: { paceDays: 14, focus: goals.focus },
    });
    expect(amended.contract.history.map((v) => [v.version, v.status])).toEqual([
      [2, 'draft'],
      [1, 'signed'],
    ]);
    await signContractAsTherapist(h.deps, therapist, c.id);
    const answer = await c.press('contract.accept');
    expect(answer[0]).toBe('Takk! Avtalen er nå signert av deg og veilederen din.');
    const view = await contractForStaff(h.deps, therapist, c.id);
    expect(view?.history.map((v) => [v.version, v.status])).toEqual([
      [2, 'signed'],
      [1, 'superseded'],
    ]);
    expect(view?.history[1]?.fields.paceDays).toBe(7);
  });

  describe('an amended pace moves a running course', () => {
    const DAY = 24 * 60 * 60 * 1000;
    /** A client who signed version 1 (7 days a part) and did part 1: part 2 waits for its gap. */
    async function afterPartOne() {
      const c = await client();
      await draftAndSign(c.id, { paceDays: 7 });
      await c.press('contract.accept');
      const partOne = parseChat(
        readFileSync(new URL('../conversations/course-depression-nb/part-1.chat', import.meta.url), 'utf8'),
      ).steps;
      for (const step of partOne) {
        if ('wait' in step) break;
        if ('press' in step) await c.press(step.press);
        else if ('send' in step && step.send !== '{code}') await c.say(step.send);
      }
      const course = await enrollment(c.id);
      const partTwo = async () => {
        const timers = await h.deps.db.read((q) => listTimers(q, course.id));
        return timers.filter((t) => t.key.includes('gate.p2_open')).map((t) => t.dueAt);
      };
      return { c, course, partTwo, partOneAt: h.clock.now.getTime() };
    }

    async function amendAndAccept(clientId: string, paceDays: number, accept: () => Promise<string[]>) {
      await draftAndSign(clientId, { paceDays });
      return accept();
    }

    it('a longer pace moves the timer of the part that waits', async () => {
      const { c, partTwo, partOneAt } = await afterPartOne();
      const [before] = await partTwo();
      expect(Date.parse(before!) - partOneAt).toBeGreaterThanOrEqual(7 * DAY - DAY / 2);
      expect(Date.parse(before!) - partOneAt).toBeLessThan(8 * DAY);

      h.clock.advance(DAY);
      const replies = await amendAndAccept(c.id, 14, () => c.press('contract.accept'));
      expect(replies[0]).toBe('Takk! Avtalen er nå signert av deg og veilederen din.');
      const [after] = await partTwo();
      expect(Date.parse(after!) - Date.parse(before!)).toBeGreaterThanOrEqual(6.5 * DAY);
      expect(Date.parse(after!) - partOneAt).toBeLessThan(15 * DAY);
      expect(await partTwo()).toHaveLength(1);
    });

    it('a shorter pace whose gap has passed opens the part at once', async () => {
      const { c, partTwo } = await afterPartOne();
      h.clock.advance(3 * DAY);
      const replies = await amendAndAccept(c.id, 2, () => c.press('contract.accept'));
      expect(replies.join('\n')).toContain('Del 2 er klar!');
      expect(await partTwo()).toEqual([]);
      // The next part's gap is the new pace too.
      const started = await c.press('start');
      expect(started.join('\n')).not.toContain('Del 2 er klar!');
    });

    it('is kept for the parts to come when no part waits', async () => {
      const c = await client();
      await draftAndSign(c.id, { paceDays: 7 });
      await c.press('contract.accept');
      await amendAndAccept(c.id, 10, () => c.press('contract.accept'));
      const course = await enrollment(c.id);
      const settings = (course.persisted!.snapshot as { context: { settings: { partGapDays: number } } })
        .context.settings;
      expect(settings.partGapDays).toBe(10);
    });
  });

  it('lets the therapist start the course without a contract, with a reason', async () => {
    const c = await client();
    expect(await waiveContract(h.deps, therapist, c.id, 'Signert på papir i første time')).toEqual({
      ok: true,
      waived: { reason: 'Signert på papir i første time', enrollmentId: (await enrollment(c.id)).id },
    });
    expect((await enrollment(c.id)).status).toBe('active');
    expect(await waiveContract(h.deps, other, c.id, 'x')).toEqual({ ok: false, error: 'not_found' });
  });
});

describe('consent to the contract is explicit, and only to a version the client was shown', () => {
  const SIGNED = 'Takk! Avtalen er nå signert av deg og veilederen din.';
  const snapshotOf = async (clientId: string) => JSON.stringify((await enrollment(clientId)).persisted);
  const statusOf = async (clientId: string) => (await contractForStaff(h.deps, therapist, clientId))?.status;

  /** A web client who signed version 1 and is at PHQ-9's first item when the therapist signs version 2. */
  async function midQuestionnaire(channel: 'web' | 'sms') {
    const c = await client({ channel });
    await draftAndSign(c.id);
    if (channel === 'sms') await c.say('ja');
    await c.say('ja');
    if (channel === 'web') await c.press('start');
    else await c.say('ja');
    expect(JSON.stringify((await enrollment(c.id)).persisted)).toContain('item_0');
    await draftAndSign(c.id, { paceDays: 14 });
    if (channel === 'sms') await c.say('ja');
    return c;
  }

  it('in the web chat, a digit meant for the questionnaire is asked again, and neither signs nor answers', async () => {
    const c = await midQuestionnaire('web');
    const before = await snapshotOf(c.id);
    expect(await c.say('1')).toEqual(['Jeg forstod ikke helt svaret ditt.', 'Godtar du avtalen?']);
    expect(await c.say('2')).toEqual(['Jeg forstod ikke helt svaret ditt.', 'Godtar du avtalen?']);
    expect(await statusOf(c.id)).toBe('sent');
    expect(await snapshotOf(c.id)).toBe(before);
    // The buttons and the words still answer it.
    expect((await c.press('contract.accept'))[0]).toBe(SIGNED);
  });

  it('by SMS, "1" is asked again as well; JA signs', async () => {
    const c = await midQuestionnaire('sms');
    expect(await c.say('1')).toEqual([
      'Jeg forstod ikke helt svaret ditt.',
      h.deps.catalog.text('nb', 'contract.sms_question'),
    ]);
    expect(await statusOf(c.id)).toBe('sent');
    expect((await c.say('JA'))[0]).toBe(SIGNED);
  });

  it('a client under STOP signs nothing; after START the contract comes again, and then JA signs it', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    // The summary waits behind the discreet notice; STOP drops it.
    await c.send({ kind: 'keyword', keyword: 'stop', text: 'STOPP' });
    await c.say('hei');
    expect(await c.say('JA')).not.toContain(SIGNED);
    expect(await c.send({ kind: 'button', value: 'contract.accept' }).then(texts)).not.toContain(SIGNED);
    expect(await statusOf(c.id)).toBe('sent');
    expect((await enrollment(c.id)).status).toBe('pending');
    const started = texts(await c.send({ kind: 'keyword', keyword: 'start', text: 'START' }));
    expect(started.at(-1)).toMatch(/^Avtale om veiledet selvhjelp: .* Svar JA for å godta/);
    expect(started.join('\n')).not.toMatch(/Liten interesse/);
    expect((await c.say('JA'))[0]).toBe(SIGNED);
    expect(await statusOf(c.id)).toBe('signed');
  });

  it('a JA that comes before the summary went out (Twilio down) shows it, and signs nothing', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    // The neutral line's JA releases the summary, which Twilio does not take yet.
    await c.say('ja');
    twilioUp = false;
    const again = await c.say('ja');
    expect(again).toEqual([expect.stringMatching(/^Avtale om veiledet selvhjelp: .* Svar JA for å godta/)]);
    expect(await statusOf(c.id)).toBe('sent');
    twilioUp = true;
    h.clock.advance(60 * 60_000);
    expect((await c.say('ja'))[0]).toBe(SIGNED);
  });

  it('a stale or crafted "contract.accept" in a conversation that was not shown the version shows it there', async () => {
    const c = await client();
    // The client also has a phone, and left the web chat: the contract goes there, behind a notice.
    await h.deps.db.write(async (tx) => {
      const at = h.clock.now.toISOString();
      await insertAddress(tx, { id: 'sms-1', channel: 'sms', address: PHONE, locale: 'nb', createdAt: at });
      await linkAddress(tx, 'sms-1', c.id, at);
    });
    h.clock.advance(20 * 60_000);
    await draftAndSign(c.id);
    const shown = await c.send({ kind: 'button', value: 'contract.accept' });
    expect(texts(shown)).not.toContain(SIGNED);
    expect(texts(shown)[0]).toMatch(/^Her er avtalen/);
    expect(shown.replies.at(-1)?.choices?.map((choice) => choice.value)).toEqual([
      'contract.accept',
      'contract.change',
    ]);
    expect(await statusOf(c.id)).toBe('sent');
    expect((await c.press('contract.accept'))[0]).toBe(SIGNED);
  });

  it('after a waiver, a contract signed later reaches the client who links, and is accepted as any other', async () => {
    const created = await createClient(h.deps, {
      course: 'depression',
      locale: 'nb',
      therapistId: therapist.staffId,
    });
    if (!created.ok) throw new Error('no client');
    expect(await waiveContract(h.deps, therapist, created.clientId, 'Signert på papir')).toMatchObject({
      ok: true,
    });
    await draftAndSign(created.clientId);
    const chat = await startConversation(h.deps, 'web', 'nb');
    const send = async (content: InboundContent) => {
      const outcome = await handleInbound(h.deps, { channel: 'web', address: chat.address.address, content });
      if (outcome.kind !== 'handled') throw new Error(outcome.kind);
      return outcome;
    };
    const linked = await send({ kind: 'message', text: created.accessCode });
    // The course started (the waiver), and the contract comes after it, with its question last.
    expect(texts(linked).join('\n')).toContain('Velkommen til kurset');
    expect(texts(linked)).toContain(h.deps.catalog.text('nb', 'contract.full.intro'));
    expect(linked.replies.at(-1)?.choices?.map((choice) => choice.value)).toEqual([
      'contract.accept',
      'contract.change',
    ]);
    expect(texts(await send({ kind: 'button', value: 'contract.accept' }))[0]).toBe(SIGNED);
    expect(await statusOf(created.clientId)).toBe('signed');
  });

  it('after a waiver, a contract signed while a conversation is linked goes there at once', async () => {
    const c = await client();
    await waiveContract(h.deps, therapist, c.id, 'Signert på papir');
    await draftAndSign(c.id);
    expect(await c.say('ja')).toContain(SIGNED);
  });
});

describe('writing to the therapist while a contract waits', () => {
  it('the chat menu keeps the message, then asks the contract question again with its buttons', async () => {
    const c = await client();
    await draftAndSign(c.id);
    await c.press('menu.therapist');
    const sent = await c.send({ kind: 'message', text: 'Kan vi snakke om målene først?' });
    expect(texts(sent)).toEqual([
      'Meldingen er sendt til veilederen din. Den blir lest i åpningstiden.',
      'Godtar du avtalen?',
    ]);
    expect(sent.replies.at(-1)?.choices?.map((choice) => choice.value)).toEqual([
      'contract.accept',
      'contract.change',
    ]);
    // The next answer goes to the contract, not to "I did not quite understand".
    expect((await c.say('ja'))[0]).toBe('Takk! Avtalen er nå signert av deg og veilederen din.');
  });

  it('the chat menu asks the contract question, not the course question, when an amendment waits', async () => {
    const c = await client();
    await draftAndSign(c.id);
    await c.press('contract.accept');
    await draftAndSign(c.id, { paceDays: 14 });
    await c.press('menu.therapist');
    const sent = await c.say('Hei');
    expect(sent.at(-1)).toBe('Godtar du avtalen?');
  });

  it('by SMS, a VEILEDER message is kept and the contract question is repeated', async () => {
    const c = await client({ channel: 'sms' });
    await draftAndSign(c.id);
    await c.say('ja');
    expect(await c.say('VEILEDER kan vi ta det på video?')).toEqual([
      h.deps.catalog.text('nb', 'messages.sent'),
      h.deps.catalog.text('nb', 'contract.sms_question'),
    ]);
    expect(await contractForStaff(h.deps, therapist, c.id)).toMatchObject({ status: 'sent' });
  });
});
