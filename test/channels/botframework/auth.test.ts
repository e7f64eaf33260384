import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sameServiceUrl } from '../../../src/channels/botframework/auth.ts';
import { FakeBotFramework } from '../../fakes/botframework.ts';
import { FakeClock, startTestServer } from '../../support/harness.ts';

/**
 * The fake channel service signs activities like the Bot Framework does, with its own keys published at
 * the authority the bot is configured with; the bot validates them with @microsoft/agents-hosting. Every
 * refused request answers 401 and leaves no trace: no address, transcript, outbox row or reference, and
 * nothing sent to the connector.
 */

const APP_ID = '5f0c8a52-7d4e-4a4b-9c1e-2b7e3d9f6a10';
const PASSWORD = 'fake-app-password-0123456789';
const TENANT = '8b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const NOW = new Date('2026-11-23T09:00:00.000Z');

const bf = new FakeBotFramework({ appId: APP_ID, appPassword: PASSWORD });
const clock = new FakeClock(NOW);
let server: Awaited<ReturnType<typeof startTestServer>>;
let multiTenant: Awaited<ReturnType<typeof startTestServer>>;
let activityId = 0;

beforeAll(async () => {
  // jsonwebtoken (inside the SDK) checks expiry against Date.now(): fix it, so no test reads the real time.
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  const authority = await bf.start();
  const env = {
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: PASSWORD,
    BOTFRAMEWORK_AUTHORITY_URL: authority,
    SCHEDULER_INTERVAL_MS: '3600000',
  };
  server = await startTestServer({ ...env, MICROSOFT_APP_TENANT_ID: TENANT }, { clock: clock.read });
  multiTenant = await startTestServer(env, { clock: clock.read });
});
afterAll(async () => {
  await server?.close();
  await multiTenant?.close();
  await bf.stop();
  vi.useRealTimers();
});

function message(text: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: `act-${++activityId}`,
    timestamp: NOW.toISOString(),
    serviceUrl: bf.serviceUrl,
    channelId: 'msteams',
    from: { id: '29:user-aad-1', name: 'Client' },
    recipient: { id: `28:${APP_ID}`, name: 'selvhjelp' },
    conversation: { id: 'a:personal-conversation-1', conversationType: 'personal', tenantId: TENANT },
    locale: 'nb-NO',
    text,
    ...overrides,
  };
}

