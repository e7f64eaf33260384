import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twilioSender } from '../../src/channels/sms/twilio-sender.ts';
import {
  deliverOutbox,
  LEASE_MS,
  retryDelayMs,
  SAFETY_RETRY_BASE_MS,
  SAFETY_SEND_TIMEOUT_MS,
} from '../../src/service/deliver-outbox.ts';
import type { ChannelSender, ServiceDeps } from '../../src/service/deps.ts';
import type { Database } from '../../src/storage/db.ts';
import { deliveryAttempts } from '../../src/storage/outbox.ts';
import { FakeTwilio } from '../fakes/fake-twilio.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { PUSH, queueMessages } from '../support/outbox.ts';

/**
 * Exactly-once SMS in practice (issue #16): a send whose answer never came — Twilio answered after the
 * timeout, or the process died between the call and recording it — is looked up in Twilio's Messages list
 * before it goes again. The real libSQL engine, the Twilio sender and the fake Twilio over HTTP.
 */

type PushSender = Extract<ChannelSender, { mode: 'push' }>;

const FROM = '+4759440000';
const TO = '+4790000001';
/** The provider timeout of a normal send here: a late answer comes after it, without a 15 s wait. */
const NORMAL_TIMEOUT_MS = 300;

let h: Harness;
let twilio: FakeTwilio;
let sms: PushSender;

beforeEach(async () => {
  // The fake dates messages by the test's clock, as Twilio would by the same instant.
  twilio = new FakeTwilio({ now: () => h.clock.now });
  await twilio.start();
  const sender = twilioSender({
    apiBaseUrl: twilio.baseUrl,
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: FROM,
    timeoutMs: NORMAL_TIMEOUT_MS,
  });
  if (sender.mode !== 'push') throw new Error('twilioSender is a push channel');
  sms = sender;
  h = await makeHarness({ senders: { [PUSH]: sms } });
});

afterEach(async () => {
  h.close();
  await twilio.stop();
});

const rowOf = async (id: number) => {
  const [row] = (
    await h.deps.db.read((q) =>
      q.execute({
        sql: 'SELECT status, attempts, provider_id, last_error, sending_since, next_attempt_at FROM outbox WHERE id = ?',
        args: [id],
      }),
    )
  ).rows;
  return {
    status: row?.status,
    attempts: row?.attempts,
    providerId: row?.provider_id ?? undefined,
    lastError: row?.last_error ?? undefined,
    sendingSince: row?.sending_since ?? undefined,
    nextAttemptAt: row?.next_attempt_at,
  };
};

const attemptsOf = async (id: number) =>
  (await h.deps.db.read((q) => deliveryAttempts(q, id))).map((a) => [a.outcome, a.detail]);

/**
 * The service as a process that dies at a chosen moment: once `die()` was called, every database write
 * fails, so nothing after that point is recorded, as when the process is killed.
 */
function mortal(sender: PushSender) {
  let dead = false;
  const db: Database = {
    read: (fn) => h.deps.db.read(fn),
    write: (fn) => (dead ? Promise.reject(new Error('the process died')) : h.deps.db.write(fn)),
    close: () => {},
  };
  const die = () => {
    dead = true;
  };
  const deps = (send: PushSender['send']): ServiceDeps => ({
    ...h.deps,
    db,
    senders: { [PUSH]: { ...sender, send } },
  });
  return { die, deps };
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
}

