import { readFileSync } from 'node:fs';
import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { depressionCourse as course } from '../../../flows/courses/depression.ts';
import { encodingOf, normaliseForGsm7 } from '../../../src/channels/sms/gsm7.ts';
import { catalog } from '../../../src/content/default.ts';
import { safetyRules } from '../../../src/content/safety-phrases.ts';
import { parseDuration } from '../../../src/domain/duration.ts';
import { ACTIVITY_MAX } from '../../../src/domain/homework/depression.ts';
import { homeworkTypes } from '../../../src/domain/homework/index.ts';
import { detectRisk } from '../../../src/domain/safety/detect.ts';
import { turn } from '../../../src/engine/turn.ts';
import {
  type DomainEvent,
  type EngineEvent,
  type Locale,
  locales,
  type PersistedFlow,
  type Reply,
  type TimerSpec,
  type TurnResult,
} from '../../../src/engine/types.ts';
import { type Step, scriptSteps } from '../../conversations/player.ts';
import { analyseFlow } from '../../support/flow-graph.ts';

const ZONE = 'Europe/Oslo';
const root = new URL('../../../', import.meta.url);
const ownKeys = course.textKeys.filter((key) => key.startsWith('depression.'));

/** Fills a text's variables with the longest values the course can give them. */
const longestVars = { activity: 'x'.repeat(ACTIVITY_MAX), before: 10, after: 10, mood: 10 };

type ScriptStep = Step;
const script = (locale: Locale): ScriptStep[] => scriptSteps(`course-depression-${locale}`);

interface Played {
  results: TurnResult[];
  /** When each result's turn ran. */
  at: Date[];
  replies: Reply[];
  events: DomainEvent[];
  timers: Map<string, TimerSpec>;
  persisted: PersistedFlow;
  now: Date;
}

/**
 * Plays a golden script through the pure engine with a fake clock: inputs as the client sends them,
 * waits fire every timer that falls due, in order. With `checkRestore`, every turn is also run from the
 * previous snapshot restored from JSON, and must give exactly the same result as the one in memory.
 * With `from`, it carries on (and extends) an earlier play.
 */
function play(
  locale: Locale,
  steps: ScriptStep[],
  options: { start?: Date; checkRestore?: boolean; from?: Played } = {},
): Played {
  const played: Played = options.from ?? {
    results: [],
    at: [],
    replies: [],
    events: [],
    timers: new Map(),
    persisted: undefined as unknown as PersistedFlow,
    now: options.start ?? new Date(new TZDate(2026, 10, 23, 10, 0, 0, ZONE).getTime()),
  };
  const text = (key: string, vars?: Record<string, string | number>) => catalog.text(locale, key, vars);
  const run = (event: EngineEvent) => {
    const request = (persisted: PersistedFlow | undefined) => ({
      flow: course,
      persisted,
      event,
      now: played.now,
      locale,
      timeZone: ZONE,
      text,
    });
    const result = turn(request(played.persisted));
    if (options.checkRestore && played.persisted) {
      const restored = turn(request(JSON.parse(JSON.stringify(played.persisted)) as PersistedFlow));
      expect(restored).toEqual(result);
    }
    for (const key of result.cancels) played.timers.delete(key);
    for (const timer of result.timers) played.timers.set(timer.key, timer);
    played.persisted = result.persisted;
    played.results.push(result);
    played.at.push(played.now);
    played.replies.push(...result.replies);
    played.events.push(...result.events);
    return result;
  };
  const fireDue = (until: Date) => {
    for (;;) {
      const due = [...played.timers.values()]
        .filter((t) => Date.parse(t.dueAt) <= until.getTime())
        .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
      if (!due) break;
      played.timers.delete(due.key);
      played.now = new Date(Math.max(played.now.getTime(), Date.parse(due.dueAt)));
      run({ kind: 'timer', key: due.key, event: due.event });
    }
    played.now = until;
  };

  if (!options.from) run({ kind: 'start' });
  for (const step of steps) {
    if ('wait' in step) fireDue(new Date(played.now.getTime() + parseDuration(step.wait)!));
    else if ('press' in step) run({ kind: 'input', input: { value: step.press } });
    else run({ kind: 'input', input: { text: step.send } });
  }
  return played;
}

const keysOf = (replies: Reply[]) => replies.map((r) => r.key);
const localHour = (iso: string) => new TZDate(Date.parse(iso), ZONE).getHours();

