import type { InStatement, Queryable } from './db.ts';

export async function wasProcessed(q: Queryable, channel: string, providerId: string): Promise<boolean> {
  const rows = (
    await q.execute({
      sql: 'SELECT 1 FROM processed_inbound WHERE channel = ? AND provider_id = ?',
      args: [channel, providerId],
    })
  ).rows;
  return rows.length > 0;
}

/** Records an inbound message id; changes no row when it was already recorded (a duplicate delivery). */
export const markProcessedStatement = (channel: string, providerId: string, now: string): InStatement => ({
  sql: 'INSERT INTO processed_inbound (channel, provider_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  args: [channel, providerId, now],
});

/** Records an inbound message id; false when it was already recorded (a duplicate delivery). */
export async function markProcessed(
  q: Queryable,
  channel: string,
  providerId: string,
  now: string,
): Promise<boolean> {
  const result = await q.execute(markProcessedStatement(channel, providerId, now));
  return result.rowsAffected === 1;
}
