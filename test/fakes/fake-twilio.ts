import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countSegments } from '../../src/channels/sms/gsm7.ts';
import { computeTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';

/**
 * A fake of Twilio's Messages API on 127.0.0.1, speaking the real wire format: form-encoded
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth, a 201 with the JSON
 * message resource, errors as `{ code, message, more_info, status }`; and the Messages list,
 * GET …/Messages.json with `To`, `From`, `DateSent`, `DateSent>` and `DateSent<` filters, newest first, in
 * pages (`PageSize`, `Page`, `PageToken`) with Twilio's paging fields. It records every accepted message,
 * fails (with Retry-After if asked), hangs or answers late on request, and posts signed status callbacks
 * like Twilio does. It hands every message on as it takes it, so its `date_sent` is its `date_created`.
 */

export interface FakeTwilioMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  statusCallback?: string;
  status: string;
  numSegments: number;
  dateCreated: Date;
}

/** Error codes the fake can answer for a recipient, with Twilio's HTTP 400. */
export type FakePermanentError = 21211 | 21610 | 21612 | 21614;

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** Clock for date_created; defaults to the real time. */
  now?: () => Date;
  /** Called with every accepted message (the development runner prints them). */
  onMessage?: (message: FakeTwilioMessage) => void;
}

interface Failure {
  status: 429 | 500 | 503;
  /** The Retry-After header's value, as Twilio would send it (seconds). */
  retryAfter?: string;
}

const API_VERSION = '2010-04-01';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

