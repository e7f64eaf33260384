import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countSegments } from '../../src/channels/sms/gsm7.ts';
import { computeTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';

/**
 * A fake of Twilio's Messages API on 127.0.0.1, speaking the real wire format: form-encoded
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth, a 201 with the JSON
 * message resource, errors as `{ code, message, more_info, status }`. It records every accepted
 * message, fails or hangs on request, and posts signed status callbacks like Twilio does.
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

const API_VERSION = '2010-04-01';
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
  readonly #failures: (429 | 500 | 503)[] = [];
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

  /** The next `count` authenticated requests get this HTTP status (Twilio's 20429 or 20500). */
  failNext(count: number, status: 429 | 500 | 503 = 500): void {
    for (let i = 0; i < count; i += 1) this.#failures.push(status);
  }

  /** Every message to `to` gets Twilio's 400 with this error code. */
  rejectNumber(to: string, code: FakePermanentError): void {
    this.#rejections.set(to, code);
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
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const match = MESSAGES_PATH.exec(path);
    if (request.method !== 'POST' || !match) {
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
    if (failure === 429)
      return sendError(response, { status: 429, code: 20429, message: 'Too Many Requests' });
    if (failure !== undefined) {
      return sendError(response, {
        status: failure,
        code: 20500,
        message: 'An internal server error has occurred',
      });
    }

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
    sendJson(response, 201, messageResource(message));
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

function messageResource(message: FakeTwilioMessage) {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  const date = rfc2822(message.dateCreated);
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: date,
    date_sent: null,
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
