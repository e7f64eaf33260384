import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient, LibsqlError } from '@libsql/client/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevDbServer, startDevDb } from '../../src/devdb/server.ts';
import { wrapClient } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { nodeMigrations } from '../../src/storage/migrations-node.ts';

let dir: string;
let server: DevDbServer;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'selvhjelp-devdb-'));
  server = await startDevDb({ path: join(dir, 'dev.db'), port: 0, streamIdleMs: 300 });
  client = createClient({ url: server.url });
  await client.execute(
    'CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, f REAL, s TEXT, b BLOB, UNIQUE (s))',
  );
});

afterAll(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: string, type = 'application/json') =>
  fetch(`${server.url}/v2/pipeline`, { method: 'POST', headers: { 'content-type': type }, body });

describe('the local libSQL server, through @libsql/client/web', () => {
  it('round-trips 64-bit integers, floats, text, blobs and nulls', async () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a double cannot hold it
    const blob = new Uint8Array([0, 1, 254, 255]);
    const insert = await client.execute({
      sql: 'INSERT INTO t (n, f, s, b) VALUES (?, ?, ?, ?)',
      args: [big, 2.0, 'blåbær ✓', blob],
    });
    expect(insert.rowsAffected).toBe(1);
    const id = insert.lastInsertRowid;
    expect(typeof id).toBe('bigint');

    const bigints = createClient({ url: server.url, intMode: 'bigint' });
    const row = (await bigints.execute({ sql: 'SELECT * FROM t WHERE id = ?', args: [id!] })).rows[0]!;
    bigints.close();
    expect(row.n).toBe(big);
    expect(row.f).toBe(2); // a REAL stays a float on the wire, even when whole
    expect(row.s).toBe('blåbær ✓');
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(blob);

    const nulls = await client.execute({
      sql: 'SELECT NULL AS x, ? AS y, typeof(?) AS t, ? AS half',
      args: [null, 1.5, 0.5],
    });
    expect(nulls.columns).toEqual(['x', 'y', 't', 'half']);
    expect(nulls.rows[0]!.x).toBeNull();
    expect(nulls.rows[0]!.y).toBeNull();
    expect(nulls.rows[0]!.t).toBe('real');
    expect(nulls.rows[0]!.half).toBe(0.5);
    const types = await client.execute({ sql: 'SELECT typeof(?) AS i', args: [-(2n ** 63n)] });
    expect(types.rows[0]!.i).toBe('integer');
  });

  it('binds named arguments and reports RETURNING writes', async () => {
    const result = await client.execute({
      sql: 'INSERT INTO t (n, s) VALUES (:n, $s) RETURNING id, n',
      args: { n: 7, s: 'named' },
    });
    expect(result.rows[0]!.n).toBe(7);
    expect(result.rowsAffected).toBe(1);
    expect(result.lastInsertRowid).toBe(BigInt(result.rows[0]!.id as number));
  });

  it('runs a batch in one transaction: all or nothing', async () => {
    const results = await client.batch(
      [
        { sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [1, 'batch-a'] },
        { sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [2, 'batch-b'] },
        "SELECT count(*) AS c FROM t WHERE s LIKE 'batch-%'",
      ],
      'write',
    );
    expect(results).toHaveLength(3);
    expect(results[2]!.rows[0]!.c).toBe(2);

    const failing = client.batch(
      [
        { sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [3, 'batch-c'] },
        { sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [4, 'batch-a'] }, // UNIQUE (s)
      ],
      'write',
    );
    await expect(failing).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT' });
    const c = await client.execute("SELECT count(*) AS c FROM t WHERE s = 'batch-c'");
    expect(c.rows[0]!.c).toBe(0);
  });

  it('keeps an interactive transaction on its stream (the baton) until commit or rollback', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [10, 'tx-1'] });
    // Another stream reads the last commit, not the open transaction's row.
    const outside = await client.execute("SELECT count(*) AS c FROM t WHERE s = 'tx-1'");
    expect(outside.rows[0]!.c).toBe(0);
    const inside = await tx.execute("SELECT count(*) AS c FROM t WHERE s = 'tx-1'");
    expect(inside.rows[0]!.c).toBe(1);
    await tx.commit();
    tx.close();
    expect((await client.execute("SELECT count(*) AS c FROM t WHERE s = 'tx-1'")).rows[0]!.c).toBe(1);

    const rolled = await client.transaction('write');
    await rolled.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [11, 'tx-2'] });
    await rolled.rollback();
    rolled.close();
    expect((await client.execute("SELECT count(*) AS c FROM t WHERE s = 'tx-2'")).rows[0]!.c).toBe(0);
  });

  it('lets a second writer wait for the first instead of failing', async () => {
    const first = await client.transaction('write');
    await first.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [20, 'w-1'] });
    const second = (async () => {
      const tx = await client.transaction('write');
      await tx.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [21, 'w-2'] });
      await tx.commit();
      tx.close();
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.commit();
    first.close();
    await second;
    const rows = await client.execute("SELECT s FROM t WHERE s LIKE 'w-%' ORDER BY id");
    expect(rows.rows.map((r) => r.s)).toEqual(['w-1', 'w-2']);
  });

  it('reports SQL errors with their code and keeps the transaction usable', async () => {
    await expect(client.execute('SELEKT 1')).rejects.toSatisfy(
      (e: unknown) => e instanceof LibsqlError && e.code === 'SQLITE_ERROR' && /syntax/.test(e.message),
    );
    await expect(client.execute('SELECT * FROM missing_table')).rejects.toMatchObject({
      code: 'SQLITE_ERROR',
    });
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [30, 'e-1'] });
    await expect(
      tx.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [31, 'e-1'] }),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT' });
    await tx.commit();
    tx.close();
    expect((await client.execute("SELECT count(*) AS c FROM t WHERE s = 'e-1'")).rows[0]!.c).toBe(1);
  });

  it('runs several statements at once with executeMultiple (sequence)', async () => {
    await client.executeMultiple(
      'CREATE TABLE m (x INTEGER); INSERT INTO m VALUES (1); INSERT INTO m VALUES (2);',
    );
    expect((await client.execute('SELECT sum(x) AS s FROM m')).rows[0]!.s).toBe(3);
  });

  it('expires an idle stream: its transaction is rolled back and the write lock freed', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [40, 'idle'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await expect(tx.commit()).rejects.toThrow(/expired/);
    tx.close();
    expect(server.database.openStreams).toBe(0);
    expect((await client.execute("SELECT count(*) AS c FROM t WHERE s = 'idle'")).rows[0]!.c).toBe(0);
    await client.execute({ sql: 'INSERT INTO t (n, s) VALUES (?, ?)', args: [41, 'after-idle'] });
  });
});

