import { type ContractFields, isContractCourse } from '../domain/contract.ts';
import { pendingPrompt, sharingStarts, type TurnRequest, turn } from '../engine/turn.ts';
import type { DomainEvent, EngineEvent, FlowEvent, Locale, Reply, TurnResult } from '../engine/types.ts';
import type { AddressRecord } from '../storage/addresses.ts';
import { insertAlert, openFlowErrorAlert } from '../storage/alerts.ts';
import type { ClientRecord } from '../storage/clients.ts';
import type { InStatement, Queryable } from '../storage/db.ts';
import { type EnrollmentRecord, insertEnrollmentStatement } from '../storage/enrollments.ts';
import { discreetSmsStates, dropHeldOfEnrollmentStatement } from '../storage/held-messages.ts';
import { deleteTimer } from '../storage/timers.ts';
import { COURSE_START_TIMER, type CourseGate, contractReplies, courseGate } from './course-gate.ts';
import type { ServiceDeps } from './deps.ts';
import { notifyDutyPhone } from './duty-alert.ts';
import { enrollmentWrite, flowOf, resumeOther } from './enrollment-state.ts';
import { WriteConflict } from './errors.ts';
import { alertedTo } from './safety.ts';
import { logSignal, raiseSignal } from './safety-mode.ts';
import { flowSignal } from './safety-protocol.ts';
import {
  type CallerStatement,
  type TurnStatements,
  type TurnWrite,
  turnStands,
  turnStatements,
  type WrittenTurn,
  writeCallerStatements,
  writeTurn,
  writtenTurn,
} from './write-turn.ts';

/**
 * The one door into a conversation's engine. Every way in — a client's message or button, a timer that
 * fell due, an enrollment that starts, a conversation that comes back to its waiting question — is a
 * `Trigger`; `runTurn` runs the engine once for it, runs the safety step on what the flow raised (PHQ-9
 * item 9 above 0, a "yes" to the intro's acute question), and writes everything in one transaction.
 * New ways in become new trigger kinds here, as a therapist's message (`therapist_message`) did.
 *
 * The guidance contract comes in twice: `contract_sent` carries a version the therapist signed to the
 * client (the engine does not run: the replies are the contract as the client's channel shows it), and
 * `contract_signed` says the client accepted it: a course waiting for it starts with the contract's pace,
 * a running one comes back to its waiting question. A course a therapist is responsible for does not
 * start on any other trigger until a contract is signed or waived (course-gate.ts).
 */
export type Trigger =
  | { kind: 'client_message'; text: string }
  | { kind: 'button'; value: string; text?: string }
  | { kind: 'timer_due'; key: string; event: FlowEvent }
  | { kind: 'start_enrollment' }
  /** Back to the waiting question without new input: after linking a channel. */
  | { kind: 'resume' }
  /** The therapist signed a version of the guidance contract: the client reads it and answers. */
  | { kind: 'contract_sent'; version: number; fields: ContractFields }
  /**
   * The client accepted the contract: signed by both. A course waiting for it starts now, or on
   * `startDate` when that is still ahead (course-gate.ts).
   */
  | { kind: 'contract_signed'; version: number; paceDays: number; startDate: string }
  /**
   * A therapist wrote to the client (messages.ts). The engine does not run: the reply is the therapist's
   * words under a line naming them, and a flow waiting at a question keeps waiting for its answer.
   */
  | { kind: 'therapist_message'; name: string; text: string };

/** Where a trigger lands, loaded by the caller under the client's lock. */
export interface TurnTarget {
  now: Date;
  client: ClientRecord;
  /** The enrollment the trigger is for; undefined when the client has none. */
  enrollment: EnrollmentRecord | undefined;
  /** Where the replies go. */
  address: AddressRecord;
  locale: Locale;
}