describe('an uncertain SMS is looked up before it is sent again', () => {
  it('a late answer: Twilio took the message after the timeout; it is recorded with its SID, not sent twice', async () => {
    twilio.answerLate(1, NORMAL_TIMEOUT_MS * 3);
    const [id] = await queueMessages(h.deps, [{ to: TO, text: 'Husk søvndagboka i kveld.', kind: 'normal' }]);
    const claimedAt = h.clock.now.toISOString();
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(id!)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'timed out',
      sendingSince: claimedAt,
    });
    // Twilio's answer came after the sender had given up.
    await until(() => twilio.lateUnread === 1);

    h.clock.advance(retryDelayMs(1, h.deps.retry.baseDelayMs));
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(id!)).toMatchObject({
      status: 'sent',
      attempts: 2,
      providerId: twilio.messages[0]!.sid,
      sendingSince: undefined,
    });
    expect(await attemptsOf(id!)).toEqual([
      ['retry', 'timed out'],
      ['sent', 'found at the provider after an uncertain send'],
    ]);
    h.clock.advance(24 * 60 * 60 * 1000);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
  });

  it('a crash between the call and the write: after the lease the row is found at Twilio and sent once', async () => {
    const [id] = await queueMessages(h.deps, [{ to: TO, text: 'Del 2 er klar.', kind: 'normal' }]);
    const claimedAt = h.clock.now.toISOString();
    const node = mortal(sms);
    const dying = node.deps(async (message) => {
      const result = await sms.send(message);
      node.die();
      return result;
    });
    await expect(deliverOutbox(dying)).rejects.toThrow('the process died');
    expect(twilio.messages).toHaveLength(1);
    // The claim marked the row as sending before the call, in the same write as its lease.
    expect(await rowOf(id!)).toMatchObject({
      status: 'pending',
      attempts: 0,
      sendingSince: claimedAt,
      nextAttemptAt: new Date(h.clock.now.getTime() + LEASE_MS).toISOString(),
    });

    h.clock.advance(LEASE_MS - 1);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    h.clock.advance(1);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(id!)).toMatchObject({
      status: 'sent',
      attempts: 1,
      providerId: twilio.messages[0]!.sid,
      sendingSince: undefined,
    });
    expect(await attemptsOf(id!)).toEqual([['sent', 'found at the provider after an uncertain send']]);
  });

  it('a message that never reached Twilio is sent after the lookup finds nothing', async () => {
    const [id] = await queueMessages(h.deps, [{ to: TO, text: 'Del 2 er klar.', kind: 'normal' }]);
    const node = mortal(sms);
    // The process dies after the claim, before its request leaves.
    const dying = node.deps(async () => {
      node.die();
      throw new Error('killed');
    });
    await expect(deliverOutbox(dying)).rejects.toThrow('the process died');
    expect(twilio.requestCount).toBe(0);
    expect((await rowOf(id!)).sendingSince).toBeDefined();

    h.clock.advance(LEASE_MS);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    // One list call that found nothing, then the one send.
    expect(twilio.requestCount).toBe(2);
    expect(twilio.messages.map((m) => [m.to, m.body])).toEqual([[TO, 'Del 2 er klar.']]);
    expect(await rowOf(id!)).toMatchObject({
      status: 'sent',
      attempts: 1,
      providerId: twilio.messages[0]!.sid,
      sendingSince: undefined,
    });
  });

  it('the same text sent to the same number just before is another message, and this one is sent', async () => {
    const [first, second] = await queueMessages(h.deps, [
      { to: TO, text: 'Svar 1, 2 eller 3.', kind: 'normal' },
      { to: TO, text: 'Svar 1, 2 eller 3.', kind: 'normal' },
    ]);
    const node = mortal(sms);
    let calls = 0;
    const dying = node.deps(async (message) => {
      calls++;
      if (calls === 1) return sms.send(message);
      node.die();
      throw new Error('killed');
    });
    await expect(deliverOutbox(dying)).rejects.toThrow('the process died');
    expect(twilio.messages).toHaveLength(1);

    h.clock.advance(LEASE_MS);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    expect(twilio.messages).toHaveLength(2);
    const [a, b] = [await rowOf(first!), await rowOf(second!)];
    expect(a).toMatchObject({ status: 'sent', providerId: twilio.messages[0]!.sid });
    expect(b).toMatchObject({ status: 'sent', providerId: twilio.messages[1]!.sid });
  });

  it('the last attempt, when uncertain, is settled by a lookup: found is sent, not found is failed, never sent again', async () => {
    h.deps.retry = { ...h.deps.retry, maxAttempts: 1 };
    twilio.answerLate(1, NORMAL_TIMEOUT_MS * 3);
    twilio.hangNumber('+4790000002');
    const [late, lost] = await queueMessages(h.deps, [
      { to: TO, text: 'Del 3 er klar.', kind: 'normal' },
      { to: '+4790000002', text: 'Del 3 er klar.', kind: 'normal' },
    ]);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    expect(await rowOf(late!)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await rowOf(lost!)).toMatchObject({ status: 'pending', attempts: 1 });
    // The hung request is dropped, as one lost on the way: it never reaches Twilio.
    await until(() => twilio.abandoned === 1 && twilio.lateUnread === 1);
    twilio.release();

    h.clock.advance(retryDelayMs(1, h.deps.retry.baseDelayMs));
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 1 });
    expect(twilio.messages.map((m) => m.to)).toEqual([TO]);
    expect(await rowOf(late!)).toMatchObject({ status: 'sent', providerId: twilio.messages[0]!.sid });
    expect(await rowOf(lost!)).toMatchObject({
      status: 'failed',
      lastError: 'the last attempt did not reach the provider',
      sendingSince: undefined,
    });
  });

  it('a normal row whose lookup fails waits and asks again; it is not sent blind', async () => {
    twilio.answerLate(1, NORMAL_TIMEOUT_MS * 3);
    const [id] = await queueMessages(h.deps, [{ to: TO, text: 'Del 4 er klar.', kind: 'normal' }]);
    await deliverOutbox(h.deps);
    await until(() => twilio.lateUnread === 1);
    const uncertainSince = (await rowOf(id!)).sendingSince;
    twilio.failListNext(1, 503);

    h.clock.advance(retryDelayMs(1, h.deps.retry.baseDelayMs));
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(id!)).toMatchObject({
      status: 'pending',
      attempts: 2,
      lastError: 'lookup failed: HTTP 503 Twilio 20500: An internal server error has occurred',
      sendingSince: uncertainSince,
    });

    h.clock.advance(retryDelayMs(2, h.deps.retry.baseDelayMs));
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(id!)).toMatchObject({ status: 'sent', providerId: twilio.messages[0]!.sid });
  });
});

