import type { SmsKeyword } from '../channels/sms/keywords.ts';
import { parseAccessCode } from '../domain/access-code.ts';
import type { RiskDetection } from '../domain/safety/detect.ts';
import { answerSafetyQuestion, openSafetyMode, type SafetyMode } from '../domain/safety/protocol.ts';
import { turn } from '../engine/turn.ts';
import type { DomainEvent, Locale, Reply } from '../engine/types.ts';
import {
  type AddressRecord,
  findAddress,
  insertAddress,
  linkAddress,
  setOptedOut,
} from '../storage/addresses.ts';
import {
  type AlertRecord,
  attachAlertsToClient,
  closeSafetyMode,
  findAlert,
  insertAlert,
  pendingSafetyQuestion,
  recordSafetyAnswer,
} from '../storage/alerts.ts';
import { type ClientRecord, findClientByAccessCode, setClientLocale } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import { currentEnrollment, type EnrollmentRecord } from '../storage/enrollments.ts';
import {
  type ClientTurnContext,
  loadClientTurnContext,
  loadInboundContext,
} from '../storage/inbound-context.ts';
import { advanceEnrollment, waitingQuestion } from './advance-enrollment.ts';
import type { ServiceDeps } from './deps.ts';
import { DuplicateInbound, WriteConflict } from './errors.ts';
import { startDefaultCheckins } from './measurements.ts';
import type { RenderedReply } from './render.ts';
import { ALERTED, checkText } from './safety.ts';
import {
  alertKindOf,
  askReplies,
  endReplies,
  flowSignal,
  openingReplies,
  type Signal,
} from './safety-protocol.ts';
import { type TurnWrite, writeTurn } from './write-turn.ts';

/** A message from a client, already verified and parsed by its channel adapter. */
export interface Inbound {
  channel: string;
  /** The channel's address of the sender: web conversation id, phone number, Bot Framework conversation. */
  address: string;
  /** The provider's message id, for deduplication (Twilio MessageSid, activity id, web client id). */
  providerId?: string;
  text?: string;
  /** The value of a pressed button. */
  value?: string;
  /** A language the person chose explicitly in the channel. */
  locale?: Locale;
  /** Create the address if it is new (SMS numbers); web conversations must be started first. */
  createAddress?: boolean;
  /** An SMS keyword (STOP, START, HELP), parsed by the channel; handled after the safety check. */
  keyword?: SmsKeyword;
}

export type InboundOutcome =
  | { kind: 'handled'; addressId: string; replies: RenderedReply[]; cursor: number }
  | { kind: 'duplicate'; addressId: string }
  | { kind: 'unknown_address' };

const MAX_CONFLICT_RETRIES = 5;

/**
 * Handles one inbound message: dedupe, link by access code, run the turn, write it in one transaction.
 * Messages from one address (and then one client) are applied strictly one after another.
 */
export function handleInbound(deps: ServiceDeps, inbound: Inbound): Promise<InboundOutcome> {
  return deps.locks.run(`address:${inbound.channel}:${inbound.address}`, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await attemptInbound(deps, inbound);
      } catch (error) {
        if (error instanceof DuplicateInbound) {
          const address = await deps.db.read((q) => findAddress(q, inbound.channel, inbound.address));
          return { kind: 'duplicate', addressId: address?.id ?? '' };
        }
        if (error instanceof WriteConflict && attempt < MAX_CONFLICT_RETRIES) continue;
        throw error;
      }
    }
  });
}

/** Starts a web chat conversation: a new unlinked address and the welcome asking for the access code. */
export async function startConversation(
  deps: ServiceDeps,
  channel: string,
  locale: Locale | undefined,
): Promise<{ address: AddressRecord; replies: RenderedReply[]; cursor: number }> {
  const now = deps.clock();
  const address: AddressRecord = {
    id: deps.ids.id(),
    channel,
    address: deps.ids.id(),
    locale: locale ?? deps.defaults.locale,
    createdAt: now.toISOString(),
  };
  const written = await deps.db.write(async (tx) => {
    await insertAddress(tx, address);
    return writeTurn(deps, tx, {
      now,
      address,
      locale: address.locale,
      events: [],
      replies: [{ key: 'service.welcome' }],
    });
  });
  return { address, ...written };
}