export interface TurnOptions {
  /** The client's message, written to the transcript with the dedupe mark. */
  inbound?: TurnWrite['inbound'];
  /** Replies before the turn's own (e.g. "you are linked to your course"). */
  lead?: Reply[];
  /** Events before the turn's own (e.g. "a check-in started"). */
  leadEvents?: DomainEvent[];
  /** The caller's own writes that belong in the same transaction: a new address, linking, a schedule. */
  alongside?: (tx: Queryable) => Promise<void>;
  /**
   * The caller's own writes that need no reading, sent in the turn's batch (one round trip less each):
   * linking, a changed locale. They run after `alongside`.
   */
  statements?: CallerStatement[];
  /**
   * The caller's own writes that refer to the turn's rows: last in the turn's batch (TurnWrite.closing).
   * A turn whose flow failed writes none of them (it writes none of the turn's rows either).
   */
  closing?: InStatement[];
  /** For messages nobody is waiting for (reminders, check-ins): hold them for the send window. */
  scheduledFor?: { timeZone: string };
  /**
   * The target's enrollment is new and not stored yet (a check-in): the turn inserts it with the snapshot
   * the engine started, one statement instead of a pending row and its compare-and-set. A turn that
   * writes no snapshot this way (the flow failed, it opened a safety step, the engine did not run)
   * inserts the pending row after the caller's statements, as the caller would have.
   */
  newEnrollment?: boolean;
}

export type TurnOutcome =
  | ({ kind: 'written' } & WrittenTurn)
  /** The flow failed: nothing of the turn was written but the message, a polite reply and an alert. */
  | ({ kind: 'flow_error' } & WrittenTurn);

/** What the engine made of a trigger, before anything is written. */
type EngineStep =
  | { kind: 'replies'; replies: Reply[] }
  | { kind: 'turn'; result: TurnResult; started: boolean }
  | { kind: 'failed'; error: unknown };

function engineStep(
  deps: ServiceDeps,
  target: TurnTarget,
  trigger: Trigger,
  gate: CourseGate,
  engine: (req: TurnRequest) => TurnResult,
): EngineStep {
  const { enrollment, client, locale, now } = target;
  if (trigger.kind === 'therapist_message') {
    const vars = { name: trigger.name, text: trigger.text };
    return { kind: 'replies', replies: [{ key: 'messages.from_therapist', vars }] };
  }
  if (trigger.kind === 'contract_sent') {
    const replies = contractReplies(deps.catalog, trigger.fields, target.address.channel, {
      version: trigger.version,
      locale,
    });
    return { kind: 'replies', replies };
  }
  if (!gate.open) return { kind: 'replies', replies: gate.replies };
  if (!enrollment)
    return {
      kind: 'replies',
      replies: trigger.kind === 'contract_signed' ? [] : [{ key: 'service.no_course' }],
    };
  try {
    const flow = flowOf(deps, enrollment);
    const request = {
      flow,
      now,
      locale,
      timeZone: client.timeZone,
      text: (key: string, vars?: Record<string, string | number>) => deps.catalog.text(locale, key, vars),
    };
    // A pending enrollment starts on first contact, whatever the contact was.
    const starts =
      enrollment.status === 'pending' || !enrollment.persisted || trigger.kind === 'start_enrollment';
    if (!starts && trigger.kind === 'contract_signed' && enrollment.status === 'active') {
      // A course already running takes the signed pace from now on: a part waiting for its gap waits
      // for the new one (its timer moves), or opens now when that gap has already passed.
      const settings = { partGapDays: trigger.paceDays };
      const result = engine({
        ...request,
        persisted: enrollment.persisted,
        event: { kind: 'settings', settings },
      });
      if (result.accepted) {
        const prompt = result.replies.length === 0 ? pendingPrompt(flow, result.persisted) : undefined;
        return {
          kind: 'turn',
          started: false,
          result: { ...result, replies: [...result.replies, ...(prompt ? [prompt] : [])] },
        };
      }
    }
    if (!starts && (trigger.kind === 'resume' || trigger.kind === 'contract_signed')) {
      const prompt = pendingPrompt(flow, enrollment.persisted!);
      const lead: Reply[] = trigger.kind === 'resume' ? [{ key: 'service.resumed' }] : [];
      return { kind: 'replies', replies: [...lead, ...(prompt ? [prompt] : [])] };
    }
    const event: EngineEvent = starts
      ? { kind: 'start' }
      : trigger.kind === 'timer_due'
        ? { kind: 'timer', key: trigger.key, event: trigger.event }
        : {
            kind: 'input',
            input:
              trigger.kind === 'button'
                ? { text: trigger.text, value: trigger.value }
                : trigger.kind === 'client_message'
                  ? { text: trigger.text }
                  : {},
          };
    const persisted = starts ? undefined : enrollment.persisted;
    const settings =
      trigger.kind === 'contract_signed'
        ? { partGapDays: trigger.paceDays }
        : gate.open
          ? gate.settings
          : undefined;
    return { kind: 'turn', started: starts, result: engine({ ...request, persisted, event, settings }) };
  } catch (error) {
    return { kind: 'failed', error };
  }
}

