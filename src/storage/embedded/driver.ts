import { LibsqlError } from '@libsql/client';
import Libsql from 'libsql';
import {
  type Database,
  filePragmas,
  type InStatement,
  type Queryable,
  type QueryResult,
  type Value,
} from '../db.ts';
import { BackgroundCheckpointer, type CheckpointResult } from './checkpointer.ts';
import { ReadThread, toRow } from './read-thread.ts';
import { StatementCache } from './statement-cache.cjs';
import { toArgs, toLibsqlError } from './values.ts';

/**
 * The embedded database, on the libSQL engine that `@libsql/client` itself loads for `file:` URLs, with
 * three differences that matter for a busy server (bench/README.md has the measurements):
 *
 * - Prepared statements are kept and reused. `@libsql/client` prepares every statement afresh and finds
 *   out whether it returns rows by letting the engine throw: 25–30 µs per statement where a kept one
 *   takes 5–7 µs, and a turn runs about ten.
 * - Group commit. The write transactions waiting when one starts run in the same SQLite transaction, each
 *   inside its own savepoint, and then commit together. A commit writes every page the transaction
 *   changed to the WAL; turns share the tail pages of their tables, the sequence and the header, so a
 *   group writes far fewer pages than its members one by one. Each write still succeeds or fails alone
 *   (a failed one is rolled back to its savepoint), and nobody hears of success before the commit.
 * - Checkpoints run on a worker thread (BackgroundCheckpointer), not inside a commit on the event loop.
 * - Reads of a file database run on read connections on another worker thread (ReadThread), beside the
 *   event loop and beside the write groups; `:memory:` (one connection's private database), the options'
 *   `readThread: false`, or a read thread that stopped keeps them on the main connection.
 *
 * Results, errors (`LibsqlError` with the same codes) and transactions behave as through
 * `@libsql/client`; test/storage/db.test.ts runs the same checks against both. It is the default for a
 * `file:` or `:memory:` DATABASE_URL on Node and `DATABASE_DRIVER=client` turns it off: open-node.ts is
 * the only file outside this folder that imports it.
 *
 * One write connection: write groups (and reads kept on it) run one after the other, each in its own
 * event-loop turn (see TaskLoop), so its transactions never overlap. Inside a write, transaction control
 * statements are refused: they would end the group's transaction under the others. Another process (the CLI) holding the write
 * lock is waited for with timers (beginImmediate), never with SQLite's busy timeout, which would block.
 */
export function openEmbedded(path: string, options: EmbeddedOptions = {}): Database {
  const db = new Libsql(path);
  const statements = new Statements(db);
  for (const pragma of filePragmas) run(statements, pragma);
  const checkpointEvery = options.checkpointEveryGroups ?? 32;
  const holdAbove = options.holdWritesAboveFrames ?? 8192;
  let checkpointer =
    path === ':memory:' || checkpointEvery === 0 ? undefined : new BackgroundCheckpointer(path);
  if (checkpointer) run(statements, 'PRAGMA wal_autocheckpoint=0');
  let groupsSinceCheckpoint = 0;
  let checkpointing = false;
  let walFrames = 0;

  /**
   * A checkpoint runs beside the writes, so most never reach the end of a WAL that keeps growing, and
   * SQLite starts the WAL over only after one has. Once it holds more than `holdAbove` frames, writes
   * wait for one checkpoint (reads go on), which then copies the last frames and lets the WAL start over.
   */
  const checkpoint = (target: BackgroundCheckpointer) => {
    checkpointing = true;
    const hold = walFrames > holdAbove;
    const done = (hold ? untilComplete(target) : target.run())
      .then((result) => {
        walFrames = hold && result.checkpointedFrames === result.walFrames ? 0 : result.walFrames;
        options.onCheckpoint?.(result, hold);
      })
      .catch(() => {
        // The thread is gone: SQLite checkpoints inside commits again, as it does by default.
        checkpointer = undefined;
        if (statements.open) run(statements, 'PRAGMA wal_autocheckpoint=1000');
      })
      .finally(() => {
        checkpointing = false;
      });
    if (hold) tasks.holdWrites(done);
  };

  const reader: Queryable = {
    execute: async (stmt) => run(statements, stmt),
    batch: async (stmts) => stmts.map((stmt) => run(statements, stmt)),
  };
  const writable = (stmt: InStatement): InStatement => {
    const sql = typeof stmt === 'string' ? stmt : stmt.sql;
    if (isTransactionControl(sql)) {
      throw new TypeError(`A write runs inside a transaction the database manages: refused "${sql}"`);
    }
    return stmt;
  };
  const writer: Queryable = {
    execute: async (stmt) => run(statements, writable(stmt)),
    // Every statement is checked before the first runs, so a refused one leaves nothing half-done.
    batch: async (stmts) => stmts.map(writable).map((stmt) => run(statements, stmt)),
  };
  const tasks: TaskLoop = new TaskLoop(async (task) => {
    if (task.kind === 'read') {
      return settle(task.pending, () => {
        statements.checkSchema();
        return task.pending.fn(reader);
      });
    }
    await writeGroup(db, statements, task.group, writer);
    if (checkpointer && !checkpointing && ++groupsSinceCheckpoint >= checkpointEvery) {
      groupsSinceCheckpoint = 0;
      checkpoint(checkpointer);
    }
  });
  let readThread =
    path === ':memory:' || options.readThread === false
      ? undefined
      : new ReadThread(path, () => {
          // It failed: reads go on on the main connection, as with `:memory:`.
          readThread = undefined;
        });
  return {
    read: (fn) => (readThread ? readThread.read(fn) : tasks.submit('read', fn)),
    write: (fn) => tasks.submit('write', fn),
    close: () => {
      readThread?.close();
      checkpointer?.close();
      checkpointer = undefined;
      if (db.open) db.close();
      statements.clear();
    },
  };
}

