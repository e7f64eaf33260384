import { findAddress } from '../storage/addresses.ts';
import { addressTranscript, outboundAfter, type TranscriptEntry } from '../storage/transcript.ts';
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
    return after === 0 ? addressTranscript(q, found.id) : outboundAfter(q, found.id, after);
  });
}
