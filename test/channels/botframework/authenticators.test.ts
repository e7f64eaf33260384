import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  ActivityAuthenticator,
  AuthOutcome,
  BotAuthSettings,
} from '../../../src/channels/botframework/auth.ts';
import { joseAuthenticator } from '../../../src/channels/botframework/jose-auth.ts';
import { sdkAuthenticator } from '../../../src/channels/botframework/sdk-auth.ts';
import { FakeBotFramework } from '../../fakes/botframework.ts';

/**
 * The two implementations of the Bot Framework's inbound check, side by side: `sdkAuthenticator`
 * (@microsoft/agents-hosting's own middleware, on Node) and `joseAuthenticator` (on Workers), with the same
 * settings, against the same fake authority, over the same tokens. Each case states what both must answer,
 * and the two must agree on it: accepted or refused, and the `serviceurl` claim handed back. So the jose
 * path is exactly as strict as the SDK's for every case here.
 */

const APP_ID = '5f0c8a52-7d4e-4a4b-9c1e-2b7e3d9f6a10';
const TENANT = '8b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const OTHER_TENANT = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
/** One of Microsoft's first-party tenants, whose issuers the SDK always accepts. */
const FIRST_PARTY = 'd6d49420-f39b-4df7-a1dc-d59a935871db';
const NOW = new Date('2026-11-23T09:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

const bf = new FakeBotFramework({ appId: APP_ID });
const keyRequests: string[] = [];

type Group = 'single' | 'multi' | 'common';
let pairs: Record<Group, { sdk: ActivityAuthenticator; jose: ActivityAuthenticator }>;

beforeAll(async () => {
  // jsonwebtoken (inside the SDK) checks expiry against Date.now(): fix it. jose gets `now` instead.
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  const authorityUrl = await bf.start();
  const settings: Record<Group, BotAuthSettings> = {
    single: { appId: APP_ID, tenantId: TENANT, authorityUrl },
    multi: { appId: APP_ID, authorityUrl },
    common: { appId: APP_ID, tenantId: 'common', authorityUrl },
  };
  const pair = (s: BotAuthSettings) => ({
    sdk: sdkAuthenticator(s),
    jose: joseAuthenticator(s, {
      now: () => NOW,
      fetch: (url, init) => {
        keyRequests.push(url);
        return fetch(url, init);
      },
    }),
  });
  pairs = { single: pair(settings.single), multi: pair(settings.multi), common: pair(settings.common) };
});
afterAll(async () => {
  await bf.stop();
  vi.useRealTimers();
});

const bearer = async (token: Promise<string>) => `Bearer ${await token}`;
const signed = (tenant: string, claims: Record<string, unknown> = {}, now = NOW) =>
  bearer(bf.token({ tenant, now, claims }));
/** An Entra v2 issuer in the public cloud, as real tokens carry it (the fake still signs and serves the keys). */
const entra = (tenant: string, host = 'login.microsoftonline.com') => `https://${host}/${tenant}/v2.0`;

interface Case {
  what: string;
  group: Group;
  header: () => Promise<string | undefined>;
  ok: boolean;
  claim?: 'fake';
}

const cases: Case[] = [
  // Single-tenant: the app's own tenant.
  {
    what: 'a token the channel signed',
    group: 'single',
    header: () => signed(TENANT),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'the scheme in another case',
    group: 'single',
    header: async () => `bearer ${await bf.token({ tenant: TENANT, now: NOW })}`,
    ok: true,
    claim: 'fake',
  },
  {
    what: 'an audience list naming the app',
    group: 'single',
    header: () => signed(TENANT, { aud: ['https://api.botframework.com', APP_ID] }),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'no serviceurl claim',
    group: 'single',
    header: () => signed(TENANT, { serviceurl: undefined }),
    ok: true,
  },
  {
    what: 'a wrong audience',
    group: 'single',
    header: () => signed(TENANT, { aud: 'another-bot-id' }),
    ok: false,
  },
  {
    what: 'the Bot Framework audience alone',
    group: 'single',
    header: () => signed(TENANT, { aud: 'https://api.botframework.com' }),
    ok: false,
  },
  {
    what: 'a wrong issuer',
    group: 'single',
    header: () => signed(TENANT, { iss: 'https://login.example.net/tenant/v2.0' }),
    ok: false,
  },
  { what: 'no issuer', group: 'single', header: () => signed(TENANT, { iss: undefined }), ok: false },
  {
    what: 'the issuer in upper case (compared without case)',
    group: 'single',
    header: () => signed(TENANT, { iss: bf.issuer(TENANT).toUpperCase().replace('HTTP://', 'http://') }),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'an expired token',
    group: 'single',
    header: () => signed(TENANT, {}, new Date(NOW.getTime() - 3 * 3600_000)),
    ok: false,
  },
  {
    what: 'a token expired 4 minutes ago (within the 5 minutes of tolerance)',
    group: 'single',
    header: () => signed(TENANT, { exp: Math.floor(minutes(-4).getTime() / 1000) }),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'a token expired 6 minutes ago',
    group: 'single',
    header: () => signed(TENANT, { exp: Math.floor(minutes(-6).getTime() / 1000) }),
    ok: false,
  },
  {
    what: 'a token valid from 4 minutes on',
    group: 'single',
    header: () => signed(TENANT, { nbf: Math.floor(minutes(4).getTime() / 1000) }),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'a token valid from 6 minutes on',
    group: 'single',
    header: () => signed(TENANT, { nbf: Math.floor(minutes(6).getTime() / 1000) }),
    ok: false,
  },
  {
    what: 'a token without exp (it would never expire)',
    group: 'single',
    header: () => signed(TENANT, { exp: undefined }),
    ok: false,
  },
  {
    what: 'a key the channel never published',
    group: 'single',
    header: () => bearer(bf.token({ tenant: TENANT, now: NOW, key: 'unpublished' })),
    ok: false,
  },
  {
    what: 'HS256 signed with the published public key as the secret',
    group: 'single',
    header: async () => {
      const claims = decodeJwt(await bf.token({ tenant: TENANT, now: NOW }));
      const keys = (await (await fetch(`${bf.baseUrl}/${TENANT}/discovery/v2.0/keys`)).json()) as {
        keys: { kid: string }[];
      };
      const secret = new TextEncoder().encode(JSON.stringify(keys.keys[0]));
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: keys.keys[0]!.kid, typ: 'JWT' })
        .sign(secret);
      return `Bearer ${token}`;
    },
    ok: false,
  },
  {
    what: 'an unsigned token (alg none)',
    group: 'single',
    header: async () => {
      const [, payload] = (await bf.token({ tenant: TENANT, now: NOW })).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return `Bearer ${header}.${payload}.`;
    },
    ok: false,
  },
  {
    what: 'a signature of another token',
    group: 'single',
    header: async () => {
      const [header, payload] = (await bf.token({ tenant: TENANT, now: NOW, claims: { aud: APP_ID } })).split(
        '.',
      );
      const [, , signature] = (await bf.token({ tenant: TENANT, now: minutes(-1) })).split('.');
      return `Bearer ${header}.${payload}.${signature}`;
    },
    ok: false,
  },
  { what: 'no token at all', group: 'single', header: async () => undefined, ok: false },
  { what: 'an empty header', group: 'single', header: async () => '', ok: false },
  { what: 'a token that is not a JWT', group: 'single', header: async () => 'Bearer not-a-jwt', ok: false },
  {
    what: 'another scheme',
    group: 'single',
    header: async () => `Basic ${await bf.token({ tenant: TENANT, now: NOW })}`,
    ok: false,
  },
  {
    what: 'a token with no scheme',
    group: 'single',
    header: async () => bf.token({ tenant: TENANT, now: NOW }),
    ok: false,
  },
  {
    what: 'a token for the Bot Framework tenant',
    group: 'single',
    header: () => signed('botframework.com'),
    ok: false,
  },
  { what: 'a token for another tenant', group: 'single', header: () => signed(OTHER_TENANT), ok: false },
  {
    what: 'a Microsoft first-party issuer with its own tenant id',
    group: 'single',
    header: () => signed(TENANT, { iss: entra(FIRST_PARTY), tid: FIRST_PARTY }),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'a Microsoft first-party issuer with another tenant id',
    group: 'single',
    header: () => signed(TENANT, { iss: entra(FIRST_PARTY), tid: TENANT }),
    ok: false,
  },
  // Multi-tenant: no tenant id, so the Bot Framework tenant.
  {
    what: 'a token for the Bot Framework tenant',
    group: 'multi',
    header: () => signed('botframework.com'),
    ok: true,
    claim: 'fake',
  },
  { what: 'a token for a client tenant', group: 'multi', header: () => signed(TENANT), ok: false },
  {
    what: 'a wrong audience',
    group: 'multi',
    header: () => signed('botframework.com', { aud: 'x' }),
    ok: false,
  },
  {
    what: 'an expired token',
    group: 'multi',
    header: () => signed('botframework.com', {}, new Date(NOW.getTime() - 3 * 3600_000)),
    ok: false,
  },
  {
    what: 'a key the channel never published',
    group: 'multi',
    header: () => bearer(bf.token({ tenant: 'botframework.com', now: NOW, key: 'unpublished' })),
    ok: false,
  },
  // A tenant of `common`: any Entra tenant of the authority's cloud, bound to its `tid`.
  {
    what: 'an Entra issuer of any tenant with its tid',
    group: 'common',
    header: () => signed('common', { iss: entra(OTHER_TENANT), tid: OTHER_TENANT }),
    ok: true,
    claim: 'fake',
  },
  {
    what: 'an Entra issuer whose tid is another tenant',
    group: 'common',
    header: () => signed('common', { iss: entra(OTHER_TENANT), tid: TENANT }),
    ok: false,
  },
  {
    what: 'an Entra issuer of the US Government cloud',
    group: 'common',
    header: () => signed('common', { iss: entra(OTHER_TENANT, 'login.microsoftonline.us') }),
    ok: false,
  },
  {
    what: 'an issuer that only looks like Entra (http)',
    group: 'common',
    header: () => signed('common', { iss: `http://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }),
    ok: false,
  },
  {
    what: 'an Entra v1 issuer of any tenant',
    group: 'common',
    header: () => signed('common', { iss: `https://sts.windows.net/${OTHER_TENANT}/` }),
    ok: true,
    claim: 'fake',
  },
];

/** What the route uses of an outcome. */
const seen = (outcome: AuthOutcome) =>
  outcome.ok ? { ok: true, serviceUrlClaim: outcome.serviceUrlClaim } : { ok: false };

describe('sdkAuthenticator and joseAuthenticator agree', () => {
  for (const c of cases) {
    it(`${c.group}-tenant: ${c.ok ? 'accept' : 'refuse'} ${c.what}`, async () => {
      const header = await c.header();
      const { sdk, jose } = pairs[c.group];
      const [bySdk, byJose] = [seen(await sdk.verify(header)), seen(await jose.verify(header))];
      expect(byJose).toEqual(bySdk);
      expect(bySdk).toEqual(
        c.ok ? { ok: true, serviceUrlClaim: c.claim === 'fake' ? bf.serviceUrl : undefined } : { ok: false },
      );
    });
  }

  it('both require a token', () => {
    expect(pairs.single.sdk.required).toBe(true);
    expect(pairs.single.jose.required).toBe(true);
  });

  it('jose reads each key set once, from the URLs the SDK uses, and keeps it', () => {
    expect([...keyRequests].sort()).toEqual(
      [
        `${bf.baseUrl}/${TENANT}/discovery/v2.0/keys`,
        `${bf.baseUrl}/botframework.com/discovery/v2.0/keys`,
        `${bf.baseUrl}/common/discovery/v2.0/keys`,
      ].sort(),
    );
  });
});
