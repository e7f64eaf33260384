import { readdirSync, readFileSync } from 'node:fs';
import { type Migration, migrationsFromFiles } from './migrate.ts';

const folder = new URL('./migrations/', import.meta.url);

/** The SQL migrations shipped in `src/storage/migrations`, read from disk (Node only). */
export function nodeMigrations(): Migration[] {
  const files = readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .map((fileName) => ({ fileName, sql: readFileSync(new URL(fileName, folder), 'utf8') }));
  return migrationsFromFiles(files);
}