export async function runTurn(
  deps: ServiceDeps,
  target: TurnTarget,
  trigger: Trigger,
  options: TurnOptions = {},
): Promise<TurnOutcome> {
  return commitTurn(deps, await prepareTurn(deps, target, trigger, options));
}

/** A trigger the engine has run for, with what its write will be; nothing is written yet. */
type PreparedTurn = { target: TurnTarget; trigger: Trigger; options: TurnOptions } & (
  | { kind: 'failed'; error: unknown }
  | { kind: 'ready'; write: TurnWrite; signal: ReturnType<typeof flowSignal> }
);

async function prepareTurn(
  deps: ServiceDeps,
  target: TurnTarget,
  trigger: Trigger,
  options: TurnOptions,
  engine: (req: TurnRequest) => TurnResult = turn,
): Promise<PreparedTurn> {
  const step = engineStep(deps, target, trigger, await courseGate(deps, target, trigger), engine);
  const { client, enrollment } = target;
  const pending =
    options.newEnrollment && enrollment
      ? insertEnrollmentStatement({
          id: enrollment.id,
          clientId: client.id,
          flowId: enrollment.flowId,
          flowVersion: enrollment.flowVersion,
          now: target.now.toISOString(),
        })
      : undefined;
  const withPending: TurnOptions = pending
    ? { ...options, statements: [...(options.statements ?? []), pending] }
    : options;
  if (step.kind === 'failed')
    return { kind: 'failed', error: step.error, target, trigger, options: withPending };

  let replies: Reply[] = step.kind === 'replies' ? step.replies : step.result.replies;
  let events: DomainEvent[] = [];
  let write: TurnWrite['enrollment'];
  if (step.kind === 'turn' && enrollment) {
    const flow = flowOf(deps, enrollment);
    const { result } = step;
    events = [
      ...(step.started
        ? [{ type: 'enrollment.started', data: { flowId: flow.id, version: flow.version } }]
        : []),
      ...result.events,
      ...(result.done && !step.started
        ? [{ type: 'enrollment.completed', data: { flowId: flow.id, version: flow.version } }]
        : []),
    ];
    write = {
      ...enrollmentWrite(enrollment, result)!,
      ...(trigger.kind === 'timer_due' ? { firedTimer: trigger.key } : {}),
    };
    // A course that starts, whatever started it, no longer waits for its contract's start date.
    const ownTimer = trigger.kind === 'timer_due' && trigger.key === COURSE_START_TIMER;
    if (step.started && !ownTimer && isContractCourse(enrollment.flowId))
      write = { ...write, cancels: [...write.cancels, COURSE_START_TIMER] };
    // A check-in that finishes in the middle of a course hands the conversation back to the course.
    if (result.done && !step.started)
      replies = [
        ...replies,
        ...(await resumeOther(
          deps,
          client.id,
          enrollment.id,
          trigger.kind === 'timer_due' ? 'timer' : 'client',
        )),
      ];
  }
  // A questionnaire that ran out: what of it is still held behind a discreet notice (its questions, its
  // reminder) is void and is never shown; the notice that it expired takes its place.
  const expired =
    enrollment && events.some((e) => e.type === 'questionnaire.expired')
      ? [dropHeldOfEnrollmentStatement(target.address.id, enrollment.id)]
      : [];
  // Safety first, on what the flow itself raised: the protocol opens in the same write (commitTurn).
  const signal = flowSignal(events);
  const inserts = pending !== undefined && write !== undefined && !signal;
  const chosen = inserts ? options : withPending;
  const own: TurnOptions = expired.length
    ? { ...chosen, statements: [...expired, ...(chosen.statements ?? [])] }
    : chosen;
  return {
    kind: 'ready',
    target,
    trigger,
    options: own,
    signal,
    write: {
      now: target.now,
      address: target.address,
      clientId: client.id,
      locale: target.locale,
      inbound: options.inbound,
      enrollment:
        inserts && enrollment
          ? {
              ...write!,
              insert: { clientId: client.id, flowId: enrollment.flowId, flowVersion: enrollment.flowVersion },
            }
          : write,
      events: [...(options.leadEvents ?? []), ...events],
      replies: [...(options.lead ?? []), ...replies],
      scheduledFor: options.scheduledFor,
      statements: own.statements,
      closing: options.closing,
    },
  };
}

