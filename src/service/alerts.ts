import { type AlertRecord, acknowledgeAlert, findAlert, openAlerts } from '../storage/alerts.ts';
import { appendEvent } from '../storage/events.ts';
import type { ServiceDeps } from './deps.ts';

export function listOpenAlerts(deps: ServiceDeps): Promise<AlertRecord[]> {
  return deps.db.read((q) => openAlerts(q));
}

export type AckOutcome =
  | { ok: true; alert: AlertRecord }
  | { ok: false; error: 'not_found' | 'already_acknowledged' };

/**
 * A therapist acknowledges an alert: recorded with who and when. Once a client has no open alert,
 * their paused reminders and check-ins go out again on the next scheduler pass.
 */
export async function acknowledge(deps: ServiceDeps, id: string, by: string): Promise<AckOutcome> {
  const now = deps.clock().toISOString();
  return deps.db.write(async (tx) => {
    const alert = await findAlert(tx, id);
    if (!alert) return { ok: false, error: 'not_found' };
    if (!(await acknowledgeAlert(tx, id, by, now))) return { ok: false, error: 'already_acknowledged' };
    await appendEvent(tx, {
      clientId: alert.clientId,
      enrollmentId: alert.enrollmentId,
      event: { type: 'safety.alert_acknowledged', data: { alertId: id, by } },
      now,
    });
    return { ok: true, alert: { ...alert, acknowledgedAt: now, acknowledgedBy: by } };
  });
}
