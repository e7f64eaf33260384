import { setUndeliverable } from '../storage/addresses.ts';
import { findOutboxByProviderId, recordDeliveryStatus } from '../storage/outbox.ts';
import type { ServiceDeps } from './deps.ts';

/** A provider's word on a message it took: parsed and classified by the channel. */
export interface DeliveryReport {
  /** The provider's message id (Twilio MessageSid). */
  providerId: string;
  /** The provider's own status word, recorded as it is. */
  status: string;
  /** Where the message ended, if this status is final. */
  final?: 'delivered' | 'failed';
  errorCode?: number;
  /** The failure means the address can never receive (a landline, an invalid number). */
  permanent: boolean;
}

/**
 * Records a delivery status on its outbox row; a permanent failure marks the address undeliverable, so
 * nothing more is tried there. A status for a message we do not know is ignored.
 */
export async function recordDeliveryReport(deps: ServiceDeps, report: DeliveryReport): Promise<void> {
  const now = deps.clock().toISOString();
  await deps.db.write(async (tx) => {
    const row = await findOutboxByProviderId(tx, report.providerId);
    if (!row) return;
    await recordDeliveryStatus(tx, {
      outboxId: row.id,
      providerId: report.providerId,
      status: report.status,
      errorCode: report.errorCode,
      now,
      final: report.final,
    });
    if (report.final === 'failed' && report.permanent) await setUndeliverable(tx, row.addressId, now);
  });
}
