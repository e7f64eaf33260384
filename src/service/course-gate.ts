import type { Catalog } from '../content/catalog.ts';
import {
  type ContractFields,
  type ContractForm,
  type CountedText,
  contractMessage,
  contractQuestion,
  contractWaitsFor,
  formatLocalDate,
  isContractCourse,
  localDateOf,
} from '../domain/contract.ts';
import { instantAt } from '../domain/local-time.ts';
import { intoSendWindow } from '../domain/quiet-hours.ts';
import type { FlowEvent, FlowInput, Locale, Reply, TimerSpec } from '../engine/types.ts';
import type { ClientRecord } from '../storage/clients.ts';
import { courseGateState, listContracts } from '../storage/contracts.ts';
import type { ServiceDeps } from './deps.ts';
import type { Trigger, TurnTarget } from './run-turn.ts';

/**
 * Whether a course may start now (CLINICAL.md §6): a course does not open part 1 for a client with a
 * responsible therapist until their guidance contract is signed by both, unless the therapist recorded
 * why it may (`enrollments.contract_waived_reason`). Clients nobody is responsible for are never held.
 * Open, it carries the settings of the contract in force (its pace); closed, what to tell the client.
 */
export type CourseGate = { open: true; settings?: FlowInput['settings'] } | { open: false; replies: Reply[] };

const OPEN: CourseGate = { open: true };

/** The web chat and other rich channels show the whole contract; SMS the essentials and reply words. */
export const contractFormOf = (channel: string): ContractForm => (channel === 'sms' ? 'sms' : 'full');

/** The pace a signed contract sets for the course: days from one part's start until the next opens. */
export const contractSettings = (fields: { paceDays: number }): NonNullable<FlowInput['settings']> => ({
  partGapDays: fields.paceDays,
});

/** The timer that opens a course on the start date of its signed contract (a `timer_due` through runTurn). */
export const COURSE_START_TIMER = 'contract.course_start';
const COURSE_START_EVENT: FlowEvent = { type: 'COURSE_START' };
/** When a course starts on its start date and the client has no preferred time of day. */
const COURSE_START_TIME = '09:00';

/**
 * When a course whose signed contract starts on `startDate` opens part 1, if that date is still ahead on
 * the client's wall clock: that day at the client's preferred time (09:00 without one), inside the send
 * window. Undefined when the start date has come: the course starts at once.
 */
export function courseStartAt(
  startDate: string,
  client: Pick<ClientRecord, 'timeZone' | 'preferredTime'>,
  now: Date,
): Date | undefined {
  if (startDate <= localDateOf(now, client.timeZone)) return undefined;
  const [year, month, day] = startDate.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = (client.preferredTime ?? COURSE_START_TIME).split(':').map(Number) as [
    number,
    number,
  ];
  return intoSendWindow(instantAt({ year, month, day, hours, minutes }, client.timeZone), client.timeZone);
}

/** The course-start timer for `at` (see courseStartAt). */
export const courseStartTimer = (at: Date): TimerSpec => ({
  key: COURSE_START_TIMER,
  dueAt: at.toISOString(),
  event: COURSE_START_EVENT,
});

/** What the client is told while a signed course waits for its start date. */
const startsOn = (startDate: string, locale: Locale): CourseGate => ({
  open: false,
  replies: [{ key: 'contract.starts_on', vars: { date: formatLocalDate(startDate, locale) } }],
});

/** The contract as the client reads it in `channel`, its counted phrases in the client's language. */
export function contractReplies(
  catalog: Catalog,
  fields: ContractFields,
  channel: string,
  options: { version: number; locale: Locale },
): Reply[] {
  const counted: CountedText = (key, vars) => catalog.text(options.locale, key, vars);
  return contractMessage(fields, contractFormOf(channel), { ...options, counted });
}

/** The contract that waits for the client, and what for (its answer, or the words of a change). */
async function waitingContract(deps: ServiceDeps, clientId: string) {
  const [latest] = await deps.db.read((q) => listContracts(q, clientId));
  const waits = latest && contractWaitsFor(latest);
  return waits && { contract: latest!, waits };
}

/**
 * The question of a contract that waits for the client: its answer, or the words of the change they
 * asked for. The client's next message goes to the contract (handle-inbound.ts), so whatever brings the
 * conversation back to where it was (the end of safety mode) asks this, not the flow's waiting question,
 * whose answer ("1") would be read as accepting the contract.
 */
export async function waitingContractPrompt(
  deps: ServiceDeps,
  clientId: string,
  address: { channel: string },
): Promise<Reply | undefined> {
  const waiting = await waitingContract(deps, clientId);
  if (!waiting) return undefined;
  return waiting.waits === 'answer' ? contractQuestion(contractFormOf(address.channel)) : ASK_CHANGE;
}

/**
 * A contract that waits for the client, as this conversation shows it again (after START, or when a
 * conversation links while the course does not wait for it, e.g. after a waiver): the whole text and
 * its question, or the question for the words of the change they asked for. Undefined when none waits.
 */
export async function waitingContractReplies(
  deps: ServiceDeps,
  clientId: string,
  channel: string,
  locale: Locale,
): Promise<Reply[] | undefined> {
  const waiting = await waitingContract(deps, clientId);
  if (!waiting) return undefined;
  const { contract } = waiting;
  return waiting.waits === 'answer'
    ? contractReplies(deps.catalog, contract.fields as ContractFields, channel, {
        version: contract.version,
        locale,
      })
    : [ASK_CHANGE];
}

const ASK_CHANGE: Reply = { key: 'contract.ask_change' };

/**
 * Reads the gate only when a course with a responsible therapist is about to start: every other turn
 * (a running enrollment, a client nobody is responsible for, the intro) passes without a read. A signed
 * contract whose start date is still ahead holds the course until then (its timer opens it, courseStartAt):
 * the client who writes before is told when it starts, and so is the client who signs it.
 */
export async function courseGate(
  deps: ServiceDeps,
  target: TurnTarget,
  trigger: Trigger,
): Promise<CourseGate> {
  const { enrollment, client } = target;
  if (!enrollment || trigger.kind === 'contract_sent' || trigger.kind === 'therapist_message') return OPEN;
  const starts =
    enrollment.status === 'pending' || !enrollment.persisted || trigger.kind === 'start_enrollment';
  if (!starts || client.therapistId === undefined || !isContractCourse(enrollment.flowId)) return OPEN;
  const later = (startDate: string) => courseStartAt(startDate, client, target.now) !== undefined;
  if (trigger.kind === 'contract_signed')
    return later(trigger.startDate) ? startsOn(trigger.startDate, target.locale) : OPEN;
  const state = await deps.db.read((q) => courseGateState(q, client.id, enrollment.id));
  if (state.signed) {
    const { startDate } = state.signed.fields as ContractFields;
    if (later(startDate)) return startsOn(startDate, target.locale);
    return { open: true, settings: contractSettings(state.signed.fields) };
  }
  if (state.waivedReason !== undefined) return OPEN;
  const { latest } = state;
  const waits = latest && contractWaitsFor(latest);
  if (latest && waits === 'answer') {
    return {
      open: false,
      replies: contractReplies(deps.catalog, latest.fields as ContractFields, target.address.channel, {
        version: latest.version,
        locale: target.locale,
      }),
    };
  }
  if (waits === 'change_words') return { open: false, replies: [{ key: 'contract.ask_change' }] };
  if (latest?.status === 'changes_requested')
    return { open: false, replies: [{ key: 'contract.waits_change' }] };
  return { open: false, replies: [{ key: 'contract.waits' }] };
}
