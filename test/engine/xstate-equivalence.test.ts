import { describe, expect, it, vi } from 'vitest';
import type { TurnRequest } from '../../src/engine/turn.ts';
import type { TurnResult } from '../../src/engine/types.ts';
import { conversations, playConversation } from '../conversations/player.ts';
import { referenceTurn } from './reference-turn.ts';

/**
 * `turn()` runs XState's internal `machine.transition` in a scope of its own, a third faster than the public
 * `transition()` (bench/README.md). This plays every golden conversation through the real service, keeps
 * every request that reaches the engine (starts, client input, timers firing), and runs each through both
 * `turn()` and `referenceTurn()`, built on the public API only: the persisted snapshot, replies, timers,
 * cancels and domain events must be the same at every turn. Run it before taking a new `xstate`.
 */

/** Each request that reached `turn()`, copied as it arrived. */
const requests = vi.hoisted((): TurnRequest[] => []);

// Watches the engine's one entry from outside, so nothing in the service changes for the test.
vi.mock('../../src/engine/turn.ts', async (importOriginal) => {
  const engine = await importOriginal<typeof import('../../src/engine/turn.ts')>();
  return {
    ...engine,
    turn: (req: TurnRequest): TurnResult => {
      requests.push({
        ...req,
        persisted: copy(req.persisted),
        event: copy(req.event),
        now: new Date(req.now),
      });
      return engine.turn(req);
    },
  };
});

const { turn } = await vi.importActual<typeof import('../../src/engine/turn.ts')>('../../src/engine/turn.ts');

/** A deep copy, as the database would hand it over. */
function copy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

type Outcome = { result: TurnResult } | { error: string };

/** One run on its own copy of the request; a thrown error is an outcome to compare too. */
function outcome(run: (req: TurnRequest) => TurnResult, req: TurnRequest): Outcome {
  try {
    return { result: run({ ...req, persisted: copy(req.persisted), event: copy(req.event) }) };
  } catch (error) {
    return { error: String(error) };
  }
}

describe("turn() against XState's public transition() on every golden conversation", () => {
  const kinds = new Set<string>();

  for (const conversation of conversations) {
    it(conversation.name, async () => {
      requests.length = 0;
      await playConversation(conversation);
      expect(requests.length).toBeGreaterThan(0);
      requests.forEach((req, i) => {
        kinds.add(req.event.kind);
        // Expected: the public API's answer; received: the shortcut's.
        expect(outcome(turn, req), `turn ${i + 1} (${req.event.kind})`).toStrictEqual(
          outcome(referenceTurn, req),
        );
      });
    });
  }

  // Runs after the scripts (tests in a file run in order): the goldens must reach the engine every way.
  it('compared starts, client input, timers firing and new settings (an amended contract)', () => {
    expect([...kinds].sort()).toEqual(['input', 'settings', 'start', 'timer']);
  });
});
