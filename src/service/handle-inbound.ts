import { accessCodeState, parseAccessCode } from '../domain/access-code.ts';
import { menuChoiceOf } from '../domain/chat-menu.ts';
import { asksChangeInWords, CONTRACT_ACCEPT, CONTRACT_CHANGE } from '../domain/contract.ts';
import { isOpenWord, releasesHeld } from '../domain/discreet-sms.ts';
import { type Keyword, parseTherapistMessage } from '../domain/keywords.ts';
import type { RiskDetection } from '../domain/safety/detect.ts';
import { DANGER_CHOICES, THOUGHTS_CHOICES } from '../domain/safety/safe-answer.ts';
import { faithfulText } from '../domain/text.ts';
import type { Locale, Reply } from '../engine/types.ts';
import {
  accessCodeAndClientOf,
  accessCodeAndClientStatements,
  markAccessCodeUsedStatement,
} from '../storage/access-codes.ts';
import {
  type AddressRecord,
  findAddress,
  insertAddress,
  insertAddressStatement,
  linkAddressStatement,
  setOptedOut,
} from '../storage/addresses.ts';
import { attachAlertsToClientStatement, findAlert } from '../storage/alerts.ts';
import { type ClientRecord, setClientLocaleStatement } from '../storage/clients.ts';
import { setStartKeyStatement } from '../storage/conversation-starts.ts';
import type { Queryable } from '../storage/db.ts';
import { currentEnrollment, type EnrollmentRecord } from '../storage/enrollments.ts';
import { dropHeldStatement, hasHeldMessages } from '../storage/held-messages.ts';
import {
  type ClientTurnContext,
  clientTurnContextByCodeStatement,
  loadClientTurnContext,
  loadInboundContext,
  turnContextOf,
} from '../storage/inbound-context.ts';
import { takeRateLimitStatement } from '../storage/rate-limits.ts';
import { leaveMenu, menuAnswerTurn, menuChoiceTurn, waitingMenuPrompt } from './chat-menu.ts';
import { codeAttemptKeys, codeAttemptLock, countWrongCode, readCodeAttempts } from './code-attempts.ts';
import { answerContract } from './contracts.ts';
import { courseGate, waitingContractPrompt, waitingContractReplies } from './course-gate.ts';
import type { ServiceDeps } from './deps.ts';
import { waitingQuestion } from './enrollment-state.ts';
import { DuplicateInbound, WriteConflict } from './errors.ts';
import { startDefaultCheckins } from './measurements.ts';
import { LIMIT_NOTICE_RULE, messageAllowance, messageCounters } from './message-limits.ts';
import { storeClientMessage } from './messages.ts';
import type { RenderedReply } from './render.ts';
import { runTurn, type Trigger } from './run-turn.ts';
import { checkInbound, checkSafetyButton, type PressedCheck } from './safety.ts';
import { openSafetyTurn, safetyAnswerTurn, textSignal } from './safety-mode.ts';
import { type CallerStatement, type TurnWrite, writeTurn } from './write-turn.ts';

/**
 * What a client sent, as its channel parsed it: words, a pressed button, or a keyword (STOP, START,
 * HELP) that the channel recognised. Status callbacks and unsupported payloads never come this far.
 */
export type InboundContent =
  | { kind: 'message'; text: string }
  | { kind: 'button'; value: string; text?: string }
  | { kind: 'keyword'; keyword: Keyword; text: string }
  /**
   * Nothing the detector or a flow can read: a picture or file without text (`attachment`: an MMS, a
   * Bot Framework activity), or a message with no text at all (`blank`: an SMS of only spaces).
   */
  | { kind: 'unreadable'; what: 'attachment' | 'blank'; text?: never };

