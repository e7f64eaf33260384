import { describe, expect, it } from 'vitest';
import { intro } from '../../flows/intro.ts';
import { buildFlow } from '../../flows/kit/build.ts';
import {
  askChoice,
  askNumber,
  end,
  endOfPart,
  openPart,
  say,
  wait,
  waitUntil,
} from '../../flows/kit/steps.ts';
import { defaultRegistry } from '../../flows/registry.ts';
import { catalog } from '../../src/content/default.ts';
import { pendingPrompt, REASK_KEY, turn } from '../../src/engine/turn.ts';
import type { EngineEvent, FlowVersion, PersistedFlow, TurnResult } from '../../src/engine/types.ts';

const start = new Date('2026-11-23T09:00:00.000Z');
const text = (key: string) => catalog.text('nb', key);

function run(
  flow: FlowVersion,
  persisted: PersistedFlow | undefined,
  event: EngineEvent,
  now = start,
): TurnResult {
  // Every turn starts from JSON, as it would from the database.
  const restored =
    persisted === undefined ? undefined : (JSON.parse(JSON.stringify(persisted)) as PersistedFlow);
  return turn({ flow, persisted: restored, event, now, locale: 'nb', timeZone: 'Europe/Oslo', text });
}

const input = (t: string): EngineEvent => ({ kind: 'input', input: { text: t } });

describe('turn', () => {
  it('starts a flow with its opening messages and a durable reminder timer', () => {
    const r = run(intro, undefined, { kind: 'start' });
    expect(r.replies.map((x) => x.key)).toEqual([
      'intro.welcome',
      'intro.what',
      'intro.what_not',
      'intro.ask_ready',
    ]);
    expect(r.replies[3]!.choices?.map((c) => c.value)).toEqual(['yes', 'more']);
    expect(r.timers).toEqual([
      {
        key: 'xstate.after.remind.ready.intro.ready.waiting',
        dueAt: '2026-11-24T09:00:00.000Z',
        event: { type: 'xstate.after.remind.ready.intro.ready.waiting' },
      },
    ]);
    expect(r.done).toBe(false);
    expect(JSON.parse(JSON.stringify(r.persisted))).toEqual(r.persisted);
  });

  it('re-asks with a hint, changing nothing, when the answer is not one it can use', () => {
    const started = run(intro, undefined, { kind: 'start' });
    const r = run(intro, started.persisted, input('kanskje'));
    expect(r.accepted).toBe(false);
    expect(r.replies.map((x) => x.key)).toEqual(['engine.hint.choice', 'intro.ask_ready']);
    expect(r.persisted).toEqual(started.persisted);
    expect(r.timers).toEqual([]);
    expect(r.cancels).toEqual([]);
  });

  it('matches typed numbers and labels to choices, case and punctuation forgiven', () => {
    const started = run(intro, undefined, { kind: 'start' });
    const byNumber = run(intro, started.persisted, input('1'));
    const byLabel = run(intro, started.persisted, input('  ja, SETT i gang! '));
    const byValue = run(intro, started.persisted, { kind: 'input', input: { value: 'yes' } });
    for (const r of [byNumber, byLabel, byValue]) {
      expect(r.accepted).toBe(true);
      expect(r.replies.map((x) => x.key)).toEqual(['intro.ask_area']);
      expect(r.cancels).toEqual(['xstate.after.remind.ready.intro.ready.waiting']);
    }
  });

  it('records answers as domain events', () => {
    let r = run(intro, undefined, { kind: 'start' });
    r = run(intro, r.persisted, { kind: 'input', input: { value: 'yes' } });
    r = run(intro, r.persisted, { kind: 'input', input: { value: 'sleep' } });
    expect(r.events).toEqual([{ type: 'intro.area_chosen', data: { step: 'area', value: 'sleep' } }]);
  });

  it('feeds a due timer back into the machine', () => {
    const started = run(intro, undefined, { kind: 'start' });
    const timer = started.timers[0]!;
    const r = run(
      intro,
      started.persisted,
      { kind: 'timer', key: timer.key, event: timer.event },
      new Date(timer.dueAt),
    );
    expect(r.replies.map((x) => x.key)).toEqual(['intro.reminder', 'intro.ask_ready']);
    // One reminder only: the targetless transition does not schedule another.
    expect(r.timers).toEqual([]);
  });

  it('answers a finished flow without changing it', () => {
    const flow = buildFlow({ id: 't', version: 1, steps: [say('a', 'intro.welcome'), end('done')] });
    const r = run(flow, undefined, { kind: 'start' });
    expect(r.done).toBe(true);
    const again = run(flow, r.persisted, input('hallo'));
    expect(again.replies.map((x) => x.key)).toEqual(['engine.finished']);
    expect(again.accepted).toBe(false);
  });

  it('turns waits into timers and a wait until a local time into the right instant across DST', () => {
    const flow = buildFlow({
      id: 'w',
      version: 1,
      steps: [
        wait('pause', 3 * 60 * 60 * 1000),
        waitUntil('morning', '09:00'),
        say('hello', 'intro.welcome'),
        end('done'),
      ],
    });
    const started = run(flow, undefined, { kind: 'start' }, new Date('2026-10-24T20:00:00Z'));
    expect(started.timers.map((t) => t.dueAt)).toEqual(['2026-10-24T23:00:00.000Z']);
    const t1 = started.timers[0]!;
    const waited = run(
      flow,
      started.persisted,
      { kind: 'timer', key: t1.key, event: t1.event },
      new Date(t1.dueAt),
    );
    // 09:00 in Oslo on 25 October 2026 is after the change back to CET (UTC+1).
    expect(waited.timers.map((t) => t.dueAt)).toEqual(['2026-10-25T08:00:00.000Z']);
    const t2 = waited.timers[0]!;
    const done = run(
      flow,
      waited.persisted,
      { kind: 'timer', key: t2.key, event: t2.event },
      new Date(t2.dueAt),
    );
    expect(done.replies.map((x) => x.key)).toEqual(['intro.welcome']);
    expect(done.done).toBe(true);
  });

  it('validates numbers against their range', () => {
    const flow = buildFlow({
      id: 'n',
      version: 1,
      steps: [askNumber('mood', 'intro.ask_goal', 0, 10), end('done')],
    });
    const started = run(flow, undefined, { kind: 'start' });
    expect(run(flow, started.persisted, input('11')).replies[0]).toEqual({
      key: 'engine.hint.number',
      vars: { min: 0, max: 10 },
    });
    expect(run(flow, started.persisted, input('7')).done).toBe(true);
  });

  it('knows the pending question, for resuming', () => {
    const started = run(intro, undefined, { kind: 'start' });
    expect(pendingPrompt(intro, started.persisted)?.key).toBe('intro.ask_ready');
  });

  it('uses the generic re-ask when a state has no prompt', () => {
    const flow = buildFlow({
      id: 'c',
      version: 1,
      steps: [
        wait('pause', 1000),
        askChoice('q', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }]),
        end('done'),
      ],
    });
    const started = run(flow, undefined, { kind: 'start' });
    expect(run(flow, started.persisted, input('hei')).replies).toEqual([{ key: REASK_KEY }]);
  });
});

