/**
 * `node ./bin/run-ts.js bench/core.ts [--clients 300]`: the service without HTTP and without concurrency.
 * Plays whole intro conversations through `startConversation` + `handleInbound`, one turn at a time (as
 * the web route does, without a scheduler pass), and
 * times every SQL statement (nothing else runs meanwhile), so the
 * per-statement costs are exact, not inflated by other requests' work. A diagnostic for run.ts figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { InStatement } from '@libsql/client';
import { loadConfig } from '../src/config/config.ts';
import { buildNodeDeps } from '../src/entry/node.ts';
import { createClient } from '../src/service/clients.ts';
import { silentLogger } from '../src/service/deps.ts';
import { handleInbound, startConversation } from '../src/service/handle-inbound.ts';
import type { Database, Queryable } from '../src/storage/db.ts';
import { mainThreadCpuMs } from './cpu.ts';
import { introAnswers } from './intro-answers.ts';

const { values: args } = parseArgs({
  options: { clients: { type: 'string', short: 'n' }, warmup: { type: 'string', short: 'w' } },
});
const clients = Number(args.clients ?? 300);
const warmup = Number(args.warmup ?? 50);

interface Bucket {
  count: number;
  ms: number;
}
const bySql = new Map<string, Bucket>();
let timing = false;
const writeMs: number[] = [];
const add = (key: string, ms: number) => {
  if (!timing) return;
  const b = bySql.get(key) ?? { count: 0, ms: 0 };
  b.count++;
  b.ms += ms;
  bySql.set(key, b);
};

/** Times each statement; exact here because nothing else runs meanwhile (one turn at a time). */
function timed(db: Database): Database {
  const key = (stmt: InStatement) =>
    (typeof stmt === 'string' ? stmt : stmt.sql).replace(/\s+/g, ' ').trim().slice(0, 80);
  const wrap = (q: Queryable): Queryable => ({
    async execute(stmt: InStatement) {
      const started = performance.now();
      try {
        return await q.execute(stmt);
      } finally {
        add(key(stmt), performance.now() - started);
      }
    },
    // Each statement of a batch is timed alone, as execute would: the same statements, the same order.
    async batch(stmts: InStatement[]) {
      const results = [];
      for (const stmt of stmts) results.push(await this.execute(stmt));
      return results;
    },
  });
  return {
    read: (fn) => db.read((q) => fn(wrap(q))),
    write: (fn) => {
      const started = performance.now();
      return db
        .write((tx) => fn(wrap(tx)))
        .finally(() => {
          const ms = performance.now() - started;
          add('(whole write transaction)', ms);
          if (timing) writeMs.push(ms);
        });
    },
    close: () => db.close(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'selvhjelp-core-'));
try {
  const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'core.db')}` });
  const deps = await buildNodeDeps(config, silentLogger);
  const raw = deps.db;
  deps.db = timed(raw);
  const doneText = deps.catalog.text('nb', 'intro.done');
  let turns = 0;
  const turnMs: number[] = [];
  const play = async (i: number, accessCode: string) => {
    let t = performance.now();
    const started = await startConversation(deps, 'web', 'nb');
    turnMs.push(performance.now() - t);
    const address = started.address.address;
    const inputs: { text?: string; value?: string }[] = [{ text: accessCode }, ...introAnswers(i)];
    let last: string | undefined;
    for (const input of inputs) {
      t = performance.now();
      const outcome = await handleInbound(deps, {
        channel: 'web',
        address,
        providerId: crypto.randomUUID(),
        locale: 'nb',
        content:
          input.value !== undefined
            ? { kind: 'button', value: input.value }
            : { kind: 'message', text: input.text ?? '' },
      });
      turnMs.push(performance.now() - t);
      if (outcome.kind !== 'handled') throw new Error(`turn not handled: ${outcome.kind}`);
      last = outcome.replies.at(-1)?.text;
    }
    if (last !== doneText) throw new Error(`conversation ${i} did not finish: ${last}`);
    turns += inputs.length + 1;
  };
  const codes: string[] = [];
  for (let i = 0; i < warmup + clients; i++) {
    const created = await createClient(deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error('createClient failed');
    codes.push(created.accessCode);
  }
  for (let i = 0; i < warmup; i++) await play(i, codes[i]!);
  turns = 0;
  turnMs.length = 0;
  timing = true;
  const cpuBefore = mainThreadCpuMs();
  const started = performance.now();
  for (let i = warmup; i < warmup + clients; i++) await play(i, codes[i]!);
  const elapsed = performance.now() - started;
  const cpuAfter = mainThreadCpuMs();
  timing = false;

  const sorted = [...turnMs].sort((a, b) => a - b);
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
  console.log(
    `core: ${turns} turns in ${elapsed.toFixed(0)} ms = ${us(elapsed / turns)}/turn ` +
      `(p50 ${us(sorted[Math.floor(sorted.length / 2)]!)}, p99 ${us(sorted[Math.floor(sorted.length * 0.99)]!)}, ` +
      `max ${us(sorted[sorted.length - 1]!)}), ` +
      'no HTTP, one turn at a time',
  );
  if (cpuBefore !== undefined && cpuAfter !== undefined)
    console.log(`cpu: ${us((cpuAfter - cpuBefore) / turns)}/turn on the main thread`);
  const writes = [...writeMs].sort((a, b) => a - b);
  const slowWrites = writes.filter((ms) => ms > 5);
  console.log(
    `write transactions: p50 ${us(writes[Math.floor(writes.length / 2)]!)}, p99 ${us(writes[Math.floor(writes.length * 0.99)]!)}, ` +
      `max ${us(writes[writes.length - 1]!)}; ${slowWrites.length} over 5 ms taking ${us(slowWrites.reduce((a, b) => a + b, 0) / turns)}/turn`,
  );
  let statementMs = 0;
  let statements = 0;
  const rows = [...bySql].sort((a, b) => b[1].ms - a[1].ms);
  for (const [sql, b] of rows) {
    if (!sql.startsWith('(')) {
      statementMs += b.ms;
      statements += b.count;
    }
  }
  console.log(
    `statements: ${(statements / turns).toFixed(2)}/turn, ${us(statementMs / turns)}/turn in statements ` +
      '(BEGIN and COMMIT are inside the whole write transaction only)',
  );
  for (const [sql, b] of rows)
    console.log(
      `  ${(b.count / turns).toFixed(2).padStart(5)}/turn ${us(b.ms / b.count).padStart(8)} each ${us(b.ms / turns).padStart(8)}/turn  ${sql}`,
    );
  raw.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
