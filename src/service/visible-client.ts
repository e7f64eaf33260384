import { type ClientRecord, findClient } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import { mayReadClient, type StaffActor } from './staff-actor.ts';

/**
 * The client `actor` may see, read with `q` (inside the caller's transaction where it has one), or
 * undefined for a client that does not exist and for one they may not see alike: callers answer 404
 * for both, so nobody can probe which ids exist.
 */
export async function visibleClient(
  q: Queryable,
  actor: StaffActor,
  clientId: string,
): Promise<ClientRecord | undefined> {
  const client = await findClient(q, clientId);
  return client && mayReadClient(actor, client) ? client : undefined;
}
