import type Libsql from 'libsql';

type Statement = ReturnType<Libsql.Database['prepare']>;

export interface Prepared {
  statement: Statement;
  /** Column names for a statement that returns rows, `undefined` for one that does not. */
  columns: string[] | undefined;
}

/** See statement-cache.cjs. */
export declare class StatementCache {
  constructor(db: Libsql.Database, limit?: number);
  get(sql: string): Prepared;
  checkSchema(): void;
  ran(sql: string): void;
  clear(): void;
}