const PERMANENT_MESSAGES: Readonly<Record<FakePermanentError, (to: string, from: string) => string>> = {
  21211: (to) => `The 'To' number ${to} is not a valid phone number.`,
  21610: () => 'Attempt to send to unsubscribed recipient',
  21612: (to, from) =>
    `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
  21614: (to) => `'To' number ${to} is not a valid mobile number`,
};

interface TwilioError {
  status: number;
  code: number;
  message: string;
}

export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;
  /** Every message accepted with a 201, in order. */
  readonly messages: FakeTwilioMessage[] = [];
  /** Every request received, whatever the answer. */
  requestCount = 0;

  readonly #now: () => Date;
  readonly #failures: Failure[] = [];
  readonly #listFailures: Failure[] = [];
  readonly #lateAnswers: number[] = [];
  /** Answers written late that no client was there to read. */
  #lateUnread = 0;
  readonly #rejections = new Map<string, FakePermanentError>();
  readonly #hungNumbers = new Set<string>();
  #hangCount = 0;
  /** Resumes each request left hanging; see `release`. */
  readonly #hanging = new Set<() => void>();
  #abandoned = 0;
  #server: Server | undefined;
  #baseUrl: string | undefined;
  #nextSid = 1;
  readonly #onMessage: ((message: FakeTwilioMessage) => void) | undefined;

  constructor(options: FakeTwilioOptions = {}) {
    this.accountSid = options.accountSid ?? `AC${'0123456789abcdef'.repeat(2)}`;
    this.authToken = options.authToken ?? 'fake-twilio-auth-token';
    this.#now = options.now ?? (() => new Date());
    this.#onMessage = options.onMessage;
  }

  /** Starts listening on 127.0.0.1 (a random port unless given) and returns the base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    this.#baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.#baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    this.release();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error('FakeTwilio is not started');
    return this.#baseUrl;
  }

  /**
   * The next `count` messages sent get this HTTP status (Twilio's 20429 or 20500) instead of being taken,
   * with a `Retry-After` header when `retryAfter` (seconds) is given.
   */
  failNext(count: number, status: 429 | 500 | 503 = 500, retryAfter?: string): void {
    for (let i = 0; i < count; i += 1) this.#failures.push({ status, ...(retryAfter && { retryAfter }) });
  }

  /** The next `count` Messages list calls get this HTTP status, like `failNext`. */
  failListNext(count: number, status: 429 | 500 | 503 = 500, retryAfter?: string): void {
    for (let i = 0; i < count; i += 1) this.#listFailures.push({ status, ...(retryAfter && { retryAfter }) });
  }

  /**
   * The next `count` messages sent are taken at once (recorded, and in the Messages list) but answered only
   * after `delayMs`, as a slow Twilio does: a client with a shorter timeout never learns that they went out.
   */
  answerLate(count: number, delayMs: number): void {
    for (let i = 0; i < count; i += 1) this.#lateAnswers.push(delayMs);
  }

  /** How many late answers found their client gone (it had timed out). */
  get lateUnread(): number {
    return this.#lateUnread;
  }

  /** Every message to `to` gets Twilio's 400 with this error code. */
  rejectNumber(to: string, code: FakePermanentError): void {
    this.#rejections.set(to, code);
  }

  /** Messages to `to` are taken again (after `rejectNumber`). */
  acceptNumber(to: string): void {
    this.#rejections.delete(to);
  }

  /**
   * Every request to `to` is read and then left unanswered, as a hung connection to Twilio is, until
   * `release()`. The client sees nothing but its own timeout.
   */
  hangNumber(to: string): void {
    this.#hungNumbers.add(to);
  }

  /** The next `count` authenticated requests, whatever their number, hang like `hangNumber`. */
  hangNext(count: number): void {
    this.#hangCount += count;
  }

  /** How many requests are hanging right now (their clients may have given up meanwhile). */
  get hanging(): number {
    return this.#hanging.size;
  }

  /**
   * How many hanging requests this server has seen their clients give up on. A client's timeout reaches
   * the server only in a later event-loop turn: wait for this before `release()` to drop those requests.
   */
  get abandoned(): number {
    return this.#abandoned;
  }

  /**
   * Stops hanging and answers every hanging request as a slow Twilio would. A request whose client
   * already gave up is dropped: the fake models a request lost on the way, not one Twilio sent anyway.
   */
  release(): void {
    this.#hungNumbers.clear();
    this.#hangCount = 0;
    for (const resume of this.#hanging) resume();
    this.#hanging.clear();
  }

  /**
   * Posts a status update for a sent message to its StatusCallback URL, form-encoded and signed
   * with X-Twilio-Signature as Twilio does. Returns the HTTP status the callback answered.
   */
  async deliverStatus(sid: string, status: string, options: { errorCode?: number } = {}): Promise<number> {
    const message = this.messages.find((candidate) => candidate.sid === sid);
    if (!message) throw new Error(`FakeTwilio has no message ${sid}`);
    if (!message.statusCallback) throw new Error(`message ${sid} has no StatusCallback`);
    message.status = status;
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: API_VERSION,
      From: message.from,
      MessageSid: sid,
      MessageStatus: status,
      SmsSid: sid,
      SmsStatus: status,
      To: message.to,
    };
    if (options.errorCode !== undefined) params.ErrorCode = String(options.errorCode);
    if (status === 'delivered' || status === 'undelivered') params.RawDlrDoneDate = dlrDate(this.#now());
    const response = await fetch(message.statusCallback, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Twilio-Signature': await computeTwilioSignature(this.authToken, message.statusCallback, params),
        'User-Agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    await response.arrayBuffer();
    return response.status;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requestCount += 1;
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake');
    const path = url.pathname;
    const match = MESSAGES_PATH.exec(path);
    if ((request.method !== 'POST' && request.method !== 'GET') || !match) {
      return sendError(response, {
        status: 404,
        code: 20404,
        message: `The requested resource ${path} was not found`,
      });
    }
    if (!this.#authenticated(request.headers.authorization)) {
      response.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      return sendError(response, {
        status: 401,
        code: 20003,
        message: 'Authentication Error - invalid username',
      });
    }
    if (decodeURIComponent(match[1] ?? '') !== this.accountSid) {
      return sendError(response, {
        status: 404,
        code: 20404,
        message: `The requested resource ${path} was not found`,
      });
    }
    if (request.method === 'GET') return this.#list(url, response);
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = new URLSearchParams(isForm ? raw : '');
    const to = form.get('To') ?? '';
    if (this.#hungNumbers.has(to) || this.#takeHang()) {
      let clientGone = false;
      let hanging = true;
      response.once('close', () => {
        clientGone = true;
        if (hanging) this.#abandoned++;
      });
      await new Promise<void>((resume) => this.#hanging.add(resume));
      hanging = false;
      if (clientGone || request.socket.destroyed) return;
    }
    const failure = this.#failures.shift();
    if (failure) return sendFailure(response, failure);

    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    const statusCallback = form.get('StatusCallback') ?? undefined;
    const invalid = validate(to, from, body, statusCallback);
    if (invalid) return sendError(response, invalid);
    const rejection = this.#rejections.get(to);
    if (rejection !== undefined) {
      return sendError(response, {
        status: 400,
        code: rejection,
        message: PERMANENT_MESSAGES[rejection](to, from),
      });
    }

    const message: FakeTwilioMessage = {
      sid: `SM${(this.#nextSid++).toString(16).padStart(32, '0')}`,
      accountSid: this.accountSid,
      from,
      to,
      body,
      ...(statusCallback !== undefined && { statusCallback }),
      status: 'queued',
      numSegments: countSegments(body).segments,
      dateCreated: this.#now(),
    };
    this.messages.push(message);
    this.#onMessage?.(message);
    const late = this.#lateAnswers.shift();
    if (late !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, late));
      if (response.destroyed || request.socket.destroyed) {
        this.#lateUnread++;
        return;
      }
    }
    sendJson(response, 201, messageResource(message));
  }

  /** The Messages list: filtered, newest first, one page of it with Twilio's paging fields. */
  #list(url: URL, response: ServerResponse) {
    const failure = this.#listFailures.shift();
    if (failure) return sendFailure(response, failure);
    const query = url.searchParams;
    const filters: ((message: FakeTwilioMessage) => boolean)[] = [];
    for (const [name, value] of query) {
      if (name === 'To') filters.push((m) => m.to === value);
      else if (name === 'From') filters.push((m) => m.from === value);
      else if (name === 'DateSent' || name === 'DateSent>' || name === 'DateSent<') {
        const filter = dateSentFilter(name, value);
        if (!filter) {
          return sendError(response, { status: 400, code: 20001, message: `Invalid ${name}: ${value}` });
        }
        filters.push(filter);
      }
    }
    const pageSize = Number(query.get('PageSize') ?? DEFAULT_PAGE_SIZE);
    const page = Number(query.get('Page') ?? 0);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return sendError(response, { status: 400, code: 20001, message: 'Invalid PageSize' });
    }
    if (!Number.isInteger(page) || page < 0) {
      return sendError(response, { status: 400, code: 20001, message: 'Invalid Page' });
    }
    // Newest first; of messages with the same date, the one taken later first.
    const matching = [...this.messages]
      .reverse()
      .filter((m) => filters.every((filter) => filter(m)))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    // A PageToken names the last message of the page before: the next page starts after it.
    const token = query.get('PageToken');
    const after = token ? matching.findIndex((m) => `PA${m.sid}` === token) + 1 : page * pageSize;
    if (token && after === 0) {
      return sendError(response, { status: 400, code: 20001, message: 'Invalid PageToken' });
    }
    const messages = matching.slice(after, after + pageSize);
    const base = `/${API_VERSION}/Accounts/${this.accountSid}/Messages.json`;
    const pageUri = (n: number, pageToken?: string) => {
      const params = new URLSearchParams(query);
      params.delete('Page');
      params.delete('PageToken');
      params.set('PageSize', String(pageSize));
      params.set('Page', String(n));
      if (pageToken) params.set('PageToken', pageToken);
      return `${base}?${params}`;
    };
    const last = messages.at(-1);
    sendJson(response, 200, {
      end: after + Math.max(messages.length - 1, 0),
      first_page_uri: pageUri(0),
      messages: messages.map((m) => messageResource(m, { sent: true })),
      next_page_uri: last && after + pageSize < matching.length ? pageUri(page + 1, `PA${last.sid}`) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start: after,
      uri: `${base}${url.search}`,
    });
  }

  #takeHang(): boolean {
    if (this.#hangCount === 0) return false;
    this.#hangCount -= 1;
    return true;
  }

  #authenticated(header: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!match) return false;
    const credentials = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    return credentials === `${this.accountSid}:${this.authToken}`;
  }
}

