import { setOptedOut, setUndeliverable } from '../storage/addresses.ts';
import {
  claimOutbox,
  dueOutbox,
  type OutboxRow,
  providerIdsTaken,
  recordAttempt,
} from '../storage/outbox.ts';
import type { ChannelSender, LookupResult, OutboundMessage, SendResult, ServiceDeps } from './deps.ts';
import type { SendRate } from './send-rate.ts';

/** How long a claimed row is left to the pass that claimed it before another may take it up. */
export const LEASE_MS = 5 * 60 * 1000;

/**
 * How long a safety send may wait for the provider before it counts as a retryable failure. Twilio
 * answers a create-message call in a few hundred milliseconds when it is healthy (5–15 ms from the fake
 * on 127.0.0.1), so a call still unanswered after 3 s has most likely hung on a dead connection: the
 * attempt is recorded and retried on a fresh one rather than left waiting the 15 s a normal send may.
 * A timeout leaves the outcome unknown: the retry first asks the provider (within this same bound) and
 * sends only if the message is not there; if the provider cannot say, a duplicate crisis reply is the
 * lesser harm than a missing one, and it is sent.
 */
export const SAFETY_SEND_TIMEOUT_MS = 3_000;

/**
 * Recipients whose normal messages one pass sends side by side. One recipient's messages go one at a
 * time, in order; several recipients at once keep one hanging send from holding up everybody else's,
 * while staying far below the number of requests Twilio lets one account have open at once.
 */
const NORMAL_LANES = 4;

/**
 * The first retry of a safety message comes after 10 s, not the normal 2 min: a crisis reply that timed
 * out once should not wait minutes for a provider that was only briefly slow.
 */
export const SAFETY_RETRY_BASE_MS = 10_000;

/** Exponential backoff: base, 2x, 4x, ... With a 2 min base and 6 attempts the last try is ~1 h in. */
export function retryDelayMs(attempt: number, baseDelayMs: number): number {
  return baseDelayMs * 2 ** (attempt - 1);
}

/** Why a row must not be sent at all: the number opted out (STOP) or cannot receive. */
function heldBack(row: OutboxRow): string | undefined {
  // A safety message is tried even then: the mark may be stale (the client wrote since) or wrong.
  if (row.undeliverableAt && row.kind !== 'safety') return 'address is undeliverable';
  // After STOP only the safety layer and the STOP confirmation itself may reach the number.
  if (row.optedOutAt && row.kind === 'normal') return 'address opted out (STOP)';
  return undefined;
}

export interface DeliveryOptions {
  /**
   * Most rows one pass reads; safety rows are read first, so they are never left out by the limit. By
   * default 100, or what the fastest send rate lets the window send if that is more.
   */
  limit?: number;
  /** Only safety rows: what the scheduler sends at once after an inbound message, beside any pass. */
  only?: 'safety';
  /**
   * How long the pass may pace a rate-limited channel's normal rows (deps.sendRates): it sends what the
   * rate allows in this time and leaves the rest, oldest first, to the next pass. Default PACE_WINDOW_MS;
   * the scheduler passes its interval.
   */
  windowMs?: number;
}

/** How long one pass paces a rate-limited channel when the caller does not say. */
export const PACE_WINDOW_MS = 1_000;

type Outcome = 'sent' | 'retry' | 'failed' | 'taken';

/**
 * Sends what is due in the outbox through each row's channel. A retryable failure is tried again later,
 * when the provider said to (Retry-After) or else with backoff; a permanent failure, or the last attempt,
 * marks the row failed so it is visible. A number that opted out or cannot receive gets nothing but what
 * the safety layer must send.
 *
 * Safety messages are never queued behind other sends: every recipient's safety messages start at once,
 * before any normal message, in a lane of their own with the short SAFETY_SEND_TIMEOUT_MS, so neither a
 * hanging normal send nor another client's hanging safety send holds them. Within one recipient they go
 * in order (the acknowledgement, the numbers, then the question with its numbered answers): a hung part
 * delays the next by at most the timeout, which keeps the protocol readable. Normal messages go in lanes
 * per recipient too: in id order within a lane, NORMAL_LANES lanes at a time.
 *
 * Every row is claimed just before it is sent, so a row in flight is never taken by another pass, and the
 * claim marks it as sending. A row found still sending after its lease (the process died between the
 * provider call and recording it), or whose last attempt timed out, may have gone out already: where the
 * channel can look a message up, it is asked first, and a message it has is recorded as sent with its id
 * instead of being sent twice. A normal row waits for a lookup that failed; a safety row is sent anyway.
 */