describe('flow kit', () => {
  it('refuses a flow that goes to an unknown step or has duplicate ids', () => {
    expect(() =>
      buildFlow({
        id: 'x',
        version: 1,
        steps: [say('a', 'intro.welcome', { next: 'nowhere' }), end('done')],
      }),
    ).toThrow(/unknown step "nowhere"/);
    expect(() => buildFlow({ id: 'x', version: 1, steps: [say('a', 'intro.welcome'), end('a')] })).toThrow(
      /duplicate/,
    );
    expect(() => buildFlow({ id: 'x', version: 1, steps: [say('a', 'intro.welcome')] })).toThrow(
      /no next step/,
    );
  });
});

describe('typed answers to choices', () => {
  it('accepts the start of exactly one label, and the exact label over a longer one', () => {
    const started = run(intro, undefined, { kind: 'start' });
    expect(run(intro, started.persisted, input('ja')).replies.map((x) => x.key)).toEqual(['intro.ask_area']);
    expect(run(intro, started.persisted, input('j')).accepted).toBe(false);
    let r = run(intro, started.persisted, input('1'));
    r = run(intro, r.persisted, input('2'));
    r = run(intro, r.persisted, input('2'));
    r = run(intro, r.persisted, input('nei'));
    // "Ja" and "Ja, men jeg er redd for å bli sykmeldt": "ja" is the first, exactly.
    expect(r.replies.map((x) => x.key)).toEqual(['intro.ask_occupation']);
    const answered = run(intro, r.persisted, input('Ja'));
    expect(answered.events[0]!.data).toEqual({ step: 'occupation', value: 'yes' });
  });
});

