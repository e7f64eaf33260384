import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SendSmsRequest, sendSms } from '../../src/channels/sms/twilio-rest.ts';
import { verifyTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';
import { parseTwilioStatusCallback } from '../../src/channels/sms/twilio-webhook.ts';
import { FakeTwilio } from './fake-twilio.ts';

const now = new Date('2025-03-04T05:06:07Z');
let fake: FakeTwilio;

beforeEach(async () => {
  fake = new FakeTwilio({ now: () => now });
  await fake.start();
});

afterEach(async () => {
  await fake.stop();
});

function smsTo(to: string, extra: Partial<SendSmsRequest> = {}): SendSmsRequest {
  return {
    baseUrl: fake.baseUrl,
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    from: '+4759440000',
    to,
    body: 'Hei! Husk søvndagboka i kveld.',
    ...extra,
  };
}

describe('FakeTwilio with sendSms', () => {
  it('accepts a message, records it and answers with a message resource', async () => {
    const result = await sendSms(smsTo('+4791234567', { statusCallback: 'https://example.test/status' }));
    expect(result).toEqual({
      ok: true,
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
      numSegments: 1,
    });
    expect(fake.messages).toEqual([
      {
        sid: result.ok ? result.sid : '',
        accountSid: fake.accountSid,
        from: '+4759440000',
        to: '+4791234567',
        body: 'Hei! Husk søvndagboka i kveld.',
        statusCallback: 'https://example.test/status',
        status: 'queued',
        numSegments: 1,
        dateCreated: now,
      },
    ]);
  });

  it('counts segments like Twilio bills them', async () => {
    await sendSms(smsTo('+4791234567', { body: 'a'.repeat(161) }));
    await sendSms(smsTo('+4791234567', { body: `${'a'.repeat(69)}’` }));
    await sendSms(smsTo('+4791234567', { body: `${'a'.repeat(70)}’` }));
    expect(fake.messages.map((message) => message.numSegments)).toEqual([2, 1, 2]);
  });

  it('answers 429 as often as told, which sendSms reports as retryable', async () => {
    fake.failNext(2, 429);
    const first = await sendSms(smsTo('+4791234567'));
    const second = await sendSms(smsTo('+4791234567'));
    const third = await sendSms(smsTo('+4791234567'));
    expect(first).toEqual({
      ok: false,
      retryable: true,
      status: 429,
      code: 20429,
      message: 'Too Many Requests',
    });
    expect(second).toMatchObject({ ok: false, retryable: true, status: 429 });
    expect(third).toMatchObject({ ok: true });
    expect(fake.messages).toHaveLength(1);
    expect(fake.requestCount).toBe(3);
  });

  it('answers 500 as told, which sendSms reports as retryable', async () => {
    fake.failNext(1, 500);
    expect(await sendSms(smsTo('+4791234567'))).toEqual({
      ok: false,
      retryable: true,
      status: 500,
      code: 20500,
      message: 'An internal server error has occurred',
    });
    expect(fake.messages).toHaveLength(0);
  });

  it('answers a permanent 400 for a rejected number, without the number in the message', async () => {
    fake.rejectNumber('+4790000001', 21211);
    fake.rejectNumber('+4790000002', 21610);
    fake.rejectNumber('+4790000003', 21614);
    const invalid = await sendSms(smsTo('+4790000001'));
    expect(invalid).toEqual({
      ok: false,
      retryable: false,
      permanent: 'invalid-number',
      status: 400,
      code: 21211,
      message: "The 'To' number [redacted] is not a valid phone number.",
    });
    expect(await sendSms(smsTo('+4790000002'))).toMatchObject({ permanent: 'opted-out', code: 21610 });
    expect(await sendSms(smsTo('+4790000003'))).toMatchObject({ permanent: 'not-mobile', code: 21614 });
    expect(await sendSms(smsTo('+4791234567'))).toMatchObject({ ok: true });
    expect(fake.messages.map((message) => message.to)).toEqual(['+4791234567']);
  });

  it('validates the request like Twilio', async () => {
    expect(await sendSms(smsTo('91234567'))).toMatchObject({ permanent: 'invalid-number', code: 21211 });
    expect(await sendSms(smsTo('+4791234567', { body: '' }))).toMatchObject({
      permanent: 'rejected',
      code: 21602,
    });
    expect(await sendSms(smsTo('+4791234567', { from: '' }))).toMatchObject({
      permanent: 'configuration',
      code: 21603,
    });
    expect(await sendSms(smsTo('+4791234567', { body: 'x'.repeat(1601) }))).toMatchObject({
      permanent: 'rejected',
      code: 21617,
    });
    expect(fake.messages).toHaveLength(0);
  });

  it('refuses wrong credentials and another account', async () => {
    expect(await sendSms(smsTo('+4791234567', { authToken: 'wrong-token' }))).toMatchObject({
      ok: false,
      retryable: false,
      permanent: 'auth',
      status: 401,
      code: 20003,
    });
    const otherAccount = `AC${'f'.repeat(32)}`;
    expect(await sendSms(smsTo('+4791234567', { accountSid: otherAccount }))).toMatchObject({
      permanent: 'auth',
      status: 401,
    });
    expect(fake.messages).toHaveLength(0);
  });

  it('is unreachable once stopped, which sendSms reports as retryable', async () => {
    const baseUrl = fake.baseUrl;
    await fake.stop();
    expect(await sendSms(smsTo('+4791234567', { baseUrl }))).toEqual({
      ok: false,
      retryable: true,
      message: 'network error (ECONNREFUSED)',
    });
  });

  it('hangs the requests to a number until released, answering other numbers meanwhile', async () => {
    fake.hangNumber('+4790000010');
    const hung = sendSms(smsTo('+4790000010'));
    await until(() => fake.hanging === 1);
    expect(await sendSms(smsTo('+4791234567'))).toMatchObject({ ok: true });
    expect(fake.messages.map((message) => message.to)).toEqual(['+4791234567']);
    fake.release();
    expect(await hung).toMatchObject({ ok: true });
    expect(fake.messages.map((message) => message.to)).toEqual(['+4791234567', '+4790000010']);
    expect(await sendSms(smsTo('+4790000010'))).toMatchObject({ ok: true });
  });

  it('answers late on request: the message is taken at once, the answer comes after the client gave up', async () => {
    fake.answerLate(1, 300);
    expect(await sendSms(smsTo('+4791234567'), { timeoutMs: 100 })).toEqual({
      ok: false,
      retryable: true,
      message: 'timed out',
      uncertain: true,
    });
    expect(fake.messages.map((message) => message.to)).toEqual(['+4791234567']);
    await until(() => fake.lateUnread === 1);
    expect(await sendSms(smsTo('+4791234567'))).toMatchObject({ ok: true });
  });

  it('sends Retry-After with a failure when asked', async () => {
    fake.failNext(1, 429, '30');
    expect(await sendSms(smsTo('+4791234567'))).toEqual({
      ok: false,
      retryable: true,
      status: 429,
      code: 20429,
      message: 'Too Many Requests',
      retryAfterMs: 30_000,
    });
  });

  it('hangs the next requests until the client times out, and then records nothing', async () => {
    fake.hangNext(1);
    expect(await sendSms(smsTo('+4791234567'), { timeoutMs: 100 })).toEqual({
      ok: false,
      retryable: true,
      message: 'timed out',
      uncertain: true,
    });
    expect(await sendSms(smsTo('+4791234567'))).toMatchObject({ ok: true });
    fake.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.messages).toHaveLength(1);
    expect(fake.requestCount).toBe(2);
  });
});

