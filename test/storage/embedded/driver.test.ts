import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../../../src/storage/db.ts';
import { openEmbedded } from '../../../src/storage/embedded/driver.ts';
import { tempDir } from '../../support/harness.ts';

// What only the embedded driver does. What both drivers must do alike is in ../db.test.ts.

describe('group commit in the embedded driver', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  beforeEach(async () => {
    dir = tempDir();
    db = openEmbedded(join(dir.path, 'g.db'));
    await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });
  const count = async (other: Database) =>
    Number(await other.read(async (q) => (await q.execute('SELECT count(*) AS c FROM t')).rows[0]!.c));

  it('reports a write only once it is committed: another connection already sees it', async () => {
    const first = db.write((tx) => tx.execute('INSERT INTO t (n) VALUES (1)'));
    // Joins the same group and keeps it open a while after its own insert.
    const second = db.write(async (tx) => {
      await tx.execute('INSERT INTO t (n) VALUES (2)');
      await new Promise((resolve) => setTimeout(resolve, 30));
    });
    await first;
    const other = openEmbedded(join(dir.path, 'g.db'));
    try {
      expect(await count(other)).toBe(2);
    } finally {
      other.close();
    }
    await second;
  });

  it('keeps each write of a group or undoes it alone, a constraint failure included', async () => {
    const writes = [1, 2, 3, 4].map((n) =>
      db.write(async (tx) => {
        await tx.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [n * 10] });
        // The third repeats the first's key after its own insert: only its insert disappears.
        await tx.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [n === 3 ? 10 : n * 10 + 1] });
      }),
    );
    const results = await Promise.allSettled(writes);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const rows = await db.read(async (q) =>
      (await q.execute('SELECT n FROM t ORDER BY n')).rows.map((r) => r.n),
    );
    expect(rows).toEqual([10, 11, 20, 21, 40, 41]);
  });

  it('fails a group cleanly when the database is closed under it (the engine would abort the process)', async () => {
    const slow = db.write(async (tx) => {
      await tx.execute('INSERT INTO t (n) VALUES (1)');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.execute('INSERT INTO t (n) VALUES (2)');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    db.close();
    await expect(slow).rejects.toThrow(/closed/);
  });

  it('waits for another connection that holds the write lock, without blocking the event loop', async () => {
    const other = openEmbedded(join(dir.path, 'g.db'));
    try {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Another process (a CLI command) is inside a write transaction.
      const holding = other.write(async (tx) => {
        await tx.execute('INSERT INTO t (n) VALUES (1)');
        await held;
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      const waiting = db.write((tx) => tx.execute('INSERT INTO t (n) VALUES (2)'));
      // Timers still fire while the write waits for the lock.
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(performance.now() - started).toBeLessThan(200);
      release();
      await holding;
      await waiting;
      expect(await count(db)).toBe(2);
    } finally {
      other.close();
    }
  });

  it('refuses transaction control inside a write and leaves the other writes of the group alone', async () => {
    const good = db.write((tx) => tx.execute('INSERT INTO t (n) VALUES (1)'));
    const breaking = db.write(async (tx) => tx.execute('COMMIT'));
    const rollingBack = db.write(async (tx) => tx.execute(' rollback'));
    const after = db.write((tx) => tx.execute('INSERT INTO t (n) VALUES (2)'));
    await expect(breaking).rejects.toThrow(TypeError);
    await expect(rollingBack).rejects.toThrow(/refused/);
    await Promise.all([good, after]);
    expect(await count(db)).toBe(2);
  });
});

describe('reads on a worker thread', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  beforeEach(async () => {
    dir = tempDir();
    db = openEmbedded(join(dir.path, 'r.db'));
    await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });
  const countIn = async (q: Queryable) => Number((await q.execute('SELECT count(*) AS c FROM t')).rows[0]!.c);

  it('run beside a write group that is still open, and see only what was committed', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted: () => void = () => {};
    const didInsert = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const writing = db.write(async (tx) => {
      await tx.execute('INSERT INTO t (n) VALUES (1)');
      inserted();
      await held;
    });
    await didInsert;
    // On the main connection this read would wait for the group's commit, which waits for `held`.
    expect(await db.read(countIn)).toBe(0);
    release();
    await writing;
    expect(await db.read(countIn)).toBe(1);
  });

  it('give every statement of one read the same data, while a write commits between them', async () => {
    const seen = await db.read(async (q) => {
      const before = await countIn(q);
      await db.write((tx) => tx.execute('INSERT INTO t (n) VALUES (1)'));
      return [before, await countIn(q)];
    });
    expect(seen).toEqual([0, 0]);
    expect(await db.read(countIn)).toBe(1);
  });

  it('cannot write, and a refused statement leaves the next read as it was', async () => {
    await expect(db.read((q) => q.execute('INSERT INTO t (n) VALUES (1)'))).rejects.toMatchObject({
      code: 'SQLITE_READONLY',
    });
    await expect(db.read((q) => q.execute('SELECT nope FROM t'))).rejects.toMatchObject({
      code: 'SQLITE_ERROR',
    });
    expect(await db.read(countIn)).toBe(0);
  });

  it('run many at once, more than there are read connections, each answering its own', async () => {
    await db.write(async (tx) => {
      for (let n = 1; n <= 40; n++) await tx.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [n] });
    });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.read(async (q) => {
          const row = (await q.execute({ sql: 'SELECT n FROM t WHERE n = ?', args: [i + 1] })).rows[0]!;
          // A second statement in the same read, after other reads have started.
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          return [Number(row.n), await countIn(q)];
        }),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => [i + 1, 40]));
  });

  it('refuses a statement sent after its read ended, and every read once the database is closed', async () => {
    let leaked: Parameters<Parameters<Database['read']>[0]>[0] | undefined;
    await db.read(async (q) => {
      leaked = q;
    });
    await expect(leaked!.execute('SELECT 1')).rejects.toThrow(/ended/);
    await expect(leaked!.batch(['SELECT 1'])).rejects.toThrow(/ended/);
    // Reads on every connection go on: the refused statements took nothing with them.
    const counts = await Promise.all(Array.from({ length: 20 }, () => db.read(countIn)));
    expect(counts).toEqual(Array.from({ length: 20 }, () => 0));
    db.close();
    await expect(db.read(countIn)).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

describe('checkpoints on a worker thread', () => {
  it('keep the WAL bounded under writes that never pause, lose nothing, and let reads run', async () => {
    const dir = tempDir();
    const path = join(dir.path, 'c.db');
    const checkpoints: { walFrames: number; checkpointedFrames: number; held: boolean }[] = [];
    // Writes wait for a checkpoint once the WAL holds over 40 frames (160 KiB), which lets it start over.
    const db = openEmbedded(path, {
      checkpointEveryGroups: 2,
      holdWritesAboveFrames: 40,
      onCheckpoint: (result, held) => checkpoints.push({ ...result, held }),
    });
    try {
      await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)'));
      const pad = 'x'.repeat(2000);
      let rows = 0;
      const started = performance.now();
      // Back-to-back rounds until the checkpoint thread has run a while, and 1000 rows at least.
      while (checkpoints.length < 20 || rows < 1000) {
        if (performance.now() - started > 15_000)
          throw new Error(`${checkpoints.length} checkpoints in 15 s`);
        // Ten writes and a read at once: one group, then the read, while checkpoints come and go.
        const writes = Array.from({ length: 10 }, () =>
          db.write((tx) => tx.execute({ sql: 'INSERT INTO t (pad) VALUES (?)', args: [pad] })),
        );
        const read = db.read(async (q) =>
          Number((await q.execute('SELECT count(*) AS c FROM t')).rows[0]!.c),
        );
        await Promise.all(writes);
        expect(await read).toBeGreaterThanOrEqual(rows);
        rows += 10;
      }
      expect(
        Number(await db.read(async (q) => (await q.execute('SELECT count(*) AS c FROM t')).rows[0]!.c)),
      ).toBe(rows);
      // The first checkpoints ran while the thread started and the WAL grew; once writes have waited for
      // one, the WAL starts over and stays small. Without the waiting it would only ever grow.
      const firstHeld = checkpoints.findIndex((c) => c.held);
      expect(firstHeld).toBeGreaterThanOrEqual(0);
      expect(checkpoints[firstHeld]!.checkpointedFrames).toBe(checkpoints[firstHeld]!.walFrames);
      const later = checkpoints.slice(firstHeld + 1).map((c) => c.walFrames);
      expect(later.length).toBeGreaterThan(5);
      // Started over: a WAL that only grew would never report fewer frames than before.
      expect(Math.min(...later)).toBeLessThan(checkpoints[firstHeld]!.walFrames);
      expect(Math.max(...later)).toBeLessThan(1000);
    } finally {
      db.close();
      dir.remove();
    }
  });
});
