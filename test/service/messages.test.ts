import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGsm7Char } from '../../src/channels/sms/gsm7.ts';
import { formatSms } from '../../src/channels/sms/twilio-sender.ts';
import { parseTherapistMessage } from '../../src/domain/keywords.ts';
import { intoSendWindow } from '../../src/domain/quiet-hours.ts';
import { createClient } from '../../src/service/clients.ts';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import type { SendResult } from '../../src/service/deps.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { fireDueSchedules, scheduleMeasurement } from '../../src/service/measurements.ts';
import { listMessages, sendTherapistMessage } from '../../src/service/messages.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import { clientView, dashboardView } from '../../src/service/workspace.ts';
import { openAlerts } from '../../src/storage/alerts.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { unreadMessageCounts } from '../../src/storage/messages.ts';
import { clientTranscript } from '../../src/storage/transcript.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

/*
 * Messages between therapist and client (issue 13 item 6): the therapist's message reaches the client's
 * last channel (web chat: the transcript; SMS: an outbox row, GSM-7, in the send window) without
 * disturbing a questionnaire waiting for an answer; the client's VEILEDER message lands in the inbox,
 * unread until listed; safety runs first on it.
 */

const DAY = 86_400_000;
let h: Harness;
/** What the SMS provider answers to every send. */
let smsAnswer: SendResult;
beforeEach(async () => {
  smsAnswer = { ok: true };
  h = await makeHarness({
    senders: { sms: { mode: 'push', send: async () => smsAnswer, format: formatSms } },
  });
  await h.deps.db.write(async (tx) => {
    for (const s of [therapist, other, admin]) {
      await tx.execute({
        sql: `INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?)`,
        args: [s.staffId, s.email, s.name, s.role, h.clock.now.toISOString()],
      });
    }
  });
});
afterEach(() => h.close());

const therapist: StaffActor = {
  staffId: 'ther-a',
  email: 'a@clinic.test',
  name: 'Åse Ødegård',
  role: 'therapist',
  locale: 'nb',
  via: 'api',
};
const other: StaffActor = { ...therapist, staffId: 'ther-b', email: 'b@clinic.test', name: 'Bo' };
const admin: StaffActor = {
  ...therapist,
  staffId: 'adm',
  email: 'adm@clinic.test',
  name: 'Ada',
  role: 'admin',
};

/** A client of `therapist`, linked on `channel` (the web chat's twin, or SMS). */
async function linkedClient(channel: 'terminal' | 'sms', address = channel === 'sms' ? '+4791234567' : 'w') {
  const created = await createClient(h.deps, {
    course: 'intro',
    locale: 'nb',
    therapistId: therapist.staffId,
  });
  if (!created.ok) throw new Error('no client');
  const send = async (text: string) => {
    const outcome = await handleInbound(h.deps, {
      channel,
      address,
      content: { kind: 'message', text },
      createAddress: true,
    });
    if (outcome.kind !== 'handled') throw new Error(outcome.kind);
    return outcome.replies.map((r) => r.text);
  };
  await send(created.accessCode);
  return { clientId: created.clientId, send };
}

const text = (key: string, vars?: Record<string, string>) => h.deps.catalog.text('nb', key, vars);
const outbox = () => h.deps.db.read(async (q) => (await q.execute('SELECT * FROM outbox ORDER BY id')).rows);

describe('the reply word', () => {
  it('is VEILEDER or THERAPIST at the start, in any case; the rest is the message', () => {
    expect(parseTherapistMessage('VEILEDER jeg får ikke sove')).toEqual({ body: 'jeg får ikke sove' });
    expect(parseTherapistMessage('therapist: can we talk?')).toEqual({ body: 'can we talk?' });
    expect(parseTherapistMessage(' Veileder ')).toEqual({ body: '' });
    expect(parseTherapistMessage('Veilederen min sa noe')).toBeUndefined();
    expect(parseTherapistMessage('jeg vil snakke med veileder')).toBeUndefined();
  });
});

