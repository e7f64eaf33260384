import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import type { ChannelSender } from '../../src/service/deps.ts';
import { type RateTime, SendRate } from '../../src/service/send-rate.ts';
import type { OutboxKind } from '../../src/storage/outbox.ts';
import { enqueueOutboxStatement } from '../../src/storage/outbox.ts';
import { appendTranscriptStatement } from '../../src/storage/transcript.ts';
import { startSmsServer } from '../support/sms.ts';

/*
 * SMS_SEND_RATE (send-rate.ts, deliver-outbox.ts): the outbox sends normal SMS oldest first, no faster than
 * the rate, a pass only as many as its window allows (the rest wait for the next), and safety messages
 * ahead of them, never waiting for the pace. The real server and sender, to the fake Twilio; the pace
 * runs on a fake monotonic clock whose sleepers wake in the order of their wake-up times.
 */

class FakeRateTime implements RateTime {
  ms = 0;
  #sleepers: { at: number; wake: () => void }[] = [];
  now = (): number => this.ms;
  sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.#sleepers.push({ at: this.ms + ms, wake });
      this.#sleepers.sort((a, b) => a.at - b.at);
      setImmediate(() => {
        const next = this.#sleepers.shift();
        if (!next) return;
        this.ms = Math.max(this.ms, next.at);
        next.wake();
      });
    });
}

const RATE = 10;
let sms: Awaited<ReturnType<typeof startSmsServer>>;
let time: FakeRateTime;
/** Every send the outbox started: the row's number and the fake time it started at. */
let starts: { to: string; at: number }[];

beforeEach(async () => {
  sms = await startSmsServer();
  time = new FakeRateTime();
  sms.server.deps.sendRates = { sms: new SendRate(RATE, time) };
  const sender = sms.server.deps.senders.sms as Extract<ChannelSender, { mode: 'push' }>;
  starts = [];
  sms.server.deps.senders.sms = {
    ...sender,
    send: (message) => {
      starts.push({ to: message.address, at: time.now() });
      return sender.send(message);
    },
  };
});
afterEach(() => sms.close());

let numbers = 0;
/** Queues one message to a new number, due now; numbers grow with the order they were queued in. */
async function queue(kind: OutboxKind, text: string): Promise<string> {
  const to = `+47910${String(++numbers).padStart(5, '0')}`;
  const now = sms.server.deps.clock().toISOString();
  const addressId = `a-${to}`;
  await sms.server.deps.db.write((tx) =>
    tx.batch([
      {
        sql: `INSERT INTO channel_addresses (id, channel, address, locale, created_at) VALUES (?, 'sms', ?, 'nb', ?)`,
        args: [addressId, to, now],
      },
      appendTranscriptStatement({
        addressId,
        direction: 'out',
        text,
        payload: null,
        createdAt: now,
      }),
      enqueueOutboxStatement({
        addressId,
        channel: 'sms',
        transcriptSeq: 'latest',
        payload: { text },
        now,
        notBefore: now,
        kind,
      }),
    ]),
  );
  return to;
}

/**
 * Sends started no faster than RATE a second from the fake time 0: the k-th (from 0) not before k/RATE
 * seconds. (A send starts a little after its slot, once its claim is written, while other lanes' slots
 * move the fake time on: the times seen are late, never early.)
 */
function expectPaced(at: number[]): void {
  const sorted = [...at].sort((a, b) => a - b);
  for (const [k, t] of sorted.entries()) expect(t).toBeGreaterThanOrEqual((k * 1000) / RATE);
}

describe('the SMS send rate', () => {
  it('sends normal messages oldest first at the rate, a window at a time, the rest in the next pass', async () => {
    const queued: string[] = [];
    for (let i = 0; i < 25; i++) queued.push(await queue('normal', `check-in ${i}`));

    // A pass of one second at 10 a second sends 10 and leaves 15, oldest first, for the next passes.
    expect(await deliverOutbox(sms.server.deps, { windowMs: 1000 })).toEqual({ sent: 10, failed: 0 });
    expect(time.now()).toBeLessThan(1000);
    expect(starts.map((s) => s.to)).toEqual(queued.slice(0, 10));
    // The next passes come a second apart, as the scheduler's interval would have them.
    time.ms = 1000;
    expect((await deliverOutbox(sms.server.deps, { windowMs: 1000 })).sent).toBe(10);
    time.ms = 2000;
    expect((await deliverOutbox(sms.server.deps, { windowMs: 1000 })).sent).toBe(5);
    expect(starts.map((s) => s.to)).toEqual(queued);
    expectPaced(starts.map((s) => s.at));
    expect(sms.twilio.messages).toHaveLength(25);
  });

  it('sends safety messages first and at once, however many normal ones wait for the pace', async () => {
    const normal: string[] = [];
    for (let i = 0; i < 30; i++) normal.push(await queue('normal', `check-in ${i}`));
    const crisis = await queue('safety', 'crisis numbers');

    // Queued last, the safety message goes first, without waiting for a slot.
    const pass = deliverOutbox(sms.server.deps, { windowMs: 3000 });
    // Another one arrives while the pass paces the normal messages: sent beside it, at once (as the
    // scheduler's kick does), not after the 30 normal messages.
    while (starts.length < 5) await new Promise((resolve) => setImmediate(resolve));
    const late = await queue('safety', 'crisis numbers again');
    const sentAt = time.now();
    expect(await deliverOutbox(sms.server.deps, { only: 'safety' })).toEqual({ sent: 1, failed: 0 });
    await pass;

    expect(starts[0]!.to).toBe(crisis);
    // The late one went out while the pass still had most of its normal messages to pace (2.5 s more).
    const lateStart = starts.find((s) => s.to === late)!;
    expect(lateStart.at - sentAt).toBeLessThan(1000);
    expect(starts.indexOf(lateStart)).toBeLessThan(starts.length - 10);
    const normalStarts = starts.filter((s) => normal.includes(s.to));
    expect(normalStarts.map((s) => s.to)).toEqual(normal.slice(0, normalStarts.length));
    expect(normalStarts.length).toBeLessThan(30);
    expect(starts.filter((s) => normal.includes(s.to) && s.at < sentAt).length).toBeLessThan(10);
    expectPaced(normalStarts.map((s) => s.at));
  });
});
