import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { HranaDatabase, type HranaOptions, HranaRequestError, pipelineRequest } from './hrana.ts';

export interface DevDbOptions extends HranaOptions {
  /** The database file (folder created). Not `:memory:`: each stream has its own connection. */
  path: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Most bytes of one request body. */
  maxBodyBytes?: number;
}

export interface DevDbServer {
  /** `http://host:port`, what DATABASE_URL names. */
  url: string;
  database: HranaDatabase;
  close(): Promise<void>;
}

/**
 * The local libSQL server: Hrana 2 over HTTP with JSON, as `@libsql/client/web` speaks it.
 *
 * - `POST /v2/pipeline`: the pipeline (see hrana.ts);
 * - `GET /v2`: 200, the version probe of clients that check for Hrana 2;
 * - `GET /v3`, `GET /v3-protobuf`: 404, so a client that probes for Hrana 3 falls back to 2;
 * - `GET /health`: 200.
 *
 * A body that is not JSON or not a pipeline gets 400 with `{ message, code }` (what the client reads
 * from an error response), a body over the limit 413; nothing of such a request has run.
 */
export async function startDevDb(options: DevDbOptions): Promise<DevDbServer> {
  if (options.path === ':memory:' || options.path === '') {
    throw new Error('the dev server needs a database file: each stream opens its own connection');
  }
  mkdirSync(dirname(options.path), { recursive: true });
  const database = new HranaDatabase(options.path, options);
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      // A bug of this server, not of the request: say so without the SQL or its arguments.
      console.error(`dev-db: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, { message: 'internal error of the dev server', code: 'INTERNAL' });
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && (path === '/v2' || path === '/health')) return send(res, 200, {});
    if (path !== '/v2/pipeline') return send(res, 404, { message: 'not found', code: 'NOT_FOUND' });
    if (req.method !== 'POST') {
      return send(res, 405, { message: 'use POST', code: 'METHOD_NOT_ALLOWED' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBody) return send(res, 413, { message: 'request body too large', code: 'TOO_LARGE' });
      chunks.push(chunk);
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { message: 'the body is not JSON', code: 'JSON_INVALID' });
    }
    const parsed = pipelineRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return send(res, 400, {
        message: `not a Hrana pipeline: ${issue.path.join('.') || 'body'} ${issue.message}`,
        code: 'PROTO_ERROR',
      });
    }
    try {
      send(res, 200, await database.pipeline(parsed.data));
    } catch (error) {
      if (!(error instanceof HranaRequestError)) throw error;
      send(res, 400, { message: error.message, code: error.code });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    database,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          database.close();
          resolve();
        });
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