describe('numbers written as words', () => {
  it('answer a numbered question: nb, nn and English words on PHQ-9, scored as the digits', () => {
    const phq9 = defaultRegistry.latest('phq9')!;
    let r = run(phq9, undefined, { kind: 'start' });
    const words = ['to', 'Tre!', 'three', 'null', 'en', 'ein', 'two', 'null', 'zero', 'null'];
    for (const word of words) {
      r = run(phq9, r.persisted, input(word));
      expect(r.accepted, word).toBe(true);
    }
    const completed = r.events.find((e) => e.type === 'questionnaire.completed');
    expect(completed?.data).toMatchObject({ items: [2, 3, 3, 0, 1, 1, 2, 0, 0], total: 12 });
  });

  it('never stand for a number where the question has none, and never over a label that is the word', () => {
    const started = run(intro, undefined, { kind: 'start' });
    // The intro's first question has two choices: "tre" is no third one.
    expect(run(intro, started.persisted, input('tre')).accepted).toBe(false);
    expect(run(intro, started.persisted, input('to')).accepted).toBe(true);
  });
});

describe('a flow that fails', () => {
  it('fails the turn instead of returning an error snapshot to persist', () => {
    const broken = buildFlow({
      id: 'broken',
      version: 1,
      steps: [
        askChoice('q', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }]),
        {
          kind: 'record',
          id: 'boom',
          type: 'x',
          data: () => {
            throw new Error('bad entry');
          },
        },
        end('done'),
      ],
    });
    const started = run(broken, undefined, { kind: 'start' });
    expect(() => run(broken, started.persisted, input('1'))).toThrow(/bad entry/);
  });
});

describe('a message while nothing is asked', () => {
  it("gets the waiting state's own answer: a locked course part says so", () => {
    const flow = buildFlow({
      id: 'parts',
      version: 1,
      steps: [
        openPart('p1', 1, 'intro.ask_ready'),
        endOfPart('p1_end', 1, 'intro.thanks'),
        openPart('p2', 2, 'intro.ask_goal'),
        end('done'),
      ],
    });
    const started = run(flow, undefined, { kind: 'start' });
    const inPart1 = run(flow, started.persisted, { kind: 'input', input: { value: 'start' } });
    expect(inPart1.replies.map((r) => r.key)).toEqual(['intro.thanks']);
    const locked = run(flow, inPart1.persisted, input('hei, kan jeg fortsette?'));
    expect(locked.accepted).toBe(false);
    expect(locked.replies).toEqual([{ key: 'course.part_locked' }]);
  });
});

describe('new settings for a running flow (an amended contract pace)', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const flow = buildFlow({
    id: 'paced',
    version: 1,
    steps: [
      openPart('p1', 1, 'intro.ask_ready'),
      endOfPart('p1_end', 1, 'intro.thanks'),
      openPart('p2', 2, 'intro.ask_goal'),
      end('done'),
    ],
  });
  const gateOf = (r: TurnResult) => r.timers.find((t) => t.key.includes('gate.p2'));
  const waitingForPartTwo = () => {
    const started = turn({
      flow,
      persisted: undefined,
      event: { kind: 'start' },
      now: start,
      locale: 'nb',
      timeZone: 'Europe/Oslo',
      text,
      settings: { partGapDays: 7 },
    });
    return run(flow, started.persisted, { kind: 'input', input: { value: 'start' } });
  };

  it('moves the timer of a part that waits for its gap', () => {
    const waiting = waitingForPartTwo();
    expect(gateOf(waiting)?.dueAt).toBe(new Date(start.getTime() + 7 * DAY).toISOString());
    const later = new Date(start.getTime() + DAY);
    const moved = run(flow, waiting.persisted, { kind: 'settings', settings: { partGapDays: 10 } }, later);
    expect(moved.accepted).toBe(true);
    expect(moved.replies).toEqual([]);
    expect(gateOf(moved)?.dueAt).toBe(new Date(start.getTime() + 10 * DAY).toISOString());
  });

  it('opens the part now when the new gap has already passed', () => {
    const waiting = waitingForPartTwo();
    const later = new Date(start.getTime() + 3 * DAY);
    const opened = run(flow, waiting.persisted, { kind: 'settings', settings: { partGapDays: 2 } }, later);
    expect(opened.replies.map((r) => r.key)).toEqual(['intro.ask_goal']);
    expect(opened.cancels).toContain(gateOf(waiting)?.key);
    expect(gateOf(opened)).toBeUndefined();
  });

  it('keeps them for the parts to come when no part waits, and schedules nothing', () => {
    const started = run(flow, undefined, { kind: 'start' });
    const settled = run(flow, started.persisted, { kind: 'settings', settings: { partGapDays: 3 } });
    expect(settled.accepted).toBe(true);
    expect(settled.timers).toEqual([]);
    const context = (settled.persisted.snapshot as { context: { settings: { partGapDays: number } } })
      .context;
    expect(context.settings.partGapDays).toBe(3);
  });
});
