import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRegistry, type FlowRegistry } from '../../flows/registry.ts';
import { sequentialIds } from '../../src/cli/player.ts';
import { loadConfig } from '../../src/config/config.ts';
import { buildNodeDeps, type RunningServer, startNodeServer } from '../../src/entry/node.ts';
import type { Logger, ServiceDeps } from '../../src/service/deps.ts';
import { silentLogger } from '../../src/service/deps.ts';
import type { Database } from '../../src/storage/db.ts';
import { openNodeDatabase } from '../../src/storage/open-node.ts';

export class FakeClock {
  constructor(public now: Date = new Date('2026-11-23T09:00:00.000Z')) {}
  read = (): Date => this.now;
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export { sequentialIds };

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'selvhjelp-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * DATABASE_DRIVER from the environment, for every database the tests open: `DATABASE_DRIVER=client npx
 * vitest run` runs the suite on `@libsql/client` instead of the embedded driver.
 */
export function testDatabaseEnv(): { DATABASE_DRIVER?: string } {
  const driver = process.env.DATABASE_DRIVER;
  return driver ? { DATABASE_DRIVER: driver } : {};
}

/** Opens a database as the service would, on the driver the configuration picks for it. */
export function openTestDatabase(url: string): Promise<Database> {
  const config = loadConfig({ DATABASE_URL: url, ...testDatabaseEnv() });
  return openNodeDatabase(config.DATABASE_URL, { driver: config.DATABASE_DRIVER });
}

export interface Harness {
  deps: ServiceDeps;
  clock: FakeClock;
  close(): void;
}

/** Service dependencies on a real libSQL database (in memory, or a temporary file), with a fake clock. */
export async function makeHarness(
  options: { file?: boolean; flows?: FlowRegistry; senders?: ServiceDeps['senders'] } = {},
): Promise<Harness> {
  const clock = new FakeClock();
  const dir = options.file ? tempDir() : undefined;
  const config = loadConfig({
    DATABASE_URL: dir ? `file:${join(dir.path, 'test.db')}` : ':memory:',
    ...testDatabaseEnv(),
  });
  const deps = await buildNodeDeps(config, silentLogger, {
    clock: clock.read,
    flows: options.flows ?? defaultRegistry,
    senders: { terminal: { mode: 'pull' }, ...options.senders },
  });
  deps.ids = sequentialIds();
  return {
    deps,
    clock,
    close() {
      deps.db.close();
      dir?.remove();
    },
  };
}

/** A port on 127.0.0.1 that is free right now (for servers whose public URL must be known up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The real HTTP server on 127.0.0.1 with a random port and a temporary file database. */
export async function startTestServer(
  env: Record<string, string> = {},
  overrides: Parameters<typeof startNodeServer>[2] = {},
  log: Logger = silentLogger,
): Promise<RunningServer & { dir: string }> {
  const dir = tempDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(dir.path, 'server.db')}`,
    SCHEDULER_INTERVAL_MS: '200',
    ...testDatabaseEnv(),
    ...env,
  });
  const server = await startNodeServer(config, log, overrides);
  return {
    ...server,
    dir: dir.path,
    async close() {
      await server.close();
      dir.remove();
    },
  };
}

/**
 * Posts `body` to a running server's web chat over real HTTP, as the chat page does; with `from`, as a
 * proxy on loopback forwarding for that network address (the server reads `cf-connecting-ip` from it).
 */
export function postWebMessage(url: string, body: object, from?: string): Promise<Response> {
  return fetch(`${url}/channels/web/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(from ? { 'cf-connecting-ip': from } : {}) },
    body: JSON.stringify(body),
  });
}
