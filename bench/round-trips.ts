/**
 * Round trips to the database as `@libsql/client` makes them to a remote server over HTTP (Hrana, what a
 * Worker uses against Turso), counted on any `Database`: wraps it and counts what the remote client would
 * send, one HTTP request each:
 *
 * - outside a write: every `execute` and every non-empty `batch` (`client.execute`, `client.batch`);
 * - in a write (`client.transaction('write')`): every `execute` and non-empty `batch` (the first carries
 *   the `BEGIN` with it), then the `COMMIT`, or the `ROLLBACK` when the write throws; a write that ran no
 *   statement sends nothing.
 *
 * Used by `npm run bench -- --sql-stats` and by test/storage/round-trips.test.ts, which pins the count of
 * a web turn.
 */
import type { InStatement } from '@libsql/client';
import type { Database, Queryable } from '../src/storage/db.ts';

export interface RoundTrips {
  /** Round trips in all. */
  total: number;
  reads: number;
  /** Write transactions that sent at least one statement. */
  writes: number;
  /** Statements sent, in batches or alone (without BEGIN, COMMIT and ROLLBACK). */
  statements: number;
}

export function countRoundTrips(db: Database): { db: Database; trips: RoundTrips; reset(): void } {
  const trips: RoundTrips = { total: 0, reads: 0, writes: 0, statements: 0 };
  const counting = (q: Queryable, sent: () => void): Queryable => ({
    execute(stmt: InStatement) {
      sent();
      trips.statements++;
      return q.execute(stmt);
    },
    batch(stmts: InStatement[]) {
      if (stmts.length > 0) {
        sent();
        trips.statements += stmts.length;
      }
      return q.batch(stmts);
    },
  });
  return {
    trips,
    reset() {
      trips.total = 0;
      trips.reads = 0;
      trips.writes = 0;
      trips.statements = 0;
    },
    db: {
      read: (fn) =>
        db.read((q) =>
          fn(
            counting(q, () => {
              trips.total++;
              trips.reads++;
            }),
          ),
        ),
      write: async (fn) => {
        let began = false;
        const sent = () => {
          trips.total++;
          if (!began) trips.writes++;
          began = true;
        };
        try {
          return await db.write((tx) => fn(counting(tx, sent)));
        } finally {
          // The COMMIT, or the ROLLBACK of a write that threw.
          if (began) trips.total++;
        }
      },
      close: () => db.close(),
    },
  };
}
