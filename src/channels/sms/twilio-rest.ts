import { z } from 'zod';

/**
 * Sends one SMS through Twilio's Messages REST API with `fetch`. Every outcome is a value: sent,
 * a failure worth retrying later, or a permanent failure with its reason. Nothing is logged, and
 * phone numbers and the token are redacted from the returned message (Twilio's error messages
 * quote the number).
 */

export interface SendSmsRequest {
  /** `https://api.twilio.com`, or a fake in tests. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
  body: string;
  /** URL Twilio posts delivery status updates to. */
  statusCallback?: string;
}

export interface SendSmsOptions {
  fetch?: typeof fetch;
  /** Abort the request after this long and report it as retryable. Default 15 s. */
  timeoutMs?: number;
}

/** Why Twilio will never deliver this message as it is; do not retry. */
export type PermanentReason =
  /** The number is malformed or does not exist (21211, 21217, 21401, 30005, ...). */
  | 'invalid-number'
  /** The recipient sent STOP to our number (21610). */
  | 'opted-out'
  /** A landline or another number that cannot receive SMS (21614, 21407, 30006). */
  | 'not-mobile'
  /** The handset or its network could not be reached (21612, 30003). */
  | 'unreachable'
  /** Blocked or filtered by Twilio or the carrier (30004, 30007, 30450). */
  | 'blocked'
  /** Wrong account SID or auth token (20003, HTTP 401/403). */
  | 'auth'
  /** Our setup is wrong: sender number, region permissions, suspended account, wrong URL. */
  | 'configuration'
  /** Twilio refused the message for another reason (400 with an unknown code, empty body, ...). */
  | 'rejected'
  /** Twilio answered 2xx with something that is not a message resource; it may have been sent. */
  | 'bad-response';

export type SendSmsResult =
  | { ok: true; sid: string; status: string; numSegments?: number }
  | {
      ok: false;
      retryable: true;
      status?: number;
      code?: number;
      message: string;
      /** From a Retry-After header. */
      retryAfterMs?: number;
      /**
       * The request may have reached Twilio, which may have taken the message: the call timed out, or the
       * connection broke after it was made. `findSentMessages` tells.
       */
      uncertain?: true;
    }
  | {
      ok: false;
      retryable: false;
      permanent: PermanentReason;
      status?: number;
      code?: number;
      message: string;
    };

export type ErrorDisposition = { retryable: true } | { retryable: false; permanent: PermanentReason };

const ERROR_CODES: ReadonlyMap<number, ErrorDisposition> = new Map<number, ErrorDisposition>([
  [20003, { retryable: false, permanent: 'auth' }],
  [20404, { retryable: false, permanent: 'configuration' }],
  [20429, { retryable: true }],
  [21211, { retryable: false, permanent: 'invalid-number' }],
  [21217, { retryable: false, permanent: 'invalid-number' }],
  [21401, { retryable: false, permanent: 'invalid-number' }],
  [21604, { retryable: false, permanent: 'invalid-number' }],
  [21407, { retryable: false, permanent: 'not-mobile' }],
  [21614, { retryable: false, permanent: 'not-mobile' }],
  [21610, { retryable: false, permanent: 'opted-out' }],
  [21612, { retryable: false, permanent: 'unreachable' }],
  [21212, { retryable: false, permanent: 'configuration' }],
  [21408, { retryable: false, permanent: 'configuration' }],
  [21603, { retryable: false, permanent: 'configuration' }],
  [21606, { retryable: false, permanent: 'configuration' }],
  [21659, { retryable: false, permanent: 'configuration' }],
  [21660, { retryable: false, permanent: 'configuration' }],
  [30002, { retryable: false, permanent: 'configuration' }],
  [21602, { retryable: false, permanent: 'rejected' }],
  [21617, { retryable: false, permanent: 'rejected' }],
  [30001, { retryable: true }],
  [30003, { retryable: false, permanent: 'unreachable' }],
  [30004, { retryable: false, permanent: 'blocked' }],
  [30005, { retryable: false, permanent: 'invalid-number' }],
  [30006, { retryable: false, permanent: 'not-mobile' }],
  [30007, { retryable: false, permanent: 'blocked' }],
  [30008, { retryable: true }],
  [30450, { retryable: false, permanent: 'blocked' }],
]);

