import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LibsqlError } from '@libsql/client';
import { filePragmas, type InStatement, type Queryable, type QueryResult, type Value } from '../db.ts';
import { type Arg, toArgs, toLibsqlError } from './values.ts';

/**
 * The reads of a file database, on read connections of their own on a worker thread (read-worker.cjs),
 * beside the event loop and beside the writes of the main connection (WAL lets readers and a writer work
 * at once): a heavy read (a therapist's dashboard) no longer stops every conversation while it runs, and
 * no read waits for the write group before it (bench/README.md, "reads on a thread").
 *
 * Each read is a read transaction on one connection: the first statement starts it, so every statement
 * of the read sees the same data, and a write that has answered (committed) is seen by every read that
 * starts after it. Up to `SLOTS` reads run at once; more wait for a free connection.
 */
export class ReadThread {
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  readonly #free: number[] = [];
  readonly #queue: ((slot: number) => void)[] = [];
  #next = 0;
  #state: 'open' | 'closed' | 'gone' = 'open';
  /** Slots whose read ended, to end on the thread (#end). */
  #ends: number[] = [];
  #endsScheduled = false;

  readonly #path: string;
  readonly #onGone: (error: unknown) => void;

  /** `onGone`: the thread stopped by itself (it failed); reads then fail until the caller stops using it. */
  constructor(path: string, onGone: (error: unknown) => void) {
    for (let slot = SLOTS - 1; slot >= 0; slot--) this.#free.push(slot);
    this.#path = path;
    this.#onGone = onGone;
  }

  /** The thread, started with the first read: a command that never reads (a migration) starts none. */
  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./read-worker.cjs', import.meta.url), {
      workerData: {
        libsql: createRequire(import.meta.url).resolve('libsql'),
        path: this.#path,
        pragmas: filePragmas,
      },
    });
    // The thread keeps the process alive only while a statement is on its way (see #send).
    worker.unref();
    worker.on('message', (message: [number, unknown, Failure?]) => {
      const waiting = this.#waiting.get(message[0]);
      this.#waiting.delete(message[0]);
      if (this.#waiting.size === 0) worker.unref();
      if (message.length === 3) waiting?.reject(toError(message[2]!));
      else waiting?.resolve(message[1]);
    });
    const stopped = (error: unknown) => {
      if (this.#state === 'open') {
        this.#state = 'gone';
        this.#onGone(error);
      }
      this.#failAll(closedError());
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the read thread stopped (exit code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  /** Runs `fn` as one read transaction on a free connection. */
  async read<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.#state !== 'open') throw closedError();
    const slot = this.#free.pop() ?? (await new Promise<number>((resolve) => this.#queue.push(resolve)));
    // The transaction starts with the read's first statement; one sent after the read ended is refused.
    let begun = false;
    let ended = false;
    const first = () => {
      if (ended) throw new TypeError('a read was used after it ended');
      const isFirst = !begun;
      begun = true;
      return isFirst;
    };
    const q: Queryable = {
      execute: async (stmt) => {
        const [sql, args] = toWire(stmt);
        return toResult(await this.#send<Wire>(['run', slot, sql, args, first(), this.#takeEnds()]));
      },
      batch: async (stmts) => {
        const wire = stmts.map(toWire);
        const begins = first();
        return (await this.#send<Wire[]>(['batch', slot, wire, undefined, begins, this.#takeEnds()])).map(
          toResult,
        );
      },
    };
    try {
      return await fn(q);
    } finally {
      ended = true;
      // Sent before the slot goes to the next read, so its own transaction starts after this one ended.
      if (begun) this.#end(slot);
      const next = this.#queue.shift();
      if (next) next(slot);
      else this.#free.push(slot);
    }
  }

  /** Closes the connections once what was sent has run; later reads fail. */
  close(): void {
    if (this.#state !== 'open') return;
    this.#state = 'closed';
    this.#worker?.postMessage([-1, 'close']);
    for (const next of this.#queue.splice(0)) next(-1);
  }

  /**
   * Ends a read's transaction. The slot's next read cannot begin before this message: the message that
   * begins it carries the ends waiting (#takeEnds), which the thread runs first. Ends no later message
   * takes are sent on their own after the I/O of this event-loop turn, so an idle read connection never
   * keeps an old snapshot, which would keep a checkpoint from the WAL's last frames.
   */
  #end(slot: number): void {
    this.#ends.push(slot);
    if (this.#endsScheduled) return;
    this.#endsScheduled = true;
    setImmediate(() => {
      this.#endsScheduled = false;
      const ends = this.#takeEnds();
      if (ends.length > 0 && this.#state === 'open') this.#worker?.postMessage([-1, 'end', -1, ends]);
    });
  }

  #takeEnds(): number[] {
    return this.#ends.length === 0 ? NO_ENDS : this.#ends.splice(0);
  }

  #send<T>(op: unknown[]): Promise<T> {
    if (this.#state !== 'open') return Promise.reject(closedError());
    const id = this.#next++;
    const worker = this.#thread();
    if (this.#waiting.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage([id, ...op]);
    });
  }

  #failAll(error: unknown): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}

const NO_ENDS: number[] = [];

/** Read connections on the thread: reads at once, beyond which they wait for one to be free. */
const SLOTS = 8;

const closedError = () => new LibsqlError('The database is closed', 'CLIENT_CLOSED');

/** What the thread answers for a statement (read-worker.cjs `run`). */
type Wire = [columns: string[], rows: Value[][]] | [undefined, changes: number, lastInsertRowid: bigint];

/** An engine error as the thread sends it: its message and codes (an Error does not cross as itself). */
interface Failure {
  message: string;
  sqlite: boolean;
  code?: string;
  rawCode?: number;
}

function toWire(stmt: InStatement): [string, Arg[] | Record<string, Arg>] {
  return typeof stmt === 'string' ? [stmt, []] : [stmt.sql, toArgs(stmt.args)];
}

function toResult(wire: Wire): QueryResult {
  if (wire[0] === undefined) return { rows: [], rowsAffected: wire[1], lastInsertRowid: wire[2] };
  const columns = wire[0];
  return {
    rows: wire[1].map((values) => toRow(values, columns)),
    rowsAffected: 0,
    lastInsertRowid: undefined,
  };
}

export function toRow(values: Value[], columns: string[]): Record<string, Value> {
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

function toError(failure: Failure): Error {
  if (!failure.sqlite) return new Error(failure.message);
  return toLibsqlError(failure.message, failure.code, failure.rawCode);
}
