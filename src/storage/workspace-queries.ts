import type { AlertKind, AlertTier, SafetyAnswerEntry, SafetyStepRecord } from './alerts.ts';
import type { Queryable } from './db.ts';
import type { EnrollmentStatus } from './enrollments.ts';
import { num, optStr, str } from './rows.ts';

/*
 * The reads behind the therapist workspace (src/service/workspace.ts shapes them). The dashboard is a
 * handful of set-based statements whatever the caseload's size: per-client facts come from correlated
 * subqueries, each a walk through one client's rows of an existing index from one end that stops at the
 * first match (newest inbound message, first and latest PHQ-9 and GAD-7, newest course enrollment). The
 * newest part event is the exception: without an index on the event type the walk goes back through
 * every event since that part began (check-ins, homework), about a third of the dashboard's time with
 * 1 000 clients in bench/workspace.ts; the partial index `domain_events_parts` proposed there makes it
 * one seek.
 */

const optNum = (row: Record<string, unknown>, column: string): number | undefined =>
  row[column] === null || row[column] === undefined ? undefined : num(row, column);

/** A total with its time; `items` only where the caller needs them. */
export interface ScoreRef {
  total: number;
  completedAt: string;
}

/** One client of a caseload with the facts the dashboard shows about them. */
export interface CaseloadRow {
  clientId: string;
  displayName?: string;
  createdAt: string;
  therapistId?: string;
  therapistName?: string;
  /** The newest enrollment in one of `courseFlowIds`. */
  course?: { enrollmentId: string; flowId: string; status: EnrollmentStatus };
  /** The newest `part.started` or `part.completed` event of that enrollment. */
  partEvent?: { type: 'part.started' | 'part.completed'; part: number; at: string };
  /** The newest inbound transcript row's time. */
  lastInboundAt?: string;
  phq9First?: ScoreRef;
  phq9Last?: ScoreRef & { items: number[] };
  gad7First?: ScoreRef;
  gad7Last?: ScoreRef;
}

// The four score picks differ only in instrument and direction; written out once here.
const scorePick = (instrument: 'phq9' | 'gad7', order: 'ASC' | 'DESC') =>
  `(SELECT r.rowid FROM questionnaire_responses r WHERE r.client_id = c.id AND r.instrument = '${instrument}'
     ORDER BY r.completed_at ${order}, r.rowid ${order} LIMIT 1)`;

const caseloadSql = (where: string, courseCount: number) => `
WITH k AS MATERIALIZED (
  SELECT c.id, c.display_name, c.created_at, c.therapist_id,
    (SELECT e.rowid FROM enrollments e
      WHERE e.client_id = c.id AND e.flow_id IN (${Array.from({ length: courseCount }, () => '?').join(', ')})
      ORDER BY e.created_at DESC, e.rowid DESC LIMIT 1) AS course_rowid,
    (SELECT t.created_at FROM transcript t WHERE t.client_id = c.id AND t.direction = 'in'
      ORDER BY t.seq DESC LIMIT 1) AS last_inbound_at,
    ${scorePick('phq9', 'ASC')} AS phq9_first,
    ${scorePick('phq9', 'DESC')} AS phq9_last,
    ${scorePick('gad7', 'ASC')} AS gad7_first,
    ${scorePick('gad7', 'DESC')} AS gad7_last
  FROM clients c ${where}
)
SELECT k.id, k.display_name, k.created_at, k.therapist_id, s.name AS therapist_name, k.last_inbound_at,
  e.id AS course_id, e.flow_id AS course_flow, e.status AS course_status,
  pe.type AS part_type, json_extract(pe.data, '$.part') AS part, pe.created_at AS part_at,
  p9f.total AS phq9_first_total, p9f.completed_at AS phq9_first_at,
  p9l.total AS phq9_last_total, p9l.completed_at AS phq9_last_at, p9l.items AS phq9_last_items,
  g7f.total AS gad7_first_total, g7f.completed_at AS gad7_first_at,
  g7l.total AS gad7_last_total, g7l.completed_at AS gad7_last_at
FROM k
LEFT JOIN staff s ON s.id = k.therapist_id
LEFT JOIN enrollments e ON e.rowid = k.course_rowid
LEFT JOIN domain_events pe ON pe.id = (
  SELECT d.id FROM domain_events d
  WHERE d.client_id = k.id AND d.enrollment_id = e.id AND d.type IN ('part.started', 'part.completed')
  ORDER BY d.id DESC LIMIT 1)
LEFT JOIN questionnaire_responses p9f ON p9f.rowid = k.phq9_first
LEFT JOIN questionnaire_responses p9l ON p9l.rowid = k.phq9_last
LEFT JOIN questionnaire_responses g7f ON g7f.rowid = k.gad7_first
LEFT JOIN questionnaire_responses g7l ON g7l.rowid = k.gad7_last`;