/**
 * What a Twilio error code means for retrying, for REST errors and for the ErrorCode of a failed
 * or undelivered status callback alike. Undefined for codes not in the table.
 */
export function classifyTwilioErrorCode(code: number): ErrorDisposition | undefined {
  return ERROR_CODES.get(code);
}

const messageResource = z.object({
  sid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/),
  status: z.string().min(1),
  num_segments: z.union([z.string(), z.number()]).nullish(),
});

const errorBody = z.object({
  code: z.number().int().optional(),
  message: z.string().optional(),
});

export async function sendSms(request: SendSmsRequest, options: SendSmsOptions = {}): Promise<SendSmsResult> {
  const fetchImpl = options.fetch ?? fetch;
  const url = `${request.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(request.accountSid)}/Messages.json`;
  const form = new URLSearchParams({ To: request.to, From: request.from, Body: request.body });
  if (request.statusCallback !== undefined) form.set('StatusCallback', request.statusCallback);
  const clean = (text: string) => redact(text, [request.to, request.from, request.authToken]);

  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basicCredentials(request.accountSid, request.authToken)}`,
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        Accept: 'application/json',
      },
      body: form.toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    // Unless no connection was made, the request may have reached Twilio before the timeout or the break.
    return {
      ok: false,
      retryable: true,
      message: clean(describeNetworkError(error)),
      ...(!neverConnected(error) && { uncertain: true as const }),
    };
  }

  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (response.ok) {
      return {
        ok: false,
        retryable: false,
        permanent: 'bad-response',
        status: response.status,
        message: 'unreadable response',
      };
    }
    return {
      ok: false,
      retryable: true,
      status: response.status,
      message: clean(describeNetworkError(error)),
    };
  }
  const json = parseJson(text);

  if (response.ok) {
    const resource = messageResource.safeParse(json);
    if (!resource.success) {
      return {
        ok: false,
        retryable: false,
        permanent: 'bad-response',
        status: response.status,
        message: 'response is not a message resource',
      };
    }
    const segments = Number(resource.data.num_segments);
    return {
      ok: true,
      sid: resource.data.sid,
      status: resource.data.status,
      ...(Number.isInteger(segments) && segments > 0 && { numSegments: segments }),
    };
  }

  const error = errorBody.safeParse(json);
  const code = error.success ? error.data.code : undefined;
  const message = clean((error.success && error.data.message) || `HTTP ${response.status}`);
  const status = response.status;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return {
      ok: false,
      retryable: true,
      status,
      ...(code !== undefined && { code }),
      message,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  }
  const disposition = (code !== undefined && classifyTwilioErrorCode(code)) || dispositionOfStatus(status);
  if (disposition.retryable) {
    return { ok: false, retryable: true, status, ...(code !== undefined && { code }), message };
  }
  return {
    ok: false,
    retryable: false,
    permanent: disposition.permanent,
    status,
    ...(code !== undefined && { code }),
    message,
  };
}

function dispositionOfStatus(status: number): ErrorDisposition {
  if (status === 401 || status === 403) return { retryable: false, permanent: 'auth' };
  if (status === 404 || status < 400) return { retryable: false, permanent: 'configuration' };
  return { retryable: false, permanent: 'rejected' };
}

/**
 * Errors that happen before a connection exists, so Twilio cannot have seen the request: a refused
 * connection, an unknown or unreachable host. A timeout is not among them (it may strike after the
 * request went out).
 */
const NO_CONNECTION = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function neverConnected(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  return code !== undefined && NO_CONNECTION.has(code);
}

function basicCredentials(accountSid: string, authToken: string): string {
  const bytes = new TextEncoder().encode(`${accountSid}:${authToken}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = error.cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  return code ? `network error (${code})` : `network error: ${error.message}`;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Twilio's error messages quote the numbers ("The 'To' number +47... is not valid"). */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 5) out = out.split(secret).join('[redacted]');
  }
  return out.replace(/\+?\d[\d ().-]{5,}\d/g, '[redacted]');
}

/** The message a send in doubt was about, and since when to look for it. */
export interface FindSentRequest extends Omit<SendSmsRequest, 'statusCallback'> {
  /** When the attempt in doubt started: messages Twilio dates earlier (but for clock skew) are not it. */
  since: Date;
}

