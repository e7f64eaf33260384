import { preferredAddress } from '../storage/addresses.ts';
import { findClient } from '../storage/clients.ts';
import { appendEvent } from '../storage/events.ts';
import {
  decideSleepWindow,
  findSleepWindow,
  type SleepWindowRecord,
  sleepWindowsAwaiting,
} from '../storage/sleep-windows.ts';
import type { ServiceDeps } from './deps.ts';
import { writeTurn } from './write-turn.ts';

export function listProposals(deps: ServiceDeps): Promise<SleepWindowRecord[]> {
  return deps.db.read((q) => sleepWindowsAwaiting(q));
}

export type DecisionOutcome =
  | { ok: true; window: SleepWindowRecord }
  | { ok: false; error: 'not_found' | 'not_awaiting_approval' };

/**
 * The therapist approves (or rejects) a proposed sleep window (CLINICAL.md §4: the service proposes,
 * the therapist approves). An approved window becomes the client's window and is sent to the client.
 */
export async function decide(
  deps: ServiceDeps,
  id: string,
  decision: 'approved' | 'rejected',
  by: string,
): Promise<DecisionOutcome> {
  const now = deps.clock();
  const window = await deps.db.read((q) => findSleepWindow(q, id));
  if (!window) return { ok: false, error: 'not_found' };
  return deps.locks.run(`client:${window.clientId}`, () =>
    deps.db.write(async (tx): Promise<DecisionOutcome> => {
      if (!(await decideSleepWindow(tx, id, decision, by, now.toISOString()))) {
        return { ok: false, error: 'not_awaiting_approval' };
      }
      const client = await findClient(tx, window.clientId);
      const address = client ? await preferredAddress(tx, client.id, now) : undefined;
      const event = { type: `sleep.window_${decision}`, data: { windowId: id, by } };
      if (client && address && decision === 'approved') {
        await writeTurn(deps, tx, {
          now,
          address,
          clientId: client.id,
          locale: client.locale,
          events: [event],
          replies: [
            {
              key: 'course.sleep_window_approved',
              vars: {
                bedTime: window.bedTime,
                riseTime: window.riseTime,
                hours: Math.floor(window.minutes / 60),
                minutes: window.minutes % 60,
              },
            },
          ],
          scheduledFor: { timeZone: client.timeZone },
        });
      } else {
        await appendEvent(tx, {
          clientId: window.clientId,
          enrollmentId: window.enrollmentId,
          event,
          now: now.toISOString(),
        });
      }
      return {
        ok: true,
        window: { ...window, status: decision, decidedAt: now.toISOString(), decidedBy: by },
      };
    }),
  );
}
