/**
 * `--sql-stats`: wraps a running server's `deps.db` to count queue slots (reads, write transactions) and
 * statements, and time each statement (a batch's time shared out over its statements), grouped by SQL
 * text. Diagnostics only: adds a little overhead.
 */
import type { InStatement } from '@libsql/client';
import type { Database, Queryable } from '../src/storage/db.ts';

export interface SqlStats {
  reads: number;
  writes: number;
  statements: number;
  statementMs: number;
  bySql: Map<string, { count: number; ms: number }>;
}

export function instrument(db: Database): { db: Database; stats: SqlStats; reset(): void } {
  const stats: SqlStats = { reads: 0, writes: 0, statements: 0, statementMs: 0, bySql: new Map() };
  const record = (stmt: InStatement, ms: number) => {
    const sql = (typeof stmt === 'string' ? stmt : stmt.sql).replace(/\s+/g, ' ').trim().slice(0, 90);
    stats.statements++;
    stats.statementMs += ms;
    const entry = stats.bySql.get(sql) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += ms;
    stats.bySql.set(sql, entry);
  };
  const wrap = (q: Queryable): Queryable => ({
    async execute(stmt: InStatement) {
      const started = performance.now();
      try {
        return await q.execute(stmt);
      } finally {
        record(stmt, performance.now() - started);
      }
    },
    // A batch's time is shared out evenly over its statements.
    async batch(stmts: InStatement[]) {
      const started = performance.now();
      try {
        return await q.batch(stmts);
      } finally {
        const ms = (performance.now() - started) / Math.max(1, stmts.length);
        for (const stmt of stmts) record(stmt, ms);
      }
    },
  });
  return {
    stats,
    reset() {
      stats.reads = 0;
      stats.writes = 0;
      stats.statements = 0;
      stats.statementMs = 0;
      stats.bySql.clear();
    },
    db: {
      read: (fn) => {
        stats.reads++;
        return db.read((q) => fn(wrap(q)));
      },
      write: (fn) => {
        stats.writes++;
        return db.write((tx) => fn(wrap(tx)));
      },
      close: () => db.close(),
    },
  };
}

export function printSqlStats(stats: SqlStats, turns: number): void {
  const per = (n: number) => (n / turns).toFixed(2);
  console.log(
    `sql      per turn: ${per(stats.reads)} reads, ${per(stats.writes)} write transactions, ` +
      `${per(stats.statements)} statements (+ BEGIN/COMMIT per write), ${((stats.statementMs / turns) * 1000).toFixed(0)} µs in statements`,
  );
  const rows = [...stats.bySql].sort((a, b) => b[1].ms - a[1].ms);
  for (const [sql, { count, ms }] of rows) {
    console.log(
      `  ${per(count).padStart(6)}/turn ${((ms / count) * 1000).toFixed(0).padStart(5)} µs  ${sql}`,
    );
  }
}
