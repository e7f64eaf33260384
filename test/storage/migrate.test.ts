import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, migrationsFromFiles } from '../../src/storage/migrate.ts';
import { nodeMigrations } from '../../src/storage/migrations-node.ts';
import { openTestDatabase, tempDir } from '../support/harness.ts';

const now = new Date('2026-11-23T09:00:00Z');

describe('migrations', () => {
  it('declare no deferred constraints: a group commit would let one write fail the others at COMMIT', () => {
    for (const migration of nodeMigrations()) {
      expect(migration.sql, migration.name).not.toMatch(/deferrable|defer_foreign_keys/i);
    }
  });

  it('create every table on an empty file database, and a second run changes nothing', async () => {
    const dir = tempDir();
    const url = `file:${join(dir.path, 'nested', 'db', 'm.db')}`;
    try {
      const db = await openTestDatabase(url);
      const first = await migrate(db, nodeMigrations(), now);
      expect(first).toEqual(nodeMigrations().map((m) => m.version));
      const tables = await db.read(async (q) =>
        (await q.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows.map(
          (r) => r.name,
        ),
      );
      for (const table of [
        'clients',
        'channel_addresses',
        'enrollments',
        'timers',
        'processed_inbound',
        'transcript',
        'outbox',
        'delivery_attempts',
        'domain_events',
        'schema_migrations',
      ]) {
        expect(tables).toContain(table);
      }
      const pragmas = await db.read(async (q) => ({
        journal: (await q.execute('PRAGMA journal_mode')).rows[0]!.journal_mode,
        synchronous: (await q.execute('PRAGMA synchronous')).rows[0]!.synchronous,
        foreignKeys: (await q.execute('PRAGMA foreign_keys')).rows[0]!.foreign_keys,
      }));
      expect(pragmas).toEqual({ journal: 'wal', synchronous: 1, foreignKeys: 1 });
      db.close();

      const reopened = await openTestDatabase(url);
      expect(await migrate(reopened, nodeMigrations(), now)).toEqual([]);
      const recorded = await reopened.read(
        async (q) => (await q.execute('SELECT version, name FROM schema_migrations')).rows,
      );
      expect(recorded.map((r) => Number(r.version))).toEqual(nodeMigrations().map((m) => m.version));
      reopened.close();
    } finally {
      dir.remove();
    }
  });

  it('roll back a migration that fails half-way, so it can be fixed and re-run', async () => {
    const db = await openTestDatabase(':memory:');
    const broken = migrationsFromFiles([
      { fileName: '0001_good.sql', sql: 'CREATE TABLE a (x INTEGER);' },
      { fileName: '0002_bad.sql', sql: 'CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);' },
    ]);
    await expect(migrate(db, broken, now)).rejects.toThrow(/nowhere/);
    const tables = await db.read(async (q) =>
      (await q.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((r) => r.name),
    );
    expect(tables).toContain('a');
    expect(tables).not.toContain('b');
    db.close();
  });

  it('refuse badly named or gapped migration files', () => {
    expect(() => migrationsFromFiles([{ fileName: 'init.sql', sql: '' }])).toThrow(/0001_name/);
    expect(() => migrationsFromFiles([{ fileName: '0002_x.sql', sql: '' }])).toThrow(/without gaps/);
  });
});
