import type { Queryable } from './db.ts';
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
  const row = (
    await q.execute({
      sql: 'SELECT window_start, count FROM rate_limits WHERE bucket = ? AND key = ?',
      args: [rule.bucket, key],
    })
  ).rows[0];
  const start = row ? new Date(str(row, 'window_start')) : undefined;
  const fresh = !start || now.getTime() - start.getTime() >= rule.windowMs;
  const count = fresh ? 1 : num(row!, 'count') + 1;
  const windowStart = fresh ? now : start!;
  await q.execute({
    sql: `INSERT INTO rate_limits (bucket, key, window_start, count) VALUES (?, ?, ?, ?)
          ON CONFLICT (bucket, key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count`,
    args: [rule.bucket, key, windowStart.toISOString(), count],
  });
  if (count <= rule.limit) return { allowed: true, count };
  const retryAfterMs = windowStart.getTime() + rule.windowMs - now.getTime();
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
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
  if (!row) return { allowed: true, count: 0 };
  const start = new Date(str(row, 'window_start'));
  if (now.getTime() - start.getTime() >= rule.windowMs) return { allowed: true, count: 0 };
  const count = num(row, 'count');
  if (count < rule.limit) return { allowed: true, count };
  return {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((start.getTime() + rule.windowMs - now.getTime()) / 1000)),
  };
}

/** Forgets the counter of `key` (after a successful sign-in, say). */
export async function clearRateLimit(q: Queryable, bucket: string, key: string): Promise<void> {
  await q.execute({ sql: 'DELETE FROM rate_limits WHERE bucket = ? AND key = ?', args: [bucket, key] });
}
