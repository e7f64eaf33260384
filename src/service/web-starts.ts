import { networkKeyOf } from '../domain/network-address.ts';
import type { Locale } from '../engine/types.ts';
import type { AddressRecord } from '../storage/addresses.ts';
import {
  abandonedConversations,
  deleteConversations,
  findStartedConversation,
} from '../storage/conversation-starts.ts';
import { isRateLimited, type RateLimitRule, takeRateLimitStatement } from '../storage/rate-limits.ts';
import { networkHash, sha256Hex } from './code-attempts.ts';
import type { ServiceDeps } from './deps.ts';
import { WriteConflict } from './errors.ts';
import { startConversation } from './handle-inbound.ts';
import type { RenderedReply } from './render.ts';
import { checkInbound, checkSafetyButton } from './safety.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * New conversations from one network address (an IPv4 address or an IPv6 /64) per 10 minutes, `limit`
 * from WEB_START_LIMIT: a person opens a few, a script thousands. People behind one address (a school, a
 * workplace) share the limit, so it should be generous; what it stops is a flood of rows nobody uses.
 */
export const webStartRule = (limit: number): RateLimitRule => ({
  bucket: 'web_start_network',
  limit,
  windowMs: 10 * MINUTE_MS,
});

/** How long a retried first message finds the conversation it started. */
const RETRY_WINDOW_MS = 24 * 60 * MINUTE_MS;

export type WebStart =
  | { kind: 'started'; address: AddressRecord; replies: RenderedReply[]; cursor: number }
  /** The same first message again (its id and network address): the conversation it started. */
  | { kind: 'resumed'; address: AddressRecord }
  | { kind: 'limited'; retryAfterSeconds: number };

/**
 * Starts a web conversation for a page or a first message. A first message that carries an id and is
 * retried (its answer was lost) finds the conversation it started, if it comes from the same network
 * address with the same words: anyone else with the same id starts their own. New conversations are
 * limited per network address (webStartRule); the limit is counted in the database, so it holds across
 * processes. A first message that signals a crisis or concern starts its conversation over the limit.
 */
export async function startWebConversation(
  deps: ServiceDeps,
  request: {
    channel: string;
    locale?: Locale;
    messageId?: string;
    networkAddress?: string;
    /** False when a first message comes with the start: its answer says the welcome (Inbound.welcome). */
    welcome?: boolean;
    /** The first message that comes with the start, if one does. */
    message?: { text?: string; value?: string };
  },
): Promise<WebStart> {
  const now = deps.clock();
  const network = request.networkAddress === undefined ? 'unknown' : networkKeyOf(request.networkAddress);
  // A retry is the same message again: the same id, from the same network address, with the same words.
  // Another message that reuses an id (a client of the API counting from 1) starts its own conversation.
  const startKey =
    request.messageId === undefined
      ? undefined
      : await sha256Hex(
          JSON.stringify([request.messageId, network, request.message?.text, request.message?.value]),
        );
  if (startKey) {
    const known = await deps.db.read((q) => findStartedConversation(q, request.channel, startKey));
    if (known && now.getTime() - Date.parse(known.createdAt) < RETRY_WINDOW_MS) {
      return { kind: 'resumed', address: known };
    }
  }
  // The limit is taken in the conversation's own write: one round trip, and a refused start writes nothing.
  const rule = webStartRule(deps.defaults.webStartLimit);
  const limitKey =
    request.networkAddress === undefined ? undefined : await networkHash(request.networkAddress);
  try {
    const started = await startConversation(deps, request.channel, request.locale, {
      statements: limitKey ? [{ mustChange: takeRateLimitStatement(rule, limitKey, now) }] : [],
      startKey,
      welcome: request.welcome,
    });
    return { kind: 'started', ...started };
  } catch (error) {
    if (!(error instanceof WriteConflict) || !limitKey) throw error;
    const decision = await deps.db.read((q) => isRateLimited(q, rule, limitKey, now));
    if (decision.allowed) throw error;
    // A crisis or concern is never refused (CLINICAL.md §3): its conversation starts over the limit.
    const { text, value } = request.message ?? {};
    if (
      checkInbound(text, value).signal.tier !== 'none' ||
      checkSafetyButton(value, request.locale ?? deps.defaults.locale).tier !== 'none'
    ) {
      const started = await startConversation(deps, request.channel, request.locale, {
        startKey,
        welcome: request.welcome,
      });
      return { kind: 'started', ...started };
    }
    return { kind: 'limited', retryAfterSeconds: decision.retryAfterSeconds };
  }
}

/** At most this many conversations are deleted per scheduler pass. */
const PURGE_BATCH = 200;

/**
 * Deletes web conversations nobody linked with an access code and nobody wrote in for
 * UNLINKED_RETENTION_DAYS, with their transcript and outbox. A conversation with an alert is kept: a
 * stranger's crisis message is the clinic's to see. Phone numbers are kept too (a STOP must be
 * remembered).
 */
export async function purgeAbandonedConversations(deps: ServiceDeps): Promise<number> {
  const before = new Date(deps.clock().getTime() - deps.defaults.unlinkedRetentionDays * DAY_MS);
  return deps.db.write(async (tx) => {
    const ids = await abandonedConversations(tx, 'web', before.toISOString(), PURGE_BATCH);
    await deleteConversations(tx, ids);
    return ids.length;
  });
}
