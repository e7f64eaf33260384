import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { networkHash } from '../../src/service/code-attempts.ts';

/** The counter key as rate_limits rows have always held it: hex SHA-256 of `ip:` and the network key. */
const expected = (networkKey: string) => createHash('sha256').update(`ip:${networkKey}`).digest('hex');

describe('networkHash (the kept counter key of a network address)', () => {
  it('is the SHA-256 of the network key, the first time and when kept', async () => {
    for (let round = 0; round < 2; round++) {
      expect(await networkHash('192.0.2.7')).toBe(expected('192.0.2.7'));
      expect(await networkHash('::ffff:192.0.2.7')).toBe(expected('192.0.2.7'));
      expect(await networkHash('2001:db8:1:2:aaaa::1')).toBe(expected('2001:db8:1:2::/64'));
      expect(await networkHash('2001:DB8:1:2::ffff')).toBe(expected('2001:db8:1:2::/64'));
    }
  });

  it('answers the same for an address after thousands of others have pushed it out', async () => {
    const first = await networkHash('198.51.100.1');
    for (let i = 0; i < 3000; i++) {
      const address = `10.${(i >> 8) & 255}.${i & 255}.9`;
      expect(await networkHash(address)).toBe(expected(address));
    }
    expect(await networkHash('198.51.100.1')).toBe(first);
    expect(first).toBe(expected('198.51.100.1'));
  });
});