const scoreRef = (row: Record<string, unknown>, prefix: string): ScoreRef | undefined => {
  const total = optNum(row, `${prefix}_total`);
  return total === undefined ? undefined : { total, completedAt: str(row, `${prefix}_at`) };
};

const toCaseloadRow = (row: Record<string, unknown>): CaseloadRow => {
  const courseId = optStr(row, 'course_id');
  const partType = optStr(row, 'part_type');
  const phq9Last = scoreRef(row, 'phq9_last');
  return {
    clientId: str(row, 'id'),
    displayName: optStr(row, 'display_name'),
    createdAt: str(row, 'created_at'),
    therapistId: optStr(row, 'therapist_id'),
    therapistName: optStr(row, 'therapist_name'),
    course:
      courseId === undefined
        ? undefined
        : {
            enrollmentId: courseId,
            flowId: str(row, 'course_flow'),
            status: str(row, 'course_status') as EnrollmentStatus,
          },
    partEvent:
      partType === undefined
        ? undefined
        : {
            type: partType as 'part.started' | 'part.completed',
            part: num(row, 'part'),
            at: str(row, 'part_at'),
          },
    lastInboundAt: optStr(row, 'last_inbound_at'),
    phq9First: scoreRef(row, 'phq9_first'),
    phq9Last: phq9Last && {
      ...phq9Last,
      items: JSON.parse(str(row, 'phq9_last_items')) as number[],
    },
    gad7First: scoreRef(row, 'gad7_first'),
    gad7Last: scoreRef(row, 'gad7_last'),
  };
};

/**
 * The caseload of one therapist (`therapistId`), or every client (undefined, for an admin), in one
 * statement. `courseFlowIds` names the flows that are courses (flows/courses).
 */
export async function caseloadRows(
  q: Queryable,
  options: { therapistId: string | undefined; courseFlowIds: readonly string[] },
): Promise<CaseloadRow[]> {
  const where = options.therapistId === undefined ? '' : 'WHERE c.therapist_id = ?';
  const args = [
    ...options.courseFlowIds,
    ...(options.therapistId === undefined ? [] : [options.therapistId]),
  ];
  const rows = (await q.execute({ sql: caseloadSql(where, options.courseFlowIds.length), args })).rows;
  return rows.map(toCaseloadRow);
}

/** An alert as the workspace lists it, with its client's name and responsible therapist. */
export interface WorkspaceAlertRow {
  id: string;
  clientId?: string;
  clientName?: string;
  /** The responsible therapist of the alert's client; undefined for nobody's client or no client yet. */
  therapistId?: string;
  enrollmentId?: string;
  kind: AlertKind;
  tier?: AlertTier;
  priority: 'high' | 'normal';
  triggerText: string;
  matchedPhrase?: string;
  channel: string;
  safetyStep?: SafetyStepRecord;
  safetyAnswers: SafetyAnswerEntry[];
  createdAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  acknowledgedByStaffId?: string;
  acknowledgedByStaffName?: string;
  acknowledgedNote?: string;
}

const ALERT_COLUMNS = `a.id, a.client_id, c.display_name AS client_name, c.therapist_id, a.enrollment_id, a.kind,
  a.tier, a.priority, a.trigger_text, a.matched_phrase, a.channel, a.safety_step, a.safety_answers, a.created_at,
  a.acknowledged_at, a.acknowledged_by, a.acknowledged_by_staff_id, s.name AS acknowledged_by_staff_name,
  a.acknowledged_note`;

