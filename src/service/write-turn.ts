import { holdsContent, releasesHeld } from '../domain/discreet-sms.ts';
import { intoSendWindow } from '../domain/quiet-hours.ts';
import type { DomainEvent, Locale, PersistedFlow, Reply, TimerSpec } from '../engine/types.ts';
import type { AddressRecord } from '../storage/addresses.ts';
import { touchAddressStatement } from '../storage/addresses.ts';
import { collectWrites, type InStatement, type Queryable } from '../storage/db.ts';
import {
  type EnrollmentStatus,
  insertStartedEnrollmentStatement,
  saveSnapshotStatement,
} from '../storage/enrollments.ts';
import { appendEventStatement } from '../storage/events.ts';
import {
  type DiscreetSmsState,
  discreetSmsState,
  holdMessageStatement,
  NOTICE_KEY,
  releaseHeldStatements,
} from '../storage/held-messages.ts';
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
import { hasProjection, project } from './projections.ts';
import { type RenderedReply, renderReply } from './render.ts';

/** Everything one turn changes, written in one transaction. */
export interface TurnWrite {
  now: Date;
  /** Where the replies go. */
  address: AddressRecord;
  clientId?: string;
  locale: Locale;
  inbound?: {
    providerId?: string;
    text: string;
    payload: unknown;
    /** The message counters it is counted in (message-limits.ts), taken in this write. */
    counted?: CallerStatement[];
  };
  enrollment?: {
    id: string;
    expectedRowVersion: number;
    /** The status read with `expectedRowVersion` (saveSnapshotStatement writes it only when it changes). */
    statusAsRead?: EnrollmentStatus;
    persisted: PersistedFlow;
    done: boolean;
    timers: TimerSpec[];
    cancels: string[];
    /** The timer this turn fires: it must still exist, or the turn is stale. */
    firedTimer?: string;
    /** The enrollment is not stored yet: inserted with this snapshot instead of a compare-and-set. */
    insert?: { clientId: string; flowId: string; flowVersion: number };
  };
  events: DomainEvent[];
  replies: Reply[];
  /**
   * For messages nobody is waiting for (reminders, check-ins): the client's time zone, so push channels
   * hold them until the send window opens. Replies to the client's own message go out at once. By SMS the
   * content of such a message is also held behind a neutral notice, unless the client chose full SMS
   * (domain/discreet-sms.ts); the client's next message releases it, ahead of that turn's own replies.
   */
  scheduledFor?: { timeZone: string };
  /** Safety replies are never held back (quiet hours, STOP); the STOP confirmation goes out once. */
  kind?: OutboxKind;
  /** The caller's own writes, first in the same batch (a new address, linking). */
  statements?: CallerStatement[];
  /**
   * The caller's own writes that refer to the turn's rows (a therapist's message names its transcript
   * row), last in the same batch, after every transcript, outbox and held row of the turn.
   */
  closing?: InStatement[];
  /**
   * The address's discreet SMS state, when the caller read it already inside this same transaction (a
   * batch of check-ins reads all of theirs in one statement); otherwise `writeTurn` reads it.
   */
  discreet?: DiscreetSmsState;
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
  const prepared = await turnStatements(deps, tx, w);
  const results = await tx.batch(prepared.statements);
  const check = turnStands(prepared, results);
  if (check === 'duplicate') throw new DuplicateInbound();
  if (check === 'conflict') throw new WriteConflict();
  return writtenTurn(prepared, results);
}

/** A turn's statements, not yet run, and where in them the results that decide whether it stands are. */
export interface TurnStatements {
  statements: InStatement[];
  /** Caller statements that must change one row. */
  guards: number[];
  processed?: number;
  firedTimer?: number;
  snapshot?: number;
  lastTranscript?: number;
  rendered: RenderedReply[];
}

/**
 * Whether a turn's batch stood, from its statements' results (`results[i]` is the result of
 * `statements[i]`): a `duplicate` dedupe mark or a `conflict` (a guard, the fired timer or the
 * compare-and-set) means the transaction must not commit it.
 */
export function turnStands(
  t: TurnStatements,
  results: { rowsAffected: number }[],
): 'ok' | 'duplicate' | 'conflict' {
  if (!changedOne(results, t.processed)) return 'duplicate';
  for (const guard of t.guards) if (!changedOne(results, guard)) return 'conflict';
  if (!changedOne(results, t.firedTimer) || !changedOne(results, t.snapshot)) return 'conflict';
  return 'ok';
}

