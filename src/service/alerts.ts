import { type AlertRecord, acknowledgeAlert, findAlert, openAlerts } from '../storage/alerts.ts';
import { appendEvent } from '../storage/events.ts';
import {
  alertsFor,
  countOpenAlertsFor,
  findAlertWithClient,
  type StaffAlertRow,
} from '../storage/staff-alerts.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { mayReadAlertOf, type StaffActor } from './staff-actor.ts';

export function listOpenAlerts(deps: ServiceDeps): Promise<AlertRecord[]> {
  return deps.db.read((q) => openAlerts(q));
}

export type AckOutcome =
  | { ok: true; alert: AlertRecord }
  | { ok: false; error: 'not_found' | 'already_acknowledged' };

export interface Acknowledger {
  /** The name recorded as who acknowledged it. */
  name: string;
  staffId?: string;
  note?: string;
}

/**
 * A therapist acknowledges an alert: recorded with who and when (and a note). Once a client has no open
 * alert, their paused reminders and check-ins go out again on the next scheduler pass.
 */
export async function acknowledge(
  deps: ServiceDeps,
  id: string,
  by: string | Acknowledger,
): Promise<AckOutcome> {
  const who = typeof by === 'string' ? { name: by } : by;
  const now = deps.clock().toISOString();
  return deps.db.write(async (tx) => {
    const alert = await findAlert(tx, id);
    if (!alert) return { ok: false, error: 'not_found' };
    if (!(await acknowledgeAlert(tx, id, who, now))) return { ok: false, error: 'already_acknowledged' };
    await appendEvent(tx, {
      clientId: alert.clientId,
      enrollmentId: alert.enrollmentId,
      event: { type: 'safety.alert_acknowledged', data: { alertId: id, by: who.name } },
      now,
    });
    return {
      ok: true,
      alert: {
        ...alert,
        acknowledgedAt: now,
        acknowledgedBy: who.name,
        acknowledgedNote: who.note,
        acknowledgedByStaffId: who.staffId,
      },
    };
  });
}

const scopeOf = (actor: StaffActor) => (actor.role === 'admin' ? undefined : actor.staffId);

/**
 * Alerts a staff member may see, open first (high priority first, newest first); with `open: false`
 * acknowledged ones follow. Listing is an audited read when it shows client text.
 */
export function alertsForStaff(
  deps: ServiceDeps,
  actor: StaffActor,
  options: { open: boolean; limit?: number },
): Promise<StaffAlertRow[]> {
  return deps.db.write(async (tx) => {
    const rows = await alertsFor(tx, { therapistId: scopeOf(actor), ...options });
    await audit(tx, actor, deps.clock(), {
      action: 'alerts.list',
      detail: `${rows.length} alert(s)${options.open ? ', open' : ''}`,
    });
    return rows;
  });
}

/** The number of open alerts a staff member may see (no client data: not audited). */
export function openAlertCount(deps: ServiceDeps, actor: StaffActor): Promise<number> {
  return deps.db.read((q) => countOpenAlertsFor(q, scopeOf(actor)));
}

/** Acknowledges an alert the actor may see; one they may not see is "not found". */
export async function acknowledgeAsStaff(
  deps: ServiceDeps,
  actor: StaffActor,
  id: string,
  note: string | undefined,
): Promise<AckOutcome> {
  const found = await deps.db.read((q) => findAlertWithClient(q, id));
  if (
    !found ||
    !mayReadAlertOf(actor, found.alert.clientId ? { therapistId: found.therapistId } : undefined)
  ) {
    return { ok: false, error: 'not_found' };
  }
  const outcome = await acknowledge(deps, id, { name: actor.name, staffId: actor.staffId, note });
  if (outcome.ok) {
    await deps.db.write((tx) =>
      audit(tx, actor, deps.clock(), { action: 'alert.ack', clientId: found.alert.clientId, detail: id }),
    );
  }
  return outcome;
}

export type { StaffAlertRow };