async function commitTurn(deps: ServiceDeps, prepared: PreparedTurn): Promise<TurnOutcome> {
  const { target, trigger, options } = prepared;
  if (prepared.kind === 'failed') return flowFailed(deps, target, trigger, options, prepared.error);
  const { client, enrollment } = target;
  const { signal, write: base } = prepared;
  // The flow's own replies (the next PHQ-9 item) wait on the alert until the protocol ends.
  const replies = base.replies.slice(options.lead?.length ?? 0);
  const written = await deps.db.write(async (tx) => {
    await options.alongside?.(tx);
    if (!signal) return writeTurn(deps, tx, base);
    // The protocol's own writes come next and may refer to them (a new address): written first.
    await writeCallerStatements(tx, options.statements);
    const opened = await raiseSignal(
      deps,
      tx,
      {
        now: target.now,
        address: target.address,
        isNewAddress: false,
        inbound: options.inbound ?? emptyInbound,
      },
      { locale: target.locale, timeZone: client.timeZone, client },
      signal,
      replies,
      enrollment?.id,
    );
    return writeTurn(deps, tx, {
      ...base,
      statements: undefined,
      events: [...base.events, opened.event],
      replies: [...(options.lead ?? []), ...opened.replies],
      kind: 'safety',
      scheduledFor: undefined,
    });
  });
  if (signal) logSignal(deps, target, signal);
  return { kind: 'written', ...written };
}

/** One turn of a batch: its caller's writes can only be statements (no `alongside`, no inbound message). */
export interface BatchTurn {
  target: TurnTarget;
  trigger: Trigger;
  options?: Omit<TurnOptions, 'alongside' | 'inbound'>;
}

/** A batched turn a `mustChange` statement, the fired timer or the compare-and-set turned down: not written. */
export type BatchOutcome = TurnOutcome | { kind: 'conflict' };

/**
 * `runTurn` for many triggers at once, each for another conversation (a morning's check-ins, a batch of
 * due timers): the engine runs for each as `runTurn` would (a start shared by several is computed once,
 * `sharingStarts`), and the turns that need nothing more than their batch (no safety step
 * opened by the flow, no flow error) are written together, in one transaction and one batch, after one
 * read of their discreet SMS states in it. Each turn's checks (its caller's `mustChange` statements, the
 * fired timer, the compare-and-set) are read from the batch's results: a turn that fails one is dropped and
 * the transaction runs again without it, so a turn someone else took never loses the others. The rest
 * (and a second turn for the same address) are written one by one after, exactly as `runTurn` writes them.
 * Outcomes come back in the order of `turns`.
 */
