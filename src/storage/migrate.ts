import type { Database } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Turns `NNNN_name.sql` files into ordered migrations; a malformed name or a duplicate number is a bug. */
export function migrationsFromFiles(files: { fileName: string; sql: string }[]): Migration[] {
  const migrations = files.map(({ fileName, sql }) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(fileName);
    if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${fileName}`);
    return { version: Number(match[1]), name: match[2]!, sql };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1..n without gaps: ${m.version}`);
  });
  return migrations;
}

/** Splits a migration into statements; migrations keep one statement per `;` at a line end. */
function statements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) =>
      s
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((s) => s.length > 0);
}

/**
 * Applies the migrations not yet recorded, each in its own transaction as one batch with its record in
 * schema_migrations: against a remote server (`selvhjelp migrate` as a deploy step, Turso) a migration
 * costs the batch and the commit, not a round trip per statement. Returns the versions applied.
 */
export async function migrate(db: Database, migrations: Migration[], now: Date): Promise<number[]> {
  await db.write((tx) =>
    tx.execute(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    ),
  );
  const applied = await db.read(async (q) => {
    const rows = (await q.execute('SELECT version FROM schema_migrations')).rows;
    return new Set(rows.map((r) => Number(r.version)));
  });
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await db.write((tx) =>
      tx.batch([
        ...statements(migration.sql),
        {
          sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          args: [migration.version, migration.name, now.toISOString()],
        },
      ]),
    );
    done.push(migration.version);
  }
  return done;
}
