import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

export type AlertKind = 'crisis_text' | 'phq9_item9';

export interface AlertRecord {
  id: string;
  clientId?: string;
  addressId: string;
  enrollmentId?: string;
  kind: AlertKind;
  priority: 'high';
  triggerText: string;
  matchedPhrase?: string;
  channel: string;
  /** Text keys of what the client was shown. */
  shown: string[];
  /** Who was told: the clinic's alert queue until therapists are assigned. */
  alerted: string;
  safetyQuestionPending: boolean;
  safetyAnswer?: string;
  createdAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
}

const toAlert = (row: Record<string, unknown>): AlertRecord => ({
  id: str(row, 'id'),
  clientId: optStr(row, 'client_id'),
  addressId: str(row, 'address_id'),
  enrollmentId: optStr(row, 'enrollment_id'),
  kind: str(row, 'kind') as AlertKind,
  priority: 'high',
  triggerText: str(row, 'trigger_text'),
  matchedPhrase: optStr(row, 'matched_phrase'),
  channel: str(row, 'channel'),
  shown: JSON.parse(str(row, 'shown')) as string[],
  alerted: str(row, 'alerted'),
  safetyQuestionPending: num(row, 'safety_question_pending') === 1,
  safetyAnswer: optStr(row, 'safety_answer'),
  createdAt: str(row, 'created_at'),
  acknowledgedAt: optStr(row, 'acknowledged_at'),
  acknowledgedBy: optStr(row, 'acknowledged_by'),
});

export async function insertAlert(q: Queryable, alert: AlertRecord): Promise<void> {
  await q.execute({
    sql: `INSERT INTO alerts (id, client_id, address_id, enrollment_id, kind, priority, trigger_text, matched_phrase,
          channel, shown, alerted, safety_question_pending, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      alert.id,
      alert.clientId ?? null,
      alert.addressId,
      alert.enrollmentId ?? null,
      alert.kind,
      alert.priority,
      alert.triggerText,
      alert.matchedPhrase ?? null,
      alert.channel,
      JSON.stringify(alert.shown),
      alert.alerted,
      alert.safetyQuestionPending ? 1 : 0,
      alert.createdAt,
    ],
  });
}

/** The alert whose "are you safe right now?" question this address has not answered yet. */
export async function pendingSafetyQuestion(
  q: Queryable,
  addressId: string,
): Promise<AlertRecord | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT * FROM alerts WHERE address_id = ? AND safety_question_pending = 1 ORDER BY created_at DESC LIMIT 1`,
      args: [addressId],
    })
  ).rows[0];
  return row ? toAlert(row) : undefined;
}

/**
 * Only the id of that alert: what every turn of a linked client asks, so it reads one column instead of
 * the whole row (the `SELECT *` took about twice as long, measured with bench/core.ts).
 */
export async function pendingSafetyQuestionRef(
  q: Queryable,
  addressId: string,
): Promise<{ id: string } | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT id FROM alerts WHERE address_id = ? AND safety_question_pending = 1 ORDER BY created_at DESC LIMIT 1`,
      args: [addressId],
    })
  ).rows[0];
  return row ? { id: str(row, 'id') } : undefined;
}

export async function recordSafetyAnswer(
  q: Queryable,
  alertId: string,
  answer: string | null,
): Promise<void> {
  await q.execute({
    sql: 'UPDATE alerts SET safety_question_pending = 0, safety_answer = ? WHERE id = ?',
    args: [answer, alertId],
  });
}

export async function openAlerts(q: Queryable): Promise<AlertRecord[]> {
  const rows = (
    await q.execute('SELECT * FROM alerts WHERE acknowledged_at IS NULL ORDER BY created_at, rowid')
  ).rows;
  return rows.map(toAlert);
}

export async function findAlert(q: Queryable, id: string): Promise<AlertRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM alerts WHERE id = ?', args: [id] })).rows[0];
  return row ? toAlert(row) : undefined;
}

export async function clientAlerts(q: Queryable, clientId: string): Promise<AlertRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM alerts WHERE client_id = ? ORDER BY created_at, rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map(toAlert);
}

/** Acknowledges an open alert; false if it does not exist or was already acknowledged. */
export async function acknowledgeAlert(q: Queryable, id: string, by: string, now: string): Promise<boolean> {
  const result = await q.execute({
    sql: 'UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL',
    args: [now, by, id],
  });
  return result.rowsAffected === 1;
}
