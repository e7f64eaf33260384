import Libsql from 'libsql';
import { z } from 'zod';

/**
 * Hrana 2 over HTTP with JSON (`POST /v2/pipeline`), the protocol `@libsql/client/web` 0.18 speaks to
 * sqld and Turso, on the libSQL engine of the embedded driver. A development tool and a test fixture
 * (`npm run dev:db`): it is never part of a deployment, has no authentication and keeps the file's data
 * only as safe as SQLite on one machine does.
 *
 * A stream is one connection of its own, like a stream on sqld: a transaction lives on it between
 * requests (the baton names it), reads on other streams see the last commit (WAL), and a writer that
 * finds another stream holding the write lock waits for it with timers, as sqld waits on its busy
 * timeout, so the server's event loop never blocks. A stream left idle for `streamIdleMs` is rolled
 * back and closed (sqld expires them the same way); its baton then answers 400 STREAM_EXPIRED.
 */

const value = z.discriminatedUnion('type', [
  z.object({ type: z.literal('null') }),
  z.object({ type: z.literal('integer'), value: z.string().regex(/^-?\d+$/) }),
  z.object({ type: z.literal('float'), value: z.number() }),
  z.object({ type: z.literal('text'), value: z.string() }),
  z.object({ type: z.literal('blob'), base64: z.string() }),
]);
type WireValue = z.infer<typeof value>;

const stmt = z.object({
  sql: z.string().nullish(),
  sql_id: z.number().int().nullish(),
  args: z.array(value).default([]),
  named_args: z.array(z.object({ name: z.string(), value })).default([]),
  want_rows: z.boolean().default(true),
});
type WireStmt = z.infer<typeof stmt>;

type Cond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: Cond }
  | { type: 'and' | 'or'; conds: Cond[] }
  | { type: 'is_autocommit' };
const cond: z.ZodType<Cond> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.enum(['ok', 'error']), step: z.number().int().min(0) }),
    z.object({ type: z.literal('not'), cond }),
    z.object({ type: z.enum(['and', 'or']), conds: z.array(cond) }),
    z.object({ type: z.literal('is_autocommit') }),
  ]),
);

const batch = z.object({ steps: z.array(z.object({ condition: cond.nullish(), stmt })) });

const request = z.discriminatedUnion('type', [
  z.object({ type: z.literal('close') }),
  z.object({ type: z.literal('execute'), stmt }),
  z.object({ type: z.literal('batch'), batch }),
  z.object({ type: z.literal('sequence'), sql: z.string().nullish(), sql_id: z.number().int().nullish() }),
  z.object({ type: z.literal('describe'), sql: z.string().nullish(), sql_id: z.number().int().nullish() }),
  z.object({ type: z.literal('store_sql'), sql_id: z.number().int(), sql: z.string() }),
  z.object({ type: z.literal('close_sql'), sql_id: z.number().int() }),
  z.object({ type: z.literal('get_autocommit') }),
]);
type StreamRequest = z.infer<typeof request>;

/** The body of `POST /v2/pipeline`. */
export const pipelineRequest = z.object({
  baton: z.string().nullish(),
  requests: z.array(request),
});
export type PipelineRequest = z.infer<typeof pipelineRequest>;

interface WireError {
  message: string;
  code: string;
}

interface StmtResult {
  cols: { name: string; decltype: string | null }[];
  rows: WireValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

type StreamResult = { type: 'ok'; response: Record<string, unknown> } | { type: 'error'; error: WireError };

export interface PipelineResponse {
  baton: string | null;
  base_url: null;
  results: StreamResult[];
}

/** A protocol error that ends the whole request (an unknown baton): HTTP 400 with `{ message, code }`. */
export class HranaRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** An error of one statement or request, reported in its result as sqld does. */
class StatementError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** SQLite's primary result codes by number, named as sqld names them in Hrana errors. */
const sqliteCodes: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
};

