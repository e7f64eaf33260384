import type { Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

/** A client under a signed contract, with what the "goes quiet" rule needs. */
export interface QuietCandidate {
  clientId: string;
  fields: unknown;
  signedAt: string;
  lastInboundAt?: string;
  remindedAt?: string;
  taskAt?: string;
}

/**
 * Clients whose contract in force is signed, with their last message and the last quiet reminder and
 * task; clients with an open high-priority alert or in safety mode are left out (nothing is sent to
 * them meanwhile, as for check-ins).
 */
export async function quietCandidates(q: Queryable, limit: number): Promise<QuietCandidate[]> {
  const rows = (
    await q.execute({
      sql: `SELECT c.client_id, c.fields, c.client_signed_at,
              (SELECT MAX(t.created_at) FROM transcript t WHERE t.client_id = c.client_id AND t.direction = 'in') AS last_in,
              (SELECT MAX(e.created_at) FROM domain_events e WHERE e.client_id = c.client_id AND e.type = 'client.quiet_reminded') AS reminded_at,
              (SELECT MAX(e.created_at) FROM domain_events e WHERE e.client_id = c.client_id AND e.type = 'client.quiet_task') AS task_at
            FROM contracts c
            WHERE c.status = 'signed' AND c.client_signed_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.client_id = c.client_id AND a.acknowledged_at IS NULL
                              AND (a.priority = 'high' OR a.safety_step IS NOT NULL))
            ORDER BY c.client_id LIMIT ?`,
      args: [limit],
    })
  ).rows;
  return rows.map((row) => ({
    clientId: str(row, 'client_id'),
    fields: JSON.parse(str(row, 'fields')),
    signedAt: str(row, 'client_signed_at'),
    lastInboundAt: optStr(row, 'last_in'),
    remindedAt: optStr(row, 'reminded_at'),
    taskAt: optStr(row, 'task_at'),
  }));
}

/** Clients with a quiet-rule task for the therapist since their last message. */
export async function clientsWithQuietTask(q: Queryable): Promise<Set<string>> {
  const rows = (
    await q.execute(
      `SELECT DISTINCT e.client_id FROM domain_events e
       WHERE e.type = 'client.quiet_task' AND e.client_id IS NOT NULL
         AND e.created_at > COALESCE((SELECT MAX(t.created_at) FROM transcript t
                                      WHERE t.client_id = e.client_id AND t.direction = 'in'), '')`,
    )
  ).rows;
  return new Set(rows.map((row) => str(row, 'client_id')));
}
