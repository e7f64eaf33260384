import { authorizeJWT, getAuthConfigWithDefaults } from '@microsoft/agents-hosting';
import type { ActivityAuthenticator, BotAuthSettings } from './auth.ts';

/**
 * Strict authentication through `@microsoft/agents-hosting`'s own JWT middleware: the signature against the
 * issuer's published keys, the audience (our app id), expiry, and the issuer, which the SDK checks only
 * when `validateIssuer` is on (it is off by default; we turn it on). The middleware is written for Express
 * (req, res, next), so it runs here against a minimal request and response instead of Hono's; the
 * `serviceurl` claim, which the middleware does not look at, is handed back for the route to compare. A
 * token without `exp`, which the middleware lets through, is refused.
 */
export function sdkAuthenticator(settings: BotAuthSettings): ActivityAuthenticator {
  const config = getAuthConfigWithDefaults({
    clientId: settings.appId,
    ...(settings.tenantId ? { tenantId: settings.tenantId } : {}),
    authorityEndpoint: settings.authorityUrl.replace(/\/+$/, ''),
    validateIssuer: true,
  });
  for (const connection of config.connections?.values() ?? []) connection.validateIssuer = true;
  const middleware = authorizeJWT(config);
  return {
    required: true,
    async verify(authorization) {
      const req: { method: string; headers: { authorization?: string }; user?: Record<string, unknown> } = {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
      };
      let refused: string | undefined;
      const res = {
        status: (code: number) => ({
          send: (body: unknown) => {
            const detail = (body as Record<string, unknown> | undefined)?.['jwt-auth-error'];
            refused = `${code}: ${typeof detail === 'string' ? detail : 'refused'}`;
          },
        }),
      };
      let passed = false;
      // biome-ignore lint/suspicious/noExplicitAny: the SDK types these as Express' Request and Response.
      await middleware(req as any, res as any, () => {
        passed = true;
      });
      if (!passed) return { ok: false, reason: refused ?? 'refused' };
      // jsonwebtoken checks `exp` only when the token has one; a channel's token always has it, and one
      // without it would never expire: refused here (joseAuthenticator requires it too).
      if (typeof req.user?.exp !== 'number') return { ok: false, reason: 'no expiry' };
      const claim = req.user?.serviceurl;
      return { ok: true, ...(typeof claim === 'string' ? { serviceUrlClaim: claim } : {}) };
    },
  };
}
