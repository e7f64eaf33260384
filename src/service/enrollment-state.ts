import { pendingPrompt } from '../engine/turn.ts';
import type { FlowVersion, Reply, TurnResult } from '../engine/types.ts';
import { type EnrollmentRecord, otherCurrentEnrollment } from '../storage/enrollments.ts';
import type { ServiceDeps } from './deps.ts';
import type { TurnWrite } from './write-turn.ts';

export function flowOf(deps: ServiceDeps, enrollment: EnrollmentRecord): FlowVersion {
  const flow = deps.flows.get(enrollment.flowId, enrollment.flowVersion);
  if (!flow) throw new Error(`Flow ${enrollment.flowId}@${enrollment.flowVersion} is not registered`);
  return flow;
}

export function enrollmentWrite(enrollment: EnrollmentRecord, result: TurnResult): TurnWrite['enrollment'] {
  return {
    id: enrollment.id,
    expectedRowVersion: enrollment.rowVersion,
    statusAsRead: enrollment.status,
    persisted: result.persisted,
    done: result.done,
    timers: result.timers,
    cancels: result.cancels,
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

/**
 * When a check-in finishes in the middle of a course, the course's waiting question comes back: after
 * the client's last answer with a "welcome back", and after a check-in that ran out on its own (nobody
 * came back: the message arrives by itself) with a plain line that the course waits.
 */
export async function resumeOther(
  deps: ServiceDeps,
  clientId: string,
  finishedId: string,
  by: 'client' | 'timer',
): Promise<Reply[]> {
  const other = await deps.db.read((q) => otherCurrentEnrollment(q, clientId, finishedId));
  const prompt = waitingQuestion(deps, other);
  if (!prompt) return [];
  return [{ key: by === 'client' ? 'service.resumed' : 'service.course_waits' }, prompt];
}
