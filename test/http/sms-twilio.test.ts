import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { normaliseForGsm7 } from '../../src/channels/sms/gsm7.ts';
import { computeTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';
import { listOpenAlerts } from '../../src/service/alerts.ts';
import { createClient } from '../../src/service/clients.ts';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import { handleInbound, startConversation } from '../../src/service/handle-inbound.ts';
import { fireDueSchedules, scheduleMeasurement } from '../../src/service/measurements.ts';
import { tick } from '../../src/service/scheduler.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { deliveryAttempts, deliveryStatuses, outboxForAddress } from '../../src/storage/outbox.ts';
import { clientResponses } from '../../src/storage/responses.ts';
import { registryWithBrokenFlow } from '../support/broken-flow.ts';
import { FakeClock } from '../support/harness.ts';
import { OUR_NUMBER, startSmsServer, TWILIO_ACCOUNT, TWILIO_TOKEN } from '../support/sms.ts';

const ACCOUNT = TWILIO_ACCOUNT;
const TOKEN = TWILIO_TOKEN;

let sms: Awaited<ReturnType<typeof startSmsServer>>;
let twilio: Awaited<ReturnType<typeof startSmsServer>>['twilio'];
let server: Awaited<ReturnType<typeof startSmsServer>>['server'];
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let sid = 0;

beforeAll(async () => {
  sms = await startSmsServer({ overrides: { clock: clock.read, flows: registryWithBrokenFlow } });
  ({ server, twilio } = sms);
});
afterAll(() => sms.close());
afterEach(() => {
  twilio.messages.length = 0;
});

async function post(
  path: string,
  params: Record<string, string>,
  signature?: string | null,
  signedUrl?: string,
) {
  const url = `${server.url}${path}`;
  const header =
    signature === undefined ? await computeTwilioSignature(TOKEN, signedUrl ?? url, params) : signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(header === null ? {} : { 'x-twilio-signature': header }),
    },
    body: new URLSearchParams(params).toString(),
  });
}

function inbound(from: string, body: string, messageSid = `SM${String(++sid).padStart(32, '0')}`) {
  return {
    MessageSid: messageSid,
    AccountSid: ACCOUNT,
    From: from,
    To: OUR_NUMBER,
    Body: body,
    NumMedia: '0',
  };
}

/**
 * Waits until every message for `number` that is due has been tried: the server kicks its own delivery
 * pass after each webhook, so the test delivers too and then waits for whichever pass took a row.
 */
async function settle(number: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await deliverOutbox(server.deps);
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', number));
    const rows = address ? await server.deps.db.read((q) => outboxForAddress(q, address.id)) : [];
    const inFlight = rows.filter((r) => r.status === 'pending' && r.attempts === 0);
    if (inFlight.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`messages to ${number} never settled`);
}

/** Sends an SMS from `from` and returns the texts Twilio was asked to send back. */
function text(from: string, body: string, messageSid?: string): Promise<string[]> {
  return deliver(inbound(from, body, messageSid));
}