export async function deliverOutbox(
  deps: ServiceDeps,
  options: DeliveryOptions = {},
): Promise<{ sent: number; failed: number }> {
  const windowMs = options.windowMs ?? PACE_WINDOW_MS;
  const rates = Object.values(deps.sendRates ?? {});
  const paced = Math.max(0, ...rates.map((rate) => Math.ceil((rate.perSecond * windowMs) / 1000)));
  const rows = await deps.db.read((q) =>
    dueOutbox(q, deps.clock().toISOString(), options.limit ?? Math.max(100, paced), options.only),
  );
  const byRecipient = (kind: 'safety' | 'other') => {
    const lanes = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      if ((row.kind === 'safety') !== (kind === 'safety')) continue;
      const lane = lanes.get(row.addressId);
      if (lane) lane.push(row);
      else lanes.set(row.addressId, [row]);
    }
    return [...lanes.values()];
  };
  const outcomes: Outcome[] = [];
  // A lane is one conversation's messages in order: it stops at a message that did not go out (to be
  // tried again, or claimed by another pass), so nothing after it overtakes it.
  const deliver = async (lane: OutboxRow[]) => {
    for (const row of lane) {
      if (!heldBack(row)) deps.sendRates?.[row.channel]?.count();
      const outcome = await deliverRow(deps, row);
      outcomes.push(outcome);
      if (outcome === 'retry' || outcome === 'taken') return;
    }
  };
  // A rate-limited channel's rows each wait for a slot of its sender's pace, taken in the order the
  // lanes come to them (oldest first: lanes start in the order of their oldest row, each in id order).
  // A row whose slot would come after the window ends stops its lane: it and the lane's later rows wait
  // for the next pass, which reads them first again.
  const deadlines = new Map<SendRate, number>();
  const deliverPaced = async (lane: OutboxRow[]) => {
    for (const row of lane) {
      const rate = heldBack(row) ? undefined : deps.sendRates?.[row.channel];
      if (rate) {
        const deadline = deadlines.get(rate) ?? rate.time.now() + windowMs;
        deadlines.set(rate, deadline);
        const wait = rate.take(deadline);
        if (wait === undefined) return;
        if (wait > 0) await rate.time.sleep(wait);
      }
      const outcome = await deliverRow(deps, row);
      outcomes.push(outcome);
      if (outcome === 'retry' || outcome === 'taken') return;
    }
  };
  // The safety lanes are started first, so their claims are the first writes of the pass. They never
  // wait for a rate's slot, but take one, so the normal messages after them keep the pace.
  const safety = byRecipient('safety').map(deliver);
  const normal = inLanes(byRecipient('other'), NORMAL_LANES, deliverPaced);
  await allSettled([...safety, normal]);
  return {
    sent: outcomes.filter((o) => o === 'sent').length,
    failed: outcomes.filter((o) => o === 'failed').length,
  };
}

