import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient } from '@libsql/client';
import { type Database, filePragmas, wrapClient } from './db.ts';
import { openEmbedded } from './embedded/driver.ts';

/** DATABASE_DRIVER: the project's embedded driver, or `@libsql/client`. */
export type DatabaseDriver = 'embedded' | 'client';

/**
 * Opens the database for Node: a local file (folder created) or `:memory:` on the embedded driver or on
 * `@libsql/client`, a remote libSQL server on `@libsql/client`. The configuration chooses the driver
 * (DATABASE_DRIVER, by default from the URL: see config.ts).
 */
export async function openNodeDatabase(
  url: string,
  options: { driver: DatabaseDriver; authToken?: string },
): Promise<Database> {
  const path = localPath(url);
  if (path === undefined) {
    if (options.driver === 'embedded') {
      throw new Error('DATABASE_DRIVER: embedded opens a file: or :memory: database, not a remote one');
    }
    return wrapClient(createClient({ url, authToken: options.authToken, concurrency: 20 }));
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  if (options.driver === 'embedded') return openEmbedded(path);
  // One connection, so that the pragmas hold for every statement (wrapClient says why one is enough).
  const client = createClient({ url, concurrency: 1 });
  for (const pragma of filePragmas) await client.execute(pragma);
  return wrapClient(client);
}

/**
 * The file path of a local database URL (`file:./data/x.db`, `file:/abs/x.db`, `file:///abs/x.db`,
 * `file::memory:`, `:memory:`), or `undefined` for a remote one. Query parameters are not used.
 */
export function localPath(url: string): string | undefined {
  if (url === ':memory:') return url;
  if (!url.startsWith('file:')) return undefined;
  let rest = url.slice('file:'.length).replace(/[?#].*$/, '');
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = rest.slice(2, slash === -1 ? undefined : slash);
    if (host !== '' && host !== 'localhost') {
      throw new Error(
        `DATABASE_URL: a file URL names a path, not a host ("${host}"): use file:/absolute/path.db`,
      );
    }
    rest = slash === -1 ? '' : rest.slice(slash);
  }
  const path = decodeURIComponent(rest);
  if (path === '') throw new Error('DATABASE_URL: the file URL has no path');
  return path;
}
