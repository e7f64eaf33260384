import { findAddress } from '../storage/addresses.ts';
import { conversationTranscript, type TranscriptEntry } from '../storage/transcript.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * What a pull channel (the web chat page) has not shown yet: the whole conversation for `after` 0, else
 * the messages sent after sequence number `after`. Undefined for an unknown conversation.
 */
export function conversationSince(
  deps: ServiceDeps,
  channel: string,
  address: string,
  after: number,
): Promise<TranscriptEntry[] | undefined> {
  return deps.db.read(async (q) => {
    const found = await findAddress(q, channel, address);
    if (!found) return undefined;
    // Never what was said while the device belonged to another client (conversationTranscript).
    return conversationTranscript(q, found.id, found.clientId, after);
  });
}