async function deliverRow(deps: ServiceDeps, row: OutboxRow): Promise<Outcome> {
  const claimedAt = deps.clock();
  const leaseUntil = new Date(claimedAt.getTime() + LEASE_MS).toISOString();
  const claim = {
    id: row.id,
    now: claimedAt.toISOString(),
    leaseUntil,
    sendingSince: row.sendingSince,
    attempts: row.attempts,
  };
  if (!(await deps.db.write((tx) => claimOutbox(tx, claim)))) return 'taken';
  const sender = deps.senders[row.channel];
  const attempt = row.attempts + 1;
  const safety = row.kind === 'safety';
  const timeoutMs = safety ? SAFETY_SEND_TIMEOUT_MS : undefined;
  // Still sending from an earlier attempt: a crash or a timeout left its outcome unknown.
  let uncertainSince = row.sendingSince;
  const reason = heldBack(row);
  let result: SendResult;
  if (reason) {
    result = { ok: false, retryable: false, error: reason };
  } else if (sender?.mode !== 'push') {
    result = { ok: false, retryable: false, error: `no sender for channel ${row.channel}` };
  } else {
    const settled =
      uncertainSince !== undefined && sender.lookup
        ? await settleUncertain(deps, row, sender.lookup, new Date(uncertainSince), timeoutMs)
        : undefined;
    if (settled?.kind === 'found') {
      deps.log.info('outbox message found at the provider', {
        outboxId: row.id,
        channel: row.channel,
        kind: row.kind,
      });
      await deps.db.write((tx) =>
        recordAttempt(tx, {
          id: row.id,
          attempt,
          now: deps.clock().toISOString(),
          outcome: 'sent',
          detail: 'found at the provider after an uncertain send',
          providerId: settled.providerId,
        }),
      );
      return 'sent';
    }
    if (settled?.kind === 'absent') uncertainSince = undefined;
    if (attempt > deps.retry.maxAttempts) {
      // Kept after the last attempt only to settle it by a lookup (below): never sent once more.
      result = {
        ok: false,
        retryable: false,
        error:
          settled?.kind === 'unknown'
            ? `the provider could not say whether the last attempt arrived: ${settled.error}`
            : 'the last attempt did not reach the provider',
      };
    } else if (settled?.kind === 'unknown' && !safety) {
      result = {
        ok: false,
        retryable: true,
        error: `lookup failed: ${settled.error}`,
        ...(settled.retryAfterMs !== undefined && { retryAfterMs: settled.retryAfterMs }),
      };
    } else {
      // A crisis reply is not held back for a provider that cannot say what it took: if the lookup
      // failed, a duplicate is the lesser harm.
      result = await sender
        .send({
          address: row.address,
          message: row.payload as OutboundMessage,
          outboxId: row.id,
          ...(timeoutMs !== undefined && { timeoutMs }),
        })
        .catch((error: unknown) => ({ ok: false as const, retryable: true, error: String(error) }));
    }
  }
  const at = deps.clock();
  if (result.ok) {
    await deps.db.write((tx) =>
      recordAttempt(tx, {
        id: row.id,
        attempt,
        now: at.toISOString(),
        outcome: 'sent',
        providerId: result.providerId,
      }),
    );
    return 'sent';
  }
  // What stays unknown: an earlier start no lookup settled, or else this attempt if it may have gone out.
  const sendingSince = uncertainSince ?? (result.uncertain ? claimedAt.toISOString() : undefined);
  // An unknown outcome is settled by a lookup where the channel has one, even after the last attempt,
  // rather than given up blind (the message may well have arrived).
  const settleLater = sendingSince !== undefined && sender?.mode === 'push' && sender.lookup !== undefined;
  // A conversation the channel refused (Bot Framework 403/404) may take the next try: a safety message
  // is tried again, as after any failure, while the mark holds back everything else.
  const retryable = result.retryable || (safety && result.address === 'undeliverable');
  const giveUp = !retryable || (attempt >= deps.retry.maxAttempts && !settleLater);
  if (giveUp) {
    deps.log.warn('outbox message failed', {
      outboxId: row.id,
      channel: row.channel,
      kind: row.kind,
      attempt,
      error: result.error,
    });
  }
  await deps.db.write(async (tx) => {
    if (result.address === 'undeliverable') await setUndeliverable(tx, row.addressId, at.toISOString());
    if (result.address === 'opted_out') await setOptedOut(tx, row.addressId, at.toISOString());
    await recordAttempt(tx, {
      id: row.id,
      attempt,
      now: at.toISOString(),
      outcome: giveUp ? 'failed' : 'retry',
      detail: result.error,
      ...(sendingSince !== undefined && { sendingSince }),
      nextAttemptAt: giveUp
        ? undefined
        : new Date(
            at.getTime() +
              (result.retryAfterMs ??
                retryDelayMs(
                  Math.min(attempt, deps.retry.maxAttempts),
                  safety ? Math.min(SAFETY_RETRY_BASE_MS, deps.retry.baseDelayMs) : deps.retry.baseDelayMs,
                )),
          ).toISOString(),
    });
  });
  return giveUp ? 'failed' : 'retry';
}

type Settled =
  | { kind: 'found'; providerId: string }
  | { kind: 'absent' }
  | { kind: 'unknown'; error: string; retryAfterMs?: number };

/**
 * Asks the channel whether an uncertain attempt reached the provider. A message it found counts only if
 * no other row holds its id already: the same text sent to the same number earlier is another message.
 */
async function settleUncertain(
  deps: ServiceDeps,
  row: OutboxRow,
  lookup: NonNullable<Extract<ChannelSender, { mode: 'push' }>['lookup']>,
  since: Date,
  timeoutMs: number | undefined,
): Promise<Settled> {
  const answer: LookupResult = await lookup({
    address: row.address,
    message: row.payload as OutboundMessage,
    since,
    ...(timeoutMs !== undefined && { timeoutMs }),
  }).catch((error: unknown) => ({ ok: false, error: String(error) }));
  if (!answer.ok) {
    return {
      kind: 'unknown',
      error: answer.error,
      ...(answer.retryAfterMs !== undefined && { retryAfterMs: answer.retryAfterMs }),
    };
  }
  if (answer.providerIds.length === 0) return { kind: 'absent' };
  const taken = await deps.db.read((q) => providerIdsTaken(q, answer.providerIds, row.id));
  const providerId = answer.providerIds.find((id) => !taken.has(id));
  return providerId ? { kind: 'found', providerId } : { kind: 'absent' };
}

/** Runs `work` over every lane, at most `width` lanes at a time, and settles like `allSettled` below. */
async function inLanes<T>(lanes: T[], width: number, work: (lane: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < lanes.length) await work(lanes[next++]!);
  };
  await allSettled(Array.from({ length: Math.min(width, lanes.length) }, worker));
}

/**
 * Waits for every task, then throws the first error (a database failure): the pass must not end while a
 * send it started is still in flight, or the next pass could send a lane's later rows before it.
 */
async function allSettled(tasks: Promise<unknown>[]): Promise<void> {
  const failure = (await Promise.allSettled(tasks)).find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}