async function attemptInbound(deps: ServiceDeps, inbound: Inbound): Promise<InboundOutcome> {
  const now = deps.clock();
  const text = inbound.text ?? inbound.value ?? '';
  // One statement: the address, the dedupe check, the linked client and its turn context (read before
  // the client's lock; linkedTurn uses the turn context only if nothing ran under that lock since).
  const readAt = deps.locks.sequence();
  const context = await deps.db.read((q) =>
    loadInboundContext(q, inbound.channel, inbound.address, inbound.providerId),
  );
  const { address, processed } = context;
  if (processed) throw new DuplicateInbound();
  if (!address && !inbound.createAddress) return { kind: 'unknown_address' };

  const target: AddressRecord = address ?? {
    id: deps.ids.id(),
    channel: inbound.channel,
    address: inbound.address,
    locale: inbound.locale ?? deps.defaults.locale,
    createdAt: now.toISOString(),
  };
  const payload = { text: inbound.text, value: inbound.value };
  const base: TurnBase = {
    now,
    address: target,
    isNewAddress: !address,
    linking: false,
    inbound: { providerId: inbound.providerId, text, payload },
  };
  if (context.linkedClientMissing) throw new Error(`Address ${target.id} links to a missing client`);
  const linked = target.clientId ? context.client : undefined;
  // Safety first, on every channel and in every state: every text is read by the detector before a
  // keyword, an access code or a flow sees it.
  const signal = checkText(inbound.text);

  if (linked) {
    const prefetched = context.turn && { context: context.turn, readAt };
    return deps.locks.run(`client:${linked.id}`, () =>
      linkedTurn(deps, base, linked, inbound, signal, prefetched),
    );
  }

  const locale = inbound.locale ?? target.locale;
  // Safety mode works before an access code is typed too: its answers never reach the code check.
  const mode = address ? await deps.db.read((q) => pendingSafetyQuestion(q, address.id)) : undefined;
  if (mode)
    return safetyAnswerTurn(deps, base, { locale, timeZone: deps.defaults.timeZone }, mode, signal, inbound);
  if (signal.tier !== 'none') {
    return openSafetyTurn(deps, base, { locale, timeZone: deps.defaults.timeZone }, textSignal(signal), []);
  }
  if (inbound.keyword) return keywordTurn(deps, base, undefined, locale, inbound.keyword);

  const code = parseAccessCode(inbound.text ?? '');
  const client = code ? await deps.db.read((q) => findClientByAccessCode(q, code)) : undefined;
  if (!client) {
    const written = await deps.db.write(async (tx) => {
      if (base.isNewAddress) await insertAddress(tx, target);
      return writeTurn(deps, tx, {
        ...base,
        locale,
        events: [],
        replies: [{ key: address || code ? 'service.code_unknown' : 'service.welcome' }],
      });
    });
    return { kind: 'handled', addressId: target.id, ...written };
  }
  const linking = { ...client, locale: inbound.locale ?? client.locale };
  return deps.locks.run(`client:${client.id}`, async () => {
    const turnContext = await deps.db.read((q) => loadClientTurnContext(q, target.id, client.id));
    return clientTurn(deps, { ...base, linking: true }, linking, inbound, turnContext.enrollment);
  });
}

interface TurnBase {
  now: Date;
  address: AddressRecord;
  isNewAddress: boolean;
  linking: boolean;
  inbound: NonNullable<TurnWrite['inbound']>;
}

/** Who a safety reply speaks to: the client when the conversation is linked, else just the address. */
interface SafetyAudience {
  locale: Locale;
  timeZone: string;
  client?: ClientRecord;
}

/** A linked client's message, inside the client's lock: safety mode, a new signal, a keyword, or the flow. */
async function linkedTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  inbound: Inbound,
  signal: RiskDetection,
  prefetched?: { context: ClientTurnContext; readAt: number },
): Promise<InboundOutcome> {
  const locale = inbound.locale ?? client.locale;
  const audience = { locale, timeZone: client.timeZone, client };
  // The open safety question and the current enrollment: read with the address when no other task ran
  // under this client's lock since (other channels, timers, check-ins), else again now, inside it.
  const context =
    prefetched && deps.locks.quietSince(`client:${client.id}`, prefetched.readAt)
      ? prefetched.context
      : await deps.db.read((q) => loadClientTurnContext(q, base.address.id, client.id));
  if (context.pending) {
    const pendingId = context.pending.id;
    const mode = await deps.db.read((q) => findAlert(q, pendingId));
    if (mode?.safetyStep) {
      return safetyAnswerTurn(deps, base, audience, mode, signal, inbound, context.enrollment);
    }
  }
  if (signal.tier !== 'none') return openSafetyTurn(deps, base, audience, textSignal(signal), []);
  if (inbound.keyword) return keywordTurn(deps, base, client, locale, inbound.keyword);
  return clientTurn(deps, base, client, inbound, context.enrollment);
}

