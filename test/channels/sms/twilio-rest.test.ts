import { describe, expect, it } from 'vitest';
import {
  classifyTwilioErrorCode,
  type SendSmsRequest,
  sendSms,
} from '../../../src/channels/sms/twilio-rest.ts';

const accountSid = `AC${'1'.repeat(32)}`;
const authToken = 'secret-auth-token-0123456789';
const request: SendSmsRequest = {
  baseUrl: 'https://api.twilio.test/',
  accountSid,
  authToken,
  from: '+4759440000',
  to: '+4791234567',
  body: 'Hei! Hvordan gikk det i dag?',
  statusCallback: 'https://selvhjelp.example.no/channels/sms/twilio/status',
};

interface Captured {
  url: string;
  init: RequestInit;
}

function fakeFetch(response: () => Response | Promise<Response>, captured: Captured[] = []): typeof fetch {
  return async (input, init) => {
    captured.push({ url: String(input), init: init ?? {} });
    return response();
  };
}

const json =
  (status: number, value: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(value), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

const twilioError = (status: number, code: number, message: string) =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

describe('sendSms', () => {
  it('posts the form to the Messages resource with Basic auth', async () => {
    const captured: Captured[] = [];
    const sid = `SM${'a'.repeat(32)}`;
    const result = await sendSms(request, {
      fetch: fakeFetch(json(201, { sid, status: 'queued', num_segments: '1' }), captured),
    });
    expect(result).toEqual({ ok: true, sid, status: 'queued', numSegments: 1 });

    const [call] = captured;
    expect(call?.url).toBe(`https://api.twilio.test/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(call?.init.method).toBe('POST');
    const headers = new Headers(call?.init.headers);
    expect(headers.get('authorization')).toBe(
      `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
    );
    expect(headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(String(call?.init.body)))).toEqual({
      To: request.to,
      From: request.from,
      Body: request.body,
      StatusCallback: request.statusCallback,
    });
  });

  it('leaves StatusCallback out when not given, and encodes non-ASCII text', async () => {
    const captured: Captured[] = [];
    const { statusCallback: _omitted, ...withoutCallback } = request;
    await sendSms(
      { ...withoutCallback, body: 'Blåbær & «ting» + mer' },
      { fetch: fakeFetch(json(201, { sid: `SM${'a'.repeat(32)}`, status: 'queued' }), captured) },
    );
    const form = new URLSearchParams(String(captured[0]?.init.body));
    expect(form.has('StatusCallback')).toBe(false);
    expect(form.get('Body')).toBe('Blåbær & «ting» + mer');
  });

  it.each([
    [429, 20429, 'Too Many Requests'],
    [500, 20500, 'An internal server error has occurred'],
    [503, 20503, 'Service Unavailable'],
  ])('reports HTTP %i as retryable', async (status, code, message) => {
    const result = await sendSms(request, { fetch: fakeFetch(twilioError(status, code, message)) });
    expect(result).toEqual({ ok: false, retryable: true, status, code, message });
  });

  it('passes on Retry-After', async () => {
    const result = await sendSms(request, {
      fetch: fakeFetch(json(429, { code: 20429, message: 'Too Many Requests' }, { 'Retry-After': '7' })),
    });
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
  });

  it('reports a 502 with an HTML body as retryable', async () => {
    const result = await sendSms(request, {
      fetch: fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502 })),
    });
    expect(result).toEqual({ ok: false, retryable: true, status: 502, message: 'HTTP 502' });
  });

  it.each([
    [21211, 'invalid-number', "The 'To' number +4791234567 is not a valid phone number."],
    [21610, 'opted-out', 'Attempt to send to unsubscribed recipient'],
    [21614, 'not-mobile', "'To' number +4791234567 is not a valid mobile number"],
    [21612, 'unreachable', "The 'To' phone number: +4791234567, is not currently reachable"],
    [
      21408,
      'configuration',
      'Permission to send an SMS has not been enabled for the region indicated by the To number',
    ],
    [21602, 'rejected', 'Message body is required.'],
    [21999, 'rejected', 'Some new error'],
  ])('reports 400 with code %i as permanent (%s)', async (code, permanent, message) => {
    const result = await sendSms(request, { fetch: fakeFetch(twilioError(400, code, message)) });
    expect(result).toMatchObject({ ok: false, retryable: false, permanent, status: 400, code });
  });

  it('never returns the phone numbers or the token in the message', async () => {
    const result = await sendSms(request, {
      fetch: fakeFetch(
        twilioError(
          400,
          21612,
          `The 'To' phone number: ${request.to}, is not reachable from ${request.from} (${authToken}) or 47 912 34 567`,
        ),
      ),
    });
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).not.toContain('91234567');
    expect(message).not.toContain('912 34 567');
    expect(message).not.toContain('59440000');
    expect(message).not.toContain(authToken);
    expect(message).toContain('is not reachable');
  });

  it('reports wrong credentials as a permanent auth failure', async () => {
    const result = await sendSms(request, {
      fetch: fakeFetch(twilioError(401, 20003, 'Authentication Error - invalid username')),
    });
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      permanent: 'auth',
      status: 401,
      code: 20003,
    });
  });

  it('reports a wrong account path as a configuration error', async () => {
    const result = await sendSms(request, {
      fetch: fakeFetch(() => new Response('not found', { status: 404 })),
    });
    expect(result).toMatchObject({ ok: false, retryable: false, permanent: 'configuration', status: 404 });
  });

  it('reports network errors as retryable', async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });
    };
    expect(await sendSms(request, { fetch: refused })).toEqual({
      ok: false,
      retryable: true,
      message: 'network error (ECONNREFUSED)',
    });
  });

  it('gives up after the timeout and reports it as retryable and uncertain (Twilio may have it)', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    expect(await sendSms(request, { fetch: hanging, timeoutMs: 20 })).toEqual({
      ok: false,
      retryable: true,
      uncertain: true,
      message: 'timed out',
    });
  });

  it('does not retry a 2xx it cannot read, since the message may have been sent', async () => {
    const result = await sendSms(request, { fetch: fakeFetch(() => new Response('OK', { status: 200 })) });
    expect(result).toMatchObject({ ok: false, retryable: false, permanent: 'bad-response', status: 200 });
  });
});

describe('classifyTwilioErrorCode', () => {
  it('classifies delivery errors from status callbacks', () => {
    expect(classifyTwilioErrorCode(30003)).toEqual({ retryable: false, permanent: 'unreachable' });
    expect(classifyTwilioErrorCode(30005)).toEqual({ retryable: false, permanent: 'invalid-number' });
    expect(classifyTwilioErrorCode(30006)).toEqual({ retryable: false, permanent: 'not-mobile' });
    expect(classifyTwilioErrorCode(30007)).toEqual({ retryable: false, permanent: 'blocked' });
    expect(classifyTwilioErrorCode(30008)).toEqual({ retryable: true });
    expect(classifyTwilioErrorCode(12345)).toBeUndefined();
  });
});
