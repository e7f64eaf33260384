import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient } from '@libsql/client';
import { type Database, wrapClient } from './db.ts';
import { openEmbedded } from './embedded.ts';

/**
 * Opens the database for Node: an embedded file (folder created) or `:memory:` on the embedded driver,
 * or a remote libSQL server through `@libsql/client`.
 */
export async function openNodeDatabase(url: string, authToken?: string): Promise<Database> {
  const path = embeddedPath(url);
  if (path === undefined) return wrapClient(createClient({ url, authToken, concurrency: 20 }));
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return openEmbedded(path);
}

/**
 * The file path of an embedded database URL (`file:./data/x.db`, `file:/abs/x.db`, `file:///abs/x.db`,
 * `file::memory:`, `:memory:`), or `undefined` for a remote one. Query parameters are not used.
 */
export function embeddedPath(url: string): string | undefined {
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