async function clientTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  inbound: Inbound,
  enrollment: EnrollmentRecord | undefined,
): Promise<InboundOutcome> {
  const locale = inbound.locale ?? client.locale;
  const step = await advanceEnrollment(deps, client, enrollment, base.now, locale, (flow, persisted) =>
    base.linking
      ? { kind: 'resume' as const }
      : {
          kind: 'turn' as const,
          result: turn({
            flow,
            persisted,
            event: { kind: 'input', input: { text: inbound.text, value: inbound.value } },
            now: base.now,
            locale,
            timeZone: client.timeZone,
            text: (key, vars) => deps.catalog.text(locale, key, vars),
          }),
        },
  );
  // PHQ-9 item 9 above 0 or a "yes" to the intro's acute question: the protocol runs before the flow
  // goes on. The flow's replies (the next item) wait until safety mode ends.
  const flowRaised = flowSignal(step.events);
  const linkedReply: Reply[] = base.linking ? [{ key: 'service.code_linked' }] : [];
  const audience = { locale, timeZone: client.timeZone, client };

  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, { ...base.address, clientId: client.id });
    if (base.linking) {
      await linkAddress(tx, base.address.id, client.id, base.now.toISOString());
      await attachAlertsToClient(tx, base.address.id, client.id);
      await startDefaultCheckins(deps, tx, client, base.address.channel, base.now);
    }
    if (locale !== client.locale) await setClientLocale(tx, client.id, locale);
    const address = { ...base.address, clientId: client.id };
    const turnWrite = {
      now: base.now,
      address,
      clientId: client.id,
      locale,
      inbound: base.inbound,
      enrollment: step.enrollment,
      events: step.events,
    };
    if (flowRaised) {
      const opened = await raiseSignal(
        deps,
        tx,
        { ...base, address },
        audience,
        flowRaised,
        step.replies,
        step.enrollment?.id,
      );
      return writeTurn(deps, tx, {
        ...turnWrite,
        events: [...step.events, opened.event],
        replies: [...linkedReply, ...opened.replies],
        kind: 'safety',
      });
    }
    return writeTurn(deps, tx, { ...turnWrite, replies: [...linkedReply, ...step.replies] });
  });
  if (flowRaised) logSignal(deps, base, flowRaised);
  return { kind: 'handled', addressId: base.address.id, ...written };
}

function textSignal(detection: Exclude<RiskDetection, { tier: 'none' }>): Signal {
  return { source: 'text', tier: detection.tier, rule: detection.rule };
}

/**
 * Opens safety mode (CLINICAL.md §3): an alert with the trigger, what was shown and, as the client
 * answers, every answer; high priority for a crisis (the client's reminders and check-ins pause until a
 * therapist acknowledges), normal for a concern. A newer signal replaces an open question.
 */
async function raiseSignal(
  deps: ServiceDeps,
  tx: Queryable,
  base: TurnBase,
  audience: SafetyAudience,
  signal: Signal,
  held: readonly Reply[],
  enrollmentId?: string,
): Promise<{ replies: Reply[]; event: DomainEvent }> {
  const replies = openingReplies(deps, signal, {
    now: base.now,
    locale: audience.locale,
    timeZone: audience.timeZone,
    hasTherapist: false,
  });
  await closeSafetyMode(tx, base.address.id);
  const alertId = deps.ids.id();
  const mode: SafetyMode = openSafetyMode(signal.tier);
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
    alerted: ALERTED,
    safetyStep: mode.step,
    safetyAnswers: [],
    heldReplies: [...held],
    createdAt: base.now.toISOString(),
  });
  const event: DomainEvent = {
    type: 'safety.signal_raised',
    data: { alertId, source: signal.source, tier: signal.tier, rule: signal.rule },
  };
  return { replies, event };
}

function logSignal(deps: ServiceDeps, base: TurnBase, signal: Signal): void {
  deps.log.warn(signal.tier === 'crisis' ? 'crisis alert raised' : 'concern signal recorded', {
    addressId: base.address.id,
    channel: base.address.channel,
    source: signal.source,
  });
}