describe('depression course: content', () => {
  it('has every text it can send in both locales, and alt texts for its illustrations', () => {
    for (const locale of locales) {
      expect(course.textKeys.filter((key) => !catalog.has(locale, key))).toEqual([]);
    }
    expect(course.textKeys).toContain('img.depression.vicious_cycle');
  });

  it('shows at least 6 distinct, well-formed illustrations', () => {
    const images = [...new Set(course.images)];
    expect(images.length).toBeGreaterThanOrEqual(6);
    for (const image of images) {
      expect(image).toMatch(/^depression\/[a-z0-9-]+$/);
      const svg = readFileSync(new URL(`content/illustrations/${image}.svg`, root), 'utf8');
      expect(svg.trimStart().startsWith('<svg'), image).toBe(true);
      expect(svg, image).toMatch(/<svg[^>]*\sviewBox="[\d.\s]+"/);
      expect(svg, image).toMatch(/<svg[^>]*\srole="img"/);
      expect(svg, image).toMatch(/<title[^>]*>[^<]+<\/title>/);
      expect(svg, image).not.toMatch(/<script/i);
      expect(svg, image).not.toMatch(/href="http/i);
      expect(svg.trimEnd().endsWith('</svg>'), image).toBe(true);
      expect(Buffer.byteLength(svg), image).toBeLessThan(8 * 1024);
    }
  });

  it('keeps every message of its own at most 320 characters, with the longest answers filled in', () => {
    for (const locale of locales) {
      const tooLong = ownKeys
        .map((key) => ({ key, text: catalog.text(locale, key, longestVars) }))
        .filter(({ text }) => text.length > 320)
        .map(({ key, text }) => `${key} (${text.length})`);
      expect(tooLong, locale).toEqual([]);
      for (const key of ownKeys) expect(catalog.text(locale, key, longestVars)).not.toMatch(/\{\w+\}/);
    }
  });

  it('sends every text as GSM-7 after normalising, so an SMS stays cheap', () => {
    for (const locale of locales) {
      for (const key of course.textKeys) {
        const text = normaliseForGsm7(catalog.text(locale, key, longestVars));
        expect(encodingOf(text), `${locale} ${key}`).toBe('GSM-7');
      }
    }
  });

  it('has no crisis phrase in its own texts, so a client who copies an example never trips the alarm', () => {
    for (const locale of locales) {
      for (const key of ownKeys) {
        const detection = detectRisk(catalog.text(locale, key, longestVars), safetyRules);
        expect(detection, `${locale} ${key}`).toEqual({ tier: 'none' });
      }
    }
  });
});

describe('depression course: graph', () => {
  it('reaches every state, can finish from everywhere and has no dead ends', () => {
    const report = analyseFlow(course);
    expect(report.unreachable).toEqual([]);
    expect(report.stuck).toEqual([]);
    expect(report.withoutExit).toEqual([]);
  });
});

describe('depression course: the golden path through the engine', () => {
  for (const locale of locales) {
    it(`${locale}: finishes, and resumes identically from a snapshot restored at every step`, () => {
      const played = play(locale, script(locale), { checkRestore: true });
      expect(played.results.at(-1)!.done).toBe(true);
      expect(keysOf(played.replies).at(-1)).toBe('depression.done');
      const parts = (type: string) =>
        played.events.filter((e) => e.type === type).map((e) => (e.data as { part: number }).part);
      expect(parts('part.started')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(parts('part.completed')).toEqual([1, 2, 3, 4, 5, 6]);
      const measured = played.events
        .filter((e) => e.type === 'questionnaire.completed')
        .map((e) => `${e.data.step}`);
      expect(measured).toEqual([
        'p1_phq9',
        'p1_gad7',
        'p3_phq9',
        'p3_gad7',
        'p5_phq9',
        'p5_gad7',
        'post_phq9',
        'post_gad7',
      ]);
      expect(keysOf(played.replies)).toContain('course.reminder');
    });

    it(`${locale}: records homework that fits its schema, of every type`, () => {
      const played = play(locale, script(locale));
      const homework = played.events.filter((e) => e.type === 'homework.recorded');
      for (const { data } of homework) {
        const { type, entry } = data as { type: string; entry: unknown };
        expect(homeworkTypes.get(type)!.schema.safeParse(entry).success, type).toBe(true);
      }
      const types = new Set(homework.map((e) => (e.data as { type: string }).type));
      expect([...types].sort()).toEqual([
        'depression.activity_diary',
        'depression.activity_list',
        'depression.activity_plan',
        'depression.activity_ranking',
        'depression.activity_review',
        'depression.relapse_plan',
      ]);
    });
  }

  it('plans each activity of the week under its own name', () => {
    const played = play('nb', script('nb'));
    const planned = played.events
      .filter((e) => e.type === 'homework.recorded' && e.data.type === 'depression.activity_plan')
      .map((e) => (e.data.entry as { activity: string }).activity);
    expect(new Set(planned).size).toBe(planned.length);
  });
});

describe('depression course: homework schemas', () => {
  const schema = (id: string) => homeworkTypes.get(id)!.schema;

  it('accepts well-formed entries', () => {
    expect(
      schema('depression.activity_diary').safeParse({
        period: 'evening',
        activity: 'Gikk tur',
        mood: 6,
        company: 'alone',
      }).success,
    ).toBe(true);
    expect(
      schema('depression.activity_review').safeParse({ activity: 'Tur', done: 'no', obstacle: 'forgot' })
        .success,
    ).toBe(true);
  });

  it('refuses wrong entries', () => {
    const wrong: [string, Record<string, unknown>][] = [
      ['depression.activity_diary', { period: 'evening', activity: 'Tur', mood: 11, company: 'alone' }],
      ['depression.activity_diary', { period: 'night', activity: 'Tur', mood: 5, company: 'alone' }],
      ['depression.activity_list', { category: 'fun', activity: 'Gitar' }],
      ['depression.activity_list', { category: 'pleasant', activity: '' }],
      ['depression.activity_ranking', { activity: 'Gitar', difficulty: 'impossible' }],
      ['depression.activity_plan', { activity: 'Tur', category: 'pleasant', day: 'tue', time: '25:00' }],
      ['depression.activity_plan', { activity: 'Tur', category: 'pleasant', day: 'tuesday', time: '17:00' }],
      ['depression.activity_review', { activity: 'Tur', done: 'no' }],
      ['depression.activity_review', { activity: 'Tur', done: 'yes', moodBefore: 4 }],
      [
        'depression.activity_review',
        { activity: 'Tur', done: 'yes', moodBefore: 4, moodAfter: 6, obstacle: 'time' },
      ],
      ['depression.relapse_plan', { helped: 'Turer', warningSigns: 'Sofa', actions: 'Plan' }],
      ['depression.activity_list', { category: 'routine', activity: 'x'.repeat(ACTIVITY_MAX + 1) }],
    ];
    for (const [id, entry] of wrong)
      expect(schema(id).safeParse(entry).success, JSON.stringify(entry)).toBe(false);
  });
});

describe('depression course: gating', () => {
  const partOne = (steps: ScriptStep[]) =>
    steps.slice(
      0,
      steps.findIndex((s) => 'wait' in s && s.wait === '5d'),
    );

  it('opens part 2 no sooner than 6 days after part 1 started', () => {
    const start = new Date(new TZDate(2026, 10, 23, 10, 0, 0, ZONE).getTime());
    const played = play('nb', partOne(script('nb')), { start });
    const startedAt =
      played.at[played.results.findIndex((r) => r.events.some((e) => e.type === 'part.started'))]!.getTime();
    expect(keysOf(played.replies)).toContain('depression.p1.summary');
    const almost = play('nb', [{ wait: '5d23h' }], { from: played });
    expect(keysOf(almost.replies)).not.toContain('depression.p2.open');
    const open = play('nb', [{ wait: '2h' }], { from: almost });
    expect(keysOf(open.replies)).toContain('depression.p2.open');
    const opening = open.results.findIndex((r) => keysOf(r.replies).includes('depression.p2.open'));
    expect(open.at[opening]!.getTime() - startedAt).toBe(6 * 24 * 60 * 60 * 1000);
  });

  for (const [label, hour, minute] of [
    ['late in the evening', 22, 30],
    ['early in the morning', 6, 15],
    ['in the afternoon', 15, 0],
  ] as const) {
    it(`opens the next part inside 08:00-21:00 Oslo time when part 1 started ${label}`, () => {
      const start = new Date(new TZDate(2026, 10, 23, hour, minute, 0, ZONE).getTime());
      const played = play('nb', partOne(script('nb')), { start });
      const gate = [...played.timers.values()].find((t) => t.key.includes('gate.p2_open'))!;
      expect(gate).toBeDefined();
      expect(Date.parse(gate.dueAt) - start.getTime()).toBeGreaterThanOrEqual(6 * 24 * 60 * 60 * 1000);
      expect(localHour(gate.dueAt)).toBeGreaterThanOrEqual(8);
      expect(localHour(gate.dueAt)).toBeLessThan(21);
      const opened = play('nb', [{ wait: '8d' }], { from: played });
      const at = opened.results.find((r) => keysOf(r.replies).includes('depression.p2.open'));
      expect(at).toBeDefined();
    });
  }
});
