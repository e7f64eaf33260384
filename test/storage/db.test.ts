import { join } from 'node:path';
import { createClient, LibsqlError } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, embeddedPragmas, wrapClient } from '../../src/storage/db.ts';
import { openEmbedded } from '../../src/storage/embedded.ts';
import { embeddedPath, openNodeDatabase } from '../../src/storage/open-node.ts';
import { tempDir } from '../support/harness.ts';

/**
 * The embedded driver (kept prepared statements) and `@libsql/client` must be interchangeable under the
 * `Database` port: the same repository code runs on both (embedded here, remote libSQL in production).
 */
const drivers: [string, (path: string) => Promise<Database>, { seesOthersColumns: boolean }][] = [
  ['embedded driver', async (path) => openEmbedded(path), { seesOthersColumns: true }],
  [
    '@libsql/client',
    async (path) => {
      const client = createClient({ url: `file:${path}`, concurrency: 1 });
      for (const pragma of embeddedPragmas) await client.execute(pragma);
      return wrapClient(client);
    },
    // libsql 0.5 keeps statements by SQL text inside the connection, and a kept `SELECT *` names a column
    // another connection added "undefined" (a known gap of @libsql/client, not of the embedded driver).
    { seesOthersColumns: false },
  ],
];

describe.each(drivers)('the %s', (_name, open, quirks) => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  beforeEach(async () => {
    dir = tempDir();
    db = await open(join(dir.path, 'd.db'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('gives rows keyed by column name, the first of two equal names winning, with SQLite types kept', async () => {
    await db.write(async (tx) => {
      await tx.execute('CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)');
      await tx.execute('CREATE TABLE b (id INTEGER PRIMARY KEY, name TEXT)');
      await tx.execute({
        sql: 'INSERT INTO a (id, name, score, data) VALUES (?, ?, ?, ?)',
        args: [1, 'Åse', 2.5, new Uint8Array([1, 2, 3])],
      });
      await tx.execute("INSERT INTO b (id, name) VALUES (1, 'other')");
    });
    const rows = await db.read(
      async (q) =>
        (await q.execute('SELECT a.name, b.name, a.score, a.data, NULL AS missing FROM a JOIN b USING (id)'))
          .rows,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.name).toBe('Åse');
    expect(row.score).toBe(2.5);
    expect(row.missing).toBeNull();
    expect(row.data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(row.data as ArrayBuffer)]).toEqual([1, 2, 3]);
  });

  it('reports rows changed and the last rowid, returns rows from RETURNING, and takes named and converted arguments', async () => {
    await db.write((tx) =>
      tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY AUTOINCREMENT, flag INTEGER, at INTEGER)'),
    );
    const inserted = await db.write((tx) =>
      tx.execute({
        sql: 'INSERT INTO t (flag, at) VALUES (:flag, $at)',
        args: { flag: true, $at: new Date(5000) },
      }),
    );
    expect(inserted.rowsAffected).toBe(1);
    expect(inserted.lastInsertRowid).toBe(1n);
    const second = await db.write((tx) =>
      tx.execute({ sql: 'INSERT INTO t (flag, at) VALUES (?, ?)', args: [false, 7] }),
    );
    expect(second.lastInsertRowid).toBe(2n);
    const updated = await db.write((tx) => tx.execute('UPDATE t SET flag = 1'));
    expect(updated.rowsAffected).toBe(2);
    const returned = await db.write((tx) => tx.execute('DELETE FROM t WHERE n = 2 RETURNING n, at'));
    expect(returned.rows.map((r) => ({ ...r }))).toEqual([{ n: 2, at: 7 }]);
    const left = await db.read(async (q) =>
      (await q.execute('SELECT n, flag, at FROM t')).rows.map((r) => ({ ...r })),
    );
    expect(left).toEqual([{ n: 1, flag: 1, at: 5000 }]);
  });

  it('runs one statement again with new arguments, and sees a column added after it was first run', async () => {
    await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
    for (let n = 0; n < 5; n++)
      await db.write((tx) => tx.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [n] }));
    const pick = (n: number) =>
      db.read(
        async (q) => (await q.execute({ sql: 'SELECT * FROM t WHERE n >= ? ORDER BY n', args: [n] })).rows,
      );
    expect((await pick(3)).map((r) => r.n)).toEqual([3, 4]);
    expect((await pick(1)).map((r) => r.n)).toEqual([1, 2, 3, 4]);
    await db.write((tx) => tx.execute("ALTER TABLE t ADD COLUMN label TEXT DEFAULT 'x'"));
    expect((await pick(4)).map((r) => ({ ...r }))).toEqual([{ n: 4, label: 'x' }]);
    // A column added by another connection (`selvhjelp migrate` in another process) shows up too.
    const other = await open(join(dir.path, 'd.db'));
    await other.write((tx) => tx.execute('ALTER TABLE t ADD COLUMN note TEXT'));
    other.close();
    if (quirks.seesOthersColumns) {
      expect((await pick(4)).map((r) => ({ ...r }))).toEqual([{ n: 4, label: 'x', note: null }]);
    }
    // More distinct statements than are kept prepared at once: all still run.
    const many = await db.read(async (q) => {
      const out: number[] = [];
      for (let i = 0; i < 300; i++) out.push(Number((await q.execute(`SELECT ${i} AS v`)).rows[0]!.v));
      return out;
    });
    expect(many).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('fails a constraint with a LibsqlError carrying the SQLite codes, and refuses undefined arguments', async () => {
    await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY, u TEXT UNIQUE)'));
    await db.write((tx) => tx.execute("INSERT INTO t (n, u) VALUES (1, 'a')"));
    const error = await db
      .write((tx) => tx.execute("INSERT INTO t (n, u) VALUES (2, 'a')"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe('SQLITE_CONSTRAINT');
    expect((error as LibsqlError).extendedCode).toBe('SQLITE_CONSTRAINT_UNIQUE');
    const bad = await db
      .read((q) => q.execute({ sql: 'SELECT ?', args: [undefined as unknown as null] }))
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TypeError);
    const syntax = await db.read((q) => q.execute('SELEC 1')).catch((e: unknown) => e);
    expect((syntax as LibsqlError).code).toBe('SQLITE_ERROR');
    // Nothing was left half-done: the table still holds exactly the first row.
    expect(await db.read(async (q) => (await q.execute('SELECT count(*) AS c FROM t')).rows[0]!.c)).toBe(1);
  });

  it('fails reads and writes after close instead of leaving them waiting', async () => {
    db.close();
    await expect(db.read((q) => q.execute('SELECT 1'))).rejects.toThrow();
    await expect(db.write((tx) => tx.execute('SELECT 1'))).rejects.toThrow();
  });

  it('opens the file with WAL, synchronous=NORMAL and foreign keys on', async () => {
    const pragmas = await db.read(async (q) => ({
      journal: (await q.execute('PRAGMA journal_mode')).rows[0]!.journal_mode,
      synchronous: (await q.execute('PRAGMA synchronous')).rows[0]!.synchronous,
      foreignKeys: (await q.execute('PRAGMA foreign_keys')).rows[0]!.foreign_keys,
    }));
    expect(pragmas).toEqual({ journal: 'wal', synchronous: 1, foreignKeys: 1 });
  });
});

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

describe('embeddedPath', () => {
  it('reads the path of a file URL and leaves remote URLs alone', () => {
    expect(embeddedPath('file:./data/selvhjelp.db')).toBe('./data/selvhjelp.db');
    expect(embeddedPath('file:/srv/x.db')).toBe('/srv/x.db');
    expect(embeddedPath('file:///srv/x.db')).toBe('/srv/x.db');
    expect(embeddedPath('file://localhost/srv/my%20db.db')).toBe('/srv/my db.db');
    expect(embeddedPath('file:x.db?mode=rwc')).toBe('x.db');
    expect(embeddedPath('file::memory:')).toBe(':memory:');
    expect(embeddedPath(':memory:')).toBe(':memory:');
    expect(embeddedPath('libsql://db.example.turso.io')).toBeUndefined();
    expect(embeddedPath('http://127.0.0.1:8080')).toBeUndefined();
    expect(() => embeddedPath('file://server/x.db')).toThrow(/DATABASE_URL/);
    expect(() => embeddedPath('file:')).toThrow(/DATABASE_URL/);
  });
});

describe('the database queue', () => {
  it('runs writes one after another, each atomic: a failing write leaves nothing behind', async () => {
    const dir = tempDir();
    const db = await openNodeDatabase(`file:${join(dir.path, 'q.db')}`);
    try {
      await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
      const writes = Array.from({ length: 20 }, (_, n) =>
        db.write(async (tx) => {
          await tx.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [n] });
          // Every fifth write fails after its insert: its insert must disappear, the others must stay.
          if (n % 5 === 4) throw new Error(`write ${n} failed`);
          await tx.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [n + 100] });
          return n;
        }),
      );
      const reads = db.read(async (q) => Number((await q.execute('SELECT count(*) AS c FROM t')).rows[0]!.c));
      const results = await Promise.allSettled(writes);
      expect(
        results
          .filter((r) => r.status === 'rejected')
          .map((r) => String((r as PromiseRejectedResult).reason)),
      ).toEqual([
        'Error: write 4 failed',
        'Error: write 9 failed',
        'Error: write 14 failed',
        'Error: write 19 failed',
      ]);
      // The read was queued after all the writes: it sees every committed one.
      expect(await reads).toBe(32);
      const rows = await db.read(async (q) =>
        (await q.execute('SELECT n FROM t ORDER BY n')).rows.map((r) => Number(r.n)),
      );
      expect(rows.filter((n) => n < 100)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18]);
      expect(rows.filter((n) => n >= 100)).toHaveLength(16);
    } finally {
      db.close();
      dir.remove();
    }
  });

  it('never hangs on a write that breaks its own transaction, and goes on', async () => {
    const dir = tempDir();
    const db = await openNodeDatabase(`file:${join(dir.path, 'q.db')}`);
    try {
      await db.write((tx) => tx.execute('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
      const breaking = db.write(async (tx) => {
        await tx.execute('COMMIT');
        return 'never';
      });
      await expect(breaking).rejects.toThrow();
      const after = await db.write((tx) => tx.execute('INSERT INTO t (n) VALUES (2)'));
      expect(after.rowsAffected).toBe(1);
    } finally {
      db.close();
      dir.remove();
    }
  });
});