describe('a message from the therapist', () => {
  it('reaches the web chat under a line naming the therapist, with one audit row', async () => {
    const { clientId } = await linkedClient('terminal');
    const outcome = await sendTherapistMessage(
      h.deps,
      therapist,
      clientId,
      'Hei! Husk øvelsen {name} i dag.',
    );
    expect(outcome).toMatchObject({
      ok: true,
      delivered: true,
      message: { direction: 'out', channel: 'terminal' },
    });
    const transcript = await h.deps.db.read((q) => clientTranscript(q, clientId));
    // The therapist's words are not read as a template: "{name}" stays as written.
    expect(transcript.at(-1)).toMatchObject({
      direction: 'out',
      text: text('messages.from_therapist', { name: 'Åse Ødegård', text: 'Hei! Husk øvelsen {name} i dag.' }),
    });
    const audit = await h.deps.db.read(
      async (q) =>
        (await q.execute(`SELECT action, client_id FROM audit_log WHERE action LIKE 'message.%'`)).rows,
    );
    expect(audit.map((r) => [r.action, r.client_id])).toEqual([['message.send', clientId]]);
  });

  it('reaches SMS behind a discreet notice held to the send window, then as an outbox row in GSM-7', async () => {
    const { clientId, send } = await linkedClient('sms');
    const before = (await outbox()).length;
    h.clock.now = new Date('2026-11-23T22:30:00.000Z'); // 23:30 in Oslo
    await sendTherapistMessage(h.deps, therapist, clientId, 'Hei – «husk» øvelsen 😊');
    const rows = (await outbox()).slice(before);
    expect(rows).toHaveLength(1);
    const notice = JSON.parse(String(rows[0]!.payload)) as { text: string };
    expect(notice.text).toBe(text('sms.discreet_notice', { clinic: text('sms.discreet_clinic') }));
    expect(rows[0]!.next_attempt_at).toBe(intoSendWindow(h.clock.now, 'Europe/Oslo').toISOString());
    expect(String(rows[0]!.next_attempt_at) > h.clock.now.toISOString()).toBe(true);
    // The client answers in the morning: the message goes out at once.
    h.clock.now = new Date('2026-11-24T07:05:00.000Z');
    await send('JA');
    const released = (await outbox()).slice(before + 1);
    expect(released).toHaveLength(1);
    const payload = JSON.parse(String(released[0]!.payload)) as { text: string };
    expect(payload.text).toContain('Åse Ødegård');
    expect([...payload.text].every(isGsm7Char)).toBe(true);
    expect(released[0]!.next_attempt_at).toBe(h.clock.now.toISOString());
  });

  it('does not disturb a questionnaire waiting for an answer', async () => {
    const { clientId, send } = await linkedClient('terminal');
    await scheduleMeasurement(h.deps, { clientId, flowId: 'screen', everyDays: 1 });
    h.clock.advance(2 * DAY);
    expect(await fireDueSchedules(h.deps)).toBe(1);
    const enrollmentsBefore = await h.deps.db.read((q) => listEnrollments(q, clientId));
    await sendTherapistMessage(h.deps, therapist, clientId, 'Fint at du svarer på skjemaet.');
    expect(await h.deps.db.read((q) => listEnrollments(q, clientId))).toEqual(enrollmentsBefore);
    await send('0');
    await send('0');
    await send('0');
    expect(await send('0')).toEqual([
      text('questionnaire.thanks'),
      text('service.resumed'),
      text('intro.ask_ready'),
    ]);
  });

  it('is refused (not found) for a client of another therapist, and nothing is written', async () => {
    const { clientId } = await linkedClient('terminal');
    expect(await sendTherapistMessage(h.deps, other, clientId, 'Hei')).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await listMessages(h.deps, other, clientId)).toBeUndefined();
    expect(await h.deps.db.read((q) => unreadMessageCounts(q))).toEqual(new Map());
  });

  it('is kept but not delivered when the client has no channel yet', async () => {
    const created = await createClient(h.deps, { course: 'intro', therapistId: therapist.staffId });
    if (!created.ok) throw new Error();
    const outcome = await sendTherapistMessage(h.deps, therapist, created.clientId, 'Velkommen');
    expect(outcome).toMatchObject({ ok: true, delivered: false });
    expect((await listMessages(h.deps, therapist, created.clientId))?.messages).toHaveLength(1);
  });
});