export interface EmbeddedOptions {
  /** Reads of a file database on a worker thread (the default), or `false`: on the main connection. */
  readThread?: boolean;
  /**
   * Checkpoint the WAL on a worker thread after this many write groups (BackgroundCheckpointer); 0 leaves
   * it to SQLite, inside commits on the event loop. The default 32 is about 2000 WAL frames at the load
   * of `npm run bench`.
   */
  checkpointEveryGroups?: number;
  /** Hold writes back for a checkpoint once the WAL holds more frames than this (default 8192, 32 MiB). */
  holdWritesAboveFrames?: number;
  /** Told of every finished checkpoint, and whether writes waited for it. */
  onCheckpoint?: (result: CheckpointResult, heldWrites: boolean) => void;
}

interface Pending<T = unknown> {
  fn: (q: Queryable) => Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Task = { kind: 'read'; pending: Pending } | { kind: 'write'; group: Pending[] };

/** The most writes committed together; a bound on how long one group holds the connection. */
const MAX_GROUP = 64;

/**
 * Reads and writes in arrival order, except that when a write's turn comes, every write waiting at that
 * moment joins its group, and while writes are held back (a checkpoint runs) reads go ahead of them.
 *
 * Each task starts in a later event-loop turn than the one before it. An embedded database answers at
 * once, so otherwise the tasks of all waiting requests would run back to back in one long turn, and
 * requests arriving meanwhile would not even be read until it ended: they would wait a whole wave.
 */
class TaskLoop {
  readonly #run: (task: Task) => Promise<void>;
  /** In arrival order. */
  #waiting: (Pending & { kind: 'read' | 'write' })[] = [];
  #busy = false;
  #writesHeld = false;

  constructor(run: (task: Task) => Promise<void>) {
    this.#run = run;
  }

  submit<T>(kind: 'read' | 'write', fn: (q: Queryable) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ kind, fn, resolve: resolve as (v: unknown) => void, reject });
      this.#next();
    });
  }

  /** Holds writes back until `until` settles; reads keep running. */
  holdWrites(until: Promise<unknown>): void {
    this.#writesHeld = true;
    void until
      .catch(() => undefined)
      .then(() => {
        this.#writesHeld = false;
        this.#next();
      });
  }

  #next(): void {
    if (this.#busy || this.#firstRunnable() === -1) return;
    this.#busy = true;
    afterIo(() => {
      void this.#run(this.#take()).finally(() => {
        this.#busy = false;
        this.#next();
      });
    });
  }

  #firstRunnable(): number {
    return this.#waiting.findIndex((t) => t.kind === 'read' || !this.#writesHeld);
  }

  /** The first task that may run now; a write takes every write waiting with it, up to MAX_GROUP. */
  #take(): Task {
    // Writes are held back only from inside a running task, so what #next saw is still runnable.
    const [first] = this.#waiting.splice(this.#firstRunnable(), 1);
    if (first!.kind === 'read') return { kind: 'read', pending: first! };
    const writes = this.#waiting.filter((t) => t.kind === 'write').slice(0, MAX_GROUP - 1);
    this.#waiting = this.#waiting.filter((t) => !writes.includes(t));
    return { kind: 'write', group: [first!, ...writes] };
  }
}

