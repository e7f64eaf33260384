import { createRemoteJWKSet, customFetch, type FetchImplementation } from 'jose/jwks/remote';
import { decodeJwt } from 'jose/jwt/decode';
import { jwtVerify } from 'jose/jwt/verify';
import type { ActivityAuthenticator, AuthOutcome, BotAuthSettings } from './auth.ts';

/**
 * Strict authentication with `jose`, for runtimes that cannot load @microsoft/agents-hosting (Workers). It
 * makes the checks of the SDK's `authorizeJWT` (@microsoft/agents-hosting 1.8.1, dist/src/auth/jwt-middleware.js
 * and settings.js) with `validateIssuer` on, for the same `BotAuthSettings` as `sdkAuthenticator`:
 *
 * - a `Bearer <token>` header (scheme in any case, nothing else in it);
 * - the audience: the token's `aud` names the app id;
 * - the signature, RS256 only, with a key from the key set the SDK picks by the token's issuer: the Bot
 *   Framework's own for `https://api.botframework.com` (and `.us`), otherwise the Entra authority's
 *   `{authority}/{tenant or botframework.com}/discovery/v2.0/keys`. The SDK reads these URLs directly, not
 *   through the OpenID metadata, and so does this;
 * - expiry and not-before, with the SDK's five minutes of clock tolerance; unlike the SDK's middleware,
 *   a token must have `exp` (sdkAuthenticator adds the same check);
 * - the issuer: the SDK's default issuers for the tenant (Bot Framework, `sts.windows.net/{tenant}/`,
 *   `{authority}/{tenant}/v2.0`) and Microsoft's first-party issuers, compared without case; for an app
 *   whose tenant is `common` or `organizations`, any Entra issuer of the authority's cloud;
 * - the tenant binding: an Entra issuer's tenant must be the token's `tid` when it has one.
 *
 * jose parses and verifies; the key sets are fetched and cached by jose's `createRemoteJWKSet`, one per URL
 * for the authenticator's life (an isolate's, on Workers). `now` is the clock the expiry is checked against.
 * test/channels/botframework/authenticators.test.ts runs this and `sdkAuthenticator` over the same tokens.
 */

/** The SDK's `clockTolerance` (seconds) and `algorithms`. */
const CLOCK_TOLERANCE_S = 300;
const ALGORITHMS = ['RS256'];

/** The key sets of Bot Framework-issued tokens, by issuer: the SDK names them, whatever the authority. */
const BOT_FRAMEWORK_KEYS: Record<string, string> = {
  'https://api.botframework.com': 'https://login.botframework.com/v1/.well-known/keys',
  'https://api.botframework.us': 'https://login.botframework.azure.us/v1/.well-known/keys',
};

/** Microsoft's first-party tenants, whose issuers the SDK always accepts (public cloud and US Government). */
const PUBLIC_FIRST_PARTY_TENANTS = [
  'd6d49420-f39b-4df7-a1dc-d59a935871db',
  'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
  '69e9b82d-4842-4902-8d1e-abc5b98a55e8',
];
const GOV_FIRST_PARTY_TENANT = 'cab8a31a-1906-4287-a0d8-4eef66b95f6e';

const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface JoseAuthOptions {
  /** The clock expiry and not-before are checked against (the service's clock). */
  now?: () => Date;
  /** How the key sets are fetched (a Worker counts them against its subrequest budget). */
  fetch?: FetchImplementation;
}

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

const isGov = (authority: string) => /login\.microsoftonline\.us/i.test(authority);

/** The authority with its tenant: a tenant in the authority's path wins, then `tenant`, then botframework.com. */
function resolveAuthority(authority: string, tenant: string | undefined): string {
  const base = trimSlashes(authority);
  if (new URL(base).pathname !== '/') return base;
  return `${base}/${tenant ?? 'botframework.com'}`;
}

/** The tenant in the authority's path, else the configured one. */
function effectiveTenant(settings: BotAuthSettings): string | undefined {
  const segment = new URL(trimSlashes(settings.authorityUrl)).pathname.split('/').filter(Boolean).pop();
  return segment ?? settings.tenantId;
}

/** Every issuer the SDK accepts for these settings without looking at the token, lower-cased. */
function acceptedIssuers(settings: BotAuthSettings): Set<string> {
  const authority = settings.authorityUrl;
  const tenant = effectiveTenant(settings) || undefined;
  const configured = [
    isGov(authority) ? 'https://api.botframework.us' : 'https://api.botframework.com',
    `${resolveAuthority('https://sts.windows.net', tenant)}/`,
    `${resolveAuthority(authority, tenant)}/v2.0`,
  ];
  const firstParty = isGov(authority)
    ? [
        'https://api.botframework.us',
        `https://sts.windows.net/${GOV_FIRST_PARTY_TENANT}/`,
        `https://login.microsoftonline.us/${GOV_FIRST_PARTY_TENANT}/v2.0`,
      ]
    : [
        'https://api.botframework.com',
        ...PUBLIC_FIRST_PARTY_TENANTS.flatMap((t) => [
          `https://sts.windows.net/${t}/`,
          `https://login.microsoftonline.com/${t}/v2.0`,
        ]),
      ];
  return new Set([...configured, ...firstParty].map((issuer) => issuer.toLowerCase()));
}