/** An MMS: `body` (often empty) with one picture, as Twilio posts it. */
function mms(from: string, body: string, messageSid?: string): Promise<string[]> {
  return deliver({
    ...inbound(from, body, messageSid),
    NumMedia: '1',
    MediaContentType0: 'image/jpeg',
    MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/MM1/Media/ME1`,
  });
}

async function deliver(params: Record<string, string>): Promise<string[]> {
  const from = params.From!;
  const before = twilio.messages.length;
  const response = await post('/channels/sms/twilio', params);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('<Response></Response>');
  await settle(from);
  return twilio.messages
    .slice(before)
    .filter((m) => m.to === from)
    .map((m) => m.body);
}

const t = (key: string, vars?: Record<string, string>) => server.deps.catalog.text('nb', key, vars);

async function linkedNumber(number: string, course = 'intro') {
  const created = await createClient(server.deps, { course, locale: 'nb' });
  if (!created.ok) throw new Error();
  await text(number, created.accessCode);
  return created;
}

describe('Twilio webhook signatures', () => {
  it('refuses a missing, a wrong, and a signature over another URL with 403, and changes nothing', async () => {
    const params = inbound('+4791000001', 'hei');
    expect((await post('/channels/sms/twilio', params, null)).status).toBe(403);
    expect((await post('/channels/sms/twilio', params, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    const elsewhere = await post(
      '/channels/sms/twilio',
      params,
      undefined,
      'https://evil.example/channels/sms/twilio',
    );
    expect(elsewhere.status).toBe(403);
    const tampered = await computeTwilioSignature(TOKEN, `${server.url}/channels/sms/twilio`, params);
    expect((await post('/channels/sms/twilio', { ...params, Body: 'endret' }, tampered)).status).toBe(403);
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000001'));
    expect(address).toBeUndefined();
    expect(
      (await post('/channels/sms/twilio/status', { MessageSid: 'SMx', MessageStatus: 'delivered' }, null))
        .status,
    ).toBe(403);
  });
});

describe('SMS conversations', () => {
  it('tells an unknown number how to start, links it by access code, and numbers the choices', async () => {
    expect(await text('+4791000002', 'Hei')).toEqual([t('service.welcome')]);
    const created = await createClient(server.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    const replies = await text('+4791000002', created.accessCode.toLowerCase());
    expect(replies[0]).toBe(t('service.code_linked'));
    expect(replies.at(-1)).toBe(`${t('intro.ask_ready')}\n1 Ja, sett i gang\n2 Fortell meg mer først`);
    expect(await text('+4791000002', '2')).toEqual([
      expect.stringContaining('Kursene bygger på kognitiv terapi'),
      `${t('intro.ask_ready')}\n1 Ja, sett i gang`,
    ]);
  });

  it('records the segment count and encoding of every message and keeps each within 3 segments', async () => {
    await linkedNumber('+4791000003');
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000003'));
    const rows = await server.deps.db.read((q) => outboxForAddress(q, address!.id));
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      expect(row.encoding).toBe('GSM-7');
      expect(row.segments).toBeGreaterThanOrEqual(1);
      expect(row.segments).toBeLessThanOrEqual(3);
    }
  });

  it('applies the same MessageSid once: one turn, one reply', async () => {
    await linkedNumber('+4791000004');
    const first = await text('+4791000004', '1', 'SM'.padEnd(34, 'd'));
    const again = await text('+4791000004', '1', 'SM'.padEnd(34, 'd'));
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
  });

  it('HELP gives the help text; STOP confirms once and silences check-ins; START resumes them', async () => {
    const created = await linkedNumber('+4791000005');
    expect(await text('+4791000005', 'hjelp')).toEqual([
      normaliseForGsm7(t('sms.help', { clinic: t('sms.clinic_default') })),
    ]);
    expect(await text('+4791000005', 'STOPP')).toEqual([t('sms.stopped')]);
    expect(await text('+4791000005', 'hallo?')).toEqual([]);

    const sentBefore = twilio.messages.length;
    await scheduleMeasurement(server.deps, { clientId: created.clientId, flowId: 'screen', everyDays: 1 });
    clock.advance(2 * 86_400_000);
    expect(await fireDueSchedules(server.deps)).toBe(0);
    await deliverOutbox(server.deps);
    expect(twilio.messages.slice(sentBefore).filter((m) => m.to === '+4791000005')).toEqual([]);

    const started = await text('+4791000005', 'START');
    expect(started[0]).toBe(t('sms.started'));
    clock.advance(86_400_000);
    expect(await fireDueSchedules(server.deps)).toBe(1);
    await settle('+4791000005');
    // Discreet by default: one neutral line has reached the phone since STOP (after START: for the
    // check-in, or already for something held before it, such as the intro's own reminder; one unanswered
    // line covers everything held), and nothing of the check-in itself.
    const since = twilio.messages
      .slice(sentBefore)
      .filter((m) => m.to === '+4791000005')
      .map((m) => m.body);
    const line = t('sms.discreet_notice', { clinic: t('sms.discreet_clinic') });
    expect(since.filter((body) => body === line)).toHaveLength(1);
    expect(since.some((body) => body.startsWith('Liten interesse'))).toBe(false);
    // JA shows what it held: the check-in's messages.
    const checkin = await text('+4791000005', 'JA');
    expect(checkin.some((m) => m.startsWith(normaliseForGsm7(t('questionnaire.intro')).slice(0, 40)))).toBe(
      true,
    );
    expect(checkin.find((m) => m.startsWith('Liten interesse'))).toMatch(
      /^Liten interesse .*\n0 Ikke i det hele tatt\n1 Noen dager\n2 Mer enn halvparten av dagene\n3 Nesten hver dag$/s,
    );
  });

  it('holds a check-in due at 22:30 until 08:00 the next morning', async () => {
    const created = await createClient(server.deps, { course: 'intro', locale: 'en' });
    if (!created.ok) throw new Error();
    await text('+4791000006', created.accessCode);
    for (const answer of ['1', '1', '1', '2', '1', '1', 'Sleep better', '22:30'])
      await text('+4791000006', answer);
    const scheduled = await scheduleMeasurement(server.deps, {
      clientId: created.clientId,
      flowId: 'screen',
      everyDays: 7,
    });
    // 22:30 Oslo is outside 08:00-21:00, so the check-in is due at 08:00 Oslo the next day.
    expect(scheduled.ok && scheduled.schedule.nextDueAt).toMatch(/T07:00:00.000Z$/);
  });

  it('a concern at 03:00 local: the direct question goes out at once and a concern is recorded', async () => {
    await linkedNumber('+4791000007');
    clock.now = new Date('2026-12-02T02:00:00.000Z'); // 03:00 in Oslo
    const replies = await text('+4791000007', 'jeg orker ikke mer, vil bare forsvinne');
    expect(replies[0]).toBe(normaliseForGsm7(t('safety.concern_ack')));
    expect(replies.at(-1)).toBe(normaliseForGsm7(`${t('safety.ask_thoughts')}\n1 Ja\n2 Nei\n3 Vet ikke`));
    const alerts = await listOpenAlerts(server.deps);
    expect(
      alerts.find((a) => a.channel === 'sms' && a.triggerText.startsWith('jeg orker ikke mer')),
    ).toMatchObject({ kind: 'concern_text', priority: 'normal' });
    // "Vet ikke" escalates it: the numbers go out, still at 03:00.
    const unsure = await text('+4791000007', 'vet ikke');
    expect(unsure.join(' ')).toContain('113');
    const [escalated] = (await listOpenAlerts(server.deps)).filter((a) =>
      a.triggerText.startsWith('jeg orker'),
    );
    expect(escalated).toMatchObject({ tier: 'crisis', priority: 'high', safetyAnswer: 'unsure' });
  });

  it('after STOP every message of the protocol still reaches the client, and the course does not', async () => {
    clock.now = new Date('2026-12-02T12:00:00.000Z');
    await linkedNumber('+4791000010');
    expect(await text('+4791000010', 'STOPP')).toEqual([normaliseForGsm7(t('sms.stopped'))]);
    const opened = await text('+4791000010', 'jeg har kjøpt tabletter og skal ta dem alle i kveld');
    expect(opened[0]).toBe(normaliseForGsm7(t('safety.crisis_ack')));
    expect(await text('+4791000010', 'ja')).toEqual([
      normaliseForGsm7(`${t('safety.ask_danger')}\n1 Ja\n2 Nei`),
    ]);
    const notSafe = await text('+4791000010', 'ja');
    expect(notSafe[0]).toBe(normaliseForGsm7(t('safety.in_danger')));
    // Not in danger: the thanks goes out, the intro's waiting question does not (STOP still holds).
    expect(await text('+4791000010', 'nei')).toEqual([normaliseForGsm7(t('safety.ended'))]);
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000010'));
    const rows = await server.deps.db.read((q) => outboxForAddress(q, address!.id));
    expect(rows.filter((r) => r.kind === 'safety').every((r) => r.status === 'sent')).toBe(true);
    const stop = rows.find((r) => r.kind === 'consent')!;
    expect(rows.filter((r) => r.id > stop.id && r.kind === 'normal')).toEqual([]);
  });

  it('answers a crisis before the access code, and "Nei" is an answer, not a wrong code', async () => {
    const opened = await text('+4791000011', 'vil ta livet mitt i natt');
    expect(opened[0]).toBe(normaliseForGsm7(t('safety.crisis_ack')));
    expect(opened.join(' ')).toContain(normaliseForGsm7(t('safety.seen_by_clinic')));
    const no = await text('+4791000011', 'Nei');
    // Not linked yet: how to go on is the access code, after the protocol's own words.
    expect(no).toEqual([normaliseForGsm7(t('safety.ended')), normaliseForGsm7(t('service.code_prompt'))]);
    const created = await linkedNumber('+4791000011');
    const alerts = await listOpenAlerts(server.deps);
    expect(alerts.find((a) => a.triggerText === 'vil ta livet mitt i natt')).toMatchObject({
      clientId: created.clientId,
      safetyAnswer: 'no_thoughts',
    });
  });
});

describe('pictures by MMS', () => {
  it('answers a picture alone once: only text is read, then the welcome to an unknown number', async () => {
    const textOnly = normaliseForGsm7(t('service.text_only'));
    const welcome = normaliseForGsm7(t('service.welcome'));
    expect(await mms('+4791000013', '', `MM${'1'.repeat(32)}`)).toEqual([textOnly, welcome]);
    // The same MessageSid again (Twilio retries): nothing more.
    expect(await mms('+4791000013', '', `MM${'1'.repeat(32)}`)).toEqual([]);
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000013'));
    expect(address).toBeDefined();
    // A number that has had its welcome is told that only text is read, and asked for the code again.
    expect(await mms('+4791000013', '')).toEqual([textOnly, normaliseForGsm7(t('service.code_prompt'))]);
  });

  it('asks a linked client the question they are waiting on again after a picture alone', async () => {
    const created = await createClient(server.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    const linked = await text('+4791000014', created.accessCode);
    const waiting = linked.at(-1)!;
    expect(waiting).toContain(normaliseForGsm7(t('intro.ask_ready')));
    expect(await mms('+4791000014', '')).toEqual([normaliseForGsm7(t('service.text_only')), waiting]);
    // Nothing moved on: the answer to that question still works.
    expect((await text('+4791000014', '1')).length).toBeGreaterThan(0);
  });

  it('reads an MMS with text as its text: a crisis with a picture gets the crisis protocol', async () => {
    const replies = await mms('+4791000015', 'jeg vil ta livet mitt i kveld');
    expect(replies[0]).toBe(normaliseForGsm7(t('safety.crisis_ack')));
    expect(replies).not.toContain(normaliseForGsm7(t('service.text_only')));
  });

  it('sends nothing for a picture from a number that sent STOP', async () => {
    await linkedNumber('+4791000016');
    expect(await text('+4791000016', 'STOPP')).toEqual([normaliseForGsm7(t('sms.stopped'))]);
    expect(await mms('+4791000016', '')).toEqual([]);
  });
});

describe('an SMS of only spaces', () => {
  it('gets the polite re-ask of a message with nothing to read, once, then the welcome to an unknown number', async () => {
    const empty = normaliseForGsm7(t('service.empty_message'));
    const blank = `SM${'7'.repeat(32)}`;
    expect(await text('+4791000040', '   ', blank)).toEqual([empty, normaliseForGsm7(t('service.welcome'))]);
    // Twilio's retry of the same message: nothing more.
    expect(await text('+4791000040', '   ', blank)).toEqual([]);
    // Line breaks and tabs are no text either, and an empty Body is the same.
    const prompt = normaliseForGsm7(t('service.code_prompt'));
    expect(await text('+4791000040', ' \n\t ')).toEqual([empty, prompt]);
    expect(await text('+4791000040', '')).toEqual([empty, prompt]);
  });

  it('asks a linked client the question they are waiting on again, and keeps the message', async () => {
    const created = await createClient(server.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    const linked = await text('+4791000041', created.accessCode);
    const waiting = linked.at(-1)!;
    expect(await text('+4791000041', '    ')).toEqual([
      normaliseForGsm7(t('service.empty_message')),
      waiting,
    ]);
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000041'));
    const stored = await server.deps.db.read(async (q) =>
      (
        await q.execute({
          sql: "SELECT text FROM transcript WHERE address_id = ? AND direction = 'in' ORDER BY seq",
          args: [address!.id],
        })
      ).rows.map((row) => row.text),
    );
    expect(stored.at(-1)).toBe('');
  });

  it('sends nothing to a number that sent STOP', async () => {
    await linkedNumber('+4791000042');
    expect(await text('+4791000042', 'STOPP')).toEqual([normaliseForGsm7(t('sms.stopped'))]);
    expect(await text('+4791000042', '  ')).toEqual([]);
  });
});

describe('a flow that fails, by SMS', () => {
  it('answers the webhook 200, sends a polite SMS and raises one flow_error alert', async () => {
    clock.now = new Date('2026-12-02T12:00:00.000Z');
    await linkedNumber('+4791000012', 'broken');
    for (let i = 0; i < 2; i++) {
      expect(await text('+4791000012', '1')).toEqual([normaliseForGsm7(t('service.flow_error'))]);
    }
    const alerts = (await listOpenAlerts(server.deps)).filter((a) => a.kind === 'flow_error');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: 'sms', triggerText: '1' });
  });
});

describe('SMS delivery', () => {
  it('retries two 500s and then delivers once, with every attempt and the delivery status recorded', async () => {
    clock.now = new Date('2026-12-03T10:00:00.000Z');
    // Whatever earlier tests left due (reminders, check-ins) goes out first, so the two failures hit
    // this message.
    await tick(server.deps);
    await tick(server.deps);
    twilio.failNext(2, 500);
    // An unknown number gets exactly one reply: the welcome.
    await post('/channels/sms/twilio', inbound('+4791000008', 'hei'));
    await settle('+4791000008');
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000008'));
    const first = async () => (await server.deps.db.read((q) => outboxForAddress(q, address!.id)))[0]!;
    expect((await first()).status).toBe('pending');
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * 60_000);
      await deliverOutbox(server.deps);
    }
    const row = await first();
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect(twilio.messages.filter((m) => m.to === '+4791000008').map((m) => m.body)).toEqual([
      t('service.welcome'),
    ]);
    const attempts = await server.deps.db.read((q) => deliveryAttempts(q, row.id));
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'sent']);
    expect(attempts[0]!.detail).toContain('500');

    expect(await twilio.deliverStatus(row.providerId!, 'delivered')).toBe(200);
    expect(await server.deps.db.read((q) => deliveryStatuses(q, row.id))).toEqual([{ status: 'delivered' }]);
    expect((await first()).status).toBe('delivered');
  });

  it('marks a permanent error failed at once and the number undeliverable', async () => {
    twilio.rejectNumber('+4791000009', 21211);
    await post('/channels/sms/twilio', inbound('+4791000009', 'hei'));
    await settle('+4791000009');
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000009'));
    const [row] = await server.deps.db.read((q) => outboxForAddress(q, address!.id));
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toContain('21211');
    expect(
      address?.undeliverableAt ??
        (await server.deps.db.read((q) => findAddress(q, 'sms', '+4791000009')))?.undeliverableAt,
    ).toBeDefined();
  });

  it('takes a number marked undeliverable back when it writes: a crisis text gets its replies', async () => {
    const number = '+4791000019';
    twilio.rejectNumber(number, 21211);
    await post('/channels/sms/twilio', inbound(number, 'hei'));
    await settle(number);
    const marked = await server.deps.db.read((q) => findAddress(q, 'sms', number));
    expect(marked?.undeliverableAt).toBeDefined();

    // The number works again (the handset was out of service); the client writes, in crisis.
    twilio.acceptNumber(number);
    const replies = await text(number, 'jeg skal ta livet mitt i kveld');
    expect(replies[0]).toBe(normaliseForGsm7(t('safety.crisis_ack')));
    expect(replies.join(' ')).toContain('113');
    const after = await server.deps.db.read((q) => findAddress(q, 'sms', number));
    expect(after?.undeliverableAt).toBeUndefined();
  });

  it('a crisis SMS gets its whole reply to Twilio within 2 s while a send to another number hangs', async () => {
    const crisisNumber = '+4791000030';
    const stuckNumber = '+4791000031';
    await linkedNumber(crisisNumber);
    const address = await server.deps.db.read((q) => findAddress(q, 'sms', crisisNumber));
    const rows = () => server.deps.db.read((q) => outboxForAddress(q, address!.id));
    const earlier = new Set((await rows()).map((row) => row.id));
    // Another number texts first; the reply to it hangs at Twilio and holds the server's delivery pass.
    twilio.hangNumber(stuckNumber);
    expect((await post('/channels/sms/twilio', inbound(stuckNumber, 'hei'))).status).toBe(200);
    await until(async () => twilio.hanging === 1);

    const started = performance.now();
    const crisis = inbound(crisisNumber, 'jeg skal ta livet mitt i kveld');
    expect((await post('/channels/sms/twilio', crisis)).status).toBe(200);
    const replies = async () => (await rows()).filter((row) => !earlier.has(row.id));
    await until(async () => {
      const sent = await replies();
      return sent.length > 0 && sent.every((row) => row.status === 'sent');
    });
    const latency = performance.now() - started;
    expect(latency).toBeLessThan(2_000);
    expect(new Set((await replies()).map((row) => row.kind))).toEqual(new Set(['safety']));
    expect(
      twilio.messages
        .filter((m) => m.to === crisisNumber)
        .map((m) => m.body)
        .join(' '),
    ).toContain('113');
    expect(twilio.hanging).toBe(1);
    twilio.release();
    await settle(stuckNumber);
    expect(twilio.messages.filter((m) => m.to === stuckNumber).map((m) => m.body)).toEqual([
      t('service.welcome'),
    ]);
  });
});

/** Polls until `done` holds, for what the server does on its own after a webhook. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('waited 5 s in vain');
}

describe('PHQ-9 by SMS', () => {
  it('stores the same scores for digits, for words, and for the web chat', async () => {
    const digits = ['1', '2', '0', '3', '1', '2', '0', '1', '0', '1'];
    const words = [
      'noen dager',
      'mer enn halvparten av dagene',
      'ikke i det hele tatt',
      'nesten hver dag',
      'Noen dager',
      'Mer enn halvparten',
      'ikke i det hele tatt',
      'noen dager',
      'ikke i det hele tatt',
      'litt vanskelig',
    ];
    const totals: unknown[] = [];
    for (const [i, answers] of [digits, words].entries()) {
      const created = await linkedNumber(`+479200000${i}`, 'phq9');
      for (const answer of answers) await text(`+479200000${i}`, answer);
      const [response] = await server.deps.db.read((q) => clientResponses(q, created.clientId));
      expect(response?.channel).toBe('sms');
      totals.push({
        items: response?.items,
        total: response?.total,
        band: response?.band,
        difficulty: response?.difficulty,
      });
    }
    const web = await createClient(server.deps, { course: 'phq9', locale: 'nb' });
    if (!web.ok) throw new Error();
    const conversation = await startConversation(server.deps, 'web', 'nb');
    await handleInbound(server.deps, {
      channel: 'web',
      address: conversation.address.address,
      content: { kind: 'message', text: web.accessCode },
    });
    for (const answer of digits)
      await handleInbound(server.deps, {
        channel: 'web',
        address: conversation.address.address,
        content: { kind: 'button', value: answer },
      });
    const [webResponse] = await server.deps.db.read((q) => clientResponses(q, web.clientId));
    totals.push({
      items: webResponse?.items,
      total: webResponse?.total,
      band: webResponse?.band,
      difficulty: webResponse?.difficulty,
    });
    expect(totals[0]).toEqual({
      items: [1, 2, 0, 3, 1, 2, 0, 1, 0],
      total: 10,
      band: 'moderate',
      difficulty: 1,
    });
    expect(totals[1]).toEqual(totals[0]);
    expect(totals[2]).toEqual(totals[0]);
  });
});
