import { intoSendWindow } from '../domain/quiet-hours.ts';
import type { DomainEvent, Locale, PersistedFlow, Reply, TimerSpec } from '../engine/types.ts';
import type { AddressRecord } from '../storage/addresses.ts';
import { touchAddress } from '../storage/addresses.ts';
import type { Queryable } from '../storage/db.ts';
import { saveSnapshot } from '../storage/enrollments.ts';
import { appendEvent } from '../storage/events.ts';
import { markProcessed } from '../storage/inbound.ts';
import { enqueueOutbox, type OutboxKind } from '../storage/outbox.ts';
import { deleteTimer, upsertTimer } from '../storage/timers.ts';
import { appendTranscript } from '../storage/transcript.ts';
import type { OutboundMessage, ServiceDeps } from './deps.ts';
import { DuplicateInbound, WriteConflict } from './errors.ts';
import { project } from './projections.ts';
import { type RenderedReply, renderReply } from './render.ts';

/** Everything one turn changes, written in one transaction. */
export interface TurnWrite {
  now: Date;
  /** Where the replies go. */
  address: AddressRecord;
  clientId?: string;
  locale: Locale;
  inbound?: { providerId?: string; text: string; payload: unknown };
  enrollment?: {
    id: string;
    expectedRowVersion: number;
    persisted: PersistedFlow;
    done: boolean;
    timers: TimerSpec[];
    cancels: string[];
    /** The timer this turn fires: it must still exist, or the turn is stale. */
    firedTimer?: string;
  };
  events: DomainEvent[];
  replies: Reply[];
  /**
   * For messages nobody is waiting for (reminders, check-ins): the client's time zone, so push channels
   * hold them until the send window opens. Replies to the client's own message go out at once.
   */
  scheduledFor?: { timeZone: string };
  /** Safety replies are never held back (quiet hours, STOP); the STOP confirmation goes out once. */
  kind?: OutboxKind;
}

export interface WrittenTurn {
  replies: RenderedReply[];
  /** Sequence number of the last transcript row written for the address. */
  cursor: number;
}

/**
 * Writes a turn atomically: dedupe mark, transcript, snapshot (compare-and-set), timers, domain events
 * and the outbox. Throws `DuplicateInbound` or `WriteConflict` inside the transaction so nothing is
 * half-written; callers turn those into outcomes.
 */
export async function writeTurn(deps: ServiceDeps, tx: Queryable, w: TurnWrite): Promise<WrittenTurn> {
  const now = w.now.toISOString();
  const channel = w.address.channel;
  const enrollmentId = w.enrollment?.id;
  let cursor = 0;

  if (w.inbound) {
    if (
      w.inbound.providerId !== undefined &&
      !(await markProcessed(tx, channel, w.inbound.providerId, now))
    ) {
      throw new DuplicateInbound();
    }
    await touchAddress(tx, w.address.id, now);
    cursor = await appendTranscript(tx, {
      addressId: w.address.id,
      clientId: w.clientId,
      enrollmentId,
      direction: 'in',
      text: w.inbound.text,
      payload: w.inbound.payload,
      createdAt: now,
    });
  }

  if (w.enrollment) {
    const e = w.enrollment;
    if (e.firedTimer !== undefined && (await deleteTimer(tx, e.id, e.firedTimer)) !== 1)
      throw new WriteConflict();
    const saved = await saveSnapshot(tx, {
      id: e.id,
      expectedRowVersion: e.expectedRowVersion,
      persisted: e.persisted,
      done: e.done,
      now,
    });
    if (!saved) throw new WriteConflict();
    for (const key of e.cancels) await deleteTimer(tx, e.id, key);
    for (const timer of e.timers) await upsertTimer(tx, e.id, timer, now);
  }

  for (const event of w.events) {
    await appendEvent(tx, { clientId: w.clientId, enrollmentId, event, now });
    if (w.clientId) {
      await project({ deps, tx, now, clientId: w.clientId, enrollmentId, channel: w.address.channel }, event);
    }
  }

  const sender = deps.senders[channel];
  const rendered = w.replies.map((reply) => renderReply(deps.catalog, w.locale, reply));
  for (const [index, reply] of rendered.entries()) {
    cursor = await appendTranscript(tx, {
      addressId: w.address.id,
      clientId: w.clientId,
      enrollmentId,
      direction: 'out',
      text: reply.text,
      payload: { reply: w.replies[index], rendered: reply },
      createdAt: now,
    });
    if (sender?.mode === 'push') {
      const kind = w.kind ?? 'normal';
      const held = w.scheduledFor && kind === 'normal';
      const messages: OutboundMessage[] = sender.format ? sender.format(reply) : [reply];
      for (const message of messages) {
        await enqueueOutbox(tx, {
          addressId: w.address.id,
          channel,
          transcriptSeq: cursor,
          payload: message,
          now,
          notBefore: held ? intoSendWindow(w.now, w.scheduledFor!.timeZone).toISOString() : now,
          kind,
          segments: message.segments,
          encoding: message.encoding,
        });
      }
    }
  }
  return { replies: rendered, cursor };
}