describe("Twilio's Retry-After", () => {
  it('a 429 with Retry-After is retried no earlier than it says, and without a lookup', async () => {
    twilio.failNext(1, 429, '600');
    const [id] = await queueMessages(h.deps, [{ to: TO, text: 'Husk øvelsen.', kind: 'normal' }]);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    expect(await rowOf(id!)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 429 Twilio 20429: Too Many Requests',
      // Twilio said no: nothing is uncertain.
      sendingSince: undefined,
    });
    // The normal backoff (2 min) is shorter than what Twilio asked for.
    expect(retryDelayMs(1, h.deps.retry.baseDelayMs)).toBeLessThan(600_000);
    h.clock.advance(600_000 - 1);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    expect(twilio.requestCount).toBe(1);
    h.clock.advance(1);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    // Two message calls and no list call.
    expect(twilio.requestCount).toBe(2);
    expect(twilio.messages).toHaveLength(1);
  });
});

describe('safety messages stay first and fast', () => {
  it(`a crisis reply Twilio answers late is found on its ${SAFETY_RETRY_BASE_MS / 1000} s retry, not sent twice`, async () => {
    twilio.answerLate(1, SAFETY_SEND_TIMEOUT_MS + 500);
    const [crisis] = await queueMessages(h.deps, [
      { to: TO, text: 'Ring 113 hvis livet er i fare.', kind: 'safety' },
    ]);
    const started = performance.now();
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    // It gave up after the short safety timeout, not the channel's own.
    expect(performance.now() - started).toBeGreaterThanOrEqual(SAFETY_SEND_TIMEOUT_MS - 50);
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(crisis!)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'timed out' });
    await until(() => twilio.lateUnread === 1);

    // The fast safety retry, not the normal backoff, and no second copy.
    h.clock.advance(retryDelayMs(1, SAFETY_RETRY_BASE_MS) - 1);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 0, failed: 0 });
    h.clock.advance(1);
    expect(await deliverOutbox(h.deps)).toEqual({ sent: 1, failed: 0 });
    expect(twilio.messages).toHaveLength(1);
    expect(await rowOf(crisis!)).toMatchObject({ status: 'sent', providerId: twilio.messages[0]!.sid });
  });

  it('a crisis reply whose lookup fails is sent at once, and its lookup has the short timeout', async () => {
    const timeouts: (number | undefined)[] = [];
    h.deps.senders[PUSH] = {
      ...sms,
      lookup: (query) => {
        timeouts.push(query.timeoutMs);
        return sms.lookup!(query);
      },
    };
    const [crisis] = await queueMessages(h.deps, [
      { to: TO, text: 'Er du i fare akkurat nå?', kind: 'safety' },
    ]);
    const node = mortal(sms);
    const dying = node.deps(async () => {
      node.die();
      throw new Error('killed');
    });
    await expect(deliverOutbox(dying)).rejects.toThrow('the process died');
    twilio.failListNext(1, 500);

    h.clock.advance(LEASE_MS);
    expect(await deliverOutbox(h.deps, { only: 'safety' })).toEqual({ sent: 1, failed: 0 });
    expect(timeouts).toEqual([SAFETY_SEND_TIMEOUT_MS]);
    expect(twilio.messages.map((m) => m.body)).toEqual(['Er du i fare akkurat nå?']);
    expect(await rowOf(crisis!)).toMatchObject({ status: 'sent', attempts: 1, sendingSince: undefined });
  });
});