const toAlertRow = (row: Record<string, unknown>): WorkspaceAlertRow => ({
  id: str(row, 'id'),
  clientId: optStr(row, 'client_id'),
  clientName: optStr(row, 'client_name'),
  therapistId: optStr(row, 'therapist_id'),
  enrollmentId: optStr(row, 'enrollment_id'),
  kind: str(row, 'kind') as AlertKind,
  tier: optStr(row, 'tier') as AlertTier | undefined,
  priority: str(row, 'priority') as 'high' | 'normal',
  triggerText: str(row, 'trigger_text'),
  matchedPhrase: optStr(row, 'matched_phrase'),
  channel: str(row, 'channel'),
  safetyStep: optStr(row, 'safety_step') as SafetyStepRecord | undefined,
  safetyAnswers: JSON.parse(str(row, 'safety_answers')) as SafetyAnswerEntry[],
  createdAt: str(row, 'created_at'),
  acknowledgedAt: optStr(row, 'acknowledged_at'),
  acknowledgedBy: optStr(row, 'acknowledged_by'),
  acknowledgedByStaffId: optStr(row, 'acknowledged_by_staff_id'),
  acknowledgedByStaffName: optStr(row, 'acknowledged_by_staff_name'),
  acknowledgedNote: optStr(row, 'acknowledged_note'),
});

/** Every open alert (index alerts_open), high priority first, then newest first. */
export async function openAlertRows(q: Queryable): Promise<WorkspaceAlertRow[]> {
  const rows = (
    await q.execute(`SELECT ${ALERT_COLUMNS} FROM alerts a
      LEFT JOIN clients c ON c.id = a.client_id
      LEFT JOIN staff s ON s.id = a.acknowledged_by_staff_id
      WHERE a.acknowledged_at IS NULL
      ORDER BY a.priority = 'high' DESC, a.created_at DESC, a.rowid DESC`)
  ).rows;
  return rows.map(toAlertRow);
}

/** Every alert of one client, open and acknowledged, newest first. */
export async function clientAlertRows(q: Queryable, clientId: string): Promise<WorkspaceAlertRow[]> {
  const rows = (
    await q.execute({
      sql: `SELECT ${ALERT_COLUMNS} FROM alerts a
        LEFT JOIN clients c ON c.id = a.client_id
        LEFT JOIN staff s ON s.id = a.acknowledged_by_staff_id
        WHERE a.client_id = ?
        ORDER BY a.created_at DESC, a.rowid DESC`,
      args: [clientId],
    })
  ).rows;
  return rows.map(toAlertRow);
}

/**
 * Clients whose conversation is in safety mode (an alert waiting at a direct question), read through the
 * partial index alerts_address_pending, which holds only those alerts.
 */
export async function clientsInSafetyMode(q: Queryable): Promise<Set<string>> {
  const rows = (
    await q.execute(
      'SELECT DISTINCT client_id FROM alerts WHERE safety_step IS NOT NULL AND client_id IS NOT NULL',
    )
  ).rows;
  return new Set(rows.map((row) => str(row, 'client_id')));
}

/** Clients with a sleep-window proposal waiting for the therapist (index sleep_windows_status). */
export async function clientsAwaitingSleepWindow(q: Queryable): Promise<Set<string>> {
  const rows = (
    await q.execute(`SELECT DISTINCT client_id FROM sleep_windows WHERE status = 'awaiting_approval'`)
  ).rows;
  return new Set(rows.map((row) => str(row, 'client_id')));
}

/** Clients whose guidance contract came back with a change request (contracts_client index). */
export async function clientsAskingContractChange(q: Queryable): Promise<Set<string>> {
  const rows = (
    await q.execute(`SELECT DISTINCT client_id FROM contracts WHERE status = 'changes_requested'`)
  ).rows;
  return new Set(rows.map((row) => str(row, 'client_id')));
}

/** A client with the responsible therapist's name. */
export interface WorkspaceClientRow {
  id: string;
  displayName?: string;
  locale: 'nb' | 'en';
  timeZone: string;
  createdAt: string;
  therapistId?: string;
  therapistName?: string;
}

