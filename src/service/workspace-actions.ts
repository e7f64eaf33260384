import { findSleepWindow } from '../storage/sleep-windows.ts';
import { unlinkAddress } from './access-codes.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { decide } from './sleep-windows.ts';
import type { StaffActor } from './staff-actor.ts';
import { visibleClient } from './visible-client.ts';

/**
 * What a therapist does from a client's page, beside the alerts and access codes: who may is checked
 * here (a client the actor may not see is "not found"), and each action leaves an audit row.
 */

export type StaffActionOutcome = { ok: true } | { ok: false; error: 'not_found' | 'not_awaiting_approval' };

/** Approves or rejects a sleep-window proposal; an approved window is sent to the client. */
export async function decideSleepWindowAsStaff(
  deps: ServiceDeps,
  actor: StaffActor,
  windowId: string,
  decision: 'approved' | 'rejected',
): Promise<StaffActionOutcome & { clientId?: string }> {
  const window = await deps.db.read((q) => findSleepWindow(q, windowId));
  if (!window || !(await deps.db.read((q) => visibleClient(q, actor, window.clientId))))
    return { ok: false, error: 'not_found' };
  const outcome = await decide(deps, windowId, decision, actor.name);
  if (!outcome.ok) return { ok: false, error: outcome.error, clientId: window.clientId };
  await deps.db.write((tx) =>
    audit(tx, actor, deps.clock(), {
      action: `sleep_window.${decision}`,
      clientId: window.clientId,
      detail: windowId,
    }),
  );
  return { ok: true, clientId: window.clientId };
}

/** Unlinks one of the client's devices: it receives nothing more until a new code links it again. */
export async function unlinkDeviceAsStaff(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  addressId: string,
): Promise<StaffActionOutcome> {
  if (!(await deps.db.read((q) => visibleClient(q, actor, clientId))))
    return { ok: false, error: 'not_found' };
  const outcome = await unlinkAddress(deps, clientId, addressId);
  if (!outcome.ok) return { ok: false, error: 'not_found' };
  await deps.db.write((tx) =>
    audit(tx, actor, deps.clock(), { action: 'client.unlink_device', clientId, detail: addressId }),
  );
  return { ok: true };
}