export async function runTurns(deps: ServiceDeps, turns: BatchTurn[]): Promise<BatchOutcome[]> {
  // The batch's turns mostly start the same flow at the same instant: each distinct start runs once.
  const engine = sharingStarts(turn);
  const prepared = await Promise.all(
    turns.map((t) => prepareTurn(deps, t.target, t.trigger, t.options ?? {}, engine)),
  );
  const outcomes: BatchOutcome[] = new Array(turns.length);
  const together: number[] = [];
  const alone: number[] = [];
  const addresses = new Set<string>();
  for (const [i, p] of prepared.entries()) {
    if (p.kind === 'ready' && !p.signal && !addresses.has(p.target.address.id)) {
      addresses.add(p.target.address.id);
      together.push(i);
    } else alone.push(i);
  }
  let left = together;
  while (left.length > 0) {
    try {
      const written = await deps.db.write((tx) =>
        writeTogether(
          deps,
          tx,
          left.map((i) => (prepared[i] as Extract<PreparedTurn, { kind: 'ready' }>).write),
        ),
      );
      for (const [n, i] of left.entries()) outcomes[i] = { kind: 'written', ...written[n]! };
      left = [];
    } catch (error) {
      if (!(error instanceof TurnsTurnedDown)) {
        // Not a check that failed but the batch itself (a statement refused): each turn alone, so one
        // bad turn stops only itself, and its error comes out as runTurn's would.
        if (left.length === 1) throw error;
        alone.unshift(...left);
        break;
      }
      for (const n of error.items) outcomes[left[n]!] = { kind: 'conflict' };
      left = left.filter((_, n) => !error.items.has(n));
    }
  }
  for (const i of alone) {
    outcomes[i] = await commitTurn(deps, prepared[i]!).catch((error: unknown) => {
      if (error instanceof WriteConflict) return { kind: 'conflict' as const };
      throw error;
    });
  }
  return outcomes;
}

/** Thrown inside a batch's write when some of its turns did not stand: the transaction rolls back. */
class TurnsTurnedDown extends Error {
  constructor(readonly items: Set<number>) {
    super(`${items.size} batched turns did not stand`);
  }
}

/**
 * The service's dependencies for building one batch's statements, with the texts and the channels'
 * formatting of each distinct reply worked out once: a morning's check-ins send the same few texts to
 * everyone, and formatting an SMS (GSM-7, segments) was a third of a batched check-in's CPU time
 * (bench/README.md). Both are pure functions of their arguments, so a batch may share their results.
 */
function batchDeps(deps: ServiceDeps): ServiceDeps {
  const texts = new Map<string, string>();
  const catalog: ServiceDeps['catalog'] = {
    has: (locale, key) => deps.catalog.has(locale, key),
    keys: (locale) => deps.catalog.keys(locale),
    text: (locale, key, vars) => {
      const memo = `${locale}\u0000${key}\u0000${vars === undefined ? '' : JSON.stringify(vars)}`;
      let text = texts.get(memo);
      if (text === undefined) {
        text = deps.catalog.text(locale, key, vars);
        texts.set(memo, text);
      }
      return text;
    },
  };
  const senders = Object.fromEntries(
    Object.entries(deps.senders).map(([channel, sender]) => {
      if (sender.mode !== 'push' || !sender.format) return [channel, sender];
      const format = sender.format.bind(sender);
      const formatted = new Map<string, ReturnType<typeof format>>();
      return [
        channel,
        {
          ...sender,
          format: (reply: Parameters<typeof format>[0], context: Parameters<typeof format>[1]) => {
            const memo = `${context.inReplyTo ?? ''}\u0000${JSON.stringify(reply)}`;
            let messages = formatted.get(memo);
            if (messages === undefined) {
              // Shared by the batch's turns, so frozen (their JSON is then made once too: `jsonOf`).
              messages = format(reply, context);
              for (const message of messages) Object.freeze(message);
              Object.freeze(messages);
              formatted.set(memo, messages);
            }
            return messages;
          },
        },
      ];
    }),
  );
  return { ...deps, catalog, senders };
}

