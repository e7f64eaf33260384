import type { InStatement, Queryable } from './db.ts';
import { num, str } from './rows.ts';

export interface RateLimitRule {
  /** What is counted, such as "login_address" or "access_code_conversation". */
  bucket: string;
  /** How many events one key may have in a window. */
  limit: number;
  windowMs: number;
}

export type RateLimitDecision =
  | { allowed: true; count: number }
  | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one event for `key` in a fixed window and says whether it is within the limit. The counter is a
 * row, so the limit holds across processes and Worker isolates; run it inside the write that acts on
 * the event. Refused events are counted too, so hammering does not reopen the window early.
 */
export async function hitRateLimit(
  q: Queryable,
  rule: RateLimitRule,
  key: string,
  now: Date,
): Promise<RateLimitDecision> {
  const counted = countRateLimitStatement(rule, key, now);
  const row = (await q.execute({ sql: `${counted.sql} RETURNING window_start, count`, args: counted.args }))
    .rows[0]!;
  const count = num(row, 'count');
  if (count <= rule.limit) return { allowed: true, count };
  const retryAfterMs = Date.parse(str(row, 'window_start')) + rule.windowMs - now.getTime();
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

/**
 * Counts one event for `key`, as a statement for a caller's batch (`hitRateLimit` without its answer).
 * One statement (one round trip on a remote database): a window that has run out starts again at 1.
 * SQLite evaluates every SET expression on the row as it was, so both CASEs see the old window.
 */
export function countRateLimitStatement(
  rule: RateLimitRule,
  key: string,
  now: Date,
): { sql: string; args: string[] } {
  const expiredBefore = new Date(now.getTime() - rule.windowMs).toISOString();
  return {
    sql: `INSERT INTO rate_limits (bucket, key, window_start, count) VALUES (?, ?, ?, 1)
          ON CONFLICT (bucket, key) DO UPDATE SET
            window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start
                                ELSE rate_limits.window_start END,
            count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END`,
    args: [rule.bucket, key, now.toISOString(), expiredBefore, expiredBefore],
  };
}

/**
 * Takes one event from `key`'s allowance, as a statement for a caller's batch: it changes one row when the
 * event is within the limit and none when it is not, so a `mustChange` guard refuses the whole write (and
 * the refused event is not counted; the window is fixed, so counting it would change nothing).
 */
export function takeRateLimitStatement(rule: RateLimitRule, key: string, now: Date): InStatement {
  const counted = countRateLimitStatement(rule, key, now);
  const expiredBefore = counted.args[3]!;
  return {
    sql: `${counted.sql}
          WHERE rate_limits.window_start <= ? OR rate_limits.count < ?`,
    args: [...counted.args, expiredBefore, rule.limit],
  };
}

/** A counter as stored: when its window started and how many events it has counted in it. */
export interface RateLimitCounter {
  windowStart: string;
  count: number;
}

/** Whether one more event is allowed now by `counter` (undefined: none counted yet), without counting it. */
export function rateLimitDecision(
  rule: RateLimitRule,
  counter: RateLimitCounter | undefined,
  now: Date,
): RateLimitDecision {
  if (!counter) return { allowed: true, count: 0 };
  const start = Date.parse(counter.windowStart);
  if (now.getTime() - start >= rule.windowMs) return { allowed: true, count: 0 };
  if (counter.count < rule.limit) return { allowed: true, count: counter.count };
  return {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((start + rule.windowMs - now.getTime()) / 1000)),
  };
}

/** Whether `key` is over the limit now, without counting an event. */
export async function isRateLimited(
  q: Queryable,
  rule: RateLimitRule,
  key: string,
  now: Date,
): Promise<RateLimitDecision> {
  const row = (
    await q.execute({
      sql: 'SELECT window_start, count FROM rate_limits WHERE bucket = ? AND key = ?',
      args: [rule.bucket, key],
    })
  ).rows[0];
  const counter = row && { windowStart: str(row, 'window_start'), count: num(row, 'count') };
  return rateLimitDecision(rule, counter, now);
}

/** Reads the counters of several (bucket, key) pairs in one statement; `countersOf` takes its result. */
export function readCountersStatement(pairs: readonly { bucket: string; key: string }[]): InStatement {
  const where = pairs.map(() => '(bucket = ? AND key = ?)').join(' OR ');
  return {
    sql: `SELECT bucket, key, window_start, count FROM rate_limits WHERE ${where || '0'}`,
    args: pairs.flatMap((p) => [p.bucket, p.key]),
  };
}

/** The counters a `readCountersStatement` read, by `bucket + '\n' + key`. */
export function countersOf(rows: readonly Record<string, unknown>[]): Map<string, RateLimitCounter> {
  const counters = new Map<string, RateLimitCounter>();
  for (const row of rows) {
    counters.set(`${str(row, 'bucket')}\n${str(row, 'key')}`, {
      windowStart: str(row, 'window_start'),
      count: num(row, 'count'),
    });
  }
  return counters;
}

/**
 * Starts `key`'s current window again at `now`, keeping its count: a counter that has just reached its
 * limit then refuses for a whole window from this event (a sign-in lockout of 15 minutes from the fifth
 * failure, not from the first).
 */
export async function restartRateLimitWindow(
  q: Queryable,
  bucket: string,
  key: string,
  now: Date,
): Promise<void> {
  await q.execute({
    sql: 'UPDATE rate_limits SET window_start = ? WHERE bucket = ? AND key = ?',
    args: [now.toISOString(), bucket, key],
  });
}

/** Forgets the counter of `key` (after a successful sign-in, say). */
export async function clearRateLimit(q: Queryable, bucket: string, key: string): Promise<void> {
  await q.execute({ sql: 'DELETE FROM rate_limits WHERE bucket = ? AND key = ?', args: [bucket, key] });
}
