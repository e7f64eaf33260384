import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openNodeDatabase } from '../../src/storage/open-node.ts';
import { tempDir } from '../support/harness.ts';

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
