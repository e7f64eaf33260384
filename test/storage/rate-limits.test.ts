import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hitRateLimit, isRateLimited, type RateLimitRule } from '../../src/storage/rate-limits.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const rule: RateLimitRule = { bucket: 'test_bucket', limit: 3, windowMs: 60_000 };
const at = (ms: number) => new Date(Date.parse('2026-03-29T00:59:00.000Z') + ms);

describe('hitRateLimit: one statement per event', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeHarness();
  });
  afterEach(() => h.close());

  const hit = (key: string, now: Date) => h.deps.db.write((tx) => hitRateLimit(tx, rule, key, now));

  it('counts events in a window, refuses above the limit with the time left, and counts refused ones too', async () => {
    expect(await hit('k', at(0))).toEqual({ allowed: true, count: 1 });
    expect(await hit('k', at(1_000))).toEqual({ allowed: true, count: 2 });
    expect(await hit('k', at(2_000))).toEqual({ allowed: true, count: 3 });
    expect(await hit('k', at(30_000))).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(await hit('k', at(59_999))).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await h.deps.db.read((q) => isRateLimited(q, rule, 'k', at(59_999)))).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    // Other keys and buckets have counters of their own.
    expect(await hit('other', at(30_000))).toEqual({ allowed: true, count: 1 });
  });

  it('starts a new window exactly when the old one has lasted windowMs, not a millisecond before', async () => {
    await hit('k', at(0));
    await hit('k', at(10));
    expect(await hit('k', at(59_999))).toEqual({ allowed: true, count: 3 });
    expect(await hit('k', at(60_000))).toEqual({ allowed: true, count: 1 });
    // The new window started at 60 000: it runs until 120 000.
    await hit('k', at(60_001));
    await hit('k', at(60_002));
    expect(await hit('k', at(119_999))).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await hit('k', at(120_000))).toEqual({ allowed: true, count: 1 });
  });
});
