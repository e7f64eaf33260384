import { describe, expect, it } from 'vitest';
import {
  ACCESS_CODE_ALPHABET,
  accessCodeExpiry,
  accessCodeFrom,
  accessCodeState,
  parseAccessCode,
} from '../../src/domain/access-code.ts';

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

describe('the life of an access code', () => {
  const issued = new Date('2026-11-23T09:00:00.000Z');
  const expiresAt = accessCodeExpiry(issued, 30).toISOString();

  it('expires the given number of days after it was issued', () => {
    expect(expiresAt).toBe('2026-12-23T09:00:00.000Z');
  });

  it('is open until it expires, and then expired; used or revoked whatever the time', () => {
    const at = (iso: string) => new Date(iso);
    expect(accessCodeState({ expiresAt }, at('2026-12-23T08:59:59.999Z'))).toBe('open');
    expect(accessCodeState({ expiresAt }, at(expiresAt))).toBe('expired');
    expect(accessCodeState({ expiresAt, usedAt: issued.toISOString() }, issued)).toBe('used');
    expect(accessCodeState({ expiresAt, revokedAt: issued.toISOString() }, issued)).toBe('revoked');
  });
});