export async function workspaceClient(
  q: Queryable,
  clientId: string,
): Promise<WorkspaceClientRow | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT c.id, c.display_name, c.locale, c.time_zone, c.created_at, c.therapist_id, s.name AS therapist_name
            FROM clients c LEFT JOIN staff s ON s.id = c.therapist_id WHERE c.id = ?`,
      args: [clientId],
    })
  ).rows[0];
  return row
    ? {
        id: str(row, 'id'),
        displayName: optStr(row, 'display_name'),
        locale: str(row, 'locale') as 'nb' | 'en',
        timeZone: str(row, 'time_zone'),
        createdAt: str(row, 'created_at'),
        therapistId: optStr(row, 'therapist_id'),
        therapistName: optStr(row, 'therapist_name'),
      }
    : undefined;
}

/** An enrollment with its dates, without its snapshot (which the workspace never reads). */
export interface EnrollmentRow {
  id: string;
  flowId: string;
  flowVersion: number;
  status: EnrollmentStatus;
  createdAt: string;
  updatedAt: string;
}

export async function enrollmentRows(q: Queryable, clientId: string): Promise<EnrollmentRow[]> {
  const rows = (
    await q.execute({
      sql: `SELECT id, flow_id, flow_version, status, created_at, updated_at FROM enrollments
            WHERE client_id = ? ORDER BY created_at, rowid`,
      args: [clientId],
    })
  ).rows;
  return rows.map((row) => ({
    id: str(row, 'id'),
    flowId: str(row, 'flow_id'),
    flowVersion: num(row, 'flow_version'),
    status: str(row, 'status') as EnrollmentStatus,
    createdAt: str(row, 'created_at'),
    updatedAt: str(row, 'updated_at'),
  }));
}

/** A domain event as stored, its data parsed. */
export interface EventRow {
  id: number;
  enrollmentId?: string;
  type: string;
  data: unknown;
  createdAt: string;
}

/** The client's course part events and intro answers (`intro.*`), oldest first. */
export async function progressEventRows(q: Queryable, clientId: string): Promise<EventRow[]> {
  const rows = (
    await q.execute({
      sql: `SELECT id, enrollment_id, type, data, created_at FROM domain_events
            WHERE client_id = ? AND (type IN ('part.started', 'part.completed') OR type LIKE 'intro.%')
            ORDER BY id`,
      args: [clientId],
    })
  ).rows;
  return rows.map((row) => ({
    id: num(row, 'id'),
    enrollmentId: optStr(row, 'enrollment_id'),
    type: str(row, 'type'),
    data: JSON.parse(str(row, 'data')) as unknown,
    createdAt: str(row, 'created_at'),
  }));
}

/** One transcript row with the channel it went over. */
export interface TranscriptRow {
  seq: number;
  channel: string;
  direction: 'in' | 'out';
  text: string;
  enrollmentId?: string;
  createdAt: string;
}

/**
 * Up to `limit` transcript rows of a client before sequence number `before` (all when undefined), newest
 * first (index transcript_client), and whether older rows exist.
 */
export async function transcriptPageRows(
  q: Queryable,
  clientId: string,
  page: { before: number | undefined; limit: number },
): Promise<{ rows: TranscriptRow[]; more: boolean }> {
  const rows = (
    await q.execute({
      sql: `SELECT t.seq, a.channel, t.direction, t.text, t.enrollment_id, t.created_at
            FROM transcript t JOIN channel_addresses a ON a.id = t.address_id
            WHERE t.client_id = ? AND t.seq < ? ORDER BY t.seq DESC LIMIT ?`,
      args: [clientId, page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1],
    })
  ).rows;
  return {
    rows: rows.slice(0, page.limit).map((row) => ({
      seq: num(row, 'seq'),
      channel: str(row, 'channel'),
      direction: str(row, 'direction') as 'in' | 'out',
      text: str(row, 'text'),
      enrollmentId: optStr(row, 'enrollment_id'),
      createdAt: str(row, 'created_at'),
    })),
    more: rows.length > page.limit,
  };
}
