import { describe, expect, it } from 'vitest';
import { ACCESS_CODE_ALPHABET, accessCodeFrom, parseAccessCode } from '../../src/domain/access-code.ts';

describe('access codes', () => {
  it('are 7 unambiguous characters', () => {
    for (let i = 0; i < 200; i++) {
      const code = accessCodeFrom((n) => crypto.getRandomValues(new Uint8Array(n)));
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{7}$/);
    }
    expect(ACCESS_CODE_ALPHABET).not.toMatch(/[01IO]/);
  });

  it('are read forgivingly but never wrongly', () => {
    expect(parseAccessCode(' bg4-2kd2 ')).toBe('BG42KD2');
    expect(parseAccessCode('BG42 KD2')).toBe('BG42KD2');
    expect(parseAccessCode('BG42KD')).toBeUndefined();
    expect(parseAccessCode('BG42KD0')).toBeUndefined();
    expect(parseAccessCode('hei der')).toBeUndefined();
  });
});
