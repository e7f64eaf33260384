import type { Client, InStatement, Transaction, Value } from '@libsql/client';

export type { InStatement, Value };

/**
 * What a statement gives back: rows as objects keyed by column name (the first of two equal names wins),
 * the rows a write changed and the last inserted rowid. Both drivers below produce exactly this.
 */
export interface QueryResult {
  rows: Record<string, Value>[];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;
}

/** Anything that can run statements: the database outside a transaction, or an open transaction. */
export interface Queryable {
  execute(stmt: InStatement): Promise<QueryResult>;
  /**
   * Runs `stmts` in order and gives back their results in the same order. On a remote server this is one
   * round trip instead of one per statement (outside a write, in a read transaction of its own); inside a
   * write the statements are part of its transaction. A failing statement stops the batch and throws: no
   * later statement runs. An empty batch sends nothing.
   */
  batch(stmts: InStatement[]): Promise<QueryResult[]>;
}

/**
 * The one handle the rest of the code uses for the database: a read runs statements that only read (the
 * embedded driver in one read transaction, `@libsql/client` each on its own), a write runs inside exactly
 * one transaction that commits when `fn` returns and rolls back
 * when it throws. A read sees every write that answered before it began; of a write still running
 * meanwhile it sees all or nothing, whichever the driver gives (on a remote server, the network decides). The drivers differ in what they run at the same time (see each); what must happen in
 * order does so without them: one client's turns under the service's per-client lock, and the
 * compare-and-set on the enrollment's version, which also holds between processes and isolates.
 */
export interface Database {
  read<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): void;
}

/**
 * A `Queryable` that runs nothing: it keeps the statements given to it, to be sent later with the rest of
 * a write in one batch (`take` hands them over and starts afresh). Their results are not known until
 * then, so reading one (`rows`, `rowsAffected`, `lastInsertRowid`) throws: only code that writes without
 * looking at what its statements return may be given it.
 */
export function collectWrites(): { q: Queryable; take(): InStatement[] } {
  let kept: InStatement[] = [];
  const unknown = (): never => {
    throw new Error('A collected write has no result yet: it runs later, in a batch');
  };
  const pending: QueryResult = {
    get rows() {
      return unknown();
    },
    get rowsAffected() {
      return unknown();
    },
    get lastInsertRowid() {
      return unknown();
    },
  };
  return {
    q: {
      execute: async (stmt) => {
        kept.push(stmt);
        return pending;
      },
      batch: async (stmts) => {
        kept.push(...stmts);
        return stmts.map(() => pending);
      },
    },
    take: () => {
      const taken = kept;
      kept = [];
      return taken;
    },
  };
}

/** Runs its tasks strictly one after another, whether they succeed or fail. */
class Queue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * `@libsql/client` under the `Database` port: for a remote server (libsql:, http(s):, ws(s):; Turso,
 * sqld, and always on Workers), and for a local file with DATABASE_DRIVER=client.
 *
 * Remote: statements and transactions run concurrently. Each read and each write transaction has its
 * own stream to the server, and the server waits for its write lock itself (sqld's busy timeout, on its
 * threads), as it must anyway for the writers of other processes and isolates. A queue here would make
 * every turn wait for the network round trips of every other turn in the process.
 *
 * Local (`file:` or `:memory:`, protocol "file"): one queue per process, reads included. open-node.ts
 * opens the client on one connection (pragmas hold per connection and the pool would open more without
 * them; `:memory:` cannot have a second), and a write transaction holds it: any other call meanwhile
 * fails with TRANSACTION_ACTIVE. On more connections two write transactions would still fail at once
 * with SQLITE_BUSY, and a busy timeout would block the event loop. A local statement takes microseconds,
 * so the queue costs little; the embedded driver (embedded/driver.ts) is the faster way to a file.
 */
export function wrapClient(client: Client): Database {
  const queue = client.protocol === 'file' ? new Queue() : undefined;
  const ordered = <T>(fn: () => Promise<T>): Promise<T> => (queue ? queue.run(fn) : fn());
  const reader: Queryable = {
    execute: (stmt) => client.execute(stmt),
    batch: async (stmts) => (stmts.length === 0 ? [] : client.batch(stmts, 'read')),
  };
  return {
    read: (fn) => ordered(async () => fn(reader)),
    write: (fn) =>
      ordered(async () => {
        const tx: Transaction = await client.transaction('write');
        try {
          const result = await fn({
            execute: (stmt) => tx.execute(stmt),
            batch: async (stmts) => (stmts.length === 0 ? [] : tx.batch(stmts)),
          });
          await tx.commit();
          return result;
        } catch (error) {
          if (!tx.closed) await tx.rollback();
          throw error;
        } finally {
          tx.close();
        }
      }),
    close: () => client.close(),
  };
}

/** Settings for a local file database: measured ~15x faster single-row writes with WAL + NORMAL. */
export const filePragmas = ['PRAGMA journal_mode=WAL', 'PRAGMA synchronous=NORMAL', 'PRAGMA foreign_keys=ON'];
