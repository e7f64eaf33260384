import { pendingPrompt, turn } from '../engine/turn.ts';
import type { DomainEvent, FlowVersion, Locale, PersistedFlow, Reply, TurnResult } from '../engine/types.ts';
import type { ClientRecord } from '../storage/clients.ts';
import { type EnrollmentRecord, otherCurrentEnrollment } from '../storage/enrollments.ts';
import type { ServiceDeps } from './deps.ts';
import type { TurnWrite } from './write-turn.ts';

export type ActiveStep = { kind: 'resume' } | { kind: 'turn'; result: TurnResult };

export interface EnrollmentStep {
  replies: Reply[];
  events: DomainEvent[];
  enrollment?: TurnWrite['enrollment'];
}

export function flowOf(deps: ServiceDeps, enrollment: EnrollmentRecord): FlowVersion {
  const flow = deps.flows.get(enrollment.flowId, enrollment.flowVersion);
  if (!flow) throw new Error(`Flow ${enrollment.flowId}@${enrollment.flowVersion} is not registered`);
  return flow;
}

export function enrollmentWrite(enrollment: EnrollmentRecord, result: TurnResult): TurnWrite['enrollment'] {
  return {
    id: enrollment.id,
    expectedRowVersion: enrollment.rowVersion,
    persisted: result.persisted,
    done: result.done,
    timers: result.timers,
    cancels: result.cancels,
  };
}

/**
 * Moves the client's current enrollment on: a pending one starts, an active one takes the step the
 * caller decides (a turn with the client's input, or a resume that asks the waiting question again).
 */
export async function advanceEnrollment(
  deps: ServiceDeps,
  client: ClientRecord,
  /** The client's current enrollment, read by the caller inside the client's lock. */
  enrollment: EnrollmentRecord | undefined,
  now: Date,
  locale: Locale,
  onActive: (flow: FlowVersion, persisted: PersistedFlow) => ActiveStep,
): Promise<EnrollmentStep> {
  if (!enrollment) return { replies: [{ key: 'service.no_course' }], events: [] };
  const flow = flowOf(deps, enrollment);

  if (enrollment.status === 'pending' || !enrollment.persisted) {
    const result = turn({
      flow,
      persisted: undefined,
      event: { kind: 'start' },
      now,
      locale,
      timeZone: client.timeZone,
      text: (key, vars) => deps.catalog.text(locale, key, vars),
    });
    const started: DomainEvent = {
      type: 'enrollment.started',
      data: { flowId: flow.id, version: flow.version },
    };
    return {
      replies: result.replies,
      events: [started, ...result.events],
      enrollment: enrollmentWrite(enrollment, result),
    };
  }

  const step = onActive(flow, enrollment.persisted);
  if (step.kind === 'resume') {
    const prompt = pendingPrompt(flow, enrollment.persisted);
    return { replies: [{ key: 'service.resumed' }, ...(prompt ? [prompt] : [])], events: [] };
  }
  const events = step.result.done
    ? [
        ...step.result.events,
        { type: 'enrollment.completed', data: { flowId: flow.id, version: flow.version } },
      ]
    : step.result.events;
  const resumed = step.result.done ? await resumeOther(deps, client.id, enrollment.id) : [];
  return {
    replies: [...step.result.replies, ...resumed],
    events,
    enrollment: enrollmentWrite(enrollment, step.result),
  };
}

/** The question an active enrollment waits on, to ask again when the conversation comes back to it. */
export function waitingQuestion(
  deps: ServiceDeps,
  enrollment: EnrollmentRecord | undefined,
): Reply | undefined {
  return enrollment?.persisted && enrollment.status === 'active'
    ? pendingPrompt(flowOf(deps, enrollment), enrollment.persisted)
    : undefined;
}

/** When a check-in finishes in the middle of a course, the course's waiting question comes back. */
export async function resumeOther(deps: ServiceDeps, clientId: string, finishedId: string): Promise<Reply[]> {
  const other = await deps.db.read((q) => otherCurrentEnrollment(q, clientId, finishedId));
  const prompt = waitingQuestion(deps, other);
  return prompt ? [{ key: 'service.resumed' }, prompt] : [];
}