/** Whether the statement at `index` (none: nothing to check) changed exactly one row. */
function changedOne(results: { rowsAffected: number }[], index: number | undefined): boolean {
  return index === undefined || results[index]!.rowsAffected === 1;
}

/** What a turn that stood answers, from its statements' results. */
export function writtenTurn(
  t: TurnStatements,
  results: { lastInsertRowid: bigint | undefined }[],
): WrittenTurn {
  const cursor = t.lastTranscript === undefined ? 0 : Number(results[t.lastTranscript]!.lastInsertRowid);
  return { replies: t.rendered, cursor };
}

/**
 * Builds `writeTurn`'s batch without running it, so a caller can send many turns' statements in one
 * batch (check-ins, measurements.ts). Reads only the discreet SMS state, and not when `w.discreet` has it.
 */
export async function turnStatements(
  deps: ServiceDeps,
  tx: Queryable,
  w: TurnWrite,
): Promise<TurnStatements> {
  const now = w.now.toISOString();
  const channel = w.address.channel;
  const enrollmentId = w.enrollment?.id;
  const statements: InStatement[] = [];
  const guards = [
    ...addCallerStatements(statements, w.statements),
    ...addCallerStatements(statements, w.inbound?.counted),
  ];
  // Statements whose results are read after the batch are kept by index (`statements.push(…) - 1`).
  let processed: number | undefined;
  let firedTimer: number | undefined;
  let snapshot: number | undefined;
  const sender = deps.senders[channel];
  // A push channel's outbox rows name their transcript row, so each row is its own statement there;
  // elsewhere (the web chat) the turn's transcript rows are one statement, at the end of the batch.
  const push = sender?.mode === 'push' ? sender : undefined;
  const kind = w.kind ?? 'normal';
  const out: Outgoing = {
    statements,
    push,
    transcript: [],
    lastTranscript: undefined,
    address: w.address,
    clientId: w.clientId,
    enrollmentId,
    now,
    kind,
    inReplyTo: w.inbound?.providerId,
    // Quiet hours: a message nobody is waiting for waits for the send window (a notice in its place too).
    notBefore: w.scheduledFor && kind === 'normal' ? sendWindowFrom(w.now, w.scheduledFor.timeZone) : now,
  };
  const discreet = push && w.replies.length > 0 ? await discreetPush(deps, tx, w, kind) : undefined;

  // The client answered: what was held behind a notice goes out first, in its order, then this turn's
  // replies (safety turns leave it held; their own messages are never behind it).
  if (push && w.inbound && releasesHeld({ channel, kind }))
    statements.push(...releaseHeldStatements(w.address.id, now));

  if (w.inbound) {
    if (w.inbound.providerId !== undefined)
      processed = statements.push(markProcessedStatement(channel, w.inbound.providerId, now)) - 1;
    statements.push(touchAddressStatement(w.address.id, now));
    addTranscript(out, 'in', w.inbound.text, w.inbound.payload);
  }

  if (w.enrollment) {
    const e = w.enrollment;
    if (e.firedTimer !== undefined)
      firedTimer = statements.push(deleteTimerStatement(e.id, e.firedTimer)) - 1;
    const save = {
      id: e.id,
      expectedRowVersion: e.expectedRowVersion,
      statusAsRead: e.statusAsRead,
      persisted: e.persisted,
      done: e.done,
      now,
    };
    snapshot =
      statements.push(
        e.insert ? insertStartedEnrollmentStatement({ ...save, ...e.insert }) : saveSnapshotStatement(save),
      ) - 1;
    for (const key of e.cancels) statements.push(deleteTimerStatement(e.id, key));
    for (const timer of e.timers) statements.push(upsertTimerStatement(e.id, timer, now));
  }

  // Projections only write, so they are collected into the batch too, each after its event.
  let projected: ReturnType<typeof collectWrites> | undefined;
  for (const event of w.events) {
    statements.push(appendEventStatement({ clientId: w.clientId, enrollmentId, event, now }));
    if (w.clientId && hasProjection(event)) {
      projected ??= collectWrites();
      await project(
        { deps, tx: projected.q, now, clientId: w.clientId, enrollmentId, channel: w.address.channel },
        event,
      );
      statements.push(...projected.take());
    }
  }

  const rendered = w.replies.map((reply) => renderReply(deps.catalog, w.locale, reply, w.address.channel));
  for (const [index, reply] of rendered.entries()) {
    addTranscript(out, 'out', reply.text, { reply: w.replies[index], rendered: reply });
    if (push) enqueue(out, reply, discreet !== undefined);
  }
  // One notice for what is held: none while an earlier one still waits for the client's answer.
  if (discreet?.notice) {
    const reply = discreet.notice;
    const notice = renderReply(deps.catalog, w.locale, reply);
    addTranscript(out, 'out', notice.text, { reply, rendered: notice });
    enqueue(out, notice, false);
  }

  if (out.transcript.length > 0)
    out.lastTranscript = statements.push(appendTranscriptRowsStatement(out.transcript)) - 1;
  if (w.closing) statements.push(...w.closing);
  return {
    statements,
    guards,
    processed,
    firedTimer,
    snapshot,
    lastTranscript: out.lastTranscript,
    rendered,
  };
}

