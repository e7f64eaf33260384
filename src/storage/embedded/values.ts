import { type InArgs, LibsqlError } from '@libsql/client';

/** A value as the engine takes it. */
export type Arg = null | string | number | bigint | Uint8Array;

export function toArgs(args: InArgs | undefined): Arg[] | Record<string, Arg> {
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

/** An engine error as `LibsqlError`, with the codes `@libsql/client` gives it. */
export function toLibsqlError(
  message: string,
  extendedCode: string | undefined,
  rawCode: number | undefined,
  cause?: unknown,
): LibsqlError {
  const base =
    rawCode === undefined
      ? 'SQLITE_UNKNOWN'
      : (baseCodes[rawCode & 0xff] ?? `SQLITE_UNKNOWN_${rawCode & 0xff}`);
  return new LibsqlError(message, base, extendedCode, rawCode, cause as Error | undefined);
}
