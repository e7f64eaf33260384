import { describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { fireDueSchedules } from '../../src/service/measurements.ts';
import type { Database } from '../../src/storage/db.ts';
import { dumpTables, linkSmsClients, smsHarnesses, textFrom } from '../support/batches.ts';
import type { Harness } from '../support/harness.ts';

/*
 * Due timers fired in batches (fire-timers.ts, runTurns in run-turn.ts) write exactly what firing them one
 * by one writes, on the real libSQL engine; a timer cancelled, moved or raced meanwhile is left out
 * without losing the rest of its batch, and a timer whose flow fails is written alone. The SMS clients
 * link by texting their code: the intro starts (a reminder after 24 hours of silence) and their default
 * check-ins are planned (the short screen weekly, 18:00 Oslo time: a reminder after a day, lapsing after
 * two).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const harness = smsHarnesses();
const text = textFrom;

/**
 * Five clients linked by SMS (nb, en, nb, nb, nb): the third answers the intro after 23 hours (its
 * reminder moves), the fourth sends STOP.
 */
async function clients(h: Harness): Promise<string[]> {
  const ids = await linkSmsClients(h, ['nb', 'en', 'nb', 'nb', 'nb']);
  h.clock.advance(23 * HOUR);
  await text(h, '+4790000020', '1');
  await text(h, '+4790000030', 'STOPP');
  h.clock.advance(HOUR);
  return ids;
}

/** Every row of the tables a timer's turn writes, in insertion order. */
const dump = (db: Database) =>
  dumpTables(db, [
    'enrollments',
    'transcript',
    'outbox',
    'held_messages',
    'domain_events',
    'timers',
    'alerts',
    'measurement_schedules',
  ]);

const dueCount = async (h: Harness): Promise<number> =>
  Number(
    (
      await h.deps.db.read((q) =>
        q.execute({
          sql: 'SELECT count(*) AS n FROM timers WHERE due_at <= ?',
          args: [h.clock.now.toISOString()],
        }),
      )
    ).rows[0]!.n,
  );

/** Makes the next `read` (after `after` reads) or `write` of `h` run `race` first, as another process. */
function raceBefore(h: Harness, on: 'read' | 'write', race: (db: Database) => Promise<void>, after = 0) {
  const inner = h.deps.db;
  let seen = 0;
  let raced = false;
  const maybe = async () => {
    if (!raced && seen++ === after) {
      raced = true;
      await race(inner);
    }
  };
  h.deps.db = {
    ...inner,
    read: async (fn) => {
      if (on === 'read') await maybe();
      return inner.read(fn);
    },
    write: async (fn) => {
      if (on === 'write') await maybe();
      return inner.write(fn);
    },
    close: () => inner.close(),
  };
  return inner;
}

describe('due timers fired in batches', () => {
  it('write the same rows as one by one: intro reminders, check-in reminders and lapses, two due at once', async () => {
    const alone = await harness();
    const together = await harness();
    await clients(alone);
    await clients(together);
    expect(await dump(together.deps.db)).toEqual(await dump(alone.deps.db));

    // The intro reminders of four clients (the third answered, its reminder is an hour away).
    expect(await dueCount(together)).toBe(4);
    expect(await fireDueTimers(alone.deps, 100, 1)).toBe(4);
    expect(await fireDueTimers(together.deps, 100)).toBe(4);
    expect(await dump(together.deps.db)).toEqual(await dump(alone.deps.db));

    // A week on: the check-ins start (the same on both), and a day later their reminders are due.
    for (const h of [alone, together]) {
      h.clock.advance(7 * DAY);
      await fireDueTimers(h.deps, 100, 1);
      expect(await fireDueSchedules(h.deps, 100, 1)).toBeGreaterThan(0);
      h.clock.advance(DAY + HOUR);
    }
    expect(await dump(together.deps.db)).toEqual(await dump(alone.deps.db));
    const reminders = await dueCount(together);
    expect(reminders).toBeGreaterThan(2);
    expect(await fireDueTimers(alone.deps, 100, 1)).toBe(reminders);
    expect(await fireDueTimers(together.deps, 100)).toBe(reminders);
    expect(await dump(together.deps.db)).toEqual(await dump(alone.deps.db));

    // A week and two days on: each client's next check-in reminder and the last one's lapse fall due at
    // once, two timers of one client fired one after the other in one call.
    for (const h of [alone, together]) {
      h.clock.advance(6 * DAY);
      await fireDueTimers(h.deps, 100, 1);
      expect(await fireDueSchedules(h.deps, 100, 1)).toBeGreaterThan(0);
      h.clock.advance(3 * DAY);
    }
    expect(await dump(together.deps.db)).toEqual(await dump(alone.deps.db));
    const perClient = Number(
      (
        await together.deps.db.read((q) =>
          q.execute({
            sql: `SELECT max(n) AS n FROM (SELECT count(*) AS n FROM timers t JOIN enrollments e ON e.id = t.enrollment_id
                  WHERE t.due_at <= ? GROUP BY e.client_id)`,
            args: [together.clock.now.toISOString()],
          }),
        )
      ).rows[0]!.n,
    );
    expect(perClient).toBeGreaterThan(1);
    const both = await dueCount(together);
    expect(await fireDueTimers(alone.deps, 100, 1)).toBe(both);
    expect(await fireDueTimers(together.deps, 100)).toBe(both);
    const after = await dump(together.deps.db);
    expect(after).toEqual(await dump(alone.deps.db));
    expect(after.held_messages!.length).toBeGreaterThan(0);
    expect(await dueCount(together)).toBe(0);
  });

  it('skip a timer cancelled or moved after the pass found it, and fire the rest', async () => {
    const h = await harness();
    const ids = await clients(h);
    expect(await dueCount(h)).toBe(4);
    // After the pass read the due timers, before the batch's own read: another turn cancels the first
    // client's reminder and moves the second's a day on.
    const inner = raceBefore(
      h,
      'read',
      async (db) => {
        await db.write((tx) =>
          tx.batch([
            {
              sql: 'DELETE FROM timers WHERE enrollment_id IN (SELECT id FROM enrollments WHERE client_id = ?)',
              args: [ids[0]!],
            },
            {
              sql: `UPDATE timers SET due_at = ? WHERE enrollment_id IN (SELECT id FROM enrollments WHERE client_id = ?)`,
              args: [new Date(h.clock.now.getTime() + DAY).toISOString(), ids[1]!],
            },
          ]),
        );
      },
      1,
    );
    expect(await fireDueTimers(h.deps, 100)).toBe(2);
    const reminded = await remindedClients(inner);
    expect(reminded.sort()).toEqual([ids[3]!, ids[4]!].sort());
    expect(await fireDueTimers(h.deps, 100)).toBe(0);
  });

  it('leave out a timer whose enrollment changed before the write, and write the rest of the batch', async () => {
    const h = await harness();
    const ids = await clients(h);
    // Another process writes the first client's enrollment just before the batch's write.
    const inner = raceBefore(h, 'write', async (db) => {
      await db.write((tx) =>
        tx.execute({
          sql: 'UPDATE enrollments SET row_version = row_version + 1 WHERE client_id = ?',
          args: [ids[0]!],
        }),
      );
    });
    expect(await fireDueTimers(h.deps, 100)).toBe(3);
    expect((await remindedClients(inner)).sort()).toEqual([ids[1]!, ids[3]!, ids[4]!].sort());
    // Its timer is still there, and fires on the next pass.
    expect(await fireDueTimers(h.deps, 100)).toBe(1);
    expect(await remindedClients(inner)).toContain(ids[0]!);
  });

  it('write a timer whose flow fails alone: its alert and the others reminded', async () => {
    const h = await harness();
    const ids = await clients(h);
    await h.deps.db.write((tx) =>
      tx.execute({
        sql: `UPDATE enrollments SET snapshot = '{"status":"active","value":"no.such.state","context":{}}'
              WHERE client_id = ?`,
        args: [ids[4]!],
      }),
    );
    expect(await fireDueTimers(h.deps, 100)).toBe(4);
    expect((await remindedClients(h.deps.db)).sort()).toEqual([ids[0]!, ids[1]!, ids[3]!].sort());
    const alerts = (
      await h.deps.db.read((q) =>
        q.execute('SELECT client_id, kind, trigger_text FROM alerts ORDER BY rowid'),
      )
    ).rows;
    expect(alerts).toEqual([{ client_id: ids[4]!, kind: 'flow_error', trigger_text: '(timer_due)' }]);
    // The failed timer is gone: it does not fire again and again.
    expect(await dueCount(h)).toBe(0);
  });
});

/** Clients whose intro reminder went into the transcript. */
async function remindedClients(db: Database): Promise<string[]> {
  const rows = (
    await db.read((q) =>
      q.execute(`SELECT DISTINCT client_id FROM transcript WHERE direction = 'out'
                 AND json_extract(payload, '$.reply.key') = 'intro.reminder'`),
    )
  ).rows;
  return rows.map((row) => String(row.client_id));
}