/** A message from a client, already verified and parsed by its channel adapter. */
export interface Inbound {
  channel: string;
  /** The channel's address of the sender: web conversation id, phone number, Bot Framework conversation. */
  address: string;
  /** The provider's message id, for deduplication (Twilio MessageSid, activity id, web client id). */
  providerId?: string;
  /** A language the person chose explicitly in the channel. */
  locale?: Locale;
  /** Create the address if it is new (SMS numbers); web conversations must be started first. */
  createAddress?: boolean;
  content: InboundContent;
  /** Where the request came from, as the channel knows it: for the limits on wrong access codes. */
  origin?: { networkAddress?: string };
  /**
   * The channel started this conversation for this very message and has not welcomed it yet (a web
   * chat's first request with a text): the welcome is part of this message's answer, before anything
   * else, except after a crisis or concern (CLINICAL.md §3: safety comes first), which the protocol's
   * replies answer alone, as on every channel.
   */
  welcome?: boolean;
}

function faithfulContent(content: InboundContent): InboundContent {
  if (content.kind === 'unreadable') return content;
  if (content.kind === 'button') {
    return content.text === undefined ? content : { ...content, text: faithfulText(content.text) };
  }
  return { ...content, text: faithfulText(content.text) };
}

/** The label keys of our own buttons whose values are not words (the protocol's and the contract's). */
const BUTTON_LABELS: ReadonlyMap<string, string> = new Map([
  ...[...THOUGHTS_CHOICES, ...DANGER_CHOICES].map((value) => [value, `safety.${value}`] as const),
  [CONTRACT_ACCEPT, 'contract.choice.accept'],
  [CONTRACT_CHANGE, 'contract.choice.change'],
]);

/**
 * What a button pressed without a text says, for the transcript and an alert: the label of one of ours
 * whose value is an identifier ("thoughts_unsure" reads "Vet ikke"), else the value as sent. Bot
 * Framework cards and Direct Line send only the value; the web chat sends the label too.
 */
function buttonText(deps: ServiceDeps, value: string, locale: Locale): string {
  const key = BUTTON_LABELS.get(value);
  return key ? deps.catalog.text(locale, key) : value;
}

const buttonOf = (content: InboundContent): string | undefined =>
  content.kind === 'button' ? content.value : undefined;
/** What the safety protocol reads as an answer: a keyword is only words to it. */
const answerOf = (content: InboundContent) => ({ text: content.text, value: buttonOf(content) });

export type InboundOutcome =
  | { kind: 'handled'; addressId: string; replies: RenderedReply[]; cursor: number }
  | { kind: 'duplicate'; addressId: string }
  /** Over the message limits: not taken; the web chat says when to try again. */
  | { kind: 'limited'; addressId: string; retryAfterSeconds: number }
  | { kind: 'unknown_address' };

const MAX_CONFLICT_RETRIES = 5;

/** The first words of a conversation not linked yet: a welcome that asks for the access code. */
const WELCOME: Reply = { key: 'service.welcome' };
/** What a conversation not linked yet waits for, asked again. */
const CODE_PROMPT: Reply = { key: 'service.code_prompt' };

/**
 * Handles one inbound message: dedupe, link by access code, run the turn, write it in one transaction.
 * Messages from one address (and then one client) are applied strictly one after another.
 */