/** Runs `f` after the I/O of the current event-loop turn. */
const afterIo = (f: () => void) => setImmediate(f);

async function settle(task: Pending, fn: () => Promise<unknown>): Promise<void> {
  try {
    task.resolve(await fn());
  } catch (error) {
    task.reject(error);
  }
}

/** Runs a group of writes in one transaction, each in a savepoint, and settles them after the commit. */
async function writeGroup(
  db: Libsql.Database,
  statements: Statements,
  group: Pending[],
  writer: Queryable,
): Promise<void> {
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  try {
    if (!tryBegin(statements)) await beginImmediate(statements);
    statements.checkSchema();
    for (const task of group) {
      run(statements, 'SAVEPOINT write');
      try {
        const value = await task.fn(writer);
        run(statements, 'RELEASE write');
        outcomes.push({ ok: true, value });
      } catch (error) {
        run(statements, 'ROLLBACK TO write');
        run(statements, 'RELEASE write');
        outcomes.push({ ok: false, error });
      }
    }
    run(statements, 'COMMIT');
  } catch (error) {
    // BEGIN, a savepoint or the commit failed: nothing of the group is stored.
    if (db.open && db.inTransaction) run(statements, 'ROLLBACK');
    for (const task of group) task.reject(error);
    return;
  }
  group.forEach((task, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) task.resolve(outcome.value);
    else task.reject(outcome.error);
  });
}

/**
 * A checkpoint while writes wait for it, run again until it copied the whole WAL: a read that began
 * before the writes were held may still see frames that the first run could then not copy. Reads that
 * begin later see the whole WAL, so they never hold a run back; up to 50 runs, 1 ms apart.
 */
async function untilComplete(target: BackgroundCheckpointer): Promise<CheckpointResult> {
  let result = await target.run();
  for (let run = 1; run < 50 && result.checkpointedFrames < result.walFrames; run++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    result = await target.run();
  }
  return result;
}

/** How long a write group waits for another process (a CLI command, say) to release the write lock. */
const BUSY_WAIT_MS = 5000;

/** `BEGIN IMMEDIATE` at once; false when another connection holds the write lock. */
function tryBegin(statements: Statements): boolean {
  try {
    run(statements, 'BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if (error instanceof LibsqlError && error.code === 'SQLITE_BUSY') return false;
    throw error;
  }
}

/**
 * `BEGIN IMMEDIATE`, waiting while another connection holds the write lock. SQLite's own busy timeout
 * would sleep on the event loop; this waits with timers, 1 ms at first, doubling up to 50 ms.
 */
async function beginImmediate(statements: Statements): Promise<void> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      run(statements, 'BEGIN IMMEDIATE');
      return;
    } catch (error) {
      const busy = error instanceof LibsqlError && error.code === 'SQLITE_BUSY';
      if (!busy || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

const isTransactionControl = (sql: string) =>
  /^\s*(?:begin|commit|end|rollback|savepoint|release)\b/i.test(sql);

/** The write connection's kept statements (statement-cache.cjs), and whether it is still open. */
class Statements extends StatementCache {
  readonly #db: Libsql.Database;

  constructor(db: Libsql.Database) {
    super(db);
    this.#db = db;
  }

  /** The engine aborts the process on a statement of a closed database: every use checks this first. */
  get open(): boolean {
    return this.#db.open;
  }

  override checkSchema(): void {
    if (!this.open) throw new LibsqlError('The database is closed', 'CLIENT_CLOSED');
    super.checkSchema();
  }
}

function run(statements: Statements, stmt: InStatement): QueryResult {
  const sql = typeof stmt === 'string' ? stmt : stmt.sql;
  if (!statements.open) throw new LibsqlError('The database is closed', 'CLIENT_CLOSED');
  try {
    const { statement, columns } = statements.get(sql);
    const args = typeof stmt === 'string' ? [] : toArgs(stmt.args);
    if (columns) {
      const rows = (statement.all(args) as Value[][]).map((values) => toRow(values, columns));
      return { rows, rowsAffected: 0, lastInsertRowid: undefined };
    }
    const info = statement.run(args);
    statements.ran(sql);
    return { rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) };
  } catch (error) {
    throw toEngineError(error);
  }
}

/** Engine errors become `LibsqlError` with the codes `@libsql/client` gives them. */
function toEngineError(error: unknown): unknown {
  if (!(error instanceof Libsql.SqliteError)) return error;
  return toLibsqlError(error.message, error.code, (error as { rawCode?: number }).rawCode, error);
}
