import type { RiskDetection } from '../domain/safety/detect.ts';
import { answerSafetyQuestion, openSafetyMode, type SafetyMode } from '../domain/safety/protocol.ts';
import type { DomainEvent, Locale, Reply } from '../engine/types.ts';
import { type AddressRecord, insertAddress } from '../storage/addresses.ts';
import { type AlertRecord, closeSafetyMode, insertAlert, recordSafetyAnswer } from '../storage/alerts.ts';
import type { ClientRecord } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import type { EnrollmentRecord } from '../storage/enrollments.ts';
import { waitingContractPrompt } from './course-gate.ts';
import type { ServiceDeps } from './deps.ts';
import { notifyDutyPhone } from './duty-alert.ts';
import { waitingQuestion } from './enrollment-state.ts';
import type { InboundOutcome } from './handle-inbound.ts';
import { alertedTo, type PressedCheck } from './safety.ts';
import { alertKindOf, askReplies, endReplies, openingReplies, type Signal } from './safety-protocol.ts';
import { type TurnWrite, writeTurn } from './write-turn.ts';

/**
 * Safety mode (CLINICAL.md §3) in the service: opening it on a signal, and answering every message that
 * arrives while its direct question waits. The decisions are pure (src/domain/safety/protocol.ts); this
 * file writes them, each in one transaction with the message that caused it.
 */

/** What a safety turn writes besides its replies: the message and where it came from. */
export interface SafetyTurnBase {
  now: Date;
  address: AddressRecord;
  isNewAddress: boolean;
  inbound: NonNullable<TurnWrite['inbound']>;
  /** The caller's own writes in the same transaction: a message to the therapist kept with the turn. */
  alongside?: (tx: Queryable) => Promise<void>;
}

/** Who a safety reply speaks to: the client when the conversation is linked, else just the address. */
export interface SafetyAudience {
  locale: Locale;
  timeZone: string;
  client?: ClientRecord;
}

/**
 * A signal in the client's own input: words the detector read, or a stale button of the protocol's
 * questions (checkSafetyButton), which carries the answer it gives.
 */
export function textSignal(
  detection: Exclude<RiskDetection, { tier: 'none' }> | Exclude<PressedCheck, { tier: 'none' }>,
): Signal {
  const signal: Signal = { source: 'text', tier: detection.tier, rule: detection.rule };
  return 'answered' in detection ? { ...signal, answered: detection.answered } : signal;
}

/**
 * Opens safety mode (CLINICAL.md §3): an alert with the trigger, what was shown and, as the client
 * answers, every answer; high priority for a crisis (the client's reminders and check-ins pause until a
 * therapist acknowledges), normal for a concern. A newer signal replaces an open question. A stale
 * button's answer is recorded on the new alert as the protocol records answers (`answered`, its event),
 * and safety mode waits at the question that answer leads to.
 */
export async function raiseSignal(
  deps: ServiceDeps,
  tx: Queryable,
  base: SafetyTurnBase,
  audience: SafetyAudience,
  signal: Signal,
  held: readonly Reply[],
  enrollmentId?: string,
): Promise<{ replies: Reply[]; event: DomainEvent; answered?: DomainEvent }> {
  const replies = openingReplies(deps, signal, {
    now: base.now,
    locale: audience.locale,
    timeZone: audience.timeZone,
    hasTherapist: audience.client?.therapistId !== undefined,
  });
  await closeSafetyMode(tx, base.address.id);
  const alertId = deps.ids.id();
  const stale = signal.answered;
  const mode: SafetyMode = stale ? stale.decision.next : openSafetyMode(signal.tier);
  const duty = await notifyDutyPhone(deps, tx, base.now);
  await insertAlert(tx, {
    id: alertId,
    clientId: audience.client?.id,
    addressId: base.address.id,
    enrollmentId,
    kind: alertKindOf(signal),
    tier: signal.tier,
    priority: signal.tier === 'crisis' ? 'high' : 'normal',
    triggerText: base.inbound.text,
    matchedPhrase: signal.rule,
    channel: base.address.channel,
    shown: replies.map((r) => r.key),
    alerted: alertedTo(audience.client, duty),
    safetyStep: mode.step,
    safetyAnswers: [],
    heldReplies: [...held],
    createdAt: base.now.toISOString(),
  });
  const event: DomainEvent = {
    type: 'safety.signal_raised',
    data: { alertId, source: signal.source, tier: signal.tier, rule: signal.rule },
  };
  if (!stale) return { replies, event };
  const { asked, decision } = stale;
  await recordSafetyAnswer(tx, alertId, {
    entry: { step: asked.step, answer: decision.answer, at: base.now.toISOString() },
    step: decision.next.step,
    escalate: decision.escalate,
  });
  const answered: DomainEvent = {
    type: 'safety.answered',
    data: { alertId, step: asked.step, answer: decision.answer },
  };
  return { replies, event, answered };
}