describe('the local libSQL server, on the wire', () => {
  it('answers the version probes: 200 for Hrana 2, 404 for Hrana 3', async () => {
    expect((await fetch(`${server.url}/v2`)).status).toBe(200);
    expect((await fetch(`${server.url}/v3-protobuf`)).status).toBe(404);
    expect((await fetch(`${server.url}/v2/pipeline`)).status).toBe(405);
  });

  it('refuses a body that is not JSON or not a pipeline with 400 and runs nothing', async () => {
    const notJson = await post('{');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'JSON_INVALID' });
    const wrong = await post(JSON.stringify({ requests: [{ type: 'execute', stmt: { sql: 1 } }] }));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: 'PROTO_ERROR' });
    const half = await post(
      JSON.stringify({
        requests: [
          { type: 'execute', stmt: { sql: "INSERT INTO t (s) VALUES ('half')" } },
          { type: 'nonsense' },
        ],
      }),
    );
    expect(half.status).toBe(400);
    expect((await client.execute("SELECT count(*) AS c FROM t WHERE s = 'half'")).rows[0]!.c).toBe(0);
  });

  it('answers an unknown baton with 400 STREAM_EXPIRED', async () => {
    const response = await post(JSON.stringify({ baton: 'nope', requests: [{ type: 'close' }] }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'STREAM_EXPIRED' });
  });

  it('evaluates batch conditions (ok, error, not, and, or, is_autocommit) and stored SQL', async () => {
    const response = await post(
      JSON.stringify({
        requests: [
          { type: 'store_sql', sql_id: 1, sql: 'SELECT 42 AS answer' },
          {
            type: 'batch',
            batch: {
              steps: [
                { stmt: { sql: 'SELECT 1' } },
                { stmt: { sql: 'SELEKT' } },
                { condition: { type: 'ok', step: 0 }, stmt: { sql_id: 1 } },
                { condition: { type: 'ok', step: 1 }, stmt: { sql: 'SELECT 3' } },
                {
                  condition: {
                    type: 'and',
                    conds: [
                      { type: 'error', step: 1 },
                      { type: 'not', cond: { type: 'ok', step: 3 } },
                    ],
                  },
                  stmt: { sql: 'SELECT 4' },
                },
                {
                  condition: { type: 'or', conds: [{ type: 'ok', step: 3 }, { type: 'is_autocommit' }] },
                  stmt: { sql: 'SELECT 5' },
                },
              ],
            },
          },
          { type: 'get_autocommit' },
          { type: 'close' },
        ],
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      baton: string | null;
      results: { type: string; response: { result: { step_results: unknown[]; step_errors: unknown[] } } }[];
    };
    expect(body.baton).toBeNull();
    const batch = body.results[1]!.response.result;
    expect(batch.step_results.map((r) => r !== null)).toEqual([true, false, true, false, true, true]);
    expect(batch.step_errors.map((e) => e !== null)).toEqual([false, true, false, false, false, false]);
    expect(batch.step_results[2]).toMatchObject({ rows: [[{ type: 'integer', value: '42' }]] });
    expect(body.results[2]).toMatchObject({ type: 'ok', response: { is_autocommit: true } });
  });
});

describe("the project's migrations over the local server", () => {
  it('apply in two round trips each (one batch and the commit), as `selvhjelp migrate` runs them', async () => {
    const fresh = await startDevDb({ path: join(dir, 'migrate.db'), port: 0 });
    try {
      const db = wrapClient(createClient({ url: fresh.url }));
      const migrations = nodeMigrations();
      const applied = await migrate(db, migrations, new Date(0));
      expect(applied).toEqual(migrations.map((m) => m.version));
      // The schema_migrations table (its statement and commit), the read of what is applied, then each.
      expect(fresh.database.pipelines).toBeLessThanOrEqual(3 + 2 * migrations.length);
      const before = fresh.database.pipelines;
      expect(await migrate(db, migrations, new Date(0))).toEqual([]);
      expect(fresh.database.pipelines - before).toBeLessThanOrEqual(3);
      db.close();
    } finally {
      await fresh.close();
    }
  });
});
