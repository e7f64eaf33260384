import { type AssignmentRow, listAssignments, setClientTherapist } from '../storage/caseload.ts';
import { findClient } from '../storage/clients.ts';
import { findStaffById } from '../storage/staff.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import type { StaffActor } from './staff-actor.ts';

export type { AssignmentRow };
export type AssignOutcome = { ok: true } | { ok: false; error: 'not_found' | 'no_such_therapist' };

/**
 * Makes `therapistId` responsible for a client (or nobody, with undefined). Admins only: the caller
 * checks the role; a disabled account cannot take clients.
 */
export async function assignTherapist(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  therapistId: string | undefined,
): Promise<AssignOutcome> {
  const now = deps.clock();
  return deps.db.write(async (tx) => {
    if (!(await findClient(tx, clientId))) return { ok: false, error: 'not_found' } as const;
    if (therapistId !== undefined) {
      const staff = await findStaffById(tx, therapistId);
      if (!staff || staff.disabledAt) return { ok: false, error: 'no_such_therapist' } as const;
    }
    await setClientTherapist(tx, clientId, therapistId);
    await audit(tx, actor, now, { action: 'client.assign', clientId, detail: therapistId ?? 'nobody' });
    return { ok: true } as const;
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
