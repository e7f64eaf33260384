import { type AuditEntry, appendAudit, listAudit } from '../storage/audit.ts';
import type { Queryable } from '../storage/db.ts';
import type { ServiceDeps } from './deps.ts';
import type { StaffActor } from './staff-actor.ts';

/**
 * Records that `actor` read (or acted on) a client's data. Call it inside the same read-or-write that
 * fetched the data, with the transaction's handle, so the record and the read cannot part.
 */
export function audit(
  q: Queryable,
  actor: StaffActor,
  now: Date,
  what: { action: string; clientId?: string; detail?: string },
): Promise<void> {
  return appendAudit(q, {
    at: now.toISOString(),
    staffId: actor.staffId,
    staffEmail: actor.email,
    via: actor.via,
    clientId: what.clientId,
    action: what.action,
    detail: what.detail,
  });
}

/** The audit log for an admin, newest first (reading it is not itself a read of client data). */
export function readAudit(
  deps: ServiceDeps,
  options: { clientId?: string; before?: number; limit?: number },
): Promise<AuditEntry[]> {
  return deps.db.read((q) => listAudit(q, options));
}

export type { AuditEntry };