/** Polls until `done` holds, for what happens inside the fake's server. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
}

describe('FakeTwilio with the twilio SDK (wire-format check)', () => {
  function sdkClient() {
    const client = twilio(fake.accountSid, fake.authToken);
    client.api.baseUrl = fake.baseUrl;
    return client;
  }

  it('returns a message resource the SDK reads', async () => {
    const message = await sdkClient().messages.create({
      to: '+4791234567',
      from: '+4759440000',
      body: 'Hei',
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.accountSid).toBe(fake.accountSid);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    expect(message.dateCreated).toEqual(now);
    expect(message.uri).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages/${message.sid}.json`);
    expect(fake.messages[0]?.body).toBe('Hei');
  });

  it('lists messages newest first in pages the SDK follows, with the filters Twilio has', async () => {
    for (const body of ['a', 'b', 'c', 'd', 'e']) await sendSms(smsTo('+4791234567', { body }));
    await sendSms(smsTo('+4790000002', { body: 'x' }));
    const listed = await sdkClient().messages.list({
      to: '+4791234567',
      from: '+4759440000',
      dateSentAfter: now,
      pageSize: 2,
    });
    expect(listed.map((m) => m.body)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(listed[0]).toMatchObject({ direction: 'outbound-api', to: '+4791234567', dateSent: now });
    const later = new Date(now.getTime() + 1000);
    expect(await sdkClient().messages.list({ to: '+4791234567', dateSentAfter: later })).toEqual([]);
    expect(await sdkClient().messages.list({ dateSentBefore: now })).toHaveLength(6);
  });

  it("answers a list call with Twilio's paging fields", async () => {
    for (const body of ['a', 'b', 'c']) await sendSms(smsTo('+4791234567', { body }));
    const base = `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`;
    const get = async (path: string) => {
      const response = await fetch(`${fake.baseUrl}${path}`, {
        headers: { Authorization: `Basic ${btoa(`${fake.accountSid}:${fake.authToken}`)}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const first = await get(`${base}?To=%2B4791234567&DateSent%3E=2025-03-04&PageSize=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      start: 0,
      end: 1,
      page: 0,
      page_size: 2,
      previous_page_uri: null,
      first_page_uri: `${base}?To=%2B4791234567&DateSent%3E=2025-03-04&PageSize=2&Page=0`,
      uri: `${base}?To=%2B4791234567&DateSent%3E=2025-03-04&PageSize=2`,
    });
    expect((first.body.messages as { body: string }[]).map((m) => m.body)).toEqual(['c', 'b']);
    const next = first.body.next_page_uri as string;
    expect(next).toMatch(/&Page=1&PageToken=PASM[0-9a-f]{32}$/);
    const second = await get(next);
    expect(second.body).toMatchObject({ start: 2, end: 2, page: 1, next_page_uri: null });
    expect((second.body.messages as { body: string }[]).map((m) => m.body)).toEqual(['a']);
    expect((await get(`${base}?DateSent%3E=yesterday`)).body).toMatchObject({ status: 400, code: 20001 });
  });

  it('returns errors the SDK turns into a RestException', async () => {
    fake.rejectNumber('+4790000002', 21610);
    const error = await sdkClient()
      .messages.create({ to: '+4790000002', from: '+4759440000', body: 'Hei' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({
      status: 400,
      code: 21610,
      moreInfo: 'https://www.twilio.com/docs/errors/21610',
    });
  });
});

describe('FakeTwilio status callbacks', () => {
  let receiver: Server;
  let callbackUrl: string;
  const received: { params: Record<string, string>; signature: string | undefined; url: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
          signature: request.headers['x-twilio-signature'] as string | undefined,
          url: request.url ?? '',
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/channels/sms/twilio/status?clinic=oslo`;
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('posts a signed, form-encoded status update to the StatusCallback URL', async () => {
    const sent = await sendSms(smsTo('+4791234567', { statusCallback: callbackUrl }));
    if (!sent.ok) throw new Error('send failed');
    expect(await fake.deliverStatus(sent.sid, 'delivered')).toBe(204);

    const [callback] = received;
    expect(callback?.url).toBe('/channels/sms/twilio/status?clinic=oslo');
    expect(callback?.params).toEqual({
      AccountSid: fake.accountSid,
      ApiVersion: '2010-04-01',
      From: '+4759440000',
      MessageSid: sent.sid,
      MessageStatus: 'delivered',
      SmsSid: sent.sid,
      SmsStatus: 'delivered',
      To: '+4791234567',
      RawDlrDoneDate: '2503040506',
    });
    const params = callback?.params ?? {};
    expect(await verifyTwilioSignature(fake.authToken, callbackUrl, params, callback?.signature)).toBe(true);
    expect(twilio.validateRequest(fake.authToken, callback?.signature ?? '', callbackUrl, params)).toBe(true);
    expect(await verifyTwilioSignature('another-token', callbackUrl, params, callback?.signature)).toBe(
      false,
    );
    expect(parseTwilioStatusCallback(params, { accountSid: fake.accountSid })).toEqual({
      kind: 'status',
      messageSid: sent.sid,
      accountSid: fake.accountSid,
      status: 'delivered',
      from: '+4759440000',
      to: '+4791234567',
    });
    expect(fake.messages[0]?.status).toBe('delivered');
  });

  it('includes the error code of an undelivered message', async () => {
    const sent = await sendSms(smsTo('+4791234567', { statusCallback: callbackUrl }));
    if (!sent.ok) throw new Error('send failed');
    await fake.deliverStatus(sent.sid, 'sent');
    await fake.deliverStatus(sent.sid, 'undelivered', { errorCode: 30003 });
    expect(received.map((callback) => parseTwilioStatusCallback(callback.params))).toMatchObject([
      { kind: 'status', status: 'sent' },
      { kind: 'status', status: 'undelivered', errorCode: 30003 },
    ]);
  });
});
