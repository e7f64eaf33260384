/** Letters and digits that cannot be mistaken for each other when read aloud or copied by hand. */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const ACCESS_CODE_LENGTH = 7;

/** Makes an access code from random bytes (rejection sampling keeps every character equally likely). */
export function accessCodeFrom(randomBytes: (n: number) => Uint8Array): string {
  let code = '';
  const limit = 256 - (256 % ACCESS_CODE_ALPHABET.length);
  while (code.length < ACCESS_CODE_LENGTH) {
    for (const byte of randomBytes(16)) {
      if (byte < limit && code.length < ACCESS_CODE_LENGTH)
        code += ACCESS_CODE_ALPHABET[byte % ACCESS_CODE_ALPHABET.length];
    }
  }
  return code;
}

/** Reads what a person typed as an access code: case, spaces and dashes forgiven. */
export function parseAccessCode(text: string): string | undefined {
  const compact = text.toUpperCase().replace(/[\s\-_.]/g, '');
  if (compact.length !== ACCESS_CODE_LENGTH) return undefined;
  return [...compact].every((c) => ACCESS_CODE_ALPHABET.includes(c)) ? compact : undefined;
}

/**
 * Where a code stands in its life (DESIGN.md, access codes): it links one conversation, once; unused it
 * expires; a therapist can revoke it. Only an `open` code links.
 */
export type AccessCodeState = 'open' | 'used' | 'expired' | 'revoked';

export function accessCodeState(
  code: { expiresAt: string; usedAt?: string; revokedAt?: string },
  now: Date,
): AccessCodeState {
  if (code.usedAt !== undefined) return 'used';
  if (code.revokedAt !== undefined) return 'revoked';
  return now.getTime() < Date.parse(code.expiresAt) ? 'open' : 'expired';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a code issued at `issuedAt` expires unused. */
export function accessCodeExpiry(issuedAt: Date, ttlDays: number): Date {
  return new Date(issuedAt.getTime() + ttlDays * DAY_MS);
}
