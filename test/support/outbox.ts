import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import type { OutboundMessage, SendResult, ServiceDeps } from '../../src/service/deps.ts';
import { findAddress, insertAddress } from '../../src/storage/addresses.ts';
import { dueOutbox, enqueueOutbox, type OutboxKind } from '../../src/storage/outbox.ts';
import { appendTranscript } from '../../src/storage/transcript.ts';

export const PUSH = 'push';

/**
 * Queues outbox rows as a turn would (a transcript row each, the address created on first use), so delivery
 * tests choose kinds and recipients without going through a conversation. Returns the row ids in order.
 */
export async function queueMessages(
  deps: ServiceDeps,
  messages: { to: string; text: string; kind: OutboxKind }[],
): Promise<number[]> {
  const now = deps.clock().toISOString();
  return deps.db.write(async (tx) => {
    const ids: number[] = [];
    for (const m of messages) {
      let address = await findAddress(tx, PUSH, m.to);
      if (!address) {
        address = { id: `addr-${m.to}`, channel: PUSH, address: m.to, locale: 'nb', createdAt: now };
        await insertAddress(tx, address);
      }
      const seq = await appendTranscript(tx, {
        addressId: address.id,
        direction: 'out',
        text: m.text,
        payload: {},
        createdAt: now,
      });
      const payload: OutboundMessage = { text: m.text };
      ids.push(
        await enqueueOutbox(tx, {
          addressId: address.id,
          channel: PUSH,
          transcriptSeq: seq,
          payload,
          now,
          notBefore: now,
          kind: m.kind,
        }),
      );
    }
    return ids;
  });
}

interface Started {
  to: string;
  text: string;
  timeoutMs?: number;
}

/**
 * A push channel that answers at once, except for the texts the test holds: those hang until released,
 * like a provider that stopped answering. It records every send as it starts, in order.
 */
export function gatedChannel() {
  const started: Started[] = [];
  const finished: string[] = [];
  const held = new Map<string, () => void>();
  const holding = new Set<string>();
  const waiters: { done: () => boolean; resolve: () => void }[] = [];
  const changed = () => {
    for (const w of [...waiters]) {
      if (w.done()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  return {
    started,
    finished,
    /** Sends of this text hang until `release(text)`. */
    hold(text: string) {
      holding.add(text);
    },
    release(text: string) {
      holding.delete(text);
      held.get(text)?.();
    },
    /** Lets every held send finish, so a test that failed midway does not leave a pass hanging. */
    releaseAll() {
      holding.clear();
      for (const resume of held.values()) resume();
    },
    /** Resolves once `done()` holds after a send started or finished; fails after 5 s. */
    until(done: () => boolean): Promise<void> {
      if (done()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the sends waited for did not happen in 5 s')),
          5_000,
        );
        waiters.push({
          done,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    sender: {
      mode: 'push' as const,
      async send(outbound: {
        address: string;
        message: OutboundMessage;
        timeoutMs?: number;
      }): Promise<SendResult> {
        const text = outbound.message.text;
        started.push({
          to: outbound.address,
          text,
          ...(outbound.timeoutMs !== undefined && { timeoutMs: outbound.timeoutMs }),
        });
        changed();
        if (holding.has(text)) await new Promise<void>((resolve) => held.set(text, resolve));
        finished.push(text);
        changed();
        return { ok: true, providerId: `p-${text}` };
      },
    },
  };
}

/**
 * Sends what is due until nothing is waiting, also what the server's own scheduler pass (kicked by an
 * inbound message) has claimed and not yet recorded: with the remote driver (`DATABASE_DRIVER=client`)
 * that pass and this one run side by side, and a pass that finds every row claimed returns before the
 * other has sent them.
 */
export async function settleOutbox(deps: ServiceDeps, now: Date = deps.clock()): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await deliverOutbox(deps);
    const waiting = await deps.db.read(async (q) => {
      // Due and untried (as a pass would read them: behind a row that waits for a retry, a row waits too)…
      const due = (await dueOutbox(q, now.toISOString(), 1000)).filter((row) => row.attempts === 0);
      // …or in flight (claimed by a pass, not yet recorded).
      const inFlight = await q.execute(
        "SELECT count(*) AS n FROM outbox WHERE status = 'pending' AND sending_since IS NOT NULL",
      );
      return due.length + Number(inFlight.rows[0]!.n);
    });
    if (waiting === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the outbox never settled');
}
