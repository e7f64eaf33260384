import { describe, expect, it } from 'vitest';
import { intro } from '../../flows/intro.ts';
import { catalog } from '../../src/content/default.ts';
import { sharingStarts, type TurnRequest, turn } from '../../src/engine/turn.ts';
import type { TurnResult } from '../../src/engine/types.ts';

/*
 * A batch shares the starts it computes (sharingStarts, used by runTurns): the same start gives the same
 * frozen result as `turn` would, a start that differs in anything it depends on is computed again, and
 * every other event goes to `turn` each time.
 */

const now = new Date('2026-11-23T07:30:00.000Z');
const request = (over: Partial<TurnRequest> = {}): TurnRequest => ({
  flow: intro,
  persisted: undefined,
  event: { kind: 'start' },
  now,
  locale: 'nb',
  timeZone: 'Europe/Oslo',
  text: (key) => catalog.text('nb', key),
  ...over,
});

describe('sharingStarts', () => {
  it('computes one start once, frozen, equal to what turn gives', () => {
    const seen: TurnRequest[] = [];
    const engine = sharingStarts((req) => {
      seen.push(req);
      return turn(req);
    });
    const first = engine(request());
    const second = engine(request());
    expect(second).toBe(first);
    expect(seen).toHaveLength(1);
    expect(first).toEqual(turn(request()));
    expect(Object.isFrozen(first.persisted.snapshot)).toBe(true);
    expect(Object.isFrozen(first.timers[0])).toBe(true);
    expect(() => {
      (first.replies as TurnResult['replies']).push({ key: 'x' });
    }).toThrow(TypeError);
  });

  it('computes a start again when the locale, the zone, the time or the settings differ', () => {
    const seen: TurnRequest[] = [];
    const engine = sharingStarts((req) => {
      seen.push(req);
      return turn(req);
    });
    const base = engine(request());
    const others = [
      engine(request({ locale: 'en', text: (key) => catalog.text('en', key) })),
      engine(request({ timeZone: 'America/New_York' })),
      engine(request({ now: new Date(now.getTime() + 3_600_000) })),
      engine(request({ settings: { partGapDays: 3 } })),
    ];
    expect(seen).toHaveLength(5);
    for (const other of others) expect(other).not.toBe(base);
    expect(others[2]!.timers[0]!.dueAt).not.toBe(base.timers[0]!.dueAt);
  });

  it('runs every event but a start each time', () => {
    let runs = 0;
    const engine = sharingStarts((req) => {
      runs++;
      return turn(req);
    });
    const started = turn(request());
    const answer = request({
      persisted: JSON.parse(JSON.stringify(started.persisted)),
      event: { kind: 'input', input: { text: '1' } },
    });
    const a = engine(answer);
    const b = engine(answer);
    expect(runs).toBe(2);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
  });
});
