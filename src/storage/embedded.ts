import { type InArgs, LibsqlError } from '@libsql/client';
import Libsql from 'libsql';
import {
  type Database,
  embeddedPragmas,
  type InStatement,
  type QueryResult,
  Queue,
  type Value,
} from './db.ts';

/**
 * The embedded database, on the libSQL engine that `@libsql/client` itself loads for `file:` URLs, with
 * one difference that matters: prepared statements are kept and reused.
 *
 * `@libsql/client` prepares every statement afresh and finds out whether it returns rows by letting the
 * engine throw: 25–30 µs per statement where a kept statement takes 5–7 µs (bench/README.md). A turn
 * runs about a dozen statements, so this is most of what a turn costs. Results, errors (`LibsqlError`
 * with the same codes) and transactions behave as through `@libsql/client`; test/storage/drivers.test.ts
 * runs the same checks against both.
 *
 * One connection, one queue: reads and writes run one after the other, a write inside exactly one
 * `BEGIN IMMEDIATE` transaction, so transactions never overlap and SQLITE_BUSY cannot happen here.
 */
export function openEmbedded(path: string): Database {
  const db = new Libsql(path);
  const statements = new StatementCache(db);
  const queue = new Queue();
  const execute = async (stmt: InStatement): Promise<QueryResult> => run(statements, stmt);
  const q = { execute };
  for (const pragma of embeddedPragmas) run(statements, pragma);
  return {
    read: (fn) =>
      queue.run(() => {
        statements.checkSchema();
        return fn(q);
      }),
    write: (fn) =>
      queue.run(async () => {
        run(statements, 'BEGIN IMMEDIATE');
        statements.checkSchema();
        try {
          const result = await fn(q);
          run(statements, 'COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) run(statements, 'ROLLBACK');
          throw error;
        }
      }),
    close: () => {
      if (db.open) db.close();
    },
  };
}

type Statement = ReturnType<Libsql.Database['prepare']>;

interface Prepared {
  statement: Statement;
  /** Column names for a statement that returns rows, `undefined` for one that does not. */
  columns: string[] | undefined;
}

/**
 * Prepared statements by SQL text, least recently used dropped first beyond `limit`.
 *
 * SQLite re-prepares a kept statement by itself when the schema changes, but the column names kept here
 * would go stale (`SELECT *` after `ALTER TABLE … ADD COLUMN`). So the cache is emptied after DDL on this
 * connection and whenever `PRAGMA schema_version` shows that another connection (`selvhjelp migrate` in
 * another process) changed the schema: checked once per read and per write transaction, a few µs.
 */
class StatementCache {
  readonly #db: Libsql.Database;
  readonly #limit: number;
  readonly #byText = new Map<string, Prepared>();
  #schemaVersion: unknown;

  constructor(db: Libsql.Database, limit = 256) {
    this.#db = db;
    this.#limit = limit;
  }

  checkSchema(): void {
    const version = (this.get('PRAGMA schema_version').statement.all([]) as Value[][])[0]?.[0];
    if (version !== this.#schemaVersion) {
      if (this.#schemaVersion !== undefined) {
        this.clear();
        // The connection reloads its copy of the schema only when a statement touches it; until then a
        // fresh prepare would still name the old columns.
        this.#db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').raw(true).all([]);
      }
      this.#schemaVersion = version;
    }
  }

  clear(): void {
    this.#byText.clear();
  }

  get(sql: string): Prepared {
    const hit = this.#byText.get(sql);
    if (hit) {
      // Re-insert to mark it as the most recently used.
      this.#byText.delete(sql);
      this.#byText.set(sql, hit);
      return hit;
    }
    const statement = this.#db.prepare(sql);
    const prepared: Prepared = {
      statement,
      columns: statement.reader
        ? statement
            .raw(true)
            .columns()
            .map((c) => c.name)
        : undefined,
    };
    this.#byText.set(sql, prepared);
    if (this.#byText.size > this.#limit) {
      const oldest = this.#byText.keys().next().value as string;
      this.#byText.delete(oldest);
    }
    return prepared;
  }
}

function run(statements: StatementCache, stmt: InStatement): QueryResult {
  const sql = typeof stmt === 'string' ? stmt : stmt.sql;
  try {
    const { statement, columns } = statements.get(sql);
    const args = typeof stmt === 'string' ? [] : toArgs(stmt.args);
    if (columns) {
      const rows = (statement.all(args) as Value[][]).map((values) => toRow(values, columns));
      return { rows, rowsAffected: 0, lastInsertRowid: undefined };
    }
    const info = statement.run(args);
    if (isDdl(sql)) statements.clear();
    return { rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) };
  } catch (error) {
    throw toLibsqlError(error);
  }
}

const isDdl = (sql: string) => /^\s*(?:create|alter|drop)\b/i.test(sql);

function toRow(values: Value[], columns: string[]): Record<string, Value> {
  const row: Record<string, Value> = {};
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    if (!(name in row)) row[name] = fromSql(values[i]!);
  }
  return row;
}

function fromSql(value: unknown): Value {
  return value instanceof Uint8Array ? (new Uint8Array(value).buffer as ArrayBuffer) : (value as Value);
}

type Arg = null | string | number | bigint | Uint8Array;

function toArgs(args: InArgs | undefined): Arg[] | Record<string, Arg> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(toSql);
  const named: Record<string, Arg> = {};
  for (const [name, value] of Object.entries(args)) {
    named[/^[@$:]/.test(name) ? name.slice(1) : name] = toSql(value);
  }
  return named;
}

/** The same conversions as `@libsql/client` with its default `intMode: "number"`. */
function toSql(value: unknown): Arg {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    }
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value as Arg;
}

const baseCodes: Record<number, string> = {
  1: 'SQLITE_ERROR',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
};

/** Engine errors become `LibsqlError` with the codes `@libsql/client` gives them. */
function toLibsqlError(error: unknown): unknown {
  if (!(error instanceof Libsql.SqliteError)) return error;
  const rawCode = (error as { rawCode?: number }).rawCode;
  const base =
    rawCode === undefined
      ? 'SQLITE_UNKNOWN'
      : (baseCodes[rawCode & 0xff] ?? `SQLITE_UNKNOWN_${rawCode & 0xff}`);
  return new LibsqlError(error.message, base, error.code, rawCode, error);
}
