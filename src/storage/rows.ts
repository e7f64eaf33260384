type RowLike = Record<string, unknown>;

export const str = (row: RowLike, column: string): string => String(row[column]);
export const optStr = (row: RowLike, column: string): string | undefined =>
  row[column] === null || row[column] === undefined ? undefined : String(row[column]);
export const num = (row: RowLike, column: string): number => Number(row[column]);

/** The JSON text of values that cannot change, made once each (see `jsonOf`). */
const frozenJson = new WeakMap<object, string>();

/**
 * `JSON.stringify(value)`, kept for a frozen object: a flow's start that a batch of turns shares is
 * frozen all the way down (`sharingStarts` in engine/turn.ts), and so are the SMS a batch formats once
 * (`batchDeps` in service/run-turn.ts), so their snapshot, timers, events and messages are written by
 * many turns with the same text. Anything not frozen is serialised afresh.
 */
export function jsonOf(value: unknown): string {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return JSON.stringify(value);
  let json = frozenJson.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    frozenJson.set(value, json);
  }
  return json;
}