async function writeTogether(deps: ServiceDeps, tx: Queryable, writes: TurnWrite[]): Promise<WrittenTurn[]> {
  const shared = batchDeps(deps);
  const discreet = await discreetSmsStates(
    tx,
    writes.flatMap((w) =>
      w.clientId && deps.senders[w.address.channel]?.mode === 'push'
        ? [{ addressId: w.address.id, clientId: w.clientId }]
        : [],
    ),
  );
  const built: { t: TurnStatements; from: number }[] = [];
  const statements: InStatement[] = [];
  for (const w of writes) {
    const t = await turnStatements(shared, tx, { ...w, discreet: discreet.get(w.address.id) });
    built.push({ t, from: statements.length });
    statements.push(...t.statements);
  }
  const results = await tx.batch(statements);
  const own = (b: (typeof built)[number]) => results.slice(b.from, b.from + b.t.statements.length);
  const down = new Set(built.flatMap((b, n) => (turnStands(b.t, own(b)) === 'ok' ? [] : [n])));
  if (down.size > 0) throw new TurnsTurnedDown(down);
  return built.map((b) => writtenTurn(b.t, own(b)));
}

const emptyInbound: NonNullable<TurnWrite['inbound']> = { text: '', payload: null };

/**
 * A bug in a flow is data, not a 500: the turn is not written (the enrollment stays where it was), the
 * client's message is kept, the client gets a polite reply, and the clinic gets one `flow_error` alert
 * per enrollment (not one per message: the next message may meet the same bug). A timer that fails is
 * removed, so the scheduler does not fire it again and again.
 */
async function flowFailed(
  deps: ServiceDeps,
  target: TurnTarget,
  trigger: Trigger,
  options: TurnOptions,
  error: unknown,
): Promise<TurnOutcome> {
  const { enrollment, client } = target;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const written = await deps.db.write(async (tx) => {
    await options.alongside?.(tx);
    await writeCallerStatements(tx, options.statements);
    if (trigger.kind === 'timer_due' && enrollment) await deleteTimer(tx, enrollment.id, trigger.key);
    const open = enrollment ? await openFlowErrorAlert(tx, enrollment.id) : undefined;
    if (!open) {
      const duty = await notifyDutyPhone(deps, tx, target.now);
      await insertAlert(tx, {
        id: deps.ids.id(),
        clientId: client.id,
        addressId: target.address.id,
        enrollmentId: enrollment?.id,
        kind: 'flow_error',
        priority: 'normal',
        triggerText: options.inbound?.text ?? `(${trigger.kind})`,
        matchedPhrase: reason.slice(0, 500),
        channel: target.address.channel,
        shown: trigger.kind === 'timer_due' ? [] : ['service.flow_error'],
        alerted: alertedTo(client, duty),
        safetyAnswers: [],
        heldReplies: [],
        createdAt: target.now.toISOString(),
      });
    }
    return writeTurn(deps, tx, {
      now: target.now,
      address: target.address,
      clientId: client.id,
      locale: target.locale,
      inbound: options.inbound,
      events: [
        {
          type: 'flow.failed',
          data: { enrollmentId: enrollment?.id ?? null, trigger: trigger.kind },
        },
      ],
      // A timer nobody asked for says nothing; a client who wrote gets an answer.
      replies: trigger.kind === 'timer_due' ? [] : [...(options.lead ?? []), { key: 'service.flow_error' }],
    });
  });
  deps.log.error('flow failed', {
    flowId: enrollment?.flowId,
    flowVersion: enrollment?.flowVersion,
    enrollmentId: enrollment?.id,
    trigger: trigger.kind,
    error: error instanceof Error ? error.name : typeof error,
  });
  return { kind: 'flow_error', ...written };
}
