// Prepared statements of one connection, shared by the write connection (driver.ts) and the read
// connections on their thread (read-worker.cjs). Plain CommonJS, so that the thread loads it without a
// TypeScript loader; statement-cache.d.cts gives its types.

/**
 * Prepared statements by SQL text, least recently used dropped first beyond `limit`.
 *
 * SQLite re-prepares a kept statement by itself when the schema changes, but the column names kept here
 * would go stale (`SELECT *` after `ALTER TABLE … ADD COLUMN`). So the cache is emptied after DDL on this
 * connection (`ran`) and whenever `PRAGMA schema_version` shows that another connection (`selvhjelp
 * migrate` in another process) changed the schema (`checkSchema`, once per transaction, a few µs).
 */
class StatementCache {
  #db;
  #limit;
  #byText = new Map();
  #schemaVersion;

  constructor(db, limit = 256) {
    this.#db = db;
    this.#limit = limit;
  }

  /** `{ statement, columns }`: the column names for a statement that returns rows, else undefined. */
  get(sql) {
    const hit = this.#byText.get(sql);
    if (hit) {
      // Re-insert to mark it as the most recently used.
      this.#byText.delete(sql);
      this.#byText.set(sql, hit);
      return hit;
    }
    const statement = this.#db.prepare(sql);
    const prepared = {
      statement,
      columns: statement.reader
        ? statement
            .raw(true)
            .columns()
            .map((c) => c.name)
        : undefined,
    };
    this.#byText.set(sql, prepared);
    if (this.#byText.size > this.#limit) this.#byText.delete(this.#byText.keys().next().value);
    return prepared;
  }

  checkSchema() {
    // `get`, one call into the engine: `all` sets up an iterator for a statement known to give one row.
    const version = this.get('PRAGMA schema_version').statement.get([])?.[0];
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

  /** After a statement ran: DDL empties the cache. */
  ran(sql) {
    if (/^\s*(?:create|alter|drop)\b/i.test(sql)) this.clear();
  }

  clear() {
    this.#byText.clear();
  }
}

module.exports = { StatementCache };