function toStatementError(error: unknown): StatementError {
  if (error instanceof StatementError) return error;
  if (error instanceof Libsql.SqliteError) {
    const raw = (error as { rawCode?: number }).rawCode;
    const code = raw === undefined ? 'SQLITE_ERROR' : (sqliteCodes[raw & 0xff] ?? 'SQLITE_ERROR');
    return new StatementError(error.message, code);
  }
  if (error instanceof RangeError || error instanceof TypeError) {
    return new StatementError(error.message, 'ARGS_INVALID');
  }
  return new StatementError(String(error), 'INTERNAL');
}

const isBusy = (error: unknown) => error instanceof StatementError && error.code === 'SQLITE_BUSY';

type Arg = null | bigint | number | string | Buffer;

function fromWire(v: WireValue): Arg {
  switch (v.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(v.value);
    case 'float':
      return v.value;
    case 'text':
      return v.value;
    case 'blob':
      return Buffer.from(v.base64, 'base64');
  }
}

function toWire(v: unknown): WireValue {
  if (v === null || v === undefined) return { type: 'null' };
  if (typeof v === 'bigint') return { type: 'integer', value: v.toString() };
  // Integers arrive as bigint (safeIntegers), so a number is always a REAL, 2.0 included.
  if (typeof v === 'number') return { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'text', value: v };
  if (v instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(v).toString('base64') };
  throw new StatementError(`a value of type ${typeof v} cannot be sent`, 'INTERNAL');
}

/** How long a writer waits for another stream's write lock before it reports SQLITE_BUSY. */
const BUSY_WAIT_MS = 5_000;

/** A statement that changes rows although it returns some (`INSERT … RETURNING`). */
const changesRows = /^\s*(?:insert|update|delete|replace|with)\b/i;

type Statement = ReturnType<Libsql.Database['prepare']>;

/**
 * A connection and its prepared statements. They are kept and rerun because a statement that failed with
 * SQLITE_BUSY stays "in progress" until it is run again (or collected), and SQLite refuses to commit
 * while one is: a writer that waited for the lock would fail at COMMIT.
 */
class Connection {
  readonly #statements = new Map<string, Statement>();
  /** A statement gave up on a busy lock and still counts as in progress: close rather than reuse. */
  spoiled = false;

  constructor(readonly db: Libsql.Database) {}

  prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
      if (this.#statements.size > 128) this.#statements.delete(this.#statements.keys().next().value!);
    } else {
      this.#statements.delete(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** After DDL the kept statements' columns may be stale; SQLite re-prepares, but the names are read here. */
  forget(): void {
    this.#statements.clear();
  }
}

/** One Hrana stream: its connection, its stored SQL texts and its idle timer. */
class Stream {
  readonly sqls = new Map<number, string>();
  idle: ReturnType<typeof setTimeout> | undefined;
  busy = false;

  constructor(readonly conn: Connection) {}

  get db(): Libsql.Database {
    return this.conn.db;
  }

  get autocommit(): boolean {
    return !this.db.inTransaction;
  }

  sqlOf(s: { sql?: string | null | undefined; sql_id?: number | null | undefined }): string {
    if (s.sql != null && s.sql_id != null) {
      throw new StatementError('a statement has both sql and sql_id', 'PROTO_ERROR');
    }
    if (s.sql != null) return s.sql;
    if (s.sql_id != null) {
      const sql = this.sqls.get(s.sql_id);
      if (sql === undefined) throw new StatementError(`no SQL stored as ${s.sql_id}`, 'SQL_NOT_FOUND');
      return sql;
    }
    throw new StatementError('a statement needs sql or sql_id', 'PROTO_ERROR');
  }