export type FindSentResult =
  /** The SIDs of outbound messages from `from` to `to` with exactly `body`, taken at `since` or later, oldest first. */
  | { ok: true; sids: string[] }
  | { ok: false; status?: number; code?: number; message: string; retryAfterMs?: number };

/**
 * How much earlier than `since` Twilio may date the message and it still counts: Twilio's clock and ours
 * differ a little, and its dates have whole seconds. An identical earlier message another outbox row holds
 * is told apart by its SID (the caller's part), so the margin costs nothing there.
 */
const CLOCK_SKEW_MS = 60_000;

/** Messages one list page holds, and the pages one lookup reads (a number gets a few messages a day). */
export const LIST_PAGE_SIZE = 100;
export const LIST_MAX_PAGES = 3;

const listedMessage = z.object({
  sid: z.string(),
  to: z.string().nullish(),
  from: z.string().nullish(),
  body: z.string().nullish(),
  status: z.string(),
  direction: z.string(),
  date_created: z.string().nullish(),
});

const messagePage = z.object({
  messages: z.array(listedMessage),
  next_page_uri: z.string().nullish(),
});

/** Statuses of a message Twilio took but will never send: it may go again. */
const NOT_SENT = new Set(['failed', 'canceled']);

/**
 * Looks for a message in Twilio's Messages list (`GET …/Messages.json?To=…&From=…&DateSent>=…`, newest
 * first, following `next_page_uri` for at most LIST_MAX_PAGES pages): whether an attempt whose answer never
 * came (a timeout, a crash) reached Twilio. Twilio filters by the day the message was sent (UTC), which it
 * records as it hands the message to the carrier, normally within a second of taking it; the body, the
 * direction and the creation time are matched here. Like `sendSms`, every outcome is a value and numbers
 * and the token are redacted from it.
 */
export async function findSentMessages(
  request: FindSentRequest,
  options: SendSmsOptions = {},
): Promise<FindSentResult> {
  const fetchImpl = options.fetch ?? fetch;
  const base = request.baseUrl.replace(/\/+$/, '');
  const clean = (text: string) => redact(text, [request.to, request.from, request.authToken]);
  const earliest = request.since.getTime() - CLOCK_SKEW_MS;
  const query = new URLSearchParams({
    To: request.to,
    From: request.from,
    'DateSent>': new Date(earliest).toISOString().slice(0, 10),
    PageSize: String(LIST_PAGE_SIZE),
  });
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let path: string | undefined =
    `/2010-04-01/Accounts/${encodeURIComponent(request.accountSid)}/Messages.json?${query}`;
  const found: { sid: string; created: number }[] = [];
  for (let page = 0; path !== undefined; page++) {
    if (page === LIST_MAX_PAGES) {
      if (found.length > 0) break;
      return { ok: false, message: `more than ${LIST_MAX_PAGES} pages of messages to look through` };
    }
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(`${base}${path}`, {
        headers: {
          Authorization: `Basic ${basicCredentials(request.accountSid, request.authToken)}`,
          Accept: 'application/json',
        },
        signal,
      });
      text = await response.text();
    } catch (error) {
      return { ok: false, message: clean(describeNetworkError(error)) };
    }
    const json = parseJson(text);
    if (!response.ok) {
      const error = errorBody.safeParse(json);
      const code = error.success ? error.data.code : undefined;
      const retryAfterMs =
        response.status === 429 || response.status >= 500
          ? parseRetryAfter(response.headers.get('retry-after'))
          : undefined;
      return {
        ok: false,
        status: response.status,
        ...(code !== undefined && { code }),
        message: clean((error.success && error.data.message) || `HTTP ${response.status}`),
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    const parsed = messagePage.safeParse(json);
    if (!parsed.success)
      return { ok: false, status: response.status, message: 'response is not a message list' };
    for (const message of parsed.data.messages) {
      const created = Date.parse(message.date_created ?? '');
      if (
        message.direction.startsWith('outbound') &&
        message.to === request.to &&
        message.from === request.from &&
        message.body === request.body &&
        !NOT_SENT.has(message.status) &&
        created >= earliest
      ) {
        found.push({ sid: message.sid, created });
      }
    }
    const next = parsed.data.next_page_uri;
    path = next?.startsWith('/2010-04-01/') ? next : undefined;
  }
  return { ok: true, sids: found.sort((a, b) => a.created - b.created).map((m) => m.sid) };
}