function validate(
  to: string,
  from: string,
  body: string,
  statusCallback: string | undefined,
): TwilioError | undefined {
  if (to === '') return { status: 400, code: 21604, message: "A 'To' phone number is required." };
  if (from === '') return { status: 400, code: 21603, message: "A 'From' phone number is required." };
  if (body === '') return { status: 400, code: 21602, message: 'Message body is required.' };
  if (!/^\+[1-9]\d{6,14}$/.test(to)) {
    return { status: 400, code: 21211, message: PERMANENT_MESSAGES[21211](to, from) };
  }
  if (body.length > 1600) {
    return {
      status: 400,
      code: 21617,
      message: 'The concatenated message body exceeds the 1600 character limit.',
    };
  }
  if (statusCallback !== undefined && !/^https?:\/\/[^/]/.test(statusCallback)) {
    return { status: 400, code: 21609, message: 'Invalid StatusCallback url' };
  }
  return undefined;
}

/**
 * A `DateSent` filter as Twilio reads it: a day (`YYYY-MM-DD`, UTC) or an instant
 * (`YYYY-MM-DDThh:mm:ssZ`, as the SDKs send it); `>` means on or after, `<` on or before.
 */
function dateSentFilter(name: string, value: string): ((message: FakeTwilioMessage) => boolean) | undefined {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  if (!day && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) return undefined;
  const at = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at)) return undefined;
  const end = day ? at + 24 * 60 * 60 * 1000 : at + 1000;
  // The fake hands a message on as it takes it: its date_sent is its date_created.
  const sent = (m: FakeTwilioMessage) => m.dateCreated.getTime();
  if (name === 'DateSent>') return (m) => sent(m) >= at;
  if (name === 'DateSent<') return (m) => sent(m) < end;
  return (m) => sent(m) >= at && sent(m) < end;
}

function messageResource(message: FakeTwilioMessage, options: { sent?: boolean } = {}) {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  const date = rfc2822(message.dateCreated);
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: date,
    date_sent: options.sent ? date : null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}

/** "Thu, 30 Jul 2015 20:12:31 +0000", as Twilio writes dates. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** YYMMDDhhmm, the RawDlrDoneDate format. */
function dlrDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes())
  );
}

function sendFailure(response: ServerResponse, failure: Failure) {
  if (failure.retryAfter !== undefined) response.setHeader('Retry-After', failure.retryAfter);
  if (failure.status === 429) {
    return sendError(response, { status: 429, code: 20429, message: 'Too Many Requests' });
  }
  return sendError(response, {
    status: failure.status,
    code: 20500,
    message: 'An internal server error has occurred',
  });
}

function sendError(response: ServerResponse, error: TwilioError): void {
  sendJson(response, error.status, {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.status,
  });
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
