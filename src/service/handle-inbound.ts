import type { SmsKeyword } from '../channels/sms/keywords.ts';
import { parseAccessCode } from '../domain/access-code.ts';
import type { CrisisDetection } from '../domain/safety/detect.ts';
import { parseSafeAnswer } from '../domain/safety/safe-answer.ts';
import { turn } from '../engine/turn.ts';
import type { Locale, Reply } from '../engine/types.ts';
import {
  type AddressRecord,
  findAddress,
  insertAddress,
  linkAddress,
  setOptedOut,
} from '../storage/addresses.ts';
import { insertAlert, pendingSafetyQuestion, recordSafetyAnswer } from '../storage/alerts.ts';
import { type ClientRecord, findClientByAccessCode, setClientLocale } from '../storage/clients.ts';
import { currentEnrollment } from '../storage/enrollments.ts';
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
import { ALERTED, checkText, crisisReplies, safeAnswerReplies, withItem9Replies } from './safety.ts';
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
  // the client's lock; clientTurn uses the turn context only if nothing ran under that lock since).
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
  const base = { now, address: target, inbound: { providerId: inbound.providerId, text, payload } };

  const isNewAddress = !address;
  if (context.linkedClientMissing) throw new Error(`Address ${target.id} links to a missing client`);
  const linked = target.clientId ? context.client : undefined;

  // Safety first, on every channel and in every state: a crisis text never reaches keywords or flows.
  const crisis = checkText(inbound.text);
  if (crisis.matched) {
    const locale = inbound.locale ?? linked?.locale ?? target.locale;
    const respond = () =>
      writeCrisis(deps, { ...base, isNewAddress, linking: false }, linked, locale, crisis);
    return linked ? deps.locks.run(`client:${linked.id}`, respond) : respond();
  }
  if (inbound.keyword) {
    const locale = inbound.locale ?? linked?.locale ?? target.locale;
    const respond = () =>
      keywordTurn(deps, { ...base, isNewAddress, linking: false }, linked, locale, inbound.keyword!);
    return linked ? deps.locks.run(`client:${linked.id}`, respond) : respond();
  }

  if (!linked) {
    const code = parseAccessCode(inbound.text ?? '');
    const client = code ? await deps.db.read((q) => findClientByAccessCode(q, code)) : undefined;
    const locale = client ? (inbound.locale ?? client.locale) : (inbound.locale ?? target.locale);
    if (!client) {
      const written = await deps.db.write(async (tx) => {
        if (isNewAddress) await insertAddress(tx, target);
        return writeTurn(deps, tx, {
          ...base,
          locale,
          events: [],
          replies: [{ key: address || code ? 'service.code_unknown' : 'service.welcome' }],
        });
      });
      return { kind: 'handled', addressId: target.id, ...written };
    }
    return deps.locks.run(`client:${client.id}`, () =>
      clientTurn(deps, { ...base, isNewAddress, linking: true }, { ...client, locale }, inbound),
    );
  }
  const prefetched = context.turn && { context: context.turn, readAt };
  return deps.locks.run(`client:${linked.id}`, () =>
    clientTurn(deps, { ...base, isNewAddress: false, linking: false }, linked, inbound, prefetched),
  );
}

interface TurnBase {
  now: Date;
  address: AddressRecord;
  isNewAddress: boolean;
  linking: boolean;
  inbound: NonNullable<TurnWrite['inbound']>;
}

async function clientTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  inbound: Inbound,
  prefetched?: { context: ClientTurnContext; readAt: number },
): Promise<InboundOutcome> {
  const locale = inbound.locale ?? client.locale;
  // The open safety question and the current enrollment: read with the address when no other task ran
  // under this client's lock since (other channels, timers, check-ins), else again now, inside it.
  const context =
    prefetched && deps.locks.quietSince(`client:${client.id}`, prefetched.readAt)
      ? prefetched.context
      : await deps.db.read((q) => loadClientTurnContext(q, base.address.id, client.id));
  const pending = base.linking ? undefined : context.pending;
  const { enrollment } = context;
  const safeAnswer = pending ? parseSafeAnswer(inbound) : undefined;
  if (pending && safeAnswer) {
    const prompt = waitingQuestion(deps, enrollment);
    const written = await deps.db.write(async (tx) => {
      await recordSafetyAnswer(tx, pending.id, safeAnswer);
      return writeTurn(deps, tx, {
        now: base.now,
        address: base.address,
        clientId: client.id,
        locale,
        inbound: base.inbound,
        events: [{ type: 'safety.answered', data: { alertId: pending.id, answer: safeAnswer } }],
        replies: safeAnswerReplies(safeAnswer, prompt),
      });
    });
    return { kind: 'handled', addressId: base.address.id, ...written };
  }

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
  const replies: Reply[] = [
    ...(base.linking ? [{ key: 'service.code_linked' }] : []),
    ...withItem9Replies(step.replies, step.events),
  ];

  const written = await deps.db.write(async (tx) => {
    // An answer that was not yes or no closes the safety question: the conversation simply goes on.
    if (pending) await recordSafetyAnswer(tx, pending.id, null);
    if (base.isNewAddress) await insertAddress(tx, { ...base.address, clientId: client.id });
    if (base.linking) {
      await linkAddress(tx, base.address.id, client.id, base.now.toISOString());
      await startDefaultCheckins(deps, tx, client, base.address.channel, base.now);
    }
    if (locale !== client.locale) await setClientLocale(tx, client.id, locale);
    return writeTurn(deps, tx, {
      now: base.now,
      address: { ...base.address, clientId: client.id },
      clientId: client.id,
      locale,
      inbound: base.inbound,
      enrollment: step.enrollment,
      events: step.events,
      replies,
    });
  });
  return { kind: 'handled', addressId: base.address.id, ...written };
}

/** The crisis response (CLINICAL.md §3) and a high-priority alert, written with the inbound message. */
async function writeCrisis(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord | undefined,
  locale: Locale,
  crisis: Extract<CrisisDetection, { matched: true }>,
): Promise<InboundOutcome> {
  const now = base.now.toISOString();
  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, base.address);
    const open = await pendingSafetyQuestion(tx, base.address.id);
    if (open) await recordSafetyAnswer(tx, open.id, null);
    const alertId = deps.ids.id();
    await insertAlert(tx, {
      id: alertId,
      clientId: client?.id,
      addressId: base.address.id,
      kind: 'crisis_text',
      priority: 'high',
      triggerText: base.inbound.text,
      matchedPhrase: crisis.phrase,
      channel: base.address.channel,
      shown: crisisReplies.map((r) => r.key),
      alerted: ALERTED,
      safetyQuestionPending: true,
      createdAt: now,
    });
    return writeTurn(deps, tx, {
      now: base.now,
      address: base.address,
      clientId: client?.id,
      locale,
      inbound: base.inbound,
      events: [
        { type: 'safety.crisis_detected', data: { alertId, phrase: crisis.phrase, kind: crisis.kind } },
      ],
      replies: crisisReplies,
      kind: 'safety',
    });
  });
  deps.log.warn('crisis alert raised', { addressId: base.address.id, channel: base.address.channel });
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