/** A signal in the client's own words: the protocol's opening, written with the inbound message. */
async function openSafetyTurn(
  deps: ServiceDeps,
  base: TurnBase,
  audience: SafetyAudience,
  signal: Signal,
  held: readonly Reply[],
): Promise<InboundOutcome> {
  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, base.address);
    const opened = await raiseSignal(deps, tx, base, audience, signal, held);
    return writeTurn(deps, tx, {
      now: base.now,
      address: base.address,
      clientId: audience.client?.id,
      locale: audience.locale,
      inbound: base.inbound,
      events: [opened.event],
      replies: opened.replies,
      kind: 'safety',
    });
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
async function safetyAnswerTurn(
  deps: ServiceDeps,
  base: TurnBase,
  audience: SafetyAudience,
  alert: AlertRecord,
  signal: RiskDetection,
  inbound: Inbound,
  enrollment?: EnrollmentRecord,
): Promise<InboundOutcome> {
  const mode: SafetyMode = { step: alert.safetyStep ?? 'ask_thoughts', tier: alert.tier };
  const decision = answerSafetyQuestion(
    mode,
    { text: inbound.text, value: inbound.value },
    signal.tier === 'none' ? undefined : signal.tier,
  );
  const at = base.now.toISOString();
  let replies: Reply[];
  if (decision.kind === 'end') {
    // After STOP only safety messages go out: the course does not come back by SMS until START.
    const held = alert.heldReplies as Reply[];
    const waiting = held.length > 0 ? undefined : waitingQuestion(deps, enrollment);
    const resume = base.address.optedOutAt ? [] : waiting ? [waiting] : held;
    replies = endReplies(
      resume,
      resume.length > 0 && (waiting !== undefined || held.at(-1)?.choices !== undefined),
    );
  } else {
    replies = askReplies(decision);
  }
  const written = await deps.db.write(async (tx) => {
    await recordSafetyAnswer(tx, alert.id, {
      entry: { step: mode.step, answer: decision.answer, at },
      step: decision.kind === 'end' ? undefined : decision.next.step,
      escalate: decision.kind === 'ask' && decision.escalate,
    });
    return writeTurn(deps, tx, {
      now: base.now,
      address: base.address,
      clientId: audience.client?.id,
      locale: audience.locale,
      inbound: base.inbound,
      events: [
        {
          type: decision.kind === 'end' ? 'safety.mode_ended' : 'safety.answered',
          data: { alertId: alert.id, step: mode.step, answer: decision.answer },
        },
      ],
      replies,
      kind: 'safety',
    });
  });
  if (decision.kind === 'ask' && decision.escalate) {
    deps.log.warn('concern escalated to crisis', {
      addressId: base.address.id,
      channel: base.address.channel,
    });
  }
  return { kind: 'handled', addressId: base.address.id, ...written };
}

/**
 * STOP, START and HELP (CLINICAL.md §7): consent changes are recorded as events; the STOP confirmation
 * is the last thing sent until START; HELP names the service, the clinic, the crisis numbers and STOP.
 */
async function keywordTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord | undefined,
  locale: Locale,
  keyword: SmsKeyword,
): Promise<InboundOutcome> {
  const at = base.now.toISOString();
  let replies: Reply[];
  if (keyword === 'help') {
    const clinic = deps.defaults.clinicContact ?? deps.catalog.text(locale, 'sms.clinic_default');
    replies = [{ key: 'sms.help', vars: { clinic } }];
  } else if (keyword === 'stop') {
    replies = [{ key: 'sms.stopped' }];
  } else {
    const enrollment = client ? await deps.db.read((q) => currentEnrollment(q, client.id)) : undefined;
    const prompt = waitingQuestion(deps, enrollment);
    replies = [{ key: 'sms.started' }, ...(prompt ? [prompt] : [])];
  }
  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, base.address);
    if (keyword !== 'help') await setOptedOut(tx, base.address.id, keyword === 'stop' ? at : null);
    return writeTurn(deps, tx, {
      now: base.now,
      address: { ...base.address, optedOutAt: keyword === 'stop' ? at : undefined },
      clientId: client?.id,
      locale,
      inbound: base.inbound,
      events:
        keyword === 'help'
          ? []
          : [
              {
                type: keyword === 'stop' ? 'consent.sms_revoked' : 'consent.sms_granted',
                data: { addressId: base.address.id },
              },
            ],
      replies,
      kind: keyword === 'start' ? 'normal' : 'consent',
    });
  });
  return { kind: 'handled', addressId: base.address.id, ...written };
}
