import type { InStatement } from '../storage/db.ts';
import type { CounterBuckets, InboundContext } from '../storage/inbound-context.ts';
import { type RateLimitRule, rateLimitDecision, takeRateLimitStatement } from '../storage/rate-limits.ts';
import { networkHash } from './code-attempts.ts';
import type { ServiceDeps } from './deps.ts';

const WINDOW_MS = 10 * 60_000;

/**
 * The limits on client messages, every rule in this one place. A person reads and answers; a script
 * floods. Each message that reaches the service is counted:
 * - per conversation (`MESSAGE_LIMIT` per 10 minutes): a web chat, a Bot Framework chat, or a phone
 *   number (an SMS conversation is its number, so this is the per-phone limit too);
 * - per network address (`NETWORK_MESSAGE_LIMIT` per 10 minutes, IPv4 or IPv6 /64) over every web chat
 *   it opens, as a new web chat costs nothing. Only where the channel knows the address (the web chat).
 *
 * A crisis message is never refused (the detector reads every text first), nor STOP (an opt-out must
 * always work), nor an answer to the safety protocol's open question. Duplicates are not counted. The
 * counters are rows (`rate_limits`), read with the message's context and taken in its turn's own batch:
 * no round trip of their own, and they hold across processes and Worker isolates.
 */
export function messageRules(deps: ServiceDeps): { conversation: RateLimitRule; network: RateLimitRule } {
  return {
    conversation: {
      bucket: 'message_conversation',
      limit: deps.defaults.messageLimits.conversation,
      windowMs: WINDOW_MS,
    },
    network: { bucket: 'message_network', limit: deps.defaults.messageLimits.network, windowMs: WINDOW_MS },
  };
}

/** One polite notice per conversation and window on a channel that pushes (SMS, Bot Framework). */
export const LIMIT_NOTICE_RULE: RateLimitRule = {
  bucket: 'message_limit_notice',
  limit: 1,
  windowMs: WINDOW_MS,
};

/** The counters a message from `networkAddress` (if the channel knows it) is read and counted in. */
export async function messageCounters(
  deps: ServiceDeps,
  networkAddress: string | undefined,
): Promise<CounterBuckets> {
  const rules = messageRules(deps);
  return {
    conversation: rules.conversation.bucket,
    ...(networkAddress === undefined
      ? {}
      : {
          network: {
            bucket: rules.network.bucket,
            key: await networkHash(networkAddress),
          },
        }),
  };
}

export type MessageAllowance =
  | { allowed: true; take: { mustChange: InStatement }[] }
  | { allowed: false; retryAfterSeconds: number };

/**
 * Whether one more message is allowed by the counters read with its context; if so, the guarded
 * statements that count it, for its turn's batch (a message that another one beat to the last place
 * makes the write conflict, and is read again and refused).
 */
export function messageAllowance(
  deps: ServiceDeps,
  counters: CounterBuckets,
  context: Pick<InboundContext, 'counters'>,
  conversationKey: string,
  now: Date,
): MessageAllowance {
  const rules = messageRules(deps);
  let wait = 0;
  for (const [rule, counter] of [
    [rules.conversation, context.counters.conversation],
    [rules.network, counters.network ? context.counters.network : undefined],
  ] as const) {
    const decision = rateLimitDecision(rule, counter, now);
    if (!decision.allowed) wait = Math.max(wait, decision.retryAfterSeconds);
  }
  if (wait > 0) return { allowed: false, retryAfterSeconds: wait };
  return {
    allowed: true,
    take: [
      { mustChange: takeRateLimitStatement(rules.conversation, conversationKey, now) },
      ...(counters.network
        ? [{ mustChange: takeRateLimitStatement(rules.network, counters.network.key, now) }]
        : []),
    ],
  };
}