async function post(target: { url: string }, activity: unknown, token?: string) {
  return fetch(`${target.url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(activity),
  });
}

/** Row counts of everything an inbound activity could change. */
async function footprint(target: typeof server) {
  const tables = [
    'channel_addresses',
    'transcript',
    'outbox',
    'processed_inbound',
    'conversation_references',
  ];
  return target.deps.db.read(async (q) => {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      counts[table] = Number((await q.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    }
    return counts;
  });
}

describe('POST /api/messages with MICROSOFT_APP_ID (single-tenant)', () => {
  it('accepts an activity signed by the channel service, and answers through the connector with a bot token', async () => {
    const activity = message('hei');
    const token = await bf.token({ tenant: TENANT, now: NOW });
    const response = await post(server, activity, token);
    expect(response.status).toBe(200);
    const [sent] = await bf.waitFor(1);
    expect(sent).toMatchObject({
      conversationId: 'a:personal-conversation-1',
      replyToId: activity.id,
      authorization: 'Bearer bot-token-1',
      activity: {
        type: 'message',
        replyToId: activity.id,
        from: { id: `28:${APP_ID}` },
        conversation: { id: 'a:personal-conversation-1', tenantId: TENANT },
      },
    });
    expect(sent!.activity.text).toMatch(/tilgangskoden/);
    expect(await footprint(server)).toEqual({
      channel_addresses: 1,
      transcript: 2,
      outbox: 1,
      processed_inbound: 1,
      conversation_references: 1,
    });
  });

  const refusals: [string, () => Promise<string | undefined>][] = [
    ['a wrong audience', () => bf.token({ tenant: TENANT, now: NOW, claims: { aud: 'another-bot-id' } })],
    [
      'a wrong issuer',
      () => bf.token({ tenant: TENANT, now: NOW, claims: { iss: 'https://login.example.net/tenant/v2.0' } }),
    ],
    [
      'an expired token',
      () =>
        bf.token({
          tenant: TENANT,
          now: new Date(NOW.getTime() - 3 * 3600_000),
          claims: {},
        }),
    ],
    [
      'a serviceurl claim that is not the activity’s serviceUrl',
      () =>
        bf.token({
          tenant: TENANT,
          now: NOW,
          claims: { serviceurl: 'https://smba.trafficmanager.net/emea/' },
        }),
    ],
    ['no token at all', async () => undefined],
    ['a key the channel never published', () => bf.token({ tenant: TENANT, now: NOW, key: 'unpublished' })],
    ['a token that is not a JWT', async () => 'not-a-jwt'],
  ];
  for (const [what, token] of refusals) {
    it(`refuses ${what} with 401 and changes nothing`, async () => {
      const before = await footprint(server);
      const sentBefore = bf.activities.length;
      const response = await post(
        server,
        message('hei igjen', { conversation: { id: 'a:other' } }),
        await token(),
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect(await footprint(server)).toEqual(before);
      // Give a wrongly queued reply the chance to show itself.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(bf.activities.length).toBe(sentBefore);
    });
  }

  // The token's claim is the fake connector's `http://127.0.0.1:{port}/`; each serviceUrl below differs
  // from it in a way a lenient comparison would let through, and would then be stored and used for replies.
  const serviceUrls: [string, () => string, (() => Record<string, unknown>)?][] = [
    ['a query', () => `${bf.baseUrl}/?x=1`],
    ['an empty query', () => `${bf.baseUrl}/?`],
    ['a fragment', () => `${bf.baseUrl}/#x`],
    ['userinfo', () => bf.baseUrl.replace('http://', 'http://user:pw@')],
    ['an empty userinfo', () => bf.baseUrl.replace('http://', 'http://@')],
    ['a /a/../ path', () => `${bf.baseUrl}/a/../`],
    ['a decimal IP', () => bf.baseUrl.replace('127.0.0.1', '2130706433')],
    ['a trailing dot in the host', () => bf.baseUrl.replace('127.0.0.1', '127.0.0.1.')],
    ['a trailing backslash', () => `${bf.baseUrl}/\\`],
    ['a trailing tab', () => `${bf.baseUrl}/\t`],
    ['a path in another case', () => `${bf.baseUrl}/EMEA/`, () => ({ serviceurl: `${bf.baseUrl}/emea/` })],
  ];
  for (const [what, serviceUrl, claims] of serviceUrls) {
    it(`refuses a serviceUrl with ${what} against the token's claim: 401, nothing stored or sent`, async () => {
      const before = await footprint(server);
      const sentBefore = bf.activities.length;
      const token = await bf.token({ tenant: TENANT, now: NOW, ...(claims ? { claims: claims() } : {}) });
      const response = await post(
        server,
        message('I want to end my life tonight', {
          serviceUrl: serviceUrl(),
          conversation: { id: 'a:serviceurl' },
        }),
        token,
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect(await footprint(server)).toEqual(before);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(bf.activities.length).toBe(sentBefore);
    });
  }

  it('accepts the serviceUrl its claim names, with or without the trailing slash', async () => {
    for (const [conversation, serviceUrl, claim] of [
      ['a:slash-1', bf.baseUrl, bf.serviceUrl],
      ['a:slash-2', bf.serviceUrl, bf.baseUrl],
      ['a:slash-3', bf.serviceUrl, bf.serviceUrl.toUpperCase()],
    ] as const) {
      const sentBefore = bf.activities.length;
      const token = await bf.token({ tenant: TENANT, now: NOW, claims: { serviceurl: claim } });
      const activity = message('hei', { serviceUrl, conversation: { id: conversation } });
      expect((await post(server, activity, token)).status, conversation).toBe(200);
      const sent = await bf.waitFor(sentBefore + 1);
      expect(sent.at(-1)).toMatchObject({ conversationId: conversation, replyToId: activity.id });
    }
  });

  it('answers a signed request whose body is not an activity with 400, and changes nothing', async () => {
    const before = await footprint(server);
    const token = await bf.token({ tenant: TENANT, now: NOW });
    const response = await post(server, { type: 'message', text: 'no conversation' }, token);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
    const garbled = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: '{"type":',
    });
    expect(garbled.status).toBe(400);
    expect(await footprint(server)).toEqual(before);
  });

  it('refuses a token for the Bot Framework tenant of a multi-tenant bot', async () => {
    const token = await bf.token({ tenant: 'botframework.com', now: NOW });
    expect((await post(server, message('hei'), token)).status).toBe(401);
  });
});

