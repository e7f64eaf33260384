import { z } from 'zod';

/** The channel's port for the bot's own token, sent with every reply and proactive message. */
export interface BotTokenSource {
  /** A bearer token for the Bot Connector, or undefined when the bot has no app id (the Emulator). */
  token(options?: { timeoutMs?: number }): Promise<string | undefined>;
  /** Forgets a token the connector refused, so the next send asks for a fresh one. */
  forget(): void;
}

export const noBotToken: BotTokenSource = { token: async () => undefined, forget() {} };

export interface ClientCredentialsSettings {
  /** The OAuth 2.0 token endpoint (Entra: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token). */
  tokenUrl: string;
  appId: string;
  appPassword: string;
  /** The Bot Connector's scope. */
  scope?: string;
  fetch?: typeof fetch;
  /** The clock the token's lifetime is measured with (the service's own). */
  now?: () => Date;
}

export const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com/.default';
const DEFAULT_TIMEOUT_MS = 10_000;
/** A token is renewed this long before it expires, so one never expires in flight. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().int().positive(),
});

export class BotTokenError extends Error {
  override name = 'BotTokenError';
}

/**
 * The client-credentials grant (RFC 6749 §4.4) that MSAL performs for the SDK, against a token endpoint
 * given as a setting. The SDK's MsalTokenProvider cannot be pointed at one: MSAL refuses an authority that
 * is not https (`authority_uri_insecure`) and asks login.microsoftonline.com for instance discovery first,
 * so neither a local fake nor a machine without that network could use it. The token is cached until five
 * minutes before it expires; concurrent sends share one request.
 */
export function clientCredentialsTokenSource(settings: ClientCredentialsSettings): BotTokenSource {
  const doFetch = settings.fetch ?? fetch;
  const now = settings.now ?? (() => new Date());
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const request = async (timeoutMs: number): Promise<string> => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: settings.appId,
      client_secret: settings.appPassword,
      scope: settings.scope ?? BOT_CONNECTOR_SCOPE,
    });
    const response = await doFetch(settings.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new BotTokenError(`token endpoint answered HTTP ${response.status}`);
    }
    const parsed = tokenResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new BotTokenError('token endpoint sent no access_token and expires_in');
    const issuedAt = now().getTime();
    cached = {
      token: parsed.data.access_token,
      renewAt: issuedAt + Math.max(0, parsed.data.expires_in * 1000 - RENEW_BEFORE_MS),
    };
    return parsed.data.access_token;
  };

  return {
    async token(options = {}) {
      if (cached && now().getTime() < cached.renewAt) return cached.token;
      pending ??= request(options.timeoutMs ?? DEFAULT_TIMEOUT_MS).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    forget() {
      cached = undefined;
    },
  };
}
