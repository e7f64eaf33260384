import {
  findConversationReference,
  upsertConversationReference,
} from '../storage/conversation-references.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * A push channel's reference for an address (Bot Framework: the conversation reference of its latest
 * activity), kept for messages sent later. The service does not read it; the channel's sender does.
 */
export async function rememberConversationReference(
  deps: ServiceDeps,
  row: { channel: string; address: string; reference: unknown },
): Promise<void> {
  const now = deps.clock().toISOString();
  await deps.db.write((tx) => upsertConversationReference(tx, { ...row, now }));
}

export function conversationReference(deps: ServiceDeps, channel: string, address: string): Promise<unknown> {
  return deps.db.read((q) => findConversationReference(q, channel, address));
}