  /** Runs one statement, waiting (with timers) while another stream holds the write lock. */
  async execute(s: WireStmt): Promise<StmtResult> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      try {
        return this.#executeOnce(s);
      } catch (error) {
        const e = toStatementError(error);
        if (isBusy(e) && Date.now() + pause > deadline) this.conn.spoiled = true;
        if (!isBusy(e) || Date.now() + pause > deadline) throw e;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  #executeOnce(s: WireStmt): StmtResult {
    const sql = this.sqlOf(s);
    const statement = this.conn.prepare(sql);
    const args = this.#args(s);
    if (statement.reader) {
      statement.raw(true).safeIntegers(true);
      const cols = statement.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));
      const rows = (statement.all(args) as unknown[][]).map((row) => row.map(toWire));
      const writes = changesRows.test(sql);
      return {
        cols,
        rows: s.want_rows ? rows : [],
        affected_row_count: writes ? Number(this.#scalar('SELECT changes()')) : 0,
        last_insert_rowid: writes ? String(this.#scalar('SELECT last_insert_rowid()')) : null,
      };
    }
    const info = statement.run(args);
    if (/^\s*(?:create|alter|drop)\b/i.test(sql)) this.conn.forget();
    return {
      cols: [],
      rows: [],
      affected_row_count: info.changes,
      last_insert_rowid: String(info.lastInsertRowid),
    };
  }

  #scalar(sql: string): unknown {
    return (this.conn.prepare(sql).raw(true).safeIntegers(true).all([]) as unknown[][])[0]?.[0];
  }

  #args(s: WireStmt): Arg[] | Record<string, Arg> {
    if (s.named_args.length === 0) return s.args.map(fromWire);
    if (s.args.length > 0) {
      throw new StatementError('positional and named arguments together are not supported', 'ARGS_INVALID');
    }
    const named: Record<string, Arg> = {};
    for (const { name, value: v } of s.named_args) named[name.replace(/^[:@$]/, '')] = fromWire(v);
    return named;
  }

  async batch(steps: z.infer<typeof batch>['steps']) {
    const results: (StmtResult | null)[] = [];
    const errors: (WireError | null)[] = [];
    const holds = (c: Cond): boolean => {
      switch (c.type) {
        case 'ok':
          return results[c.step] != null;
        case 'error':
          return errors[c.step] != null;
        case 'not':
          return !holds(c.cond);
        case 'and':
          return c.conds.every(holds);
        case 'or':
          return c.conds.some(holds);
        case 'is_autocommit':
          return this.autocommit;
      }
    };
    for (const step of steps) {
      // A condition on a step not run yet (or a later one) does not hold, as on sqld.
      if (step.condition && !holds(step.condition)) {
        results.push(null);
        errors.push(null);
        continue;
      }
      try {
        results.push(await this.execute(step.stmt));
        errors.push(null);
      } catch (error) {
        const e = toStatementError(error);
        results.push(null);
        errors.push({ message: e.message, code: e.code });
      }
    }
    return { step_results: results, step_errors: errors };
  }

  /** Runs a request; an error becomes that request's result and the pipeline goes on, as on sqld. */
  async run(r: StreamRequest): Promise<StreamResult> {
    try {
      return { type: 'ok', response: await this.#respond(r) };
    } catch (error) {
      const e = toStatementError(error);
      return { type: 'error', error: { message: e.message, code: e.code } };
    }
  }

  async #respond(r: StreamRequest): Promise<Record<string, unknown>> {
    switch (r.type) {
      case 'close':
        return { type: 'close' };
      case 'execute':
        return { type: 'execute', result: await this.execute(r.stmt) };
      case 'batch':
        return { type: 'batch', result: await this.batch(r.batch.steps) };
      case 'sequence': {
        const sql = this.sqlOf(r);
        const deadline = Date.now() + BUSY_WAIT_MS;
        for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
          try {
            this.db.exec(sql);
            this.conn.forget();
            return { type: 'sequence' };
          } catch (error) {
            const e = toStatementError(error);
            if (!isBusy(e) || Date.now() + pause > deadline) throw e;
            await new Promise((resolve) => setTimeout(resolve, pause));
          }
        }
      }
      case 'describe':
        // The engine's binding exposes no parameter names nor read-only flag; sqld's answer needs both.
        throw new StatementError('describe is not supported by the development server', 'NOT_SUPPORTED');
      case 'store_sql':
        if (this.sqls.has(r.sql_id)) {
          throw new StatementError(`SQL ${r.sql_id} is already stored`, 'SQL_ID_TAKEN');
        }
        this.sqls.set(r.sql_id, r.sql);
        return { type: 'store_sql' };
      case 'close_sql':
        this.sqls.delete(r.sql_id);
        return { type: 'close_sql' };
      case 'get_autocommit':
        return { type: 'get_autocommit', is_autocommit: this.autocommit };
    }
  }
}

