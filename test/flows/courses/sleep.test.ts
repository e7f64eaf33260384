import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { beforeAll, describe, expect, it } from 'vitest';
import { diaryNightDate, sleepCourse } from '../../../flows/courses/sleep.ts';
import { encodingOf, normaliseForGsm7 } from '../../../src/channels/sms/gsm7.ts';
import { catalog } from '../../../src/content/default.ts';
import { parseDuration } from '../../../src/domain/duration.ts';
import { homeworkTypes } from '../../../src/domain/homework/index.ts';
import { sleepHomework } from '../../../src/domain/homework/sleep.ts';
import {
  parseSleepDiaryEntry,
  proposeSleepWindow,
  type SleepDiaryEntry,
} from '../../../src/domain/sleep-diary.ts';
import { pendingPrompt, turn } from '../../../src/engine/turn.ts';
import type {
  DomainEvent,
  EngineEvent,
  Locale,
  PersistedFlow,
  Reply,
  TimerSpec,
  TurnResult,
} from '../../../src/engine/types.ts';
import { type Step, scriptSteps } from '../../conversations/player.ts';
import { analyseFlow } from '../../support/flow-graph.ts';
import { sendsKey } from '../../support/sent-keys.ts';

const root = join(import.meta.dirname, '../../..');
const ZONE = 'Europe/Oslo';
/** Monday 23 November 2026, 10:00 in Oslo: where the golden conversations start too. */
const START = new Date('2026-11-23T09:00:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const locales: Locale[] = ['nb', 'en'];

const ownKeys = sleepCourse.textKeys.filter((key) => key.startsWith('sleep.') || key.startsWith('img.'));

/** The longest values each variable of the course texts can take. */
const WIDEST_VARS = {
  night: 7,
  nights: 7,
  tst_h: 10,
  tst_m: 59,
  tib_h: 24,
  tib_m: 59,
  win_h: 10,
  win_m: 45,
  prev_h: 4,
  prev_m: 59,
  se: 100,
  se_first: 100,
  se_last: 100,
  bed: '23:45',
  rise: '23:45',
  lights: '23:45',
  wake: '23:45',
  up: '23:45',
  time: '23:45',
};

const PROPOSAL_KEYS = [
  'initial',
  'initial_floor',
  'raised_to_floor',
  'extend',
  'shorten',
  'at_floor',
  'keep',
].map((reason) => `sleep.window.${reason}`);

const localHour = (at: Date) => new TZDate(at.getTime(), ZONE).getHours();

type ScriptStep = Step;
const script = (locale: Locale): ScriptStep[] => scriptSteps(`course-sleep-${locale}`);

/**
 * A client of the pure engine: every turn starts from the persisted snapshot, due timers are fed back at
 * their due time, and (when asked) every turn is also played from a JSON copy of the snapshot and must
 * give exactly the same result.
 */
class Client {
  now: Date;
  persisted: PersistedFlow | undefined;
  readonly timers = new Map<string, TimerSpec>();
  readonly said: { at: Date; reply: Reply }[] = [];
  readonly happened: { at: Date; event: DomainEvent }[] = [];
  restoredTurns = 0;

  constructor(
    readonly locale: Locale,
    readonly checkRestore = false,
    start = START,
    patch?: (persisted: PersistedFlow) => void,
  ) {
    this.now = start;
    this.apply({ kind: 'start' });
    if (patch) patch(this.persisted!);
  }

  private turn(event: EngineEvent, persisted: PersistedFlow | undefined): TurnResult {
    return turn({
      flow: sleepCourse,
      persisted,
      event,
      now: this.now,
      locale: this.locale,
      timeZone: ZONE,
      text: (key, vars) => catalog.text(this.locale, key, vars),
    });
  }

  apply(event: EngineEvent): TurnResult {
    const result = this.turn(event, this.persisted);
    if (this.checkRestore && this.persisted) {
      const copy = JSON.parse(JSON.stringify(this.persisted)) as PersistedFlow;
      expect(this.turn(event, copy)).toEqual(result);
      expect(pendingPrompt(sleepCourse, copy)).toEqual(pendingPrompt(sleepCourse, this.persisted));
      this.restoredTurns++;
    }
    this.persisted = result.persisted;
    for (const key of result.cancels) this.timers.delete(key);
    for (const timer of result.timers) this.timers.set(timer.key, timer);
    for (const reply of result.replies) this.said.push({ at: this.now, reply });
    for (const event of result.events) this.happened.push({ at: this.now, event });
    return result;
  }

  wait(ms: number): void {
    const until = this.now.getTime() + ms;
    for (;;) {
      const due = [...this.timers.values()]
        .filter((t) => Date.parse(t.dueAt) <= until)
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
      if (!due) break;
      this.timers.delete(due.key);
      this.now = new Date(due.dueAt);
      this.apply({ kind: 'timer', key: due.key, event: due.event });
    }
    this.now = new Date(until);
  }

  play(steps: ScriptStep[]): void {
    for (const step of steps) {
      if ('wait' in step) this.wait(parseDuration(step.wait)!);
      else {
        const result = this.apply({
          kind: 'input',
          input: 'send' in step ? { text: step.send } : { value: step.press },
        });
        expect(result.accepted, JSON.stringify(step)).toBe(true);
      }
    }
  }

  get done(): boolean {
    return (this.persisted!.snapshot as { status: string }).status === 'done';
  }

  events(type: string): { at: Date; event: DomainEvent }[] {
    return this.happened.filter((h) => h.event.type === type);
  }
}

describe('sleep course content', () => {
  it('has every text key it can send in both locales, and no unused text', () => {
    for (const locale of locales) {
      for (const key of sleepCourse.textKeys) expect(catalog.has(locale, key), `${locale} ${key}`).toBe(true);
    }
    const files = locales.map(
      (locale) =>
        JSON.parse(readFileSync(join(root, `content/${locale}/course-sleep.json`), 'utf8')) as Record<
          string,
          string
        >,
    );
    expect(Object.keys(files[0]!).sort()).toEqual(Object.keys(files[1]!).sort());
    expect(Object.keys(files[0]!).filter((key) => !sendsKey(sleepCourse.textKeys, key))).toEqual([]);
  });

  it('shows at least six original illustrations, each a small well-formed SVG, and ships no unused one', () => {
    const images = [...new Set(sleepCourse.images)];
    expect(images.length).toBeGreaterThanOrEqual(6);
    for (const image of images) {
      const svg = readFileSync(join(root, `content/illustrations/${image}.svg`), 'utf8');
      expect(svg.startsWith('<svg'), image).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>'), image).toBe(true);
      expect(svg, image).toMatch(/^<svg[^>]* viewBox="0 0 \d+ \d+"/);
      expect(svg, image).toMatch(/^<svg[^>]* role="img"/);
      expect(svg, image).toMatch(/<title[^>]*>[^<]+<\/title>/);
      expect(svg, image).not.toMatch(/<script|href="http|xlink:href|<image|<text/i);
      expect(Buffer.byteLength(svg), image).toBeLessThan(8 * 1024);
    }
    const shipped = readdirSync(join(root, 'content/illustrations/sleep')).map(
      (file) => `sleep/${file.replace(/\.svg$/, '')}`,
    );
    expect(shipped.sort()).toEqual(images.sort());
  });

  it('keeps every course text within 320 characters, with its widest variables, in both locales', () => {
    for (const locale of locales) {
      for (const key of ownKeys.filter((k) => k.startsWith('sleep.'))) {
        const text = catalog.text(locale, key, WIDEST_VARS);
        expect(text.length, `${locale} ${key}`).toBeLessThanOrEqual(320);
        expect(text, `${locale} ${key}`).not.toMatch(/\{[a-z_]+\}/);
      }
    }
  });

  it('fits every course text in GSM-7 once normalised for SMS', () => {
    for (const locale of locales) {
      for (const key of ownKeys) {
        const text = normaliseForGsm7(catalog.text(locale, key, WIDEST_VARS));
        expect(encodingOf(text), `${locale} ${key}: ${text}`).toBe('GSM-7');
      }
    }
  });
});

describe('sleep course graph', () => {
  it('has every state reachable, every situation able to finish, and no dead ends', () => {
    // Five weeks of diaries make a long course: three sets of earlier answers per state are enough to
    // reach every branch (each night can be filled in, skipped or retried) and keep this test quick.
    const report = analyseFlow(sleepCourse, 3);
    expect(report.unreachable).toEqual([]);
    expect(report.stuck).toEqual([]);
    expect(report.withoutExit).toEqual([]);
  });
});

describe.each(locales)('the golden path in %s, played on the pure engine', (locale) => {
  const steps = script(locale);
  let client: Client;
  beforeAll(() => {
    client = new Client(locale, true);
    client.play(steps);
  }, 120_000);

  it('reaches the end, and every turn gives the same result from a snapshot restored from JSON', () => {
    expect(client.done).toBe(true);
    expect(client.restoredTurns).toBeGreaterThanOrEqual(steps.filter((s) => !('wait' in s)).length);
    expect(client.said.at(-1)?.reply.key).toBe('sleep.done');
  });

  it('sends texts that are complete, short and SMS-safe as rendered', () => {
    for (const { reply } of client.said) {
      const text = catalog.text(locale, reply.key, reply.vars);
      if (!reply.key.startsWith('sleep.')) continue;
      expect(text.length, reply.key).toBeLessThanOrEqual(320);
      expect(text, reply.key).not.toMatch(/\{[a-z_]+\}/);
      expect(encodingOf(normaliseForGsm7(text)), reply.key).toBe('GSM-7');
    }
  });

  it('records homework entries that fit their schemas, one diary entry per filled-in night', () => {
    const recorded = client.events('homework.recorded').map((h) => h.event.data);
    for (const { type, entry } of recorded) {
      const schema = homeworkTypes.get(String(type))?.schema;
      expect(schema?.safeParse(entry).success, String(type)).toBe(true);
    }
    const diary = recorded.filter((r) => r.type === 'sleep.diary');
    const skipped = client.events('sleep.diary_skipped');
    expect(diary.length + skipped.length).toBe(5 * 7);
    expect(new Set(recorded.map((r) => r.type))).toEqual(new Set(sleepHomework.map((h) => h.id)));
  });

  it('proposes a sleep window from each diary week by the published rule, for the therapist to approve', () => {
    const diary = client
      .events('homework.recorded')
      .filter((h) => h.event.data.type === 'sleep.diary')
      .map((h) => h.event.data.entry as Record<string, unknown>);
    for (const { event } of client.events('sleep.window_proposed')) {
      const { week, previousMinutes, ...proposal } = event.data as Record<string, unknown> & {
        week: number;
        previousMinutes: number | null;
        window: { riseTime: string; minutes: number };
      };
      const entries = diary
        .filter((entry) => entry.week === week)
        .map(({ week: _w, night: _n, tibMinutes: _t, tstMinutes: _s, sePercent: _p, ...answers }) => {
          const parsed = parseSleepDiaryEntry(answers);
          if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
          return parsed.value as SleepDiaryEntry;
        });
      const expected = proposeSleepWindow({
        entries,
        riseTime: proposal.window.riseTime,
        currentWindow: previousMinutes === null ? undefined : { minutes: previousMinutes },
      });
      expect(expected.ok && { ...expected.value, previousMinutes: undefined }).toEqual({
        ...proposal,
        previousMinutes: undefined,
      });
      expect(proposal.window.minutes).toBeGreaterThanOrEqual(300);
    }
    // Every proposal is followed by the therapist-approval text and a warning about sleepiness and driving.
    const keys = client.said.map((s) => s.reply.key);
    const shown = keys.flatMap((key, i) => (PROPOSAL_KEYS.includes(key) ? [i] : []));
    expect(shown.length).toBe(client.events('sleep.window_proposed').length);
    for (const i of shown) {
      expect(keys[i + 1]).toMatch(/^sleep\.(p2|window)\.approval$/);
      expect(keys[i + 2]).toMatch(/^sleep\.(p2\.safety|window\.safety_short)$/);
    }
  });

  it('measures PHQ-9 and GAD-7 before parts 1, 3 and 5 and after part 6', () => {
    const order = client.happened
      .map(({ event }) =>
        event.type === 'questionnaire.completed'
          ? String(event.data.step)
          : event.type === 'part.started' || event.type === 'part.completed'
            ? `${event.type.slice(5)} ${event.data.part}`
            : undefined,
      )
      .filter((x) => x !== undefined);
    expect(order).toEqual([
      'p0_phq9',
      'p0_gad7',
      'started 1',
      'completed 1',
      'started 2',
      'completed 2',
      'started 3',
      'p3_phq9',
      'p3_gad7',
      'completed 3',
      'started 4',
      'completed 4',
      'started 5',
      'p5_phq9',
      'p5_gad7',
      'completed 5',
      'started 6',
      'completed 6',
      'p6_phq9',
      'p6_gad7',
    ]);
  });

  it('opens each part at least six days after the one before, inside 08:00-21:00 in Oslo', () => {
    const started = client.events('part.started').map((h) => h.at.getTime());
    for (let part = 2; part <= 6; part++) {
      expect(started[part - 1]! - started[part - 2]!).toBeGreaterThanOrEqual(6 * DAY_MS);
      const opening = client.said.find((s) => s.reply.key === `sleep.p${part}.open`)!;
      expect(opening.at.getTime()).toBeGreaterThanOrEqual(started[part - 2]! + 6 * DAY_MS);
      expect(localHour(opening.at)).toBeGreaterThanOrEqual(8);
      expect(localHour(opening.at)).toBeLessThan(21);
    }
  });

  it('asks the diary at the morning time the client chose, and never sends the course reminder for it', () => {
    const chosen = locale === 'nb' ? 8 : 9;
    for (const { at } of client.said.filter((s) => s.reply.key === 'sleep.diary.start')) {
      expect(localHour(at)).toBe(chosen);
    }
    client.said.forEach(({ reply }, i) => {
      if (reply.key === 'course.reminder')
        expect(client.said[i + 1]!.reply.key).not.toMatch(/^sleep\.diary\./);
    });
    expect(client.said.some((s) => s.reply.key === 'course.reminder')).toBe(true);
    expect(client.said.some((s) => s.reply.key === 'sleep.diary.reminder')).toBe(true);
  });
});

describe('sleep course gating', () => {
  const firstWeek = (steps: ScriptStep[]) => {
    // Up to the end of the first diary week: the step before part 2's start button.
    const starts = steps.flatMap((s, i) => ('press' in s && s.press === 'start' ? [i] : []));
    return steps.slice(0, starts[1]);
  };
  const withGap = (days: number) => (persisted: PersistedFlow) => {
    (persisted.snapshot as { context: { settings: { partGapDays: number } } }).context.settings.partGapDays =
      days;
  };

  it('holds part 2 back until the gap of the guidance contract has passed, even after the diary week', () => {
    const client = new Client('nb', false, START, withGap(9));
    client.play(firstWeek(script('nb')));
    const partOne = client.events('part.started')[0]!.at.getTime();
    expect(client.said.some((s) => s.reply.key === 'sleep.p2.open')).toBe(false);
    client.wait(3 * DAY_MS);
    const opening = client.said.find((s) => s.reply.key === 'sleep.p2.open')!;
    expect(opening.at.getTime()).toBe(partOne + 9 * DAY_MS);
  });

  it('moves an opening that falls at night to 08:00 the next morning', () => {
    const client = new Client('nb', false, START, withGap(7.5));
    client.play(firstWeek(script('nb')));
    client.wait(2 * DAY_MS);
    const opening = client.said.find((s) => s.reply.key === 'sleep.p2.open')!;
    expect(new TZDate(opening.at.getTime(), ZONE).toString()).toMatch(/^Tue Dec 01 2026 08:00:00/);
  });
});

/** The nb golden script up to the step that `at` picks (exclusive). */
const scriptUntil = (at: (step: ScriptStep, index: number) => boolean) => {
  const steps = script('nb');
  return steps.slice(0, steps.findIndex(at));
};

describe('sleep diary with a bed time in the daytime', () => {
  /** Up to the first diary night's first question ("when did you go to bed?"). */
  const toFirstNight = () =>
    scriptUntil((s, i) => i > 0 && 'press' in s && s.press === 'yes') as ScriptStep[];
  const nightShift: ScriptStep[] = [
    { press: 'yes' },
    { send: '08:00' },
    { send: '08:15' },
    { send: '15' },
    { send: '0' },
    { send: '15:00' },
    { send: '15:30' },
    { press: '3' },
  ];
  const diaryEntries = (client: Client) =>
    client
      .events('homework.recorded')
      .filter((h) => h.event.data.type === 'sleep.diary')
      .map((h) => h.event.data.entry as Record<string, unknown>);

  it('is accepted after the client confirms how the night was read', () => {
    const client = new Client('nb');
    client.play([...toFirstNight(), ...nightShift]);
    // Refused before as times out of order; now shown back to the client, with the time in bed.
    const check = client.said.at(-1)!.reply;
    expect(check.key).toBe('sleep.diary.check_daytime');
    expect(catalog.text('nb', check.key, check.vars)).toContain(
      'kl. 08:00 og stod opp kl. 15:30, altså 7 t 30 min',
    );
    expect(diaryEntries(client)).toEqual([]);
    client.play([{ press: 'right' }]);
    expect(diaryEntries(client)).toMatchObject([
      { intoBed: '08:00', outOfBed: '15:30', tibMinutes: 450, tstMinutes: 390 },
    ]);
    expect(client.said.at(-1)!.reply.key).toBe('sleep.diary.saved');
  });

  it('lets the client type the night again when the daytime time was a slip', () => {
    const client = new Client('nb');
    client.play([...toFirstNight(), ...nightShift, { press: 'again' }]);
    expect(client.said.at(-1)!.reply.key).toBe('sleep.diary.ask_bed');
    client.play([
      { send: '20:00' },
      { send: '20:15' },
      { send: '15' },
      { send: '0' },
      { send: '03:00' },
      { send: '03:30' },
      { press: '3' },
    ]);
    expect(diaryEntries(client)).toMatchObject([{ intoBed: '20:00', outOfBed: '03:30', tibMinutes: 450 }]);
  });
});

describe('sleep window in force below the floor', () => {
  it('is lifted to 5 hours, and the client is told why', () => {
    const client = new Client('nb');
    // Part 3's review: the client agreed bed 02:30 with rise 06:30 (4 hours) with the therapist.
    client.play([
      ...scriptUntil((s) => 'press' in s && s.press === 'proposed'),
      { press: 'other' },
      { send: '02:30' },
    ]);
    const proposed = client.events('sleep.window_proposed').at(-1)!.event.data;
    expect(proposed).toMatchObject({
      week: 2,
      window: { bedTime: '01:30', riseTime: '06:30', minutes: 300 },
      reason: 'window_raised_to_floor',
      previousMinutes: 240,
    });
    const shown = client.said.find((s) => s.reply.key === 'sleep.window.raised_to_floor')!.reply;
    const text = catalog.text('nb', shown.key, shown.vars);
    expect(text).toContain('4 t 0 min');
    expect(text).toContain('kl. 01:30');
  });
});

describe('sleep homework schemas', () => {
  const schema = (id: string) => homeworkTypes.get(id)!.schema;
  const night = {
    week: 1,
    night: 1,
    date: '2026-11-23',
    timeZone: ZONE,
    intoBed: '22:45',
    lightsOut: '23:15',
    latencyMinutes: 40,
    awakenings: 2,
    minutesAwake: 45,
    finalWake: '05:30',
    outOfBed: '07:00',
    quality: 2,
    tibMinutes: 495,
    tstMinutes: 290,
    sePercent: 58.6,
  };

  it('accepts a diary night whose metrics are the night’s own', () => {
    expect(schema('sleep.diary').safeParse(night).success).toBe(true);
  });

  it.each([
    ['metrics that do not match the night', { tstMinutes: 300 }],
    ['times out of order', { lightsOut: '22:00' }],
    ['a time that is not HH:MM', { outOfBed: '7' }],
    ['a quality outside 1-5', { quality: 6 }],
    ['a week the course does not have', { week: 6 }],
  ])('refuses a diary night with %s', (_, change) => {
    expect(schema('sleep.diary').safeParse({ ...night, ...change }).success).toBe(false);
  });

  it('refuses wrong entries of the other homework types', () => {
    expect(
      schema('sleep.wind_down').safeParse({
        firstChange: 'none',
        startTime: '22:30',
        activities: ['a', 'b', 'c', 'd'],
      }).success,
    ).toBe(false);
    const thought = { beliefBefore: 80, evidence: 'x', alternative: 'y', beliefAfter: 40 };
    expect(
      schema('sleep.thought_record').safeParse({ ...thought, thought: 'own', ownThought: null }).success,
    ).toBe(false);
    expect(
      schema('sleep.thought_record').safeParse({ ...thought, thought: 'never', ownThought: null }).success,
    ).toBe(true);
    expect(
      schema('sleep.profile').safeParse({
        problem: 'onset',
        usualBedTime: '23:00',
        usualRiseTime: '07:00',
        badNightsPerWeek: 8,
        daytimeImpact: 'some',
        goal: 'Sove bedre',
        diaryTime: '08:00',
      }).success,
    ).toBe(false);
    expect(
      schema('sleep.window_plan').safeParse({
        feeling: 'ok',
        riseTime: '06:30',
        proposedBedTime: '02:00',
        proposedMinutes: 270,
        eveningPlan: 'Lese',
        hardest: 'weekends',
      }).success,
    ).toBe(false);
  });
});

describe('diaryNightDate', () => {
  it('is the local evening before the morning the client answers on', () => {
    expect(diaryNightDate(new Date('2026-11-24T07:01:00.000Z'), ZONE)).toBe('2026-11-23');
    // 00:30 in Oslo on 25 November is still 24 November in UTC.
    expect(diaryNightDate(new Date('2026-11-24T23:30:00.000Z'), ZONE)).toBe('2026-11-24');
    expect(diaryNightDate(new Date('2026-03-29T04:30:00.000Z'), ZONE)).toBe('2026-03-28');
  });
});
