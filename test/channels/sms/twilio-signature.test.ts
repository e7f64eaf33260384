import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  type TwilioParams,
  verifyTwilioSignature,
} from '../../../src/channels/sms/twilio-signature.ts';
import { mulberry32 } from '../../support/seeded.ts';

const authToken = '12345678901234567890123456789012';
const url = 'https://selvhjelp.example.no/channels/sms/twilio';
const params = {
  AccountSid: `AC${'a'.repeat(32)}`,
  Body: 'Hei, jeg har sovet dårlig «igjen» 😴',
  From: '+4791234567',
  MessageSid: `SM${'b'.repeat(32)}`,
  NumMedia: '0',
  To: '+4759440000',
};

describe('computeTwilioSignature', () => {
  it("matches the worked example in Twilio's webhook security documentation", async () => {
    const docUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const docParams = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675310',
      Digits: '1234',
      From: '+14158675310',
      To: '+18005551212',
    };
    expect(await computeTwilioSignature('12345', docUrl, docParams)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
  });

  it('signs the URL alone when there are no parameters', async () => {
    expect(await computeTwilioSignature(authToken, url, {})).toBe(
      twilio.getExpectedTwilioSignature(authToken, url, {}),
    );
  });

  it('sorts keys by code unit, so upper case comes before lower case', async () => {
    const mixed = { b: '1', B: '2', a: '3', A: '4', _: '5', '0': '6' };
    expect(await computeTwilioSignature(authToken, url, mixed)).toBe(
      twilio.getExpectedTwilioSignature(authToken, url, mixed),
    );
  });
});

describe('verifyTwilioSignature', () => {
  it('accepts a valid signature', async () => {
    const signature = await computeTwilioSignature(authToken, url, params);
    expect(await verifyTwilioSignature(authToken, url, params, signature)).toBe(true);
  });

  it('rejects a signature made with another token', async () => {
    const signature = await computeTwilioSignature('another-token', url, params);
    expect(await verifyTwilioSignature(authToken, url, params, signature)).toBe(false);
  });

  it('rejects a tampered signature or tampered parameters', async () => {
    const signature = await computeTwilioSignature(authToken, url, params);
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expect(await verifyTwilioSignature(authToken, url, params, flipped)).toBe(false);
    expect(await verifyTwilioSignature(authToken, url, params, `${signature} `)).toBe(false);
    expect(await verifyTwilioSignature(authToken, url, params, signature.slice(0, -1))).toBe(false);
    expect(await verifyTwilioSignature(authToken, url, { ...params, Body: 'STOP' }, signature)).toBe(false);
    expect(await verifyTwilioSignature(authToken, url, { ...params, Extra: '' }, signature)).toBe(false);
    const { NumMedia: _dropped, ...fewer } = params;
    expect(await verifyTwilioSignature(authToken, url, fewer, signature)).toBe(false);
  });

  it('rejects a missing or empty header, and an empty token', async () => {
    const signature = await computeTwilioSignature(authToken, url, params);
    expect(await verifyTwilioSignature(authToken, url, params, undefined)).toBe(false);
    expect(await verifyTwilioSignature(authToken, url, params, null)).toBe(false);
    expect(await verifyTwilioSignature(authToken, url, params, '')).toBe(false);
    expect(await verifyTwilioSignature('', url, params, signature)).toBe(false);
  });

  it.each([
    ['another host', 'https://evil.example.no/channels/sms/twilio'],
    ['another path', 'https://selvhjelp.example.no/channels/sms/twilio/status'],
    ['a trailing slash', 'https://selvhjelp.example.no/channels/sms/twilio/'],
    ['a query', 'https://selvhjelp.example.no/channels/sms/twilio?x=1'],
    ['another scheme', 'http://selvhjelp.example.no/channels/sms/twilio'],
    ['another user info', 'https://user@selvhjelp.example.no/channels/sms/twilio'],
  ])('rejects a signature for %s', async (_, otherUrl) => {
    const signature = await computeTwilioSignature(authToken, url, params);
    expect(await verifyTwilioSignature(authToken, otherUrl, params, signature)).toBe(false);
    expect(twilio.validateRequest(authToken, signature, otherUrl, params)).toBe(false);
  });

  it('keeps query parameters part of the signed URL', async () => {
    const withQuery = `${url}?clinic=oslo&v=2`;
    const signature = await computeTwilioSignature(authToken, withQuery, params);
    expect(await verifyTwilioSignature(authToken, withQuery, params, signature)).toBe(true);
    expect(await verifyTwilioSignature(authToken, `${url}?clinic=bergen&v=2`, params, signature)).toBe(false);
  });

  it('accepts the URL with and without a port, as twilio-node does', async () => {
    const withPort = 'https://selvhjelp.example.no:443/channels/sms/twilio';
    const signedWithPort = await computeTwilioSignature(authToken, withPort, params);
    const signedWithout = await computeTwilioSignature(authToken, url, params);
    expect(await verifyTwilioSignature(authToken, url, params, signedWithPort)).toBe(true);
    expect(await verifyTwilioSignature(authToken, withPort, params, signedWithout)).toBe(true);
    expect(twilio.validateRequest(authToken, signedWithPort, url, params)).toBe(true);
    expect(twilio.validateRequest(authToken, signedWithout, withPort, params)).toBe(true);
    // twilio-node also strips a non-default port: the port is not what the signature protects.
    const otherPort = 'https://selvhjelp.example.no:8443/channels/sms/twilio';
    expect(await verifyTwilioSignature(authToken, otherPort, params, signedWithout)).toBe(true);
    expect(twilio.validateRequest(authToken, signedWithout, otherPort, params)).toBe(true);
  });

  it('handles repeated keys like twilio-node: each distinct value once, sorted', async () => {
    const repeated: TwilioParams = { MediaUrl: ['b', 'a', 'b'], Body: 'x' };
    const signature = await computeTwilioSignature(authToken, url, repeated);
    expect(signature).toBe(
      twilio.getExpectedTwilioSignature(authToken, url, { MediaUrl: ['b', 'a', 'b'], Body: 'x' }),
    );
    expect(twilio.validateRequest(authToken, signature, url, { MediaUrl: ['a', 'b'], Body: 'x' })).toBe(true);
    expect(await verifyTwilioSignature(authToken, url, { MediaUrl: ['a', 'b'], Body: 'x' }, signature)).toBe(
      true,
    );
  });
});

