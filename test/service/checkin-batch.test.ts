import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { fireDueSchedules } from '../../src/service/measurements.ts';
import type { Database } from '../../src/storage/db.ts';
import { clientSchedules } from '../../src/storage/schedules.ts';
import { dumpTables, linkSmsClients, smsHarnesses, textFrom } from '../support/batches.ts';
import type { Harness } from '../support/harness.ts';

/*
 * Check-ins started in batches (measurements.ts, runTurns in run-turn.ts) write exactly what starting
 * them one by one writes, on the real libSQL engine; a schedule another scheduler took first is left out
 * without losing the rest of its batch. The SMS clients link by texting their code, which plans their
 * default check-ins (the short screen weekly, PHQ-9 + GAD-7 every 14 days) at 18:00 Oslo time.
 */

const DAY = 86_400_000;
const harness = smsHarnesses();
const text = textFrom;

/**
 * Six clients with a check-in due a week on, in the cases the scheduler meets: two plain ones (nb and
 * en), one who sent STOP, one with the screen still open from a check-in started a week early, one with
 * content already held behind a notice, one never linked.
 */
async function morning(h: Harness): Promise<string[]> {
  const ids = await linkSmsClients(h, ['nb', 'en', 'nb', 'nb', 'nb']);
  const never = await createClient(h.deps, { course: 'intro', locale: 'nb' });
  if (!never.ok) throw new Error('no client');
  await h.deps.db.write((tx) =>
    tx.execute({
      sql: `INSERT INTO measurement_schedules (id, client_id, flow_id, every_days, next_due_at, active, once, created_at)
            VALUES ('unlinked', ?, 'screen', 7, '2026-11-30T17:00:00.000Z', 1, 0, ?)`,
      args: [never.clientId, h.clock.now.toISOString()],
    }),
  );
  await text(h, '+4790000020', 'STOPP');
  // The fourth client's screen was started by hand a day early and is still open.
  await h.deps.db.write((tx) =>
    tx.execute({
      sql: "UPDATE measurement_schedules SET next_due_at = ? WHERE client_id = ? AND flow_id = 'screen'",
      args: [new Date(h.clock.now.getTime() + DAY).toISOString(), ids[3]!],
    }),
  );
  h.clock.advance(2 * DAY);
  expect(await fireDueSchedules(h.deps, 100, 1)).toBe(1);
  await h.deps.db.write((tx) =>
    tx.execute({
      sql: "UPDATE measurement_schedules SET next_due_at = '2026-11-30T17:00:00.000Z' WHERE client_id = ? AND flow_id = 'screen'",
      args: [ids[3]!],
    }),
  );
  // The fifth has a notice waiting already: a held message from an earlier push.
  await h.deps.db.write((tx) =>
    tx.execute({
      sql: `INSERT INTO held_messages (address_id, channel, transcript_seq, payload, kind, created_at)
            SELECT a.id, 'sms', (SELECT max(seq) FROM transcript t WHERE t.address_id = a.id),
                   '{"text":"earlier"}', 'normal', ?
            FROM channel_addresses a WHERE a.address = '+4790000040'`,
      args: [h.clock.now.toISOString()],
    }),
  );
  h.clock.advance(6 * DAY);
  return ids;
}

/** Every row of the tables a check-in writes, in insertion order. */
const dump = (db: Database) =>
  dumpTables(db, [
    'enrollments',
    'measurement_schedules',
    'transcript',
    'outbox',
    'held_messages',
    'domain_events',
    'timers',
  ]);

describe('check-ins started in batches', () => {
  it('write the same enrollments, events, transcript, outbox and held rows as one by one', async () => {
    const alone = await harness();
    const together = await harness();
    await morning(alone);
    await morning(together);
    expect(await dump(together.deps.db)).toEqual(await dump(alone.deps.db));

    // One by one (batches of one) against all six in one batch: three start (the plain two, and the one
    // with a notice already waiting, which gets no second notice); the rest only move on.
    expect(await fireDueSchedules(alone.deps, 100, 1)).toBe(3);
    expect(await fireDueSchedules(together.deps, 100)).toBe(3);
    const after = await dump(together.deps.db);
    expect(after).toEqual(await dump(alone.deps.db));
    expect(after.held_messages!.length).toBeGreaterThan(2);
    // The notices of the two plain ones, and of the early check-in: none for the one already waiting.
    const notices = after.outbox!.filter((row) =>
      /Svar JA|Reply YES/.test(String((row as { payload: string }).payload)),
    );
    expect(notices).toHaveLength(3);
  });

  it('leave out a schedule another scheduler took meanwhile and write the rest of the batch', async () => {
    const h = await harness();
    const ids = await morning(h);
    const [taken] = await h.deps.db.read((q) => clientSchedules(q, ids[0]!));
    // Another process moves the first client's screen on just before this batch's write.
    const inner = h.deps.db;
    let raced = false;
    h.deps.db = {
      ...inner,
      read: (fn) => inner.read(fn),
      close: () => inner.close(),
      write: async (fn) => {
        if (!raced && taken) {
          raced = true;
          await inner.write((tx) =>
            tx.execute({
              sql: 'UPDATE measurement_schedules SET next_due_at = ? WHERE id = ?',
              args: ['2026-12-14T17:00:00.000Z', taken.id],
            }),
          );
        }
        return inner.write(fn);
      },
    };
    // The race lands after the pass read the due schedules, before the check-ins' write.
    expect(await fireDueSchedules(h.deps, 100)).toBe(2);
    const started = (await dump(inner)).enrollments!.filter(
      (row) => (row as { flow_id: string }).flow_id === 'screen',
    );
    expect(started.map((row) => (row as { client_id: string }).client_id).sort()).toEqual(
      [ids[1]!, ids[4]!, ids[3]!].sort(),
    );
    expect(await fireDueSchedules(h.deps, 100)).toBe(0);
  });
});
