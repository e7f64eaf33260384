import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A fake of the Bot Framework around a bot, on 127.0.0.1, speaking the real wire protocol:
 *
 * - the Entra authority: signing keys as a JWKS at `/{tenant}/discovery/v2.0/keys` (where
 *   `@microsoft/agents-hosting` looks for an Entra issuer's keys), OpenID metadata at
 *   `/{tenant}/v2.0/.well-known/openid-configuration`, and the client-credentials token endpoint
 *   `POST /{tenant}/oauth2/v2.0/token`;
 * - the channel service: it signs activities' tokens (RS256, `kid` in the header) with a published key, or
 *   with one it never published;
 * - the Bot Connector: `POST /v3/conversations/{id}/activities[/{replyToId}]`, recording every activity
 *   with the bearer token it came with, and answering 429 with Retry-After on request.
 */

export interface ConnectorActivity {
  conversationId: string;
  replyToId?: string;
  authorization?: string;
  activity: Record<string, unknown>;
}

export interface FakeBotFrameworkOptions {
  appId?: string;
  appPassword?: string;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, jwk };
}

export class FakeBotFramework {
  readonly appId: string | undefined;
  readonly appPassword: string | undefined;
  /** Every activity the bot sent to the connector, in order. */
  readonly activities: ConnectorActivity[] = [];
  /** Every token request, granted or not. */
  tokenRequests = 0;
  readonly #issued = new Set<string>();
  #published: SigningKey | undefined;
  #unpublished: SigningKey | undefined;
  #failures: { status: number; retryAfter?: string }[] = [];
  #server: Server | undefined;
  #baseUrl: string | undefined;
  #nextId = 1;
  readonly #waiters = new Set<() => void>();

  constructor(options: FakeBotFrameworkOptions = {}) {
    this.appId = options.appId;
    this.appPassword = options.appPassword;
  }

  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error('FakeBotFramework is not started');
    return this.#baseUrl;
  }

  /** The connector's address, as activities carry it in `serviceUrl`. */
  get serviceUrl(): string {
    return `${this.baseUrl}/`;
  }

  /** The issuer of Entra v2 tokens for `tenant` at this authority, as the SDK expects it. */
  issuer(tenant: string): string {
    return `${this.baseUrl}/${tenant}/v2.0`;
  }

  async start(): Promise<string> {
    this.#published = await signingKey('published-key-1');
    this.#unpublished = await signingKey('never-published-key');
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'fake_error', message: String(error) } }));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#baseUrl = `http://127.0.0.1:${port}`;
    return this.#baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /**
   * A token as the channel service signs it for an activity. `claims` override the defaults (audience =
   * the app id, issuer = this authority's v2 issuer for `tenant`, one hour of life from `now`, the
   * `serviceurl` claim = this connector); `key: 'unpublished'` signs with a key the JWKS never lists.
   */
  async token(options: {
    tenant: string;
    now: Date;
    claims?: Record<string, unknown>;
    key?: 'published' | 'unpublished';
  }): Promise<string> {
    const key = options.key === 'unpublished' ? this.#unpublished! : this.#published!;
    const iat = Math.floor(options.now.getTime() / 1000);
    const claims = {
      iss: this.issuer(options.tenant),
      aud: this.appId,
      serviceurl: this.serviceUrl,
      iat,
      nbf: iat,
      exp: iat + 3600,
      ...options.claims,
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  /** Forgets every token issued so far, as when they expire early: the connector answers 401 to them. */
  revokeTokens(): void {
    this.#issued.clear();
  }

  /** The next `count` activities sent to the connector are refused with `status` (and Retry-After). */
  failNext(count: number, status: number, retryAfter?: string): void {
    for (let i = 0; i < count; i++) this.#failures.push({ status, ...(retryAfter ? { retryAfter } : {}) });
  }

  /** Resolves once the connector holds at least `count` activities (or rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 5000): Promise<ConnectorActivity[]> {
    const started = performance.now();
    while (this.activities.length < count) {
      if (performance.now() - started > timeoutMs) {
        throw new Error(`connector has ${this.activities.length} activities, expected ${count}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.activities;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = url.pathname;
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const keys = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path);
    if (req.method === 'GET' && keys) return send(200, { keys: [this.#published!.jwk] });
    const metadata = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (req.method === 'GET' && metadata) {
      const tenant = metadata[1]!;
      return send(200, {
        issuer: this.issuer(tenant),
        jwks_uri: `${this.baseUrl}/${tenant}/discovery/v2.0/keys`,
        token_endpoint: `${this.baseUrl}/${tenant}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    const body = await readBody(req);
    if (req.method === 'POST' && /^\/([^/]+)\/oauth2\/v2\.0\/token$/.test(path)) {
      this.tokenRequests += 1;
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== this.appId ||
        form.get('client_secret') !== this.appPassword ||
        form.get('scope') !== 'https://api.botframework.com/.default'
      ) {
        return send(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret.',
        });
      }
      const token = `bot-token-${this.tokenRequests}`;
      this.#issued.add(token);
      return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    const activity = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (req.method === 'POST' && activity) {
      const authorization = req.headers.authorization;
      if (this.appId && !this.#issued.has(authorization?.replace(/^Bearer /, '') ?? '')) {
        return send(401, { error: { code: 'Unauthorized', message: 'Authorization has been denied' } });
      }
      const failure = this.#failures.shift();
      if (failure) {
        return send(
          failure.status,
          { error: { code: 'Throttled', message: 'Too many requests' } },
          failure.retryAfter ? { 'Retry-After': failure.retryAfter } : {},
        );
      }
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(400, { error: { code: 'BadArgument', message: 'Invalid JSON' } });
      }
      if (parsed.type !== 'message') return send(400, { error: { code: 'BadArgument', message: 'type' } });
      this.activities.push({
        conversationId: decodeURIComponent(activity[1]!),
        ...(activity[2] ? { replyToId: decodeURIComponent(activity[2]) } : {}),
        ...(authorization ? { authorization } : {}),
        activity: parsed,
      });
      for (const wake of this.#waiters) wake();
      this.#waiters.clear();
      return send(200, { id: `sent-${this.#nextId++}` });
    }
    return send(404, { error: { code: 'NotFound', message: path } });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
