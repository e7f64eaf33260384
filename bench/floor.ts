/**
 * The floor: the least an HTTP request that reads and writes the database can cost here. A bare Hono
 * app on @hono/node-server with one route that parses a JSON body, runs one read and one write
 * transaction through the same driver and pragmas as the service (openNodeDatabase), and answers
 * JSON. The service cannot be faster than this on the same machine.
 */
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Database } from '../src/storage/db.ts';
import { type DatabaseDriver, openNodeDatabase } from '../src/storage/open-node.ts';

export interface FloorServer {
  url: string;
  close(): Promise<void>;
}

export async function startFloorServer(databaseUrl: string, driver: DatabaseDriver): Promise<FloorServer> {
  const db: Database = await openNodeDatabase(databaseUrl, { driver });
  await db.write((tx) =>
    tx.execute(`CREATE TABLE IF NOT EXISTS items (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      text TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`),
  );

  const app = new Hono();
  app.post('/floor', async (c) => {
    const body = (await c.req.json()) as { text?: string };
    const id = randomUUID();
    const now = new Date().toISOString();
    const last = await db.read(async (q) => {
      const row = (await q.execute('SELECT seq FROM items ORDER BY seq DESC LIMIT 1')).rows[0];
      return row ? Number(row.seq) : 0;
    });
    const written = await db.write(async (tx) => {
      const r = await tx.execute({
        sql: 'INSERT INTO items (id, text, created_at) VALUES (?, ?, ?)',
        args: [id, body.text ?? '', now],
      });
      return Number(r.lastInsertRowid);
    });
    return c.json({ id, seq: written, after: last });
  });

  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve({ server: s, port: info.port }),
      );
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      db.close();
    },
  };
}
