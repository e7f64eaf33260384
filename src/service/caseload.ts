import { type AssignmentRow, listAssignments, setClientTherapist } from '../storage/caseload.ts';
import { findClient } from '../storage/clients.ts';
import { withdrawWaiting } from '../storage/contracts.ts';
import { appendEvent } from '../storage/events.ts';
import { findStaffById } from '../storage/staff.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import type { StaffActor } from './staff-actor.ts';

export type { AssignmentRow };
export type AssignOutcome = { ok: true } | { ok: false; error: 'not_found' | 'no_such_therapist' };

/**
 * Makes `therapistId` responsible for a client (or nobody, with undefined). Admins only: the caller
 * checks the role; a disabled account cannot take clients.
 *
 * A contract that waits for the client is withdrawn when the responsible therapist changes (CLINICAL.md
 * §6: the agreement is between the client and the therapist who follows them up): it carries the
 * signature of one who no longer does. It becomes a draft for the therapist now responsible to read and
 * sign as their own; until then the client's "yes" signs nothing (a course that waits for the contract
 * answers that the agreement comes when it is ready). A contract in force stays in force. Under the
 * client's lock, so an answer the client is giving meanwhile is taken before or not at all; the audit log
 * has both steps.
 */
export async function assignTherapist(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  therapistId: string | undefined,
): Promise<AssignOutcome> {
  return deps.locks.run(`client:${clientId}`, () => {
    const now = deps.clock();
    const at = now.toISOString();
    return deps.db.write(async (tx) => {
      const client = await findClient(tx, clientId);
      if (!client) return { ok: false, error: 'not_found' } as const;
      if (therapistId !== undefined) {
        const staff = await findStaffById(tx, therapistId);
        if (!staff || staff.disabledAt) return { ok: false, error: 'no_such_therapist' } as const;
      }
      await setClientTherapist(tx, clientId, therapistId);
      await audit(tx, actor, now, { action: 'client.assign', clientId, detail: therapistId ?? 'nobody' });
      const withdrawn =
        client.therapistId !== therapistId ? await withdrawWaiting(tx, clientId, at) : undefined;
      if (withdrawn) {
        const data = { contractId: withdrawn.id, version: withdrawn.version, by: actor.staffId };
        await appendEvent(tx, { clientId, event: { type: 'contract.withdrawn', data }, now: at });
        await audit(tx, actor, now, {
          action: 'contract.withdraw',
          clientId,
          detail: `version ${withdrawn.version}: responsible therapist changed`,
        });
      }
      return { ok: true } as const;
    });
  });
}

/** Clients with their responsible therapist, nobody's first (for the admin's assignment page). */
export function assignmentList(deps: ServiceDeps, actor: StaffActor, limit = 500): Promise<AssignmentRow[]> {
  return deps.db.write(async (tx) => {
    const rows = await listAssignments(tx, limit);
    await audit(tx, actor, deps.clock(), { action: 'assignments.list', detail: `${rows.length} client(s)` });
    return rows;
  });
}

/** Records in the audit log that `actor` created a client (and was shown its access code). */
export function recordCreation(deps: ServiceDeps, actor: StaffActor, clientId: string): Promise<void> {
  return deps.db.write((tx) => audit(tx, actor, deps.clock(), { action: 'client.create', clientId }));
}
