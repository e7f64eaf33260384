import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A remote libSQL server a network round trip away, as `@libsql/client` reaches it over HTTP (Hrana 2,
 * JSON: POST /v2/pipeline), that knows no SQL: every statement succeeds after `delayMs` with one row
 * `{ n: 1 }`. It counts the requests it answers at the same time, which a client that queues its
 * statements would keep at one.
 */
export class FakeLibsqlServer {
  readonly delayMs: number;
  /** The most pipeline requests in flight at once. */
  mostInFlight = 0;
  #inFlight = 0;
  #batons = 0;
  #server: Server | undefined;

  constructor(options: { delayMs?: number } = {}) {
    this.delayMs = options.delayMs ?? 100;
  }

  /** Listens on 127.0.0.1 on a random port; resolves with the server's URL. */
  start(): Promise<string> {
    const server = createServer((req, res) => void this.#answer(req, res));
    this.#server = server;
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      });
    });
  }

  close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    return new Promise((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The client asks for Hrana 3 first; a 404 makes it speak 2, which is plain JSON.
    if (req.method !== 'POST' || req.url !== '/v2/pipeline') {
      res.writeHead(404).end();
      return;
    }
    this.#inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.#inFlight);
    try {
      let text = '';
      for await (const chunk of req) text += chunk;
      const body = JSON.parse(text) as { requests: { type: string; batch?: { steps: unknown[] } }[] };
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const closes = body.requests.some((r) => r.type === 'close');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          baton: closes ? null : `baton-${++this.#batons}`,
          base_url: null,
          results: body.requests.map(respond),
        }),
      );
    } finally {
      this.#inFlight--;
    }
  }
}

const ONE_ROW = {
  cols: [{ name: 'n', decltype: 'INTEGER' }],
  rows: [[{ type: 'integer', value: '1' }]],
  affected_row_count: 0,
  last_insert_rowid: null,
};

function respond(request: { type: string; batch?: { steps: unknown[] } }) {
  switch (request.type) {
    case 'execute':
      return { type: 'ok', response: { type: 'execute', result: ONE_ROW } };
    case 'batch': {
      const steps = request.batch?.steps ?? [];
      return {
        type: 'ok',
        response: {
          type: 'batch',
          result: { step_results: steps.map(() => ONE_ROW), step_errors: steps.map(() => null) },
        },
      };
    }
    case 'close':
    case 'sequence':
    case 'store_sql':
    case 'close_sql':
      return { type: 'ok', response: { type: request.type } };
    default:
      return { type: 'error', error: { message: `the fake does not answer "${request.type}"` } };
  }
}
