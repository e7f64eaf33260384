import type { InStatement, Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

/**
 * What raised the alert: free text (by tier), PHQ-9 item 9 above 0, a "yes" to the intro's acute
 * question, or a flow that failed (a bug a person must look at).
 */
export type AlertKind = 'crisis_text' | 'concern_text' | 'phq9_item9' | 'intro_acute' | 'flow_error';
export type AlertTier = 'crisis' | 'concern';
export type SafetyStepRecord = 'ask_thoughts' | 'ask_danger';

/** One message read in safety mode: what it was taken to mean, and when. */
export interface SafetyAnswerEntry {
  step: SafetyStepRecord;
  answer: string;
  at: string;
}

export interface AlertRecord {
  id: string;
  clientId?: string;
  addressId: string;
  enrollmentId?: string;
  kind: AlertKind;
  /** The safety tier; none for a flow error. */
  tier?: AlertTier;
  /** High pauses the client's reminders and check-ins until acknowledged; a concern alone does not. */
  priority: 'high' | 'normal';
  triggerText: string;
  matchedPhrase?: string;
  channel: string;
  /** Text keys of what the client was shown. */
  shown: string[];
  /** Who was told: the clinic's alert queue until therapists are assigned. */
  alerted: string;
  /** The direct question safety mode waits at; undefined once it has ended. */
  safetyStep?: SafetyStepRecord;
  /** The last answer read (see SafetyAnswerEntry.answer). */
  safetyAnswer?: string;
  safetyAnswers: SafetyAnswerEntry[];
  /** The flow's replies held back while safety mode runs (a PHQ-9 item after item 9), sent when it ends. */
  heldReplies: unknown[];
  createdAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  /** What the therapist wrote when acknowledging (what was done). */
  acknowledgedNote?: string;
  /** The staff account that acknowledged it in the workspace (none from the CLI). */
  acknowledgedByStaffId?: string;
}

export const toAlert = (row: Record<string, unknown>): AlertRecord => ({
  id: str(row, 'id'),
  clientId: optStr(row, 'client_id'),
  addressId: str(row, 'address_id'),
  enrollmentId: optStr(row, 'enrollment_id'),
  kind: str(row, 'kind') as AlertKind,
  tier: optStr(row, 'tier') as AlertTier | undefined,
  priority: str(row, 'priority') as AlertRecord['priority'],
  triggerText: str(row, 'trigger_text'),
  matchedPhrase: optStr(row, 'matched_phrase'),
  channel: str(row, 'channel'),
  shown: JSON.parse(str(row, 'shown')) as string[],
  alerted: str(row, 'alerted'),
  safetyStep: optStr(row, 'safety_step') as SafetyStepRecord | undefined,
  safetyAnswer: optStr(row, 'safety_answer'),
  safetyAnswers: JSON.parse(str(row, 'safety_answers')) as SafetyAnswerEntry[],
  heldReplies: JSON.parse(str(row, 'held_replies')) as unknown[],
  createdAt: str(row, 'created_at'),
  acknowledgedAt: optStr(row, 'acknowledged_at'),
  acknowledgedBy: optStr(row, 'acknowledged_by'),
  acknowledgedNote: optStr(row, 'acknowledged_note'),
  acknowledgedByStaffId: optStr(row, 'acknowledged_by_staff_id'),
});

export async function insertAlert(q: Queryable, alert: AlertRecord): Promise<void> {
  await q.execute({
    sql: `INSERT INTO alerts (id, client_id, address_id, enrollment_id, kind, tier, priority, trigger_text, matched_phrase,
          channel, shown, alerted, safety_step, safety_answers, held_replies, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      alert.id,
      alert.clientId ?? null,
      alert.addressId,
      alert.enrollmentId ?? null,
      alert.kind,
      alert.tier ?? null,
      alert.priority,
      alert.triggerText,
      alert.matchedPhrase ?? null,
      alert.channel,
      JSON.stringify(alert.shown),
      alert.alerted,
      alert.safetyStep ?? null,
      JSON.stringify(alert.safetyAnswers),
      JSON.stringify(alert.heldReplies),
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
      sql: `SELECT * FROM alerts WHERE address_id = ? AND safety_step IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
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
      sql: `SELECT id FROM alerts WHERE address_id = ? AND safety_step IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      args: [addressId],
    })
  ).rows[0];
  return row ? { id: str(row, 'id') } : undefined;
}

/**
 * Records one message read in safety mode on its alert: the answer is appended to the log, the step moves
 * on (or safety mode ends with `step` undefined), and an escalated concern becomes a high-priority crisis.
 */
export async function recordSafetyAnswer(
  q: Queryable,
  alertId: string,
  update: { entry: SafetyAnswerEntry; step: SafetyStepRecord | undefined; escalate: boolean },
): Promise<void> {
  await q.execute({
    sql: `UPDATE alerts SET safety_step = ?, safety_answer = ?,
            safety_answers = json_insert(safety_answers, '$[#]', json(?)),
            tier = CASE WHEN ? THEN 'crisis' ELSE tier END,
            priority = CASE WHEN ? THEN 'high' ELSE priority END,
            held_replies = CASE WHEN ? IS NULL THEN '[]' ELSE held_replies END
          WHERE id = ?`,
    args: [
      update.step ?? null,
      update.entry.answer,
      JSON.stringify(update.entry),
      update.escalate ? 1 : 0,
      update.escalate ? 1 : 0,
      update.step ?? null,
      alertId,
    ],
  });
}

/** Ends safety mode on every alert of an address, without an answer (a newer signal replaces it). */
export async function closeSafetyMode(q: Queryable, addressId: string): Promise<void> {
  await q.execute({
    sql: `UPDATE alerts SET safety_step = NULL, held_replies = '[]'
          WHERE address_id = ? AND safety_step IS NOT NULL`,
    args: [addressId],
  });
}

/** Alerts raised before the conversation was linked to a client belong to that client from now on. */
export async function attachAlertsToClient(q: Queryable, addressId: string, clientId: string): Promise<void> {
  await q.execute(attachAlertsToClientStatement(addressId, clientId));
}

export const attachAlertsToClientStatement = (addressId: string, clientId: string): InStatement => ({
  sql: 'UPDATE alerts SET client_id = ? WHERE address_id = ? AND client_id IS NULL',
  args: [clientId, addressId],
});

/** The open flow_error alert of an enrollment, if any: one is enough while a person looks at it. */
export async function openFlowErrorAlert(
  q: Queryable,
  enrollmentId: string,
): Promise<{ id: string } | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT id FROM alerts WHERE enrollment_id = ? AND kind = 'flow_error' AND acknowledged_at IS NULL LIMIT 1`,
      args: [enrollmentId],
    })
  ).rows[0];
  return row ? { id: str(row, 'id') } : undefined;
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
export async function acknowledgeAlert(
  q: Queryable,
  id: string,
  by: { name: string; staffId?: string; note?: string },
  now: string,
): Promise<boolean> {
  const result = await q.execute({
    // A therapist's acknowledgement also ends safety mode: the client is never trapped in it.
    sql: `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_by_staff_id = ?,
            acknowledged_note = ?, safety_step = NULL
          WHERE id = ? AND acknowledged_at IS NULL`,
    args: [now, by.name, by.staffId ?? null, by.note ?? null, id],
  });
  return result.rowsAffected === 1;
}
