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

/**
 * An activity's serviceUrl as it may be stored and used for replies: a plain http(s) URL already in its
 * WHATWG normal form (its `href` is the string itself, or the string with the slash an empty path gets),
 * with no userinfo, query or fragment, and no trailing dot in the host. Anything a parser would rewrite
 * (`/a/../`, `http://2130706433/`, a backslash, a tab, an empty userinfo) is refused, so the string we
 * store is the URL the token was checked against.
 */
export function plainServiceUrl(raw: string): URL | undefined {
  const url = URL.parse(raw);
  if (!url) return undefined;
  const normal = url.href === raw || url.href === `${raw}/`;
  const plain =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    !/[?#]/.test(url.href) &&
    !url.hostname.endsWith('.');
  return normal && plain ? url : undefined;
}

/**
 * Whether a token's `serviceurl` claim names the activity's serviceUrl. The activity's must be a plain URL
 * in normal form (see `plainServiceUrl`); the claim, signed by the channel service, must name the same
 * URL: scheme and host without case, the path exactly (case included), a trailing slash ignored, and no
 * userinfo, query or fragment.
 */
export function sameServiceUrl(claim: string | undefined, serviceUrl: string): boolean {
  if (claim === undefined || !URL.canParse(claim)) return false;
  const activity = plainServiceUrl(serviceUrl);
  if (!activity) return false;
  // WHATWG parsing lower-cases the scheme and host of an http(s) URL and leaves the path's case alone.
  const claimed = new URL(claim);
  if (claimed.username !== '' || claimed.password !== '' || /[?#]/.test(claimed.href)) {
    return false;
  }
  const path = (url: URL) => url.pathname.replace(/\/$/, '');
  return (
    claimed.protocol === activity.protocol &&
    claimed.host === activity.host &&
    path(claimed) === path(activity)
  );
}
