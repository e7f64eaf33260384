import type { ContractFields } from '../domain/contract.ts';
import { pendingPrompt, turn } from '../engine/turn.ts';
import type { DomainEvent, EngineEvent, FlowEvent, Locale, Reply, TurnResult } from '../engine/types.ts';
import type { AddressRecord } from '../storage/addresses.ts';
import { insertAlert, openFlowErrorAlert } from '../storage/alerts.ts';
import type { ClientRecord } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import type { EnrollmentRecord } from '../storage/enrollments.ts';
import { deleteTimer } from '../storage/timers.ts';
import { type CourseGate, contractReplies, courseGate } from './course-gate.ts';
import type { ServiceDeps } from './deps.ts';
import { notifyDutyPhone } from './duty-alert.ts';
import { enrollmentWrite, flowOf, resumeOther } from './enrollment-state.ts';
import { alertedTo } from './safety.ts';
import { logSignal, raiseSignal } from './safety-mode.ts';
import { flowSignal } from './safety-protocol.ts';
import {
  type CallerStatement,
  type TurnWrite,
  type WrittenTurn,
  writeCallerStatements,
  writeTurn,
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
  /** The client accepted the contract: signed by both. */
  | { kind: 'contract_signed'; version: number; paceDays: number }
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
  /** For messages nobody is waiting for (reminders, check-ins): hold them for the send window. */
  scheduledFor?: { timeZone: string };
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

function engineStep(deps: ServiceDeps, target: TurnTarget, trigger: Trigger, gate: CourseGate): EngineStep {
  const { enrollment, client, locale, now } = target;
  if (trigger.kind === 'therapist_message') {
    const vars = { name: trigger.name, text: trigger.text };
    return { kind: 'replies', replies: [{ key: 'messages.from_therapist', vars }] };
  }
  if (trigger.kind === 'contract_sent') {
    const replies = contractReplies(trigger.fields, target.address.channel, {
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
      const result = turn({
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
    return { kind: 'turn', started: starts, result: turn({ ...request, persisted, event, settings }) };
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
  const step = engineStep(deps, target, trigger, await courseGate(deps, target, trigger));
  if (step.kind === 'failed') return flowFailed(deps, target, trigger, options, step.error);

  const { client, enrollment } = target;
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
    // A check-in that finishes in the middle of a course hands the conversation back to the course.
    if (result.done && !step.started)
      replies = [...replies, ...(await resumeOther(deps, client.id, enrollment.id))];
  }

  // Safety first, on what the flow itself raised: the protocol opens in this same write, and the flow's
  // replies (the next PHQ-9 item) wait on the alert until it ends.
  const signal = flowSignal(events);
  const written = await deps.db.write(async (tx) => {
    await options.alongside?.(tx);
    const base: TurnWrite = {
      now: target.now,
      address: target.address,
      clientId: client.id,
      locale: target.locale,
      inbound: options.inbound,
      enrollment: write,
      events: [...(options.leadEvents ?? []), ...events],
      replies: [...(options.lead ?? []), ...replies],
      scheduledFor: options.scheduledFor,
      statements: options.statements,
    };
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
