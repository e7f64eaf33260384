import type { PersistedFlow } from '../engine/types.ts';
import type { InStatement, Queryable } from './db.ts';
import { jsonOf, num, optStr, str } from './rows.ts';

export type EnrollmentStatus = 'pending' | 'active' | 'done';

export interface EnrollmentRecord {
  id: string;
  clientId: string;
  flowId: string;
  flowVersion: number;
  status: EnrollmentStatus;
  persisted?: PersistedFlow;
  rowVersion: number;
}

export const toEnrollment = (row: Record<string, unknown>): EnrollmentRecord => {
  const snapshot = optStr(row, 'snapshot');
  const flowId = str(row, 'flow_id');
  const flowVersion = num(row, 'flow_version');
  return {
    id: str(row, 'id'),
    clientId: str(row, 'client_id'),
    flowId,
    flowVersion,
    status: str(row, 'status') as EnrollmentStatus,
    persisted:
      snapshot === undefined ? undefined : { flowId, version: flowVersion, snapshot: JSON.parse(snapshot) },
    rowVersion: num(row, 'row_version'),
  };
};

export async function insertEnrollment(
  q: Queryable,
  e: { id: string; clientId: string; flowId: string; flowVersion: number; now: string },
): Promise<void> {
  await q.execute(insertEnrollmentStatement(e));
}

export const insertEnrollmentStatement = (e: {
  id: string;
  clientId: string;
  flowId: string;
  flowVersion: number;
  now: string;
}): InStatement => ({
  sql: `INSERT INTO enrollments (id, client_id, flow_id, flow_version, status, snapshot, row_version, created_at, updated_at)
        VALUES (?, ?, ?, ?, 'pending', NULL, 0, ?, ?)`,
  args: [e.id, e.clientId, e.flowId, e.flowVersion, e.now, e.now],
});

/**
 * A course that has not started becomes another course (a signed contract changed it). Compare-and-set
 * on the row version; false when the enrollment started or changed meanwhile.
 */
export async function switchPendingCourse(
  q: Queryable,
  e: { id: string; rowVersion: number; flowId: string; flowVersion: number; now: string },
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE enrollments SET flow_id = ?, flow_version = ?, row_version = row_version + 1, updated_at = ?
          WHERE id = ? AND status = 'pending' AND snapshot IS NULL AND row_version = ?`,
    args: [e.flowId, e.flowVersion, e.now, e.id, e.rowVersion],
  });
  return result.rowsAffected === 1;
}

export async function findEnrollment(q: Queryable, id: string): Promise<EnrollmentRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM enrollments WHERE id = ?', args: [id] })).rows[0];
  return row ? toEnrollment(row) : undefined;
}

/** The client's current enrollment: the newest one not finished. */
export async function currentEnrollment(
  q: Queryable,
  clientId: string,
): Promise<EnrollmentRecord | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT * FROM enrollments WHERE client_id = ? AND status IN ('pending', 'active')
            ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      args: [clientId],
    })
  ).rows[0];
  return row ? toEnrollment(row) : undefined;
}

export async function listEnrollments(q: Queryable, clientId: string): Promise<EnrollmentRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM enrollments WHERE client_id = ? ORDER BY created_at, rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map(toEnrollment);
}

/**
 * Compare-and-set: writes the new snapshot only if nobody else wrote since `expectedRowVersion` was read.
 * Returns false on a conflict; the caller re-reads and replays the turn.
 */
export async function saveSnapshot(q: Queryable, e: SnapshotWrite): Promise<boolean> {
  const result = await q.execute(saveSnapshotStatement(e));
  return result.rowsAffected === 1;
}

type SnapshotWrite = {
  id: string;
  expectedRowVersion: number;
  /**
   * The status read with `expectedRowVersion`, where the caller has it. Only this statement changes a
   * status, always with the row version, so when the compare-and-set holds it is still the status: one
   * that stays is not written, which spares the two indexes on it a rewrite every turn.
   */
  statusAsRead?: EnrollmentStatus;
  persisted: PersistedFlow;
  done: boolean;
  now: string;
};

const saveSnapshotSql = `UPDATE enrollments SET snapshot = ?, status = ?, row_version = row_version + 1, updated_at = ?
        WHERE id = ? AND row_version = ?`;
const saveSnapshotKeepingStatusSql = `UPDATE enrollments SET snapshot = ?, row_version = row_version + 1, updated_at = ?
        WHERE id = ? AND row_version = ?`;

/** `saveSnapshot` as a statement for a batch: it changed one row when the compare-and-set held, else none. */
export function saveSnapshotStatement(e: SnapshotWrite): InStatement {
  const status = e.done ? 'done' : 'active';
  const snapshot = jsonOf(e.persisted.snapshot);
  return e.statusAsRead === status
    ? { sql: saveSnapshotKeepingStatusSql, args: [snapshot, e.now, e.id, e.expectedRowVersion] }
    : { sql: saveSnapshotSql, args: [snapshot, status, e.now, e.id, e.expectedRowVersion] };
}

/**
 * A new enrollment with its first snapshot, in one statement: the very row that `insertEnrollmentStatement`
 * (pending, row version 0) followed by `saveSnapshotStatement` (expecting 0) leaves. It changes one row.
 */
export const insertStartedEnrollmentStatement = (
  e: SnapshotWrite & { clientId: string; flowId: string; flowVersion: number },
): InStatement => ({
  sql: `INSERT INTO enrollments (id, client_id, flow_id, flow_version, status, snapshot, row_version, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  args: [
    e.id,
    e.clientId,
    e.flowId,
    e.flowVersion,
    e.done ? 'done' : 'active',
    jsonOf(e.persisted.snapshot),
    e.expectedRowVersion + 1,
    e.now,
    e.now,
  ],
});

/** The newest unfinished enrollment of a client other than `excludeId` (what resumes after a check-in). */
export async function otherCurrentEnrollment(
  q: Queryable,
  clientId: string,
  excludeId: string,
): Promise<EnrollmentRecord | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT * FROM enrollments WHERE client_id = ? AND id != ? AND status IN ('pending', 'active')
            ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      args: [clientId, excludeId],
    })
  ).rows[0];
  return row ? toEnrollment(row) : undefined;
}

export async function activeEnrollmentOfFlow(
  q: Queryable,
  clientId: string,
  flowId: string,
): Promise<EnrollmentRecord | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT * FROM enrollments WHERE client_id = ? AND flow_id = ? AND status IN ('pending', 'active') LIMIT 1`,
      args: [clientId, flowId],
    })
  ).rows[0];
  return row ? toEnrollment(row) : undefined;
}