describe('agreement with twilio.validateRequest', () => {
  const random = mulberry32(20_240_611);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const keyStems = [
    'Body',
    'body',
    'BODY',
    'Bo',
    'B',
    'Body0',
    'Body1',
    'Body10',
    'Body2',
    'MediaUrl0',
    'MediaUrl10',
  ];
  const keyExtras = ['', '_', '-', '0', '1', '[]', '[0]', ' ', 'Sid', 'sid', 'æ', 'Ø'];
  const valueAtoms = [
    'a',
    'Z',
    '0',
    ' ',
    '+47',
    'æ',
    'ø',
    'å',
    'Æ',
    'Ø',
    'Å',
    '😀',
    '👍🏽',
    '«',
    '»',
    '–',
    '’',
    '…',
    '&',
    '=',
    '%20',
    '+',
    '\n',
    '"',
    '中',
    'é',
    'e\u0301',
    '',
  ];
  const urls = [
    url,
    `${url}?a=1&b=2`,
    'https://selvhjelp.example.no:8443/channels/sms/twilio',
    'http://127.0.0.1:8787/channels/sms/twilio/status',
    'https://selvhjelp.example.no/channels/sms/twilio?clinic=%C3%B8st',
  ];

  function randomValue(): string {
    let value = '';
    const length = Math.floor(random() * 12);
    for (let i = 0; i < length; i += 1) value += pick(valueAtoms);
    return value;
  }

  function randomParams(): Record<string, string> {
    const result: Record<string, string> = {};
    const count = 1 + Math.floor(random() * 10);
    for (let i = 0; i < count; i += 1) result[pick(keyStems) + pick(keyExtras)] = randomValue();
    return result;
  }

  const cases = Array.from({ length: 50 }, (_, i) => ({
    index: i,
    token: `${authToken.slice(0, 20)}${i.toString(16).padStart(12, '0')}`,
    url: pick(urls),
    params: randomParams(),
  }));

  it.each(cases)(
    'case $index: same signature, same verdicts',
    async ({ token, url: caseUrl, params: caseParams }) => {
      const ours = await computeTwilioSignature(token, caseUrl, caseParams);
      expect(ours).toBe(twilio.getExpectedTwilioSignature(token, caseUrl, caseParams));
      expect(twilio.validateRequest(token, ours, caseUrl, caseParams)).toBe(true);
      expect(await verifyTwilioSignature(token, caseUrl, caseParams, ours)).toBe(true);

      const changed = { ...caseParams, [pick(Object.keys(caseParams))]: `${randomValue()}x` };
      expect(await verifyTwilioSignature(token, caseUrl, changed, ours)).toBe(
        twilio.validateRequest(token, ours, caseUrl, changed),
      );
      expect(await verifyTwilioSignature(token, caseUrl, changed, ours)).toBe(false);
    },
  );
});
