import { findAddress, insertAddress } from '../storage/addresses.ts';
import type { Queryable } from '../storage/db.ts';
import { enqueueOutbox, hasPendingOutbox } from '../storage/outbox.ts';
import { appendTranscript } from '../storage/transcript.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * Tells the clinic's duty phone (ALERT_SMS_TO) that a new alert is waiting, in the same transaction as
 * the alert: a content-free SMS (no name, no text, no diagnosis), sent first and at any hour like a
 * safety reply. While one such SMS is still waiting to go out, a further alert adds none.
 * Returns who was told, for the alert's `alerted` field.
 */
export async function notifyDutyPhone(
  deps: ServiceDeps,
  tx: Queryable,
  now: Date,
): Promise<string | undefined> {
  const to = deps.defaults.alertSmsTo;
  const sender = deps.senders.sms;
  if (!to || sender?.mode !== 'push') return undefined;
  const at = now.toISOString();
  let address = await findAddress(tx, 'sms', to);
  if (!address) {
    address = { id: deps.ids.id(), channel: 'sms', address: to, locale: deps.defaults.locale, createdAt: at };
    await insertAddress(tx, address);
  }
  if (await hasPendingOutbox(tx, address.id)) return 'duty phone';
  const text = deps.catalog.text(address.locale, 'service.duty_alert');
  const seq = await appendTranscript(tx, {
    addressId: address.id,
    direction: 'out',
    text,
    payload: { reply: { key: 'service.duty_alert' }, rendered: { text } },
    createdAt: at,
  });
  const messages = sender.format ? sender.format({ text }, {}) : [{ text }];
  for (const message of messages) {
    await enqueueOutbox(tx, {
      addressId: address.id,
      channel: 'sms',
      transcriptSeq: seq,
      payload: message,
      now: at,
      notBefore: at,
      kind: 'safety',
      segments: message.segments,
      encoding: message.encoding,
    });
  }
  return 'duty phone';
}