describe('POST /api/messages with MICROSOFT_APP_ID (multi-tenant)', () => {
  it('accepts a token from the Bot Framework tenant and refuses one from another tenant', async () => {
    const accepted = await bf.token({ tenant: 'botframework.com', now: NOW });
    expect((await post(multiTenant, message('hei', { conversation: { id: 'mt-1' } }), accepted)).status).toBe(
      200,
    );
    const other = await bf.token({ tenant: TENANT, now: NOW });
    const before = await footprint(multiTenant);
    expect((await post(multiTenant, message('hei', { conversation: { id: 'mt-2' } }), other)).status).toBe(
      401,
    );
    expect(await footprint(multiTenant)).toEqual(before);
  });
});

describe('sameServiceUrl', () => {
  const emea = 'https://smba.trafficmanager.net/emea/';

  it('takes the scheme and host without case and the trailing slash as optional', () => {
    expect(sameServiceUrl(emea, emea)).toBe(true);
    expect(sameServiceUrl('HTTPS://SMBA.TrafficManager.NET/emea', emea)).toBe(true);
    expect(sameServiceUrl(emea, 'https://smba.trafficmanager.net/emea')).toBe(true);
    expect(sameServiceUrl('https://smba.trafficmanager.net', 'https://smba.trafficmanager.net/')).toBe(true);
    expect(sameServiceUrl('https://smba.trafficmanager.net/', 'https://smba.trafficmanager.net')).toBe(true);
  });

  it('refuses an activity serviceUrl that is not a plain URL in normal form, and a claim that names another', () => {
    for (const serviceUrl of [
      'https://smba.trafficmanager.net/emea/?a=1',
      'https://smba.trafficmanager.net/emea/#top',
      'https://evil@smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net/a/../emea/',
      'https://smba.trafficmanager.net./emea/',
      'https://smba.trafficmanager.net/emea\\',
      'https://smba.trafficmanager.net/emea/\t',
      ' https://smba.trafficmanager.net/emea/',
      'https://SMBA.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net:443/emea/',
      'https://smba.trafficmanager.net/EMEA/',
      'https://smba.trafficmanager.net/emea//',
      'http://smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net/amer/',
      'ftp://smba.trafficmanager.net/emea/',
      'not a url',
    ]) {
      expect(sameServiceUrl(emea, serviceUrl), serviceUrl).toBe(false);
    }
    expect(sameServiceUrl('http://127.0.0.1:3978/', 'http://2130706433:3978/')).toBe(false);
    expect(sameServiceUrl(undefined, emea)).toBe(false);
    expect(sameServiceUrl('not a url', emea)).toBe(false);
    expect(sameServiceUrl(`${emea}?x`, emea)).toBe(false);
    expect(sameServiceUrl('https://u@smba.trafficmanager.net/emea/', emea)).toBe(false);
  });
});
