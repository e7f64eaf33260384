import { type AddressRecord, clientsAddressesStatement, preferredAddresses } from './addresses.ts';
import { type ClientRecord, toClient } from './clients.ts';
import type { InStatement, Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

/** A measurement schedule: a flow (e.g. `measures`, `screen`) started for a client when it is due. */
export interface ScheduleRecord {
  id: string;
  clientId: string;
  flowId: string;
  everyDays?: number;
  once: boolean;
  nextDueAt?: string;
  active: boolean;
}

const toSchedule = (row: Record<string, unknown>): ScheduleRecord => ({
  id: str(row, 'id'),
  clientId: str(row, 'client_id'),
  flowId: str(row, 'flow_id'),
  everyDays: row.every_days === null ? undefined : num(row, 'every_days'),
  once: num(row, 'once') === 1,
  nextDueAt: optStr(row, 'next_due_at'),
  active: num(row, 'active') === 1,
});

export async function insertSchedule(q: Queryable, s: ScheduleRecord, now: string): Promise<void> {
  await q.execute({
    sql: `INSERT INTO measurement_schedules (id, client_id, flow_id, every_days, next_due_at, active, once, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      s.id,
      s.clientId,
      s.flowId,
      s.everyDays ?? null,
      s.nextDueAt ?? null,
      s.active ? 1 : 0,
      s.once ? 1 : 0,
      now,
    ],
  });
}

/**
 * Schedules that are due, except for clients with an open high-priority safety alert or in safety mode:
 * check-ins pause until a therapist has seen it.
 */
export async function dueSchedules(q: Queryable, now: string, limit: number): Promise<ScheduleRecord[]> {
  const rows = (
    await q.execute({
      sql: `SELECT s.* FROM measurement_schedules s
            WHERE s.active = 1 AND s.next_due_at IS NOT NULL AND s.next_due_at <= ?
              AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.client_id = s.client_id AND a.acknowledged_at IS NULL
                            AND (a.priority = 'high' OR a.safety_step IS NOT NULL))
            ORDER BY s.next_due_at LIMIT ?`,
      args: [now, limit],
    })
  ).rows;
  return rows.map(toSchedule);
}

export async function clientSchedules(q: Queryable, clientId: string): Promise<ScheduleRecord[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM measurement_schedules WHERE client_id = ? ORDER BY rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map(toSchedule);
}

/** What the scheduler reads to start a batch of due check-ins, for every client of the batch. */
export interface CheckinContexts {
  clients: Map<string, ClientRecord>;
  /** Each client's preferred address (`preferredAddress`'s rule), at `now`. */
  addresses: Map<string, AddressRecord>;
  /** `clientId + ' ' + flowId` of every enrollment not finished (pending or active). */
  running: Set<string>;
  /** Each client's schedules, in the order `clientSchedules` gives them. */
  schedules: Map<string, ScheduleRecord[]>;
}

/**
 * Everything starting the check-ins of `clientIds` needs, in four statements and one read batch (one
 * round trip to a remote server), whatever the number of clients: what `findClient`,
 * `preferredAddress`, `activeEnrollmentOfFlow` and `clientSchedules` read for one.
 */
export async function checkinContexts(
  q: Queryable,
  clientIds: string[],
  now: Date,
): Promise<CheckinContexts> {
  const ids = JSON.stringify([...new Set(clientIds)]);
  const [clients, addresses, running, schedules] = await q.batch([
    { sql: 'SELECT * FROM clients WHERE id IN (SELECT value FROM json_each(?))', args: [ids] },
    clientsAddressesStatement([...new Set(clientIds)]),
    {
      sql: `SELECT client_id, flow_id FROM enrollments
            WHERE client_id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'active')`,
      args: [ids],
    },
    {
      sql: 'SELECT * FROM measurement_schedules WHERE client_id IN (SELECT value FROM json_each(?)) ORDER BY rowid',
      args: [ids],
    },
  ]);
  const byClient = new Map<string, ScheduleRecord[]>();
  for (const schedule of schedules!.rows.map(toSchedule)) {
    const list = byClient.get(schedule.clientId);
    if (list) list.push(schedule);
    else byClient.set(schedule.clientId, [schedule]);
  }
  return {
    clients: new Map(clients!.rows.map((row) => [str(row, 'id'), toClient(row)])),
    addresses: preferredAddresses(addresses!.rows, now),
    running: new Set(running!.rows.map((row) => `${str(row, 'client_id')} ${str(row, 'flow_id')}`)),
    schedules: byClient,
  };
}

/** `advanceSchedule` as a statement for a batch: it changes one row when the compare-and-set held. */
export const advanceScheduleStatement = (
  id: string,
  expectedDueAt: string,
  nextDueAt: string | null,
  /** When the questionnaire started, if it did (a schedule can also move on without starting one). */
  startedAt?: string,
): InStatement => ({
  sql: `UPDATE measurement_schedules SET next_due_at = ?, active = CASE WHEN ? IS NULL THEN 0 ELSE active END,
          last_started_at = COALESCE(?, last_started_at)
        WHERE id = ? AND next_due_at = ?`,
  args: [nextDueAt, nextDueAt, startedAt ?? null, id, expectedDueAt],
});

/** Moves a schedule on (compare-and-set on its due time, so two schedulers never start it twice). */
export async function advanceSchedule(
  q: Queryable,
  id: string,
  expectedDueAt: string,
  nextDueAt: string | null,
): Promise<boolean> {
  const result = await q.execute(advanceScheduleStatement(id, expectedDueAt, nextDueAt));
  return result.rowsAffected === 1;
}
