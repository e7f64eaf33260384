import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DevDbServer, startDevDb } from '../../src/devdb/server.ts';
import { wrapClient } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { nodeMigrations } from '../../src/storage/migrations-node.ts';
import { freePort, tempDir } from '../support/harness.ts';
import { type RunningWorker, startWorker, workerdAvailable } from './workerd.ts';

/**
 * A new isolate whose first requests find the database down, then an empty database, then one that
 * `selvhjelp migrate` brought up to date; and one whose configuration is wrong. The chat page is served
 * throughout, everything else answers 503 JSON until the Worker can work, and each failure is logged
 * once, as one line, without secrets.
 */

const SECRET = 'cold-start-secret-token-value';
const available = workerdAvailable();

/** The JSON object a log line carries (wrangler frames the Worker's lines with colours and a newline). */
const jsonOf = (line: string) => line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1);

/** The Worker's log lines (wrangler passes them on to this process's console). */
function captureLogs() {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  return lines;
}

describe.runIf(available)('a Worker starting without a usable database', { timeout: 60_000 }, () => {
  const dir = tempDir();
  let worker: RunningWorker;
  let dbPort: number;
  let db: DevDbServer | undefined;

  beforeAll(async () => {
    dbPort = await freePort(); // nothing listens here yet: the database is down
    worker = await startWorker(await freePort(), {
      DATABASE_URL: `http://127.0.0.1:${dbPort}`,
      DATABASE_AUTH_TOKEN: SECRET,
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.dispose();
    await db?.close();
    dir.remove();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers 503 JSON on /healthz and the API while the database is down, serves /chat, logs once', async () => {
    const logs = captureLogs();
    const health = await worker.fetch('/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', reason: 'database' });
    const api = await worker.fetch('/channels/web/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hei' }),
    });
    expect(api.status).toBe(503);
    expect(api.headers.get('content-type')).toMatch(/application\/json/);
    expect(await api.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect((await worker.fetch('/api/staff/v1/alerts')).status).toBe(503);
    const chat = await worker.fetch('/chat');
    expect(chat.status).toBe(200);
    expect(await chat.text()).toMatch(/<html/i);
    expect((await worker.fetch('/illustrations/sleep/bedroom.svg')).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const notReady = logs.filter((line) => line.includes('worker not ready'));
    expect(notReady).toHaveLength(1);
    expect(jsonOf(notReady[0]!)).not.toContain('\n');
    expect(JSON.parse(jsonOf(notReady[0]!))).toMatchObject({ level: 'error', reason: 'database' });
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('answers 503 while the database is behind this build, and works once migrated', async () => {
    db = await startDevDb({ path: join(dir.path, 'cold.db'), port: dbPort });
    const behind = await worker.fetch('/healthz');
    expect(behind.status).toBe(503);
    expect(await behind.json()).toEqual({ status: 'unavailable', reason: 'schema' });
    const api = await worker.fetch('/channels/web/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hei' }),
    });
    expect(api.status).toBe(503);

    // The deploy step, as `selvhjelp migrate` runs it against the remote URL.
    const client = createClient({ url: db.url, authToken: SECRET });
    const database = wrapClient(client);
    expect((await migrate(database, nodeMigrations(), new Date(0))).length).toBe(nodeMigrations().length);
    database.close();

    // A first request to a fresh, migrated database: the schema check and the request's own query.
    const before = db.database.pipelines;
    const ok = await worker.fetch('/healthz');
    expect(ok.status).toBe(200);
    expect(db.database.pipelines - before).toBeLessThanOrEqual(3);
    const turn = await worker.fetch('/channels/web/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hei' }),
    });
    expect(turn.status).toBe(200);
  });
});

describe.runIf(available)('a Worker with a wrong configuration', { timeout: 60_000 }, () => {
  let worker: RunningWorker;

  beforeAll(async () => {
    worker = await startWorker(await freePort(), {
      DATABASE_URL: 'file:./data/nope.db',
      DATABASE_AUTH_TOKEN: SECRET,
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.dispose();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers 503 JSON except on /chat, and logs the variable once without secrets', async () => {
    const logs = captureLogs();
    for (let i = 0; i < 3; i++) {
      const health = await worker.fetch('/healthz');
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable', reason: 'config' });
    }
    expect((await worker.fetch('/chat')).status).toBe(200);
    expect((await worker.fetch('/staff/login')).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const notReady = logs.filter((line) => line.includes('worker not ready'));
    expect(notReady).toHaveLength(1);
    expect(JSON.parse(jsonOf(notReady[0]!))).toMatchObject({ reason: 'config' });
    expect(jsonOf(notReady[0]!)).toContain('DATABASE_URL');
    expect(logs.join('\n')).not.toContain(SECRET);
  });
});
