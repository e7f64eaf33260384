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

const sender = () => {
  const s = twilioSender({
    apiBaseUrl: fake.baseUrl,
    accountSid: fake.accountSid,
    authToken: fake.authToken,
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
    expect(result).toEqual({ ok: false, retryable: true, error: 'timed out' });
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(1_000);
    expect(fake.messages).toHaveLength(0);
  });

  it('sends with the provider id as the result when Twilio answers', async () => {
    const result = await sender().send({ address: '+4791234567', message: { text: 'Hei' }, outboxId: 2 });
    expect(result).toEqual({ ok: true, providerId: fake.messages[0]?.sid });
  });
});
