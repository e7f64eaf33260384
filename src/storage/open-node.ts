import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient } from '@libsql/client';
import { type Database, embeddedPragmas, wrapClient } from './db.ts';

/** Opens the database for Node: an embedded file (folder created), `:memory:`, or a remote libSQL server. */
export async function openNodeDatabase(url: string, authToken?: string): Promise<Database> {
  const embedded = url.startsWith('file:') || url === ':memory:';
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/\?.*$/, '');
    if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  // One connection for an embedded DB, so per-connection pragmas hold and transactions never overlap.
  const client = createClient({ url, authToken, concurrency: embedded ? 1 : 20 });
  if (embedded) {
    for (const pragma of embeddedPragmas) await client.execute(pragma);
  }
  return wrapClient(client);
}
