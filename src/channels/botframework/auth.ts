/** Who sent an activity, as far as its token says: the claims we check beyond the SDK. */
export type AuthOutcome = { ok: true; serviceUrlClaim?: string } | { ok: false; reason: string };

/**
 * The channel's port for inbound authentication: is this `Authorization` header a token the Bot Framework
 * channel service issued for us? The `serviceurl` claim is returned for the route to compare with the
 * activity it came with.
 */
export interface ActivityAuthenticator {
  /** False when there is no app id: the Bot Framework Emulator's unauthenticated mode. */
  readonly required: boolean;
  verify(authorization: string | undefined): Promise<AuthOutcome>;
}

export interface BotAuthSettings {
  appId: string;
  /** Single-tenant registrations; without it the bot is multi-tenant. */
  tenantId?: string;
  /**
   * The Entra authority (https://login.microsoftonline.com). The SDK reads Entra-issued tokens' signing
   * keys from `{authority}/{tenant}/discovery/v2.0/keys`, and accepts `{authority}/{tenant}/v2.0` and
   * `https://sts.windows.net/{tenant}/` as issuers besides the Bot Framework's own.
   */
  authorityUrl: string;
}

/** No app id: every activity is accepted (the Emulator). In production the channel stays off instead. */
export const emulatorAuthenticator: ActivityAuthenticator = {
  required: false,
  verify: async () => ({ ok: true }),
};

/** Whether a token's `serviceurl` claim names the activity's serviceUrl (case-insensitive, trailing slash ignored). */
export function sameServiceUrl(claim: string | undefined, serviceUrl: string): boolean {
  if (claim === undefined) return false;
  const normal = (url: string) => {
    try {
      const parsed = new URL(url);
      return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase();
    } catch {
      return undefined;
    }
  };
  const a = normal(claim);
  return a !== undefined && a === normal(serviceUrl);
}
