import {
  type ContractFields,
  type ContractForm,
  contractMessage,
  contractQuestion,
  contractWaitsFor,
  isContractCourse,
} from '../domain/contract.ts';
import type { FlowInput, Locale, Reply } from '../engine/types.ts';
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

/** The contract as the client reads it in `channel`. */
export function contractReplies(
  fields: ContractFields,
  channel: string,
  options: { version: number; locale: Locale },
): Reply[] {
  return contractMessage(fields, contractFormOf(channel), options);
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
  const [latest] = await deps.db.read((q) => listContracts(q, clientId));
  const waits = latest && contractWaitsFor(latest);
  if (waits === 'answer') return contractQuestion(contractFormOf(address.channel));
  return waits === 'change_words' ? { key: 'contract.ask_change' } : undefined;
}

/**
 * Reads the gate only when a course with a responsible therapist is about to start: every other turn
 * (a running enrollment, a client nobody is responsible for, the intro) passes without a read.
 */
export async function courseGate(
  deps: ServiceDeps,
  target: TurnTarget,
  trigger: Trigger,
): Promise<CourseGate> {
  const { enrollment, client } = target;
  if (
    !enrollment ||
    trigger.kind === 'contract_signed' ||
    trigger.kind === 'contract_sent' ||
    trigger.kind === 'therapist_message'
  )
    return OPEN;
  const starts =
    enrollment.status === 'pending' || !enrollment.persisted || trigger.kind === 'start_enrollment';
  if (!starts || client.therapistId === undefined || !isContractCourse(enrollment.flowId)) return OPEN;
  const state = await deps.db.read((q) => courseGateState(q, client.id, enrollment.id));
  if (state.signed) return { open: true, settings: contractSettings(state.signed.fields) };
  if (state.waivedReason !== undefined) return OPEN;
  const { latest } = state;
  const waits = latest && contractWaitsFor(latest);
  if (latest && waits === 'answer') {
    return {
      open: false,
      replies: contractReplies(latest.fields as ContractFields, target.address.channel, {
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
