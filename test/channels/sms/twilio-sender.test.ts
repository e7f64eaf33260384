import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twilioSender } from '../../../src/channels/sms/twilio-sender.ts';
import { FakeTwilio } from '../../fakes/fake-twilio.ts';

let fake: FakeTwilio;
beforeEach(async () => {
  fake = new FakeTwilio();
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

/** The real sender against `twilio` (this file's fake unless another is given). */
const sender = (twilio: FakeTwilio = fake) => {
  const s = twilioSender({
    apiBaseUrl: twilio.baseUrl,
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: '+4759440000',
  });
  if (s.mode !== 'push') throw new Error('twilioSender is a push channel');
  return s;
};

describe('twilioSender', () => {
  it('gives up on a hanging Twilio after the timeout it is given, as a retryable failure', async () => {
    fake.hangNext(1);
    const started = performance.now();
    const result = await sender().send({
      address: '+4791234567',
      message: { text: 'Ring 113' },
      outboxId: 1,
      timeoutMs: 150,
    });
    const waited = performance.now() - started;
    // The request went out: Twilio may have taken it, so the outcome is uncertain.
    expect(result).toEqual({ ok: false, retryable: true, error: 'timed out', uncertain: true });
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(1_000);
    expect(fake.messages).toHaveLength(0);
  });

  it('sends with the provider id as the result when Twilio answers', async () => {
    const result = await sender().send({ address: '+4791234567', message: { text: 'Hei' }, outboxId: 2 });
    expect(result).toEqual({ ok: true, providerId: fake.messages[0]?.sid });
  });

  it("passes Twilio's Retry-After on, and a refused answer is not uncertain", async () => {
    fake.failNext(1, 429, '42');
    const result = await sender().send({ address: '+4791234567', message: { text: 'Hei' }, outboxId: 3 });
    expect(result).toEqual({
      ok: false,
      retryable: true,
      error: 'HTTP 429 Twilio 20429: Too Many Requests',
      retryAfterMs: 42_000,
    });
  });

  it('a connection that was never made is not uncertain', async () => {
    const closed = twilioSender({
      apiBaseUrl: fake.baseUrl,
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: '+4759440000',
    });
    await fake.stop();
    if (closed.mode !== 'push') throw new Error('twilioSender is a push channel');
    const result = await closed.send({ address: '+4791234567', message: { text: 'Hei' }, outboxId: 4 });
    expect(result).toEqual({ ok: false, retryable: true, error: 'network error (ECONNREFUSED)' });
  });

  it('looks a message up by number and text, from the time given, oldest first', async () => {
    let now = new Date('2026-03-28T23:58:00Z');
    const dated = new FakeTwilio({ now: () => now, accountSid: fake.accountSid, authToken: fake.authToken });
    await dated.start();
    try {
      const s = sender(dated);
      const send = async (address: string, text: string) => {
        const result = await s.send({ address, message: { text }, outboxId: 5 });
        now = new Date(now.getTime() + 20_000);
        return result.ok ? result.providerId : undefined;
      };
      const earlier = await send('+4791234567', 'Hei');
      now = new Date(now.getTime() + 80_000);
      const since = now;
      // Past midnight UTC: the day filter must not leave these out.
      const ids = [await send('+4791234567', 'Hei'), await send('+4791234567', 'Hei')];
      await send('+4791234567', 'Hei igjen');
      await send('+4790000002', 'Hei');
      const lookup = (address: string, text: string, from: Date) =>
        s.lookup!({ address, message: { text }, since: from });
      expect(await lookup('+4791234567', 'Hei', since)).toEqual({ ok: true, providerIds: ids });
      // Within the clock margin an earlier copy is a candidate too (the outbox tells it apart by its SID).
      expect(await lookup('+4791234567', 'Hei', new Date(since.getTime() - 70_000))).toEqual({
        ok: true,
        providerIds: [earlier, ...ids],
      });
      expect(await lookup('+4791234567', 'Hallo', since)).toEqual({ ok: true, providerIds: [] });
      expect(await lookup('+4790000003', 'Hei', since)).toEqual({ ok: true, providerIds: [] });
      // Sent before the attempt in doubt started, beyond the margin: another message.
      expect(await lookup('+4791234567', 'Hei', new Date(since.getTime() + 5 * 60_000))).toEqual({
        ok: true,
        providerIds: [],
      });
    } finally {
      await dated.stop();
    }
  });

  it('reports a lookup Twilio refused with its Retry-After', async () => {
    fake.failListNext(1, 429, '9');
    const result = await sender().lookup!({
      address: '+4791234567',
      message: { text: 'Hei' },
      since: new Date(),
    });
    expect(result).toEqual({
      ok: false,
      error: 'HTTP 429 Twilio 20429: Too Many Requests',
      retryAfterMs: 9_000,
    });
  });
});
