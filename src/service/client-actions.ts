import type { Locale } from '../engine/types.ts';
import { reissueAccessCode, revokeAccessCode } from './access-codes.ts';
import { audit } from './audit.ts';
import { recordCreation } from './caseload.ts';
import { type CreateClientOutcome, createClient } from './clients.ts';
import type { ServiceDeps } from './deps.ts';
import type { StaffActor } from './staff-actor.ts';
import { visibleClient } from './visible-client.ts';

/*
 * What a staff member does to a client from the workspace (the JSON API; pages may follow): the rules of
 * who may (staff-actor.ts) are checked here, not in the routes, and each action leaves an audit row.
 * The actions themselves (clients.ts, access-codes.ts) run their own write; the audit row follows it
 * in a write of its own, as for acknowledging an alert (alerts.ts).
 */

export interface NewClientByStaff {
  course?: string;
  locale?: Locale;
  timeZone?: string;
  displayName?: string;
  /** The responsible therapist: a staff id, or null for nobody. Left out: the therapist themselves (an admin: nobody). */
  therapistId?: string | null;
}

export type CreateClientByStaffOutcome =
  | (Extract<CreateClientOutcome, { ok: true }> & { therapistId?: string })
  | Extract<CreateClientOutcome, { ok: false }>
  /** A therapist named someone else (or nobody): they add clients to their own caseload only. */
  | { ok: false; error: 'not_own_caseload' };

/**
 * Adds a client with a fresh access code. A therapist adds to their own caseload only; an admin for any
 * active therapist, or for nobody. One `client.create` audit row: the answer carries the access code.
 */
export async function createClientAsStaff(
  deps: ServiceDeps,
  actor: StaffActor,
  input: NewClientByStaff,
): Promise<CreateClientByStaffOutcome> {
  let therapistId: string | undefined;
  if (actor.role === 'therapist') {
    if (input.therapistId !== undefined && input.therapistId !== actor.staffId) {
      return { ok: false, error: 'not_own_caseload' };
    }
    therapistId = actor.staffId;
  } else {
    therapistId = input.therapistId ?? undefined;
  }
  const outcome = await createClient(deps, {
    course: input.course,
    locale: input.locale,
    timeZone: input.timeZone,
    displayName: input.displayName,
    therapistId,
  });
  if (outcome.ok) {
    await recordCreation(deps, actor, outcome.clientId);
    return { ...outcome, therapistId };
  }
  return outcome;
}

export type AccessCodeAction = 'reissue' | 'revoke';

export type AccessCodeActionOutcome =
  | { ok: true; action: 'reissue'; accessCode: string; expiresAt: string; revoked: number }
  | { ok: true; action: 'revoke'; revoked: number }
  /** No such client, or one the actor may not see: the same answer, so ids cannot be probed. */
  | { ok: false; error: 'not_found' };

/**
 * Issues a new access code (every open one is revoked) or revokes the open ones, for a client the
 * actor may see. One `client.access_code` audit row.
 */
export async function changeAccessCode(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  action: AccessCodeAction,
): Promise<AccessCodeActionOutcome> {
  const client = await deps.db.read((q) => visibleClient(q, actor, clientId));
  if (!client) return { ok: false, error: 'not_found' };
  const record = () =>
    deps.db.write((tx) =>
      audit(tx, actor, deps.clock(), { action: 'client.access_code', clientId, detail: action }),
    );
  if (action === 'reissue') {
    const issued = await reissueAccessCode(deps, clientId);
    if (!issued.ok) return { ok: false, error: 'not_found' };
    await record();
    return {
      ok: true,
      action,
      accessCode: issued.code,
      expiresAt: issued.expiresAt,
      revoked: issued.revoked,
    };
  }
  const revoked = await revokeAccessCode(deps, clientId);
  if (!revoked.ok) return { ok: false, error: 'not_found' };
  await record();
  return { ok: true, action, revoked: revoked.revoked };
}
