import type { Queryable } from './db.ts';
import { str } from './rows.ts';

/** Stores (or replaces) a push channel's delivery reference for an address, as the channel gave it. */
export async function upsertConversationReference(
  q: Queryable,
  row: { channel: string; address: string; reference: unknown; now: string },
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO conversation_references (channel, address, reference, updated_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (channel, address) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at
          WHERE conversation_references.reference IS NOT excluded.reference`,
    args: [row.channel, row.address, JSON.stringify(row.reference), row.now],
  });
}

export async function findConversationReference(
  q: Queryable,
  channel: string,
  address: string,
): Promise<unknown> {
  const row = (
    await q.execute({
      sql: 'SELECT reference FROM conversation_references WHERE channel = ? AND address = ?',
      args: [channel, address],
    })
  ).rows[0];
  return row ? JSON.parse(str(row, 'reference')) : undefined;
}