export interface HranaOptions {
  /** How long a stream may stay idle before it is rolled back and closed (sqld: about 10 s). */
  streamIdleMs?: number;
}

/** The streams of one database file and the pipeline requests that drive them. */
export class HranaDatabase {
  readonly #path: string;
  readonly #idleMs: number;
  readonly #streams = new Map<string, Stream>();
  /** Connections of closed streams, kept to be reused (opening one costs a file open and pragmas). */
  readonly #spare: Connection[] = [];
  #nextBaton = 0;
  #closed = false;
  /** Pipeline requests answered: a client's round trips (tests count them). */
  pipelines = 0;

  constructor(path: string, options: HranaOptions = {}) {
    this.#path = path;
    this.#idleMs = options.streamIdleMs ?? 10_000;
    // Open once up front so that a bad path fails at start, and set WAL mode (a property of the file).
    const first = this.#open();
    first.db.exec('PRAGMA journal_mode=WAL');
    this.#spare.push(first);
  }

  /** Streams open now (for tests and the log). */
  get openStreams(): number {
    return this.#streams.size;
  }

  #open(): Connection {
    const db = new Libsql(this.#path, { timeout: 0 });
    db.exec('PRAGMA synchronous=NORMAL');
    db.exec('PRAGMA foreign_keys=ON');
    return new Connection(db);
  }

  #release(stream: Stream): void {
    clearTimeout(stream.idle);
    try {
      if (stream.db.inTransaction) stream.db.exec('ROLLBACK');
    } catch {
      stream.conn.spoiled = true;
    }
    if (this.#closed || stream.conn.spoiled || this.#spare.length >= 8) stream.db.close();
    else this.#spare.push(stream.conn);
  }

  async pipeline(body: PipelineRequest): Promise<PipelineResponse> {
    if (this.#closed) throw new HranaRequestError('the server is shutting down', 'SERVER_CLOSED');
    this.pipelines++;
    let stream: Stream;
    if (body.baton != null) {
      const found = this.#streams.get(body.baton);
      if (!found) throw new HranaRequestError('the stream has expired or does not exist', 'STREAM_EXPIRED');
      if (found.busy) throw new HranaRequestError('the stream is busy with another request', 'STREAM_BUSY');
      this.#streams.delete(body.baton);
      clearTimeout(found.idle);
      stream = found;
    } else {
      stream = new Stream(this.#spare.pop() ?? this.#open());
    }
    stream.busy = true;
    const results: StreamResult[] = [];
    let closed = false;
    try {
      for (const r of body.requests) {
        if (closed) {
          results.push({ type: 'error', error: { message: 'the stream is closed', code: 'STREAM_CLOSED' } });
          continue;
        }
        results.push(await stream.run(r));
        if (r.type === 'close') closed = true;
      }
    } finally {
      stream.busy = false;
    }
    if (closed || this.#closed) {
      this.#release(stream);
      return { baton: null, base_url: null, results };
    }
    const baton = `b${++this.#nextBaton}.${crypto.randomUUID()}`;
    this.#streams.set(baton, stream);
    stream.idle = setTimeout(() => {
      if (this.#streams.get(baton) !== stream) return;
      this.#streams.delete(baton);
      this.#release(stream);
    }, this.#idleMs);
    return { baton, base_url: null, results };
  }

  /** Rolls back and closes every stream and connection. */
  close(): void {
    this.#closed = true;
    for (const stream of this.#streams.values()) this.#release(stream);
    this.#streams.clear();
    for (const conn of this.#spare.splice(0)) conn.db.close();
  }
}
