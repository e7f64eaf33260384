/**
 * Twilio's webhook signature (X-Twilio-Signature), with Web Crypto so that it runs on Node and on
 * Cloudflare Workers: base64(HMAC-SHA1(authToken, url + key1 + value1 + key2 + value2 ...)) with
 * the POST parameters sorted by key. Checked against `twilio.validateRequest` in the tests.
 */

/** Form parameters as received; a key sent more than once carries all its values. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

const encoder = new TextEncoder();

/** Orders by UTF-16 code unit, which for Twilio's ASCII parameter names is byte order. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function signedPayload(url: string, params: TwilioParams): string {
  let payload = url;
  for (const key of Object.keys(params).sort(byCodeUnit)) {
    const value = params[key];
    if (typeof value === 'string') {
      payload += key + value;
    } else if (value !== undefined) {
      // Repeated keys: each distinct value once, in sorted order (as twilio-node does).
      for (const item of [...new Set(value)].sort(byCodeUnit)) payload += key + item;
    }
  }
  return payload;
}

function toBase64(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export async function computeTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(authToken),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(signedPayload(url, params)));
  return toBase64(mac);
}

/**
 * True when `signatureHeader` is Twilio's signature of `url` and `params`. `url` must be the full
 * URL Twilio requested, as configured (scheme, host, path and query). Like twilio-node, the URL is
 * also tried without its port and with the scheme's default port, since Twilio may sign either.
 */
export async function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams,
  signatureHeader: string | null | undefined,
): Promise<boolean> {
  if (!signatureHeader || authToken === '') return false;
  const candidates = new Set([url, withoutPort(url), withDefaultPort(url)]);
  let valid = false;
  for (const candidate of candidates) {
    const expected = await computeTwilioSignature(authToken, candidate, params);
    if (constantTimeEqual(expected, signatureHeader)) valid = true;
  }
  return valid;
}

/** Compares without an early exit on the first differing character. The length is not secret. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it: the signature covers the exact characters Twilio used. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme = '', authority = ''] = match;
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // In an IPv6 literal ("[::1]:8080") the port starts after the closing bracket.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

function withDefaultPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}