describe('a message from the client', () => {
  it('lands in the inbox unread, leaves the flow where it was, and is marked read when listed', async () => {
    const { clientId, send } = await linkedClient('sms');
    await scheduleMeasurement(h.deps, { clientId, flowId: 'screen', everyDays: 1 });
    h.clock.advance(2 * DAY);
    await fireDueSchedules(h.deps);
    // Kept for the therapist, and the waiting item asked again.
    const sent = await send('VEILEDER Kan vi flytte samtalen?');
    expect(sent[0]).toBe(text('messages.sent'));
    expect(sent.slice(1).join('\n')).toMatch(/^Liten interesse for eller glede av å gjøre ting/);
    expect(await send('Veileder')).toEqual([text('messages.empty')]);
    expect(await h.deps.db.read((q) => unreadMessageCounts(q))).toEqual(new Map([[clientId, 1]]));
    // The questionnaire still takes the next answers.
    await send('0');
    await send('0');
    await send('0');
    expect((await send('0'))[0]).toBe(text('questionnaire.thanks'));
    // The therapist's dashboard counts it on the client's row.
    const row = async () =>
      (await dashboardView(h.deps, therapist)).caseload.find((e) => e.clientId === clientId);
    expect((await row())?.unreadMessages).toBe(1);

    const list = await listMessages(h.deps, therapist, clientId);
    expect(list?.unread).toBe(1);
    expect(list?.messages.map((m) => [m.direction, m.text, m.channel])).toEqual([
      ['in', 'Kan vi flytte samtalen?', 'sms'],
    ]);
    expect(await h.deps.db.read((q) => unreadMessageCounts(q))).toEqual(new Map());
    expect((await listMessages(h.deps, therapist, clientId))?.unread).toBe(0);
    expect((await row())?.unreadMessages).toBe(0);
  });

  it('lists both directions newest first', async () => {
    const { clientId, send } = await linkedClient('terminal');
    await sendTherapistMessage(h.deps, therapist, clientId, 'Hvordan går det?');
    h.clock.advance(60_000);
    await send('THERAPIST Det går bra');
    const list = await listMessages(h.deps, therapist, clientId);
    expect(list?.messages.map((m) => [m.direction, m.text, m.staff?.name])).toEqual([
      ['in', 'Det går bra', undefined],
      ['out', 'Hvordan går det?', 'Åse Ødegård'],
    ]);
  });

  it('in crisis gets the crisis protocol first, and is still kept for the therapist', async () => {
    const { clientId, send } = await linkedClient('sms');
    const replies = await send('VEILEDER jeg har kjøpt tabletter og skal ta dem alle i kveld');
    expect(replies).not.toContain(text('messages.sent'));
    const alerts = await h.deps.db.read((q) => openAlerts(q));
    expect(alerts.map((a) => [a.clientId, a.tier])).toEqual([[clientId, 'crisis']]);
    expect(await h.deps.db.read((q) => unreadMessageCounts(q))).toEqual(new Map([[clientId, 1]]));
  });
});