export function logSignal(deps: ServiceDeps, base: { address: AddressRecord }, signal: Signal): void {
  deps.log.warn(signal.tier === 'crisis' ? 'crisis alert raised' : 'concern signal recorded', {
    addressId: base.address.id,
    channel: base.address.channel,
    source: signal.source,
  });
}

/** A signal in the client's own words: the protocol's opening, written with the inbound message. */
export async function openSafetyTurn(
  deps: ServiceDeps,
  base: SafetyTurnBase,
  audience: SafetyAudience,
  signal: Signal,
  held: readonly Reply[],
): Promise<InboundOutcome> {
  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, base.address);
    await base.alongside?.(tx);
    const opened = await raiseSignal(deps, tx, base, audience, signal, held);
    const events = opened.answered ? [opened.event, opened.answered] : [opened.event];
    return writeSafetyTurn(deps, tx, base, audience, events, opened.replies);
  });
  logSignal(deps, base, signal);
  return { kind: 'handled', addressId: base.address.id, ...written };
}

/**
 * A message while safety mode waits for an answer. It never reaches a flow, a keyword or the access-code
 * check: it is read as an answer to the direct question (or as more crisis talk), recorded on the alert,
 * and answered by the protocol. When safety mode ends, the conversation goes back to where it was: the
 * replies the flow held back, or its waiting question.
 */
export async function safetyAnswerTurn(
  deps: ServiceDeps,
  base: SafetyTurnBase,
  audience: SafetyAudience,
  alert: AlertRecord,
  signal: RiskDetection,
  input: { text?: string; value?: string },
  enrollment?: EnrollmentRecord,
): Promise<InboundOutcome> {
  const mode: SafetyMode = { step: alert.safetyStep ?? 'ask_thoughts', tier: alert.tier ?? 'crisis' };
  const decision = answerSafetyQuestion(mode, input, signal.tier === 'none' ? undefined : signal.tier);
  const at = base.now.toISOString();
  let replies: Reply[];
  if (decision.kind === 'end') {
    // After STOP only safety messages go out: the course does not come back by SMS until START.
    const held = alert.heldReplies as Reply[];
    // A contract waiting for the client's answer takes their next message: its question comes back.
    const contract = audience.client && (await waitingContractPrompt(deps, audience.client.id, base.address));
    const waiting = contract ?? (held.length > 0 ? undefined : waitingQuestion(deps, enrollment));
    // A conversation not linked yet has no course to go back to: how to go on is the access code.
    const unlinked: Reply[] = audience.client ? [] : [{ key: 'service.code_prompt' }];
    const resume = base.address.optedOutAt ? [] : waiting ? [waiting] : held.length > 0 ? held : unlinked;
    replies = endReplies(
      resume,
      resume.length > 0 && (waiting !== undefined || held.at(-1)?.choices !== undefined),
    );
  } else {
    replies = askReplies(decision);
  }
  const written = await deps.db.write(async (tx) => {
    await base.alongside?.(tx);
    await recordSafetyAnswer(tx, alert.id, {
      entry: { step: mode.step, answer: decision.answer, at },
      step: decision.kind === 'end' ? undefined : decision.next.step,
      escalate: decision.kind === 'ask' && decision.escalate,
    });
    const event: DomainEvent = {
      type: decision.kind === 'end' ? 'safety.mode_ended' : 'safety.answered',
      data: { alertId: alert.id, step: mode.step, answer: decision.answer },
    };
    return writeSafetyTurn(deps, tx, base, audience, [event], replies);
  });
  if (decision.kind === 'ask' && decision.escalate) {
    deps.log.warn('concern escalated to crisis', {
      addressId: base.address.id,
      channel: base.address.channel,
    });
  }
  return { kind: 'handled', addressId: base.address.id, ...written };
}

/** A safety turn's write: the client's message with the protocol's replies, every one of kind `safety`. */
function writeSafetyTurn(
  deps: ServiceDeps,
  tx: Queryable,
  base: SafetyTurnBase,
  audience: SafetyAudience,
  events: DomainEvent[],
  replies: Reply[],
) {
  return writeTurn(deps, tx, {
    now: base.now,
    address: base.address,
    clientId: audience.client?.id,
    locale: audience.locale,
    inbound: base.inbound,
    events,
    replies,
    kind: 'safety',
  });
}
