import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** SQLite's answer to `PRAGMA wal_checkpoint`: frames in the WAL and frames now copied to the database. */
export interface CheckpointResult {
  busy: boolean;
  walFrames: number;
  checkpointedFrames: number;
}

/**
 * Copies the WAL back into the database file from a worker thread with its own connection.
 *
 * SQLite checkpoints inside the COMMIT that crosses `wal_autocheckpoint`: a few milliseconds of page
 * copying and two fsyncs during which the event loop stands still (measured with bench/: 60% of all
 * commit time, 6–9 ms a time). Here the copying and the waiting happen on another thread, PASSIVE, so
 * beside the writes of the main connection (see openEmbedded for when they wait).
 */
export class BackgroundCheckpointer {
  readonly #path: string;
  #worker: Worker | undefined;
  #waiting: { resolve(r: CheckpointResult): void; reject(e: Error): void } | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  run(): Promise<CheckpointResult> {
    if (this.#waiting) return Promise.reject(new Error('a checkpoint is already running'));
    const worker = this.#start();
    return new Promise<CheckpointResult>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      worker.postMessage('checkpoint');
    });
  }

  /**
   * Closes the worker's connection and ends the thread; a running checkpoint fails. The process waits for
   * the thread from here on: closing last, its connection copies the WAL back and removes it.
   */
  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    worker?.ref();
    worker?.postMessage('close');
    this.#fail(new Error('the checkpointer was closed'));
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { libsql: createRequire(import.meta.url).resolve('libsql'), path: this.#path },
    });
    // Never keeps the process alive on its own.
    worker.unref();
    worker.on('message', (m: { result?: [number, number, number]; error?: string }) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (m.result) {
        const [busy, walFrames, checkpointedFrames] = m.result;
        waiting?.resolve({ busy: busy !== 0, walFrames, checkpointedFrames });
      } else waiting?.reject(new Error(`checkpoint failed: ${m.error}`));
    });
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#fail(new Error('the checkpoint thread stopped'));
    });
    this.#worker = worker;
    return worker;
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}

/** The worker: plain CommonJS, so it needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const db = new Database(workerData.path);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw(true);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    process.exit(0);
  }
  try {
    parentPort.postMessage({ result: checkpoint.all([])[0] });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
});
`;
