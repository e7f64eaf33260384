import { intoSendWindow } from '../domain/quiet-hours.ts';
import type { DomainEvent, Locale, PersistedFlow, Reply, TimerSpec } from '../engine/types.ts';
import type { AddressRecord } from '../storage/addresses.ts';
import { touchAddressStatement } from '../storage/addresses.ts';
import { collectWrites, type InStatement, type Queryable } from '../storage/db.ts';
import { saveSnapshotStatement } from '../storage/enrollments.ts';
import { appendEventStatement } from '../storage/events.ts';
import { markProcessedStatement } from '../storage/inbound.ts';
import { enqueueOutboxStatement, type OutboxKind } from '../storage/outbox.ts';
import { deleteTimerStatement, upsertTimerStatement } from '../storage/timers.ts';
import {
  appendTranscriptRowsStatement,
  appendTranscriptStatement,
  type TranscriptEntry,
} from '../storage/transcript.ts';
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
  /** The caller's own writes, first in the same batch (a new address, linking). */
  statements?: CallerStatement[];
}

/**
 * A caller's write in a turn's batch. Its result is not read, except that a `mustChange` statement must
 * change exactly one row, or the whole write is a `WriteConflict` (an access code spent meanwhile).
 */
export type CallerStatement = InStatement | { mustChange: InStatement };

const isGuard = (s: CallerStatement): s is { mustChange: InStatement } =>
  typeof s === 'object' && 'mustChange' in s;

/** Adds a caller's statements to `batch`; gives the indexes of those that must change one row. */
function addCallerStatements(batch: InStatement[], statements: CallerStatement[] | undefined): number[] {
  const guards: number[] = [];
  for (const s of statements ?? []) {
    if (isGuard(s)) guards.push(batch.push(s.mustChange) - 1);
    else batch.push(s);
  }
  return guards;
}

/**
 * Writes a caller's statements alone, in one batch, for a write whose other steps must see them first
 * (the safety protocol's alert refers to a new address); throws `WriteConflict` as `writeTurn` would.
 */
export async function writeCallerStatements(tx: Queryable, statements: CallerStatement[] | undefined) {
  const batch: InStatement[] = [];
  const guards = addCallerStatements(batch, statements);
  const results = await tx.batch(batch);
  if (guards.some((i) => results[i]!.rowsAffected !== 1)) throw new WriteConflict();
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
 *
 * Every statement goes in one batch (one round trip to a remote server; bench/README.md): none needs the
 * result of another, and the checks that decide whether the turn stands (the dedupe mark is new, the
 * fired timer still existed, the compare-and-set held) are read from the batch's results afterwards. A
 * failed check throws, and the transaction rolls back everything the batch wrote.
 */
export async function writeTurn(deps: ServiceDeps, tx: Queryable, w: TurnWrite): Promise<WrittenTurn> {
  const now = w.now.toISOString();
  const channel = w.address.channel;
  const enrollmentId = w.enrollment?.id;
  const statements: InStatement[] = [];
  const guards = addCallerStatements(statements, w.statements);
  /** Adds a statement whose result is read after the batch; gives its index. */
  const checked = (stmt: InStatement): number => statements.push(stmt) - 1;
  let processed: number | undefined;
  let firedTimer: number | undefined;
  let snapshot: number | undefined;
  let lastTranscript: number | undefined;
  const sender = deps.senders[channel];
  // A push channel's outbox rows name their transcript row, so each row is its own statement there;
  // elsewhere (the web chat) the turn's transcript rows are one statement, at the end of the batch.
  const push = sender?.mode === 'push' ? sender : undefined;
  const transcript: Omit<TranscriptEntry, 'seq'>[] = [];
  const addTranscript = (entry: Omit<TranscriptEntry, 'seq'>) => {
    if (push) lastTranscript = checked(appendTranscriptStatement(entry));
    else transcript.push(entry);
  };

  if (w.inbound) {
    if (w.inbound.providerId !== undefined)
      processed = checked(markProcessedStatement(channel, w.inbound.providerId, now));
    statements.push(touchAddressStatement(w.address.id, now));
    addTranscript({
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
    if (e.firedTimer !== undefined) firedTimer = checked(deleteTimerStatement(e.id, e.firedTimer));
    snapshot = checked(
      saveSnapshotStatement({
        id: e.id,
        expectedRowVersion: e.expectedRowVersion,
        persisted: e.persisted,
        done: e.done,
        now,
      }),
    );
    for (const key of e.cancels) statements.push(deleteTimerStatement(e.id, key));
    for (const timer of e.timers) statements.push(upsertTimerStatement(e.id, timer, now));
  }

  // Projections only write, so they are collected into the batch too, each after its event.
  const projected = collectWrites();
  for (const event of w.events) {
    statements.push(appendEventStatement({ clientId: w.clientId, enrollmentId, event, now }));
    if (w.clientId) {
      await project(
        { deps, tx: projected.q, now, clientId: w.clientId, enrollmentId, channel: w.address.channel },
        event,
      );
      statements.push(...projected.take());
    }
  }

  const rendered = w.replies.map((reply) => renderReply(deps.catalog, w.locale, reply));
  for (const [index, reply] of rendered.entries()) {
    addTranscript({
      addressId: w.address.id,
      clientId: w.clientId,
      enrollmentId,
      direction: 'out',
      text: reply.text,
      payload: { reply: w.replies[index], rendered: reply },
      createdAt: now,
    });
    if (push) {
      const kind = w.kind ?? 'normal';
      const held = w.scheduledFor && kind === 'normal';
      const messages: OutboundMessage[] = push.format
        ? push.format(reply, { inReplyTo: w.inbound?.providerId })
        : [reply];
      for (const message of messages) {
        statements.push(
          enqueueOutboxStatement({
            addressId: w.address.id,
            channel,
            // The transcript row just inserted above, in this same batch.
            transcriptSeq: 'latest',
            payload: message,
            now,
            notBefore: held ? intoSendWindow(w.now, w.scheduledFor!.timeZone).toISOString() : now,
            kind,
            segments: message.segments,
            encoding: message.encoding,
          }),
        );
      }
    }
  }

  if (transcript.length > 0) lastTranscript = checked(appendTranscriptRowsStatement(transcript));
  const results = await tx.batch(statements);
  const changed = (index: number | undefined) => index === undefined || results[index]!.rowsAffected === 1;
  if (!changed(processed)) throw new DuplicateInbound();
  if (!guards.every(changed) || !changed(firedTimer) || !changed(snapshot)) throw new WriteConflict();
  const cursor = lastTranscript === undefined ? 0 : Number(results[lastTranscript]!.lastInsertRowid);
  return { replies: rendered, cursor };
}
