import { type AddressRecord, toAddress } from './addresses.ts';
import type { InStatement, Queryable } from './db.ts';
import { str } from './rows.ts';

/** The conversation a first message with this key started, if one did. */
export async function findStartedConversation(
  q: Queryable,
  channel: string,
  startKey: string,
): Promise<AddressRecord | undefined> {
  const row = (
    await q.execute({
      sql: 'SELECT * FROM channel_addresses WHERE channel = ? AND start_key = ?',
      args: [channel, startKey],
    })
  ).rows[0];
  return row ? toAddress(row) : undefined;
}

/**
 * Records the key of the first message that started a conversation, for the conversation's own batch. A
 * key another conversation holds already (two copies of one first message at once) is left to that one.
 */
export const setStartKeyStatement = (addressId: string, startKey: string): InStatement => ({
  sql: `UPDATE channel_addresses SET start_key = ? WHERE id = ?
          AND NOT EXISTS (SELECT 1 FROM channel_addresses o
                          WHERE o.channel = channel_addresses.channel AND o.start_key = ?)`,
  args: [startKey, addressId, startKey],
});

/**
 * Conversations of `channel` nobody linked, quiet since before `before`, with no alert (a crisis from a
 * stranger is kept for the clinic): at most `limit`, oldest first.
 */
export async function abandonedConversations(
  q: Queryable,
  channel: string,
  before: string,
  limit: number,
): Promise<string[]> {
  const rows = (
    await q.execute({
      sql: `SELECT a.id FROM channel_addresses a
            WHERE a.channel = ? AND a.client_id IS NULL AND a.created_at < ?
              AND COALESCE(a.last_inbound_at, a.created_at) < ?
              AND NOT EXISTS (SELECT 1 FROM alerts WHERE address_id = a.id)
            ORDER BY a.created_at LIMIT ?`,
      args: [channel, before, before, limit],
    })
  ).rows;
  return rows.map((row) => str(row, 'id'));
}

/** Deletes conversations and everything written for them (transcript, outbox and its attempts, held SMS). */
export async function deleteConversations(q: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const list = ids.map(() => '?').join(', ');
  for (const sql of [
    `DELETE FROM delivery_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE address_id IN (${list}))`,
    `DELETE FROM delivery_status_events WHERE outbox_id IN (SELECT id FROM outbox WHERE address_id IN (${list}))`,
    `DELETE FROM outbox WHERE address_id IN (${list})`,
    `DELETE FROM held_messages WHERE address_id IN (${list})`,
    `DELETE FROM transcript WHERE address_id IN (${list})`,
    `DELETE FROM channel_addresses WHERE id IN (${list})`,
  ]) {
    await q.execute({ sql, args: ids });
  }
}