describe("where a therapist's message is (delivery)", () => {
  /** The delivery of the client's newest message as the list shows it (an admin's look marks nothing). */
  const listed = async (clientId: string) =>
    (await listMessages(h.deps, admin, clientId))?.messages[0]?.delivery;
  const flagged = async (clientId: string) =>
    (await dashboardView(h.deps, admin)).caseload.find((e) => e.clientId === clientId)?.flags.messageFailed;
  const refused: SendResult = {
    ok: false,
    retryable: false,
    error: 'twilio 21211',
    address: 'undeliverable',
  };

  it('is sent on the web chat once it is in the transcript, and no_channel without a channel', async () => {
    const { clientId } = await linkedClient('terminal');
    const outcome = await sendTherapistMessage(h.deps, therapist, clientId, 'Hei');
    expect(outcome).toMatchObject({ ok: true, delivered: true, message: { delivery: 'sent' } });
    expect(await listed(clientId)).toBe('sent');
    const created = await createClient(h.deps, { course: 'intro', therapistId: therapist.staffId });
    if (!created.ok) throw new Error();
    expect(await sendTherapistMessage(h.deps, therapist, created.clientId, 'Hei')).toMatchObject({
      delivered: false,
      message: { delivery: 'no_channel' },
    });
    expect(await listed(created.clientId)).toBe('no_channel');
    expect(await flagged(clientId)).toBe(false);
  });

  it('waits behind the discreet notice, and fails when the provider refuses the number', async () => {
    const { clientId } = await linkedClient('sms');
    await deliverOutbox(h.deps);
    h.clock.now = new Date('2026-11-24T10:00:00.000Z');
    const outcome = await sendTherapistMessage(h.deps, therapist, clientId, 'Hvordan går det?');
    // `delivered` keeps its old meaning (a channel existed); `delivery` says the message has not gone.
    expect(outcome).toMatchObject({ ok: true, delivered: true, message: { delivery: 'waiting' } });
    expect(await listed(clientId)).toBe('waiting');
    smsAnswer = refused;
    await deliverOutbox(h.deps);
    expect(await listed(clientId)).toBe('failed');
    expect(await flagged(clientId)).toBe(true);
    // The number is refused: the next message to it has failed before it could go.
    smsAnswer = { ok: true };
    const again = await sendTherapistMessage(h.deps, therapist, clientId, 'Prøver igjen');
    expect(again).toMatchObject({ delivered: true, message: { delivery: 'failed' } });
    expect(await flagged(clientId)).toBe(true);
  });

  it('waits through a passing error, then is sent; refused after release, it fails', async () => {
    const { clientId, send } = await linkedClient('sms');
    await deliverOutbox(h.deps);
    h.clock.now = new Date('2026-11-24T10:00:00.000Z');
    await sendTherapistMessage(h.deps, therapist, clientId, 'Første');
    await deliverOutbox(h.deps);
    // The client answers the notice: the message itself goes to the outbox, and the provider fails once.
    await send('JA');
    smsAnswer = { ok: false, retryable: true, error: 'HTTP 500' };
    await deliverOutbox(h.deps);
    const row = (await outbox()).find((r) => String(r.payload).includes('Første'));
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await listed(clientId)).toBe('waiting');
    smsAnswer = { ok: true };
    h.clock.advance(3_600_000);
    await deliverOutbox(h.deps);
    expect(await listed(clientId)).toBe('sent');
    expect(await flagged(clientId)).toBe(false);

    // A reply to the client's own message is not held: the next message goes straight to the outbox.
    await send('VEILEDER takk');
    await sendTherapistMessage(h.deps, therapist, clientId, 'Andre');
    smsAnswer = refused;
    await deliverOutbox(h.deps);
    const list = (await listMessages(h.deps, admin, clientId))?.messages ?? [];
    expect(list.filter((m) => m.direction === 'out').map((m) => [m.text, m.delivery])).toEqual([
      ['Andre', 'failed'],
      ['Første', 'sent'],
    ]);
    expect(await flagged(clientId)).toBe(true);
  });

  it('fails when the client sends STOP before a held message went', async () => {
    const { clientId } = await linkedClient('sms');
    h.clock.now = new Date('2026-11-24T10:00:00.000Z');
    await sendTherapistMessage(h.deps, therapist, clientId, 'Hei');
    expect(await listed(clientId)).toBe('waiting');
    const stop = await handleInbound(h.deps, {
      channel: 'sms',
      address: '+4791234567',
      content: { kind: 'keyword', keyword: 'stop', text: 'STOP' },
    });
    expect(stop.kind).toBe('handled');
    expect(await listed(clientId)).toBe('failed');
    expect(await flagged(clientId)).toBe(true);
  });
});

describe('who reads the inbox', () => {
  const unread = () => h.deps.db.read((q) => unreadMessageCounts(q));
  const audits = () =>
    h.deps.db.read(
      async (q) => (await q.execute('SELECT action, staff_id FROM audit_log ORDER BY seq')).rows,
    );

  it("the responsible therapist's client page marks the messages read; an admin's look does not", async () => {
    const { clientId, send } = await linkedClient('terminal');
    await send('VEILEDER Kan vi snakke?');
    const before = (await audits()).length;

    const adminList = await listMessages(h.deps, admin, clientId);
    expect(adminList).toMatchObject({ unread: 1, markedRead: false });
    expect((await clientView(h.deps, admin, clientId))?.messages[0]?.readAt).toBeUndefined();
    expect(await unread()).toEqual(new Map([[clientId, 1]]));
    expect(await clientView(h.deps, other, clientId)).toBeUndefined();
    expect(await unread()).toEqual(new Map([[clientId, 1]]));

    // The page shows the message as it was (unread), and from now on it is read.
    const page = await clientView(h.deps, therapist, clientId);
    expect(page?.messages[0]).toMatchObject({ direction: 'in', readAt: undefined });
    expect(await unread()).toEqual(new Map());
    expect((await clientView(h.deps, therapist, clientId))?.messages[0]?.readAt).toBe(
      h.clock.now.toISOString(),
    );
    expect(await listMessages(h.deps, therapist, clientId)).toMatchObject({ unread: 0, markedRead: true });
    // One audit row per read, as before.
    expect((await audits()).slice(before).map((r) => [r.action, r.staff_id])).toEqual([
      ['message.list', admin.staffId],
      ['client.view', admin.staffId],
      ['client.view', therapist.staffId],
      ['client.view', therapist.staffId],
      ['message.list', therapist.staffId],
    ]);
  });
});
