// The embedded database's read connections, on a thread of their own (see read-thread.ts). Plain
// CommonJS, so that it loads without a TypeScript loader. Messages run one after another in the order
// sent. A read is a read transaction on one connection ("slot"): it begins with the read's first
// statement and ends with `end`; the main thread gives a slot to one read at a time.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const { StatementCache } = require('./statement-cache.cjs');

const slots = [];

function slot(index) {
  let s = slots[index];
  if (!s) {
    const db = new Database(workerData.path);
    // The settings of every connection (db.ts `filePragmas`), then: a read never writes, the engine
    // refuses it whatever the caller sends.
    for (const pragma of workerData.pragmas) db.exec(pragma);
    db.exec('PRAGMA query_only=1');
    s = { db, statements: new StatementCache(db) };
    slots[index] = s;
  }
  return s;
}

/** One statement: [columns, rows] for one that returns rows, [undefined, changes, lastInsertRowid] else. */
function run(s, sql, args) {
  const { statement, columns } = s.statements.get(sql);
  if (columns) return [columns, statement.all(args)];
  const info = statement.run(args);
  return [undefined, info.changes, BigInt(info.lastInsertRowid)];
}

/** Starts the read transaction before a read's first statement: later statements see the same data. */
function begin(s) {
  // A read's end always comes first (read-thread.ts #end); should one be lost, the new read still begins.
  if (s.db.inTransaction) s.db.exec('COMMIT');
  s.statements.checkSchema();
  s.db.exec('BEGIN');
}

function failure(error) {
  return {
    message: String(error?.message ?? error),
    sqlite: error instanceof Database.SqliteError,
    code: error?.code,
    rawCode: error?.rawCode,
  };
}

/** Ends the read transactions of `indexes` (their reads are over). */
function end(indexes) {
  for (const index of indexes) {
    const s = slots[index];
    try {
      if (s?.db.inTransaction) s.db.exec('COMMIT');
    } catch {
      // A read transaction has nothing to commit; the slot's next read begins afresh.
    }
  }
}

// A message: [id, op, slot, ...]. `run` [sql, args, begin, ends] and `batch` [statements, _, begin, ends]
// first end the read transactions of `ends`, then begin the slot's when `begin` is true. The answer:
// [id, result] or [id, undefined, failure]; `end` [ends] and `close` have none.
parentPort.on('message', (message) => {
  const [id, op, index] = message;
  if (op === 'close') {
    for (const s of slots) if (s?.db.open) s.db.close();
    parentPort.close();
    return;
  }
  if (op === 'end') return end(message[3]);
  end(message[6]);
  try {
    const s = slot(index);
    if (message[5] === true) begin(s);
    if (op === 'run') parentPort.postMessage([id, run(s, message[3], message[4])]);
    else if (op === 'batch') parentPort.postMessage([id, message[3].map(([sql, args]) => run(s, sql, args))]);
    else throw new Error(`unknown operation ${op}`);
  } catch (error) {
    parentPort.postMessage([id, undefined, failure(error)]);
  }
});
