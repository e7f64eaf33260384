import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRoundTrips, type RoundTrips } from '../../bench/round-trips.ts';
import { createClient } from '../../src/service/clients.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';

/*
 * Round trips to the database per web chat request, counted as `@libsql/client` makes them to a remote
 * server over HTTP (bench/round-trips.ts: each statement or batch one, a write's COMMIT one more), which
 * is what every turn costs on Workers against Turso. Pinned exactly: a change that adds a round trip to a
 * web turn fails here, and one that saves one must lower the figure.
 */

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let counter: ReturnType<typeof countRoundTrips>;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));

beforeAll(async () => {
  // No scheduler pass during the test: only the requests' own round trips are counted.
  server = await startTestServer({ SCHEDULER_INTERVAL_MS: '3600000' }, { clock: clock.read });
  // The routes read deps.db on every request, so the counter sees every statement of the running server.
  counter = countRoundTrips(server.deps.db);
  server.deps.db = counter.db;
});
afterAll(async () => {
  await server.close();
});

interface Step {
  trips: RoundTrips;
  replies: { text: string; choices?: { value: string }[] }[];
}

async function post(body: Record<string, unknown>): Promise<Step & { conversationId: string }> {
  counter.reset();
  clock.advance(60_000);
  const response = await fetch(`${server.url}/channels/web/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ locale: 'nb', ...body }),
  });
  expect(response.status).toBe(200);
  const json = (await response.json()) as Step & { conversationId: string };
  return { ...json, trips: { ...counter.trips } };
}

/** The intro as bench/run.ts plays it: start, access code, eight answers. */
async function playIntro(): Promise<{ name: string; trips: RoundTrips }[]> {
  const created = await createClient(server.deps, { course: 'intro', locale: 'nb' });
  if (!created.ok) throw new Error('createClient failed');
  const steps: { name: string; trips: RoundTrips }[] = [];
  const start = await post({});
  steps.push({ name: 'start', trips: start.trips });
  const { conversationId } = start;
  const send = async (name: string, input: { text?: string; value?: string }) => {
    const step = await post({ conversationId, messageId: crypto.randomUUID(), ...input });
    steps.push({ name, trips: step.trips });
    return step;
  };
  await send('wrong code', { text: 'ZZZZ999' });
  await send('access code', { text: created.accessCode });
  for (const value of ['yes', 'depression', 'some', 'no', 'yes', 'yes'])
    await send(`button ${value}`, { value });
  await send('goal', { text: 'Mål: gå en tur' });
  const last = await send('reminder time', { text: '18:30' });
  expect(last.replies.at(-1)?.text).toBe(server.deps.catalog.text('nb', 'intro.done'));
  return steps;
}

describe('database round trips per web chat request', () => {
  it('stays at its pinned count for every turn of the intro', async () => {
    const steps = await playIntro();
    expect(steps.map((s) => [s.name, s.trips.total])).toEqual([
      // The first request to the fresh, migrated database, as the chat page sends it (no messageId): one
      // batch (the limit on new conversations per network address, the address, the welcome) and its
      // commit.
      ['start', 2],
      // A code nobody has: one read (address, dedupe mark, message counters, an open safety question),
      // one batch (the counters of wrong codes, the code with its client), the write's batch (the wrong
      // code counted in it) and the commit.
      ['wrong code', 4],
      // Once per conversation: the same read and batch (which reads the client's turn context too), then
      // the linking batch and the commit.
      ['access code', 4],
      // Every answer: one read (address, dedupe mark, client, enrollment), one batch, the commit.
      ['button yes', 3],
      ['button depression', 3],
      ['button some', 3],
      ['button no', 3],
      ['button yes', 3],
      ['button yes', 3],
      ['goal', 3],
      // The intro ends: one read more, for an enrollment to hand the conversation back to.
      ['reminder time', 4],
    ]);
    // Each turn writes in one transaction.
    expect(steps.map((s) => s.trips.writes)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('counts what the remote client sends: each statement or batch, and the commit of a write', async () => {
    const { db, trips } = countRoundTrips(server.deps.db);
    await db.read(async (q) => {
      await q.execute('SELECT 1');
      await q.batch(['SELECT 1', 'SELECT 2']);
      await q.batch([]);
    });
    expect(trips).toEqual({ total: 2, reads: 2, writes: 0, statements: 3 });
    await db.write(async (tx) => {
      await tx.batch([{ sql: 'UPDATE clients SET locale = locale WHERE id = ?', args: ['none'] }]);
    });
    expect(trips).toEqual({ total: 4, reads: 2, writes: 1, statements: 4 });
    // A write that throws sends its ROLLBACK instead of a COMMIT; one that sent nothing sends nothing.
    await expect(
      db.write(async (tx) => {
        await tx.execute('SELECT 1');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await db.write(async () => undefined);
    expect(trips).toEqual({ total: 6, reads: 2, writes: 2, statements: 5 });
  });
});
