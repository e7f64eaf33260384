import { networkKeyOf } from '../domain/network-address.ts';
import type { InStatement } from '../storage/db.ts';
import {
  countersOf,
  countRateLimitStatement,
  type RateLimitRule,
  rateLimitDecision,
  readCountersStatement,
} from '../storage/rate-limits.ts';

const MINUTE_MS = 60_000;

/**
 * How many wrong access codes are let through before typing codes is refused for a while: every rule in
 * this one place. A code is 7 of 32 characters (3.4·10^10 values); only open codes (issued, unused, not
 * expired) can link, so guessing one blindly takes billions of tries, and these limits keep a sender to a
 * few hundred thousand a year. A person who mistypes gets five tries at once and then waits minutes.
 *
 * - `conversation`: one web chat, or one phone number (an SMS conversation is its number, so this is
 *   also the per-phone limit).
 * - `network`: one network address (an IPv4 address or an IPv6 /64) across every web chat it opens, as a
 *   new web chat costs nothing. Only where the channel knows the address (the web chat).
 *
 * Unknown, expired, revoked and used codes all count. Crisis messages are read before codes and are never
 * limited; keywords (STOP, HELP) are not codes and are not limited either.
 */
export const CODE_ATTEMPT_RULES = {
  conversation: { bucket: 'access_code_conversation', limit: 5, windowMs: 15 * MINUTE_MS },
  network: { bucket: 'access_code_network', limit: 20, windowMs: 60 * MINUTE_MS },
} as const satisfies Record<string, RateLimitRule>;

/** One counter a code attempt is counted in. Keys are SHA-256 hashes: they hold phone numbers and IPs. */
export interface CodeAttemptKey {
  rule: RateLimitRule;
  key: string;
}

/** Where a code attempt came from. */
export interface CodeAttemptSource {
  channel: string;
  address: string;
  networkAddress?: string;
}

/** The counters an attempt from `source` is counted in. */
export async function codeAttemptKeys(source: CodeAttemptSource): Promise<CodeAttemptKey[]> {
  const keys: CodeAttemptKey[] = [
    { rule: CODE_ATTEMPT_RULES.conversation, key: await sha256Hex(`${source.channel}:${source.address}`) },
  ];
  if (source.networkAddress !== undefined) {
    keys.push({
      rule: CODE_ATTEMPT_RULES.network,
      key: await networkHash(source.networkAddress),
    });
  }
  return keys;
}

/** The statement that reads the counters of `keys`, for the batch that checks the code too. */
export const readCodeAttempts = (keys: CodeAttemptKey[]): InStatement =>
  readCountersStatement(keys.map(({ rule, key }) => ({ bucket: rule.bucket, key })));

/**
 * Whether code attempts from these counters are refused now, given the rows `readCodeAttempts` read; if
 * so, how long until the last lock ends.
 */
export function codeAttemptLock(
  keys: CodeAttemptKey[],
  rows: readonly Record<string, unknown>[],
  now: Date,
): { retryAfterSeconds: number } | undefined {
  const counters = countersOf(rows);
  let wait = 0;
  for (const { rule, key } of keys) {
    const decision = rateLimitDecision(rule, counters.get(`${rule.bucket}\n${key}`), now);
    if (!decision.allowed) wait = Math.max(wait, decision.retryAfterSeconds);
  }
  return wait > 0 ? { retryAfterSeconds: wait } : undefined;
}

/** Counts one wrong code in every counter: statements for the write that answers the attempt. */
export const countWrongCode = (keys: CodeAttemptKey[], now: Date): InStatement[] =>
  keys.map(({ rule, key }) => countRateLimitStatement(rule, key, now));

/** The last network hashes by address, oldest first; bounded by NETWORK_HASHES_KEPT. */
const networkHashes = new Map<string, string>();
const NETWORK_HASHES_KEPT = 1024;

/**
 * The counter key of a network address: the SHA-256 of its `networkKeyOf` (an IPv4 address or an IPv6
 * /64), which every web message and code attempt is counted by. A pure function of the address, so the
 * last NETWORK_HASHES_KEPT answers are kept in memory (only hashes and addresses, never logged): a chat's
 * messages come from one address and skip the digest.
 */
export async function networkHash(networkAddress: string): Promise<string> {
  const known = networkHashes.get(networkAddress);
  if (known !== undefined) return known;
  const hash = await sha256Hex(`ip:${networkKeyOf(networkAddress)}`);
  if (networkHashes.size >= NETWORK_HASHES_KEPT) {
    networkHashes.delete(networkHashes.keys().next().value as string);
  }
  networkHashes.set(networkAddress, hash);
  return hash;
}

/** Lower-case hex SHA-256 of `text` (Web Crypto: Node and Workers alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