export function handleInbound(deps: ServiceDeps, received: Inbound): Promise<InboundOutcome> {
  // One rule for the text of every channel: kept whole, control characters shown as U+FFFD.
  const inbound = { ...received, content: faithfulContent(received.content) };
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

/**
 * Starts a web chat conversation: a new unlinked address and the welcome asking for the access code. With
 * `welcome: false` the address alone: the message it was started for says the welcome (Inbound.welcome).
 */
export async function startConversation(
  deps: ServiceDeps,
  channel: string,
  locale: Locale | undefined,
  options: { statements?: CallerStatement[]; startKey?: string; welcome?: boolean } = {},
): Promise<{ address: AddressRecord; replies: RenderedReply[]; cursor: number }> {
  const now = deps.clock();
  const address: AddressRecord = {
    id: deps.ids.id(),
    channel,
    address: deps.ids.id(),
    locale: locale ?? deps.defaults.locale,
    createdAt: now.toISOString(),
  };
  // The address goes in the turn's batch: the whole start is one round trip and the commit.
  const written = await deps.db.write((tx) =>
    writeTurn(deps, tx, {
      now,
      address,
      locale: address.locale,
      events: [],
      replies: options.welcome === false ? [] : [WELCOME],
      statements: [
        ...(options.statements ?? []),
        insertAddressStatement(address),
        ...(options.startKey ? [setStartKeyStatement(address.id, options.startKey)] : []),
      ],
    }),
  );
  return { address, ...written };
}

/**
 * A conversation a channel announces before anyone writes (Bot Framework's conversationUpdate when the bot
 * is added): a new unlinked address and the welcome asking for the access code. An address we already
 * know gets nothing, so a repeated announcement never welcomes twice.
 */
export function welcomeAddress(
  deps: ServiceDeps,
  channel: string,
  address: string,
  locale: Locale | undefined,
): Promise<InboundOutcome> {
  return deps.locks.run(`address:${channel}:${address}`, async () => {
    const known = await deps.db.read((q) => findAddress(q, channel, address));
    if (known) return { kind: 'duplicate', addressId: known.id };
    const now = deps.clock();
    const record: AddressRecord = {
      id: deps.ids.id(),
      channel,
      address,
      locale: locale ?? deps.defaults.locale,
      createdAt: now.toISOString(),
    };
    const written = await deps.db.write((tx) =>
      writeTurn(deps, tx, {
        now,
        address: record,
        locale: record.locale,
        events: [],
        replies: [WELCOME],
        statements: [insertAddressStatement(record)],
      }),
    );
    return { kind: 'handled', addressId: record.id, ...written };
  });
}

async function attemptInbound(deps: ServiceDeps, inbound: Inbound): Promise<InboundOutcome> {
  const now = deps.clock();
  const typed = inbound.content.text;
  const value = buttonOf(inbound.content);
  // One statement: the address, the dedupe check, the linked client and its turn context (read before
  // the client's lock; linkedTurn uses the turn context only if nothing ran under that lock since).
  const counters = await messageCounters(deps, inbound.origin?.networkAddress);
  const readAt = deps.locks.sequence();
  const context = await deps.db.read((q) =>
    loadInboundContext(q, inbound.channel, inbound.address, inbound.providerId, counters),
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
  if (context.linkedClientMissing) throw new Error(`Address ${target.id} links to a missing client`);
  const linked = target.clientId ? context.client : undefined;
  // Safety first, on every channel and in every state: every text (and a button's value: a client can
  // put words there) is read by the detector before a keyword, an access code, a flow or the message
  // limits see it.
  const { signal, inValue } = checkInbound(typed, value);
  // What the transcript and an alert show: the text, or the value without one; both when the words that
  // raised a signal came in the value.
  const text =
    typed !== undefined && inValue
      ? `${typed}\n${value}`
      : (typed ?? (value === undefined ? '' : buttonText(deps, value, inbound.locale ?? target.locale)));
  // A pressed "yes" of the protocol's questions is a signal of its own when none of them is open.
  const pressed = checkSafetyButton(value, inbound.locale ?? target.locale);
  // A crisis message, STOP and an answer to the safety protocol's question are never refused.
  const exempt =
    signal.tier !== 'none' ||
    pressed.tier !== 'none' ||
    (inbound.content.kind === 'keyword' && inbound.content.keyword === 'stop') ||
    context.pendingSafetyAlert !== undefined;
  const allowance = exempt ? undefined : messageAllowance(deps, counters, context, target.id, now);
  if (allowance && !allowance.allowed) {
    return limitedTurn(
      deps,
      { now, address, locale: inbound.locale, welcome: inbound.welcome },
      allowance.retryAfterSeconds,
    );
  }
  const payload = { text: typed, value };
  const base: TurnBase = {
    now,
    address: target,
    isNewAddress: !address,
    welcome: inbound.welcome === true && !linked,
    inbound: { providerId: inbound.providerId, text, payload, counted: allowance?.take },
  };
  // A picture or file alone, or no text at all, in a conversation not linked yet: that only text is read
  // here, and the welcome's request for the access code when this is the conversation's first message. A
  // linked client gets the question they are waiting on again (linkedTurn). While the safety protocol's
  // question waits it goes on below as no answer, which the protocol treats as not safe.
  if (inbound.content.kind === 'unreadable' && !linked && context.pendingSafetyAlert === undefined) {
    const locale = inbound.locale ?? target.locale;
    // What the conversation waits for: the welcome's request for the access code, or the request again.
    const waiting = base.isNewAddress || base.welcome ? WELCOME : CODE_PROMPT;
    return outsideFlowTurn(deps, base, undefined, locale, [unreadableReply(inbound.content), waiting]);
  }

  if (linked) {
    const prefetched = context.turn && { context: context.turn, readAt };
    return deps.locks.run(`client:${linked.id}`, () =>
      linkedTurn(deps, base, linked, inbound, { signal, pressed }, prefetched),
    );
  }

  const locale = inbound.locale ?? target.locale;
  // Safety mode works before an access code is typed too: its answers never reach the code check.
  const pendingId = context.pendingSafetyAlert?.id;
  const mode = pendingId ? await deps.db.read((q) => findAlert(q, pendingId)) : undefined;
  if (mode)
    return safetyAnswerTurn(
      deps,
      base,
      { locale, timeZone: deps.defaults.timeZone },
      mode,
      signal,
      answerOf(inbound.content),
    );
  const opening = signal.tier !== 'none' ? signal : pressed;
  if (opening.tier !== 'none') {
    // The protocol's replies alone, as on every channel: its question is the last thing said, and the
    // welcome's request for an access code would bury it. A conversation this message started has none.
    return openSafetyTurn(deps, base, { locale, timeZone: deps.defaults.timeZone }, textSignal(opening), []);
  }
  if (inbound.content.kind === 'keyword') {
    return keywordTurn(deps, base, undefined, locale, inbound.content.keyword);
  }

  return codeTurn(deps, base, inbound, locale);
}

/**
 * A message over the limits (message-limits.ts) is not taken: nothing of it is written and no flow sees
 * it. The web chat answers 429 with the wait; a channel that pushes (SMS, Bot Framework) gets one polite
 * reply per conversation and window, with the crisis numbers, and then silence until the window ends.
 */
async function limitedTurn(
  deps: ServiceDeps,
  request: { now: Date; address: AddressRecord | undefined; locale: Locale | undefined; welcome?: boolean },
  retryAfterSeconds: number,
): Promise<InboundOutcome> {
  const { now, address } = request;
  if (!address) return { kind: 'limited', addressId: '', retryAfterSeconds };
  if (request.welcome) {
    // The conversation this message started still owes its welcome: written without the message, so the
    // page finds it when it polls or sends the message again.
    await deps.db.write((tx) =>
      writeTurn(deps, tx, {
        now,
        address,
        locale: request.locale ?? address.locale,
        events: [],
        replies: [WELCOME],
      }),
    );
  }
  if (deps.senders[address.channel]?.mode === 'push') {
    const minutes = Math.ceil(retryAfterSeconds / 60);
    try {
      await deps.db.write((tx) =>
        writeTurn(deps, tx, {
          now,
          address,
          clientId: address.clientId,
          locale: request.locale ?? address.locale,
          events: [],
          replies: [{ key: 'service.slow_down', vars: { minutes } }],
          statements: [{ mustChange: takeRateLimitStatement(LIMIT_NOTICE_RULE, address.id, now) }],
        }),
      );
    } catch (error) {
      // The notice of this window went out already.
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
  return { kind: 'limited', addressId: address.id, retryAfterSeconds };
}

interface TurnBase {
  now: Date;
  address: AddressRecord;
  isNewAddress: boolean;
  /** The conversation's welcome belongs in this turn's answer (Inbound.welcome). */
  welcome?: boolean;
  /** Writes of this message that belong in its turn's transaction (a message kept for the therapist). */
  alongside?: (tx: Queryable) => Promise<void>;
  /** The access code this message links the address with, spent in the turn's write. */
  linking?: { code: string };
  inbound: NonNullable<TurnWrite['inbound']>;
}

/**
 * A message from an unlinked conversation, after safety and keywords: an access code attempt. Wrong codes
 * are counted per conversation and per network address (code-attempts.ts); while either is over its
 * limit nothing is checked, a right code included, and the reply says how long to wait. An open code
 * links this conversation and is spent in the same write; an expired, revoked or used one gets its own
 * reply (ask for a new code), and an unknown one the usual. A code links one conversation only: a second
 * device needs a new code from the therapist.
 */
async function codeTurn(
  deps: ServiceDeps,
  base: TurnBase,
  inbound: Inbound,
  locale: Locale,
): Promise<InboundOutcome> {
  const { now } = base;
  const code = parseAccessCode(inbound.content.text ?? '');
  const keys = await codeAttemptKeys({
    channel: inbound.channel,
    address: inbound.address,
    networkAddress: inbound.origin?.networkAddress,
  });
  // One round trip: the counters of wrong codes, the code with its client, and that client's turn context
  // (read before the client's lock; used only if nothing ran under that lock since, as in linkedTurn).
  const readAt = deps.locks.sequence();
  const check = await deps.db.read(async (q) => {
    const [counters, codes, clients, context] = await q.batch([
      readCodeAttempts(keys),
      ...(code
        ? [...accessCodeAndClientStatements(code), clientTurnContextByCodeStatement(base.address.id, code)]
        : []),
    ]);
    const lock = codeAttemptLock(keys, counters!.rows, now);
    if (lock || !code) return { lock };
    const { record, client } = accessCodeAndClientOf(codes!.rows, clients!.rows);
    const state = record ? accessCodeState(record, now) : 'unknown';
    return state === 'open' && client
      ? { state, client, turnContext: turnContextOf(context!.rows) }
      : { state, client: undefined };
  });
  const answer = async (reply: Reply, wrongCode: boolean): Promise<InboundOutcome> => {
    const written = await deps.db.write((tx) =>
      writeTurn(deps, tx, {
        ...base,
        locale,
        events: [],
        replies: base.welcome && reply.key !== WELCOME.key ? [WELCOME, reply] : [reply],
        statements: [
          ...(base.isNewAddress ? [insertAddressStatement(base.address)] : []),
          ...(wrongCode ? countWrongCode(keys, now) : []),
        ],
      }),
    );
    return { kind: 'handled', addressId: base.address.id, ...written };
  };

  if (check.lock) {
    const minutes = Math.ceil(check.lock.retryAfterSeconds / 60);
    return answer({ key: 'service.code_locked', vars: { minutes } }, false);
  }
  if (!code) {
    // The chat menu needs a linked conversation: say so, rather than that the code was wrong.
    const menu = inbound.content.kind === 'button' && menuChoiceOf(inbound.content.value);
    const key = menu ? 'menu.needs_code' : base.isNewAddress ? 'service.welcome' : 'service.code_unknown';
    return answer({ key }, false);
  }
  const { client } = check;
  if (!client) {
    return answer({ key: check.state === 'unknown' ? 'service.code_unknown' : 'service.code_spent' }, true);
  }
  const linking = { ...client, locale: inbound.locale ?? client.locale };
  return deps.locks.run(`client:${client.id}`, async () => {
    const turnContext =
      check.turnContext && deps.locks.quietSince(`client:${client.id}`, readAt)
        ? check.turnContext
        : await deps.db.read((q) => loadClientTurnContext(q, base.address.id, client.id));
    return clientTurn(deps, { ...base, linking: { code } }, linking, inbound, turnContext.enrollment, {
      contractWaits: turnContext.awaitingContract !== undefined,
    });
  });
}

/** A linked client's message, inside the client's lock: safety mode, a new signal, a keyword, or the flow. */
async function linkedTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  inbound: Inbound,
  checked: { signal: RiskDetection; pressed: PressedCheck },
  prefetched?: { context: ClientTurnContext; readAt: number },
): Promise<InboundOutcome> {
  const { signal, pressed } = checked;
  const locale = inbound.locale ?? client.locale;
  const audience = { locale, timeZone: client.timeZone, client };
  // The open safety question and the current enrollment: read with the address when no other task ran
  // under this client's lock since (other channels, timers, check-ins), else again now, inside it.
  const context =
    prefetched && deps.locks.quietSince(`client:${client.id}`, prefetched.readAt)
      ? prefetched.context
      : await deps.db.read((q) => loadClientTurnContext(q, base.address.id, client.id));
  // A message to the therapist is never lost: whatever answers it (the safety protocol included), it is
  // kept for the therapist in the same write.
  const toTherapist =
    inbound.content.kind === 'message' ? parseTherapistMessage(inbound.content.text) : undefined;
  const body = toTherapist?.body;
  const kept: TurnBase = body
    ? {
        ...base,
        alongside: (tx) =>
          storeClientMessage(deps, tx, {
            clientId: client.id,
            text: body,
            channel: base.address.channel,
            now: base.now,
          }),
      }
    : base;
  if (context.pending) {
    const pendingId = context.pending.id;
    const mode = await deps.db.read((q) => findAlert(q, pendingId));
    if (mode?.safetyStep) {
      return safetyAnswerTurn(
        deps,
        kept,
        audience,
        mode,
        signal,
        answerOf(inbound.content),
        context.enrollment,
      );
    }
  }
  const opening = signal.tier !== 'none' ? signal : pressed;
  if (opening.tier !== 'none') return openSafetyTurn(deps, kept, audience, textSignal(opening), []);
  if (inbound.content.kind === 'keyword') {
    return keywordTurn(deps, base, client, locale, inbound.content.keyword);
  }
  // A number that sent STOP gets nothing until START (the carrier blocks it too): what it writes is kept
  // and reaches no flow, which would move on where the client never sees it; after START the waiting
  // question comes again. A message to the therapist is still kept for them.
  if (base.address.optedOutAt && !toTherapist) return outsideFlowTurn(deps, base, client, locale, []);
  // A picture or file alone, or no text at all: that only text is read here, and the question the
  // conversation waits on again, since no flow saw the message. What a discreet notice held is released
  // by this turn's write, ahead of these replies, and ends with that question itself.
  if (inbound.content.kind === 'unreadable') {
    const held =
      releasesHeld({ channel: base.address.channel, kind: 'normal' }) &&
      (await deps.db.read((q) => hasHeldMessages(q, base.address.id)));
    const again = held ? undefined : await waitingPrompt(deps, client, base.address, context);
    return outsideFlowTurn(deps, base, client, locale, [
      unreadableReply(inbound.content),
      ...(again ? [again] : []),
    ]);
  }
  // JA / YES to a discreet notice only asks to see what it held: released by the turn's write, and the
  // word goes no further (it would answer the flow's or the contract's question). Any other message
  // while something is held opens it too, and is not taken as an answer: the client has not seen the
  // question it would answer (a bare "3" to a notice went to a mood question held behind it). A message
  // to the therapist, and a change to the contract asked in words, go on as usual: each is only a wish.
  if (
    inbound.content.kind === 'message' &&
    !toTherapist &&
    !asksChangeInWords(inbound.content.text) &&
    releasesHeld({ channel: base.address.channel, kind: 'normal' }) &&
    (await deps.db.read((q) => hasHeldMessages(q, base.address.id)))
  ) {
    return openHeldTurn(deps, base, client, locale, isOpenWord(inbound.content.text));
  }
  // What the conversation waits for, asked again after a message that no flow takes.
  const waiting = () => waitingPrompt(deps, client, base.address, context);
  if (toTherapist) {
    const again = body !== '' ? await waiting() : undefined;
    return therapistMessageTurn(deps, kept, client, locale, body !== '', again);
  }
  // The chat menu: a choice asks for a message to the therapist or a phone number, and the next message
  // is the answer to it; anything else (a course button) leaves the menu.
  const menuTurn = async () => ({
    now: base.now,
    address: base.address,
    isNewAddress: base.isNewAddress,
    client,
    locale,
    inbound: base.inbound,
    waiting: await waiting(),
  });
  const choice = inbound.content.kind === 'button' ? menuChoiceOf(inbound.content.value) : undefined;
  if (choice) {
    const written = await menuChoiceTurn(deps, await menuTurn(), choice);
    return { kind: 'handled', addressId: base.address.id, ...written };
  }
  const menuPrompt = waitingMenuPrompt(base.address, base.now);
  if (menuPrompt && inbound.content.kind === 'message') {
    const written = await menuAnswerTurn(deps, await menuTurn(), menuPrompt, inbound.content.text);
    return { kind: 'handled', addressId: base.address.id, ...written };
  }
  await leaveMenu(deps, base.address);
  // A guidance contract waiting for the client takes their next message as the answer to it.
  if (context.awaitingContract) {
    const written = await answerContract(deps, {
      now: base.now,
      address: base.address,
      client,
      locale,
      enrollment: context.enrollment,
      contractId: context.awaitingContract.id,
      inbound: base.inbound,
      answer: answerOf(inbound.content),
    });
    return { kind: 'handled', addressId: base.address.id, ...written };
  }
  return clientTurn(deps, base, client, inbound, context.enrollment);
}

/**
 * What a conversation waits for the client to answer: the question of a contract that waits for them
 * (its buttons again in the chat), else the flow's waiting question (a course step, a questionnaire item).
 */
async function waitingPrompt(
  deps: ServiceDeps,
  client: ClientRecord,
  address: AddressRecord,
  context: ClientTurnContext,
): Promise<Reply | undefined> {
  const contract = context.awaitingContract
    ? await waitingContractPrompt(deps, client.id, address)
    : undefined;
  return contract ?? waitingQuestion(deps, context.enrollment);
}

async function clientTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  inbound: Inbound,
  enrollment: EnrollmentRecord | undefined,
  /** Whether a contract waits for the client's answer (read with the turn's context). */
  linkingContext: { contractWaits: boolean } = { contractWaits: false },
): Promise<InboundOutcome> {
  const locale = inbound.locale ?? client.locale;
  const address = { ...base.address, clientId: client.id };
  const at = base.now.toISOString();
  const { content } = inbound;
  const trigger: Trigger = base.linking
    ? { kind: 'resume' }
    : content.kind === 'button'
      ? { kind: 'button', value: content.value, text: content.text }
      : { kind: 'client_message', text: content.text ?? '' };
  const target = { now: base.now, client, enrollment, address, locale };
  // A conversation that links gets a contract that waits for the client: the course gate shows it when
  // the course waits for it; otherwise (a waiver, an amendment of a signed one) it comes after the turn.
  const contractAfter =
    base.linking && linkingContext.contractWaits && (await courseGate(deps, target, trigger)).open;
  const outcome = await runTurn(deps, target, trigger, {
    inbound: base.inbound,
    lead: base.linking ? [...(base.welcome ? [WELCOME] : []), { key: 'service.code_linked' }] : [],
    alongside: base.linking
      ? (tx) => startDefaultCheckins(deps, tx, client, base.address.channel, base.now)
      : undefined,
    // In the turn's batch: the address, the link and the locale need no reading.
    statements: [
      ...(base.isNewAddress ? [insertAddressStatement(address)] : []),
      ...(base.linking
        ? [
            // Spent in the write that links: if another device or a revocation got there first, the
            // whole attempt runs again and meets the code as used.
            { mustChange: markAccessCodeUsedStatement(base.linking.code, base.address.id, at) },
            linkAddressStatement(base.address.id, client.id, at),
            attachAlertsToClientStatement(base.address.id, client.id),
          ]
        : []),
      ...(locale !== client.locale ? [setClientLocaleStatement(client.id, locale)] : []),
    ],
  });
  const shown = contractAfter && (await waitingContractReplies(deps, client.id, address.channel, locale));
  if (shown) {
    const written = await deps.db.write((tx) =>
      writeTurn(deps, tx, {
        now: base.now,
        address,
        clientId: client.id,
        locale,
        events: [],
        replies: shown,
      }),
    );
    return {
      kind: 'handled',
      addressId: base.address.id,
      replies: [...outcome.replies, ...written.replies],
      cursor: written.cursor,
    };
  }
  return { kind: 'handled', addressId: base.address.id, replies: outcome.replies, cursor: outcome.cursor };
}

/** What a message with nothing to read gets: that only text is read here (a picture) or none came. */
const unreadableReply = (content: { what: 'attachment' | 'blank' }): Reply => ({
  key: content.what === 'blank' ? 'service.empty_message' : 'service.text_only',
});

/**
 * STOP, START and HELP (CLINICAL.md §7): consent changes are recorded as events; the STOP confirmation
 * is the last thing sent until START; HELP names the service, the clinic, the crisis numbers and STOP.
 */
async function keywordTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord | undefined,
  locale: Locale,
  keyword: Keyword,
): Promise<InboundOutcome> {
  const at = base.now.toISOString();
  let replies: Reply[];
  if (keyword === 'help') {
    // How to reach the clinic (CLINIC_CONTACT), else the therapist at the clinic named in CLINIC_NAME.
    const name = deps.defaults.clinicName;
    const clinic =
      deps.defaults.clinicContact ??
      (name
        ? deps.catalog.text(locale, 'sms.clinic_named', { name })
        : deps.catalog.text(locale, 'sms.clinic_default'));
    replies = [{ key: 'sms.help', vars: { clinic } }];
  } else if (keyword === 'stop') {
    replies = [{ key: 'sms.stopped' }];
  } else {
    const enrollment = client ? await deps.db.read((q) => currentEnrollment(q, client.id)) : undefined;
    // A contract waiting for the client takes their next message, so it comes back, not the course's
    // question: shown whole again, since what STOP dropped (a discreet notice's content) was never read.
    const contract = client && (await waitingContractReplies(deps, client.id, base.address.channel, locale));
    const prompt = waitingQuestion(deps, enrollment);
    replies = [{ key: 'sms.started' }, ...(contract ?? (prompt ? [prompt] : []))];
  }
  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, base.address);
    if (keyword !== 'help') await setOptedOut(tx, base.address.id, keyword === 'stop' ? at : null);
    // No more SMS means none of what a discreet notice held either (the transcript keeps it).
    if (keyword === 'stop') await tx.execute(dropHeldStatement(base.address.id));
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

/**
 * A message to the therapist (the reply word first, after the safety check): kept unread for the
 * therapist (by `base.alongside`), confirmed to the client, and the question the conversation waits at
 * (`waiting`: the contract's, or the flow's) asked again: the flow is not run, so it still waits for its
 * answer. The word alone gets a line on how to use it.
 */
const therapistMessageTurn = (
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  locale: Locale,
  kept: boolean,
  waiting: Reply | undefined,
): Promise<InboundOutcome> =>
  outsideFlowTurn(deps, base, client, locale, [
    { key: kept ? 'messages.sent' : 'messages.empty' },
    ...(waiting ? [waiting] : []),
  ]);

/**
 * A message to a discreet notice: the client's message is kept and what the notice held is released by
 * the write (write-turn.ts), in its order; no flow sees the message. After JA / YES nothing else is
 * said; after anything else, that it was not taken as an answer and should be sent again.
 */
const openHeldTurn = (
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord,
  locale: Locale,
  asked: boolean,
): Promise<InboundOutcome> =>
  outsideFlowTurn(deps, base, client, locale, asked ? [] : [{ key: 'sms.held_answer_again' }]);

/** A client's message that no flow sees: kept in the transcript (with the caller's writes) and answered. */
async function outsideFlowTurn(
  deps: ServiceDeps,
  base: TurnBase,
  client: ClientRecord | undefined,
  locale: Locale,
  replies: Reply[],
): Promise<InboundOutcome> {
  const written = await deps.db.write(async (tx) => {
    if (base.isNewAddress) await insertAddress(tx, base.address);
    await base.alongside?.(tx);
    return writeTurn(deps, tx, {
      now: base.now,
      address: base.address,
      clientId: client?.id,
      locale,
      inbound: base.inbound,
      events: [],
      replies,
    });
  });
  return { kind: 'handled', addressId: base.address.id, ...written };
}