/**
 * What `turnStatements` adds its transcript and outbox rows with. (Plain functions over this, not
 * closures made per turn: the TypeScript loader keeps each closure's name with a property definition,
 * which a batch of check-ins paid for thousands of times.)
 */
interface Outgoing {
  statements: InStatement[];
  push: Extract<ServiceDeps['senders'][string], { mode: 'push' }> | undefined;
  /** A channel that is not pushed: the turn's transcript rows, written together at the end. */
  transcript: Omit<TranscriptEntry, 'seq'>[];
  /** Index of the statement that wrote the last transcript row. */
  lastTranscript: number | undefined;
  address: AddressRecord;
  clientId: string | undefined;
  enrollmentId: string | undefined;
  now: string;
  kind: OutboxKind;
  inReplyTo: string | undefined;
  notBefore: string;
}

function addTranscript(out: Outgoing, direction: 'in' | 'out', text: string, payload: unknown): void {
  const entry: Omit<TranscriptEntry, 'seq'> = {
    addressId: out.address.id,
    clientId: out.clientId,
    enrollmentId: out.enrollmentId,
    direction,
    text,
    payload,
    createdAt: out.now,
  };
  if (out.push) out.lastTranscript = out.statements.push(appendTranscriptStatement(entry)) - 1;
  else out.transcript.push(entry);
}

/** Queues a reply for the push channel, or holds it behind the notice; `reply`'s transcript row is the latest. */
function enqueue(out: Outgoing, reply: RenderedReply, held: boolean): void {
  const push = out.push!;
  const messages: OutboundMessage[] = push.format
    ? push.format(reply, { inReplyTo: out.inReplyTo })
    : [reply];
  for (const message of messages) {
    // The transcript row just inserted, in this same batch.
    const row = {
      addressId: out.address.id,
      channel: out.address.channel,
      transcriptSeq: 'latest' as const,
      payload: message,
      now: out.now,
      kind: out.kind,
      segments: message.segments,
      encoding: message.encoding,
    };
    out.statements.push(
      held ? holdMessageStatement(row) : enqueueOutboxStatement({ ...row, notBefore: out.notBefore }),
    );
  }
}

/** The last answer of `sendWindowFrom`: a batch's turns share their `now` and mostly their time zone. */
let lastWindow = { at: Number.NaN, timeZone: '', from: '' };

/** `intoSendWindow(now, timeZone)` as ISO text (a pure function of both, so its last answer is kept). */
function sendWindowFrom(now: Date, timeZone: string): string {
  const at = now.getTime();
  if (lastWindow.at !== at || lastWindow.timeZone !== timeZone)
    lastWindow = { at, timeZone, from: intoSendWindow(now, timeZone).toISOString() };
  return lastWindow.from;
}

/**
 * Whether a push's content is held behind a discreet notice (undefined: sent as it is), and the notice
 * to send when none is waiting for an answer yet. Reads only for a push that may be held (a scheduled
 * SMS to a client), inside the turn's transaction.
 */
async function discreetPush(
  deps: ServiceDeps,
  tx: Queryable,
  w: TurnWrite,
  kind: OutboxKind,
): Promise<{ notice?: Reply } | undefined> {
  const channel = w.address.channel;
  const scheduled = w.scheduledFor !== undefined;
  if (!w.clientId || !holdsContent({ channel, scheduled, kind, contract: undefined })) return undefined;
  const state = w.discreet ?? (await discreetSmsState(tx, w.address.id, w.clientId));
  if (!holdsContent({ channel, scheduled, kind, contract: state.contract })) return undefined;
  if (state.waiting) return {};
  const clinic = deps.defaults.clinicName ?? deps.catalog.text(w.locale, 'sms.discreet_clinic');
  return { notice: { key: NOTICE_KEY, vars: { clinic } } };
}