/** An Entra issuer with a tenant GUID: its tenant, and its cloud where the issuer names one. */
function entraIssuer(iss: string): { tenant: string; gov?: boolean } | undefined {
  const v1 = /^https:\/\/sts\.windows\.net\/([^/]+)\/$/i.exec(iss);
  if (v1) return TENANT_GUID.test(v1[1]!) ? { tenant: v1[1]!.toLowerCase() } : undefined;
  const v2 = /^([^:]+):\/\/([^/]+)\/([^/]+)\/v2\.0$/.exec(iss);
  const host = v2 ? /^login\.microsoftonline\.(com|us)$/i.exec(v2[2]!) : null;
  if (v2 && host && v2[1]!.toLowerCase() === 'https' && TENANT_GUID.test(v2[3]!)) {
    return { tenant: v2[3]!.toLowerCase(), gov: host[1]!.toLowerCase() === 'us' };
  }
  return undefined;
}

/** The SDK's `validateIssuer` with issuer validation on. */
function issuerAccepted(iss: unknown, settings: BotAuthSettings, accepted: Set<string>): boolean {
  if (typeof iss !== 'string') return false;
  if (accepted.has(iss.toLowerCase())) return true;
  const tenant = effectiveTenant(settings)?.toLowerCase();
  if (tenant !== 'common' && tenant !== 'organizations') return false;
  const info = entraIssuer(iss);
  return info !== undefined && (info.gov === undefined || info.gov === isGov(settings.authorityUrl));
}

/** The SDK's `validateTenantBinding`: an Entra issuer's tenant is the token's `tid`, when both are there. */
function tenantBound(iss: unknown, tid: unknown): boolean {
  if (typeof iss !== 'string' || typeof tid !== 'string') return true;
  const tenant = entraIssuer(iss)?.tenant;
  return tenant === undefined || tid.toLowerCase() === tenant;
}

/** The token of a `Bearer <token>` header, as the SDK reads it; undefined for anything else. */
function bearerToken(authorization: string): string | undefined {
  const parts = authorization.trim().split(/\s+/);
  if (parts.length !== 2) return undefined;
  const [scheme, token] = parts as [string, string];
  return scheme.toLowerCase() === 'bearer' && token ? token : undefined;
}

export function joseAuthenticator(
  settings: BotAuthSettings,
  options: JoseAuthOptions = {},
): ActivityAuthenticator {
  const now = options.now ?? (() => new Date());
  const accepted = acceptedIssuers(settings);
  const entraKeys = `${resolveAuthority(settings.authorityUrl, settings.tenantId)}/discovery/v2.0/keys`;
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySet = (url: string) => {
    let set = keySets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), options.fetch ? { [customFetch]: options.fetch } : {});
      keySets.set(url, set);
    }
    return set;
  };
  const refuse = (reason: string): AuthOutcome => ({ ok: false, reason });

  return {
    required: true,
    async verify(authorization) {
      if (authorization === undefined || authorization.trim() === '') {
        return refuse('authorization header not found');
      }
      const token = bearerToken(authorization);
      if (!token) return refuse('invalid authorization header');
      let unverified: ReturnType<typeof decodeJwt>;
      try {
        unverified = decodeJwt(token);
      } catch {
        return refuse('not a JWT');
      }
      const audiences = Array.isArray(unverified.aud) ? unverified.aud : [unverified.aud];
      if (!audiences.includes(settings.appId)) return refuse('audience mismatch');
      const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
      const keys = keySet(BOT_FRAMEWORK_KEYS[iss.toLowerCase()] ?? entraKeys);
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ALGORITHMS,
          audience: settings.appId,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: now(),
        }));
      } catch (error) {
        return refuse(error instanceof Error && 'code' in error ? String(error.code) : 'invalid token');
      }
      if (!issuerAccepted(payload.iss, settings, accepted)) return refuse('issuer mismatch');
      if (!tenantBound(payload.iss, payload.tid)) return refuse('tenant mismatch');
      const claim = payload.serviceurl;
      return { ok: true, ...(typeof claim === 'string' ? { serviceUrlClaim: claim } : {}) };
    },
  };
}
