import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { anxietyCourse } from '../../../flows/courses/anxiety.ts';
import { buildFlow } from '../../../flows/kit/build.ts';
import { questionnaireTextKeys } from '../../../flows/kit/questionnaire.ts';
import { end, recordHomework } from '../../../flows/kit/steps.ts';
import { encodingOf, normaliseForGsm7 } from '../../../src/channels/sms/gsm7.ts';
import { catalog } from '../../../src/content/default.ts';
import { safetyRules } from '../../../src/content/safety-phrases.ts';
import { parseDuration } from '../../../src/domain/duration.ts';
import { anxietyHomework } from '../../../src/domain/homework/anxiety.ts';
import { homeworkTypes } from '../../../src/domain/homework/index.ts';
import { detectRisk } from '../../../src/domain/safety/detect.ts';
import { turn } from '../../../src/engine/turn.ts';
import {
  type DomainEvent,
  type EngineEvent,
  type Locale,
  locales,
  type PersistedFlow,
  type TimerSpec,
  type TurnResult,
} from '../../../src/engine/types.ts';
import { type Step, scriptSteps } from '../../conversations/player.ts';
import { analyseFlow } from '../../support/flow-graph.ts';
import { sendsKey } from '../../support/sent-keys.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const course = anxietyCourse;
const TIME_ZONE = 'Europe/Oslo';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Texts that are not the course's own: the questionnaires' items come from instruments.json. */
const questionnaireKeys = new Set([...questionnaireTextKeys('phq9'), ...questionnaireTextKeys('gad7')]);
const ownKeys = course.textKeys.filter((key) => !questionnaireKeys.has(key) && !key.startsWith('img.'));
/** The longest values the course fills in: a time, worry-time minutes, 0-100 beliefs; the hints' ranges. */
const widestVars = { time: '23:59', minutes: 30, before: 100, after: 100, min: 0, max: 2000 };

type ScriptStep = Step;
const script = (locale: Locale): ScriptStep[] => scriptSteps(`course-anxiety-${locale}`);

interface Turn {
  now: Date;
  result: TurnResult;
}

/**
 * Plays a script with the pure engine the way the service does (timers fire when the clock passes them,
 * all due ones in one pass), and at every turn also continues from the persisted snapshot restored from
 * JSON: both must give exactly the same result.
 */
function play(locale: Locale, steps: ScriptStep[], start = new Date('2026-11-23T09:00:00.000Z')): Turn[] {
  const text = (key: string, vars?: Record<string, string | number>) => catalog.text(locale, key, vars);
  const turns: Turn[] = [];
  const timers = new Map<string, TimerSpec>();
  let persisted: PersistedFlow | undefined;
  let now = start;

  const advance = (event: EngineEvent) => {
    const restored = persisted && (JSON.parse(JSON.stringify(persisted)) as PersistedFlow);
    const request = { flow: course, event, now, locale, timeZone: TIME_ZONE, text };
    const fromMemory = turn({ ...request, persisted });
    const fromJson = turn({ ...request, persisted: restored });
    expect(fromJson).toEqual(fromMemory);
    // XState keeps an error thrown by an action (a homework entry that does not fit) in the snapshot.
    expect((fromMemory.persisted.snapshot as { status: string }).status).not.toBe('error');
    for (const key of fromMemory.cancels) timers.delete(key);
    for (const timer of fromMemory.timers) timers.set(timer.key, timer);
    persisted = fromMemory.persisted;
    turns.push({ now, result: fromMemory });
  };

  advance({ kind: 'start' });
  for (const step of steps) {
    if ('wait' in step) {
      now = new Date(now.getTime() + parseDuration(step.wait)!);
      const due = [...timers.values()]
        .filter((t) => t.dueAt <= now.toISOString())
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      for (const timer of due) {
        if (timers.get(timer.key) !== timer) continue;
        timers.delete(timer.key);
        advance({ kind: 'timer', key: timer.key, event: timer.event });
      }
    } else {
      advance({ kind: 'input', input: 'send' in step ? { text: step.send } : { value: step.press } });
    }
  }
  return turns;
}

const replies = (turns: Turn[]) =>
  turns.flatMap((t) => t.result.replies.map((reply) => ({ now: t.now, reply })));
const events = (turns: Turn[]) =>
  turns.flatMap((t) => t.result.events.map((event) => ({ now: t.now, event })));
const ofType = (turns: Turn[], type: string): DomainEvent[] =>
  events(turns)
    .map((e) => e.event)
    .filter((e) => e.type === type);
const localHour = (instant: Date) => new TZDate(instant.getTime(), TIME_ZONE).getHours();

/** Every tag is a proper tag with quoted attributes, and they balance: well-formed, for a hand-written SVG. */
function wellFormed(svg: string): boolean {
  const body = svg.replace(/<!--[\s\S]*?-->/g, '');
  const tags = body.match(/<[^>]*>/g) ?? [];
  const stack: string[] = [];
  for (const tag of tags) {
    const match = /^<(\/?)([a-zA-Z][\w:-]*)(?:\s+[\w:-]+="[^"]*")*\s*(\/?)>$/.exec(tag);
    if (!match) return false;
    const [, closing, name, selfClosing] = match;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else if (!selfClosing) stack.push(name!);
  }
  return stack.length === 0 && body.trim().startsWith('<svg');
}

describe('anxiety course: content', () => {
  it('has every text key it can send in both locales, and no unused anxiety texts', () => {
    for (const locale of locales) {
      expect(course.textKeys.filter((key) => !catalog.has(locale, key))).toEqual([]);
      const used = new Set(course.textKeys);
      const unused = catalog
        .keys(locale)
        .filter((key) => key.startsWith('anxiety.') || key.startsWith('img.anxiety.'))
        .filter((key) => !sendsKey([...used], key));
      expect(unused, locale).toEqual([]);
    }
  });

  it('keeps every own text within 320 characters, with every variable filled', () => {
    for (const locale of locales) {
      for (const key of ownKeys) {
        const text = catalog.text(locale, key, widestVars);
        expect(text.length, `${locale} ${key}`).toBeLessThanOrEqual(320);
        expect(text, `${locale} ${key}`).not.toMatch(/\{[a-zA-Z0-9_@.]+\}/);
      }
    }
  });

  it('sends every text as GSM-7 once normalised for SMS', () => {
    for (const locale of locales) {
      for (const key of course.textKeys) {
        const text = normaliseForGsm7(catalog.text(locale, key, widestVars));
        expect(encodingOf(text), `${locale} ${key}`).toBe('GSM-7');
      }
    }
  });

  it('uses no crisis phrase in its own texts, so a client echoing an example raises no alarm', () => {
    for (const locale of locales) {
      for (const key of ownKeys.filter((k) => k.startsWith('anxiety.'))) {
        const text = catalog.text(locale, key, widestVars);
        expect(detectRisk(text, safetyRules), `${locale} ${key}`).toEqual({ tier: 'none' });
      }
    }
  });

  it('shows at least six distinct illustrations, each a small well-formed SVG with a title', () => {
    const images = new Set(course.images);
    expect(images.size).toBeGreaterThanOrEqual(6);
    for (const image of images) {
      const path = join(root, 'content', 'illustrations', `${image}.svg`);
      expect(existsSync(path), image).toBe(true);
      const svg = readFileSync(path, 'utf8');
      expect(statSync(path).size, image).toBeLessThan(8 * 1024);
      expect(svg.trimStart().startsWith('<svg'), image).toBe(true);
      expect(svg, image).toMatch(/<svg[^>]*\sviewBox="[\d.\s-]+"/);
      expect(svg, image).toMatch(/<svg[^>]*\srole="img"/);
      expect(svg, image).toMatch(/<title[^>]*>[^<]+<\/title>/);
      expect(svg, image).not.toMatch(/<script/i);
      expect(svg, image).not.toMatch(/href="http/i);
      expect(svg, image).not.toMatch(/\son[a-z]+=/i);
      expect(wellFormed(svg), image).toBe(true);
    }
  });

  it('notices a malformed SVG', () => {
    expect(wellFormed('<svg viewBox="0 0 1 1"><g></svg>')).toBe(false);
    expect(wellFormed('<svg viewBox=0><title>x</title></svg>')).toBe(false);
    expect(wellFormed('<svg viewBox="0 0 1 1"><title>x</title><path d="M0 0"/></svg>')).toBe(true);
  });
});

describe('anxiety course: graph', () => {
  it('has every state reachable, every situation able to finish and no dead ends', () => {
    const report = analyseFlow(course);
    expect(report.unreachable).toEqual([]);
    expect(report.stuck).toEqual([]);
    expect(report.withoutExit).toEqual([]);
  });
});

describe('anxiety course: the golden path with the pure engine', () => {
  for (const locale of locales) {
    it(`plays the ${locale} script to the end, resuming from a JSON snapshot at every turn`, () => {
      const turns = play(locale, script(locale));
      expect(turns.some((t) => t.result.done)).toBe(true);
      expect(ofType(turns, 'part.started').map((e) => e.data.part)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(ofType(turns, 'part.completed').map((e) => e.data.part)).toEqual([1, 2, 3, 4, 5, 6]);
      const measured = ofType(turns, 'questionnaire.completed').map((e) => `${e.data.step}`);
      expect(measured).toEqual([
        'p1_phq9',
        'p1_gad7',
        'p3_phq9',
        'p3_gad7',
        'p5_phq9',
        'p5_gad7',
        'final_phq9',
        'final_gad7',
      ]);
      // The measures come before part 1's content, right after parts 3 and 5 start, and after part 6 ends.
      const order = events(turns)
        .map((e) => e.event)
        .filter(
          (e) =>
            e.type === 'part.started' || e.type === 'part.completed' || e.type === 'questionnaire.completed',
        )
        .map((e) => (e.type === 'questionnaire.completed' ? `${e.data.step}` : `${e.type}:${e.data.part}`));
      expect(order.indexOf('p1_gad7')).toBe(order.indexOf('part.started:1') + 2);
      expect(order.indexOf('p3_gad7')).toBe(order.indexOf('part.started:3') + 2);
      expect(order.indexOf('p5_gad7')).toBe(order.indexOf('part.started:5') + 2);
      expect(order.indexOf('final_phq9')).toBe(order.indexOf('part.completed:6') + 1);
    });
  }

  it('records homework entries that fit their schemas, every anxiety type at least once', () => {
    const recorded = locales.flatMap((locale) => ofType(play(locale, script(locale)), 'homework.recorded'));
    for (const { data } of recorded) {
      const type = homeworkTypes.get(String(data.type));
      expect(type, String(data.type)).toBeDefined();
      expect(type!.schema.safeParse(data.entry).success, String(data.type)).toBe(true);
    }
    expect(new Set(recorded.map((e) => e.data.type))).toEqual(new Set(anxietyHomework.map((t) => t.id)));
    const diary = recorded.filter((e) => e.data.type === 'anxiety.worry_diary').map((e) => e.data.entry);
    expect(diary).toContainEqual(
      expect.objectContaining({ kind: 'practical', about_now: true, can_act: true }),
    );
    expect(diary).toContainEqual(expect.objectContaining({ kind: 'hypothetical', can_act: null }));
  });

  it('lets a measurement point lapse after a day unanswered and goes on without thanking for it', () => {
    const steps = script('nb');
    const part3Started = steps.findIndex((s) => 'wait' in s && s.wait === '3d') + 2;
    const turns = play('nb', [...steps.slice(0, part3Started), { wait: '1d' }]);
    const last = turns.at(-1)!.result;
    expect(last.events.map((e) => e.type)).toEqual(['questionnaire.expired']);
    expect(last.replies.map((r) => r.key)).toEqual(['questionnaire.expired', 'anxiety.p3.ask_entries']);
  });

  it('reminds a client who leaves a part unopened after 3 days, inside 08:00-21:00', () => {
    const reminders = replies(play('nb', script('nb'))).filter((r) => r.reply.key === 'course.reminder');
    expect(reminders.length).toBeGreaterThan(0);
    for (const { now } of reminders) {
      expect(localHour(now)).toBeGreaterThanOrEqual(8);
      expect(localHour(now)).toBeLessThan(21);
    }
  });
});

describe('anxiety course: gating', () => {
  /** The nb script up to the end of part 1 (everything before the first wait of days). */
  const part1 = (() => {
    const steps = script('nb');
    return steps.slice(
      0,
      steps.findIndex((s, i) => i > 0 && 'wait' in s),
    );
  })();
  const opens = (turns: Turn[], part: number) =>
    replies(turns).filter((r) => r.reply.key === `anxiety.p${part}.open`);

  it('opens each part no sooner than 6 days after the previous one started, inside 08:00-21:00', () => {
    for (const locale of locales) {
      const turns = play(locale, script(locale));
      const started = events(turns).filter((e) => e.event.type === 'part.started');
      for (let part = 2; part <= 6; part++) {
        const previous = started.find((e) => e.event.data.part === part - 1)!.now;
        const [first] = opens(turns, part);
        expect(first, `part ${part}`).toBeDefined();
        expect(first!.now.getTime() - previous.getTime()).toBeGreaterThanOrEqual(6 * DAY_MS);
        expect(localHour(first!.now)).toBeGreaterThanOrEqual(8);
        expect(localHour(first!.now)).toBeLessThan(21);
      }
    }
  });

  it('keeps part 2 closed until 6 days have passed, even when part 1 is done at once', () => {
    const early = play('nb', [...part1, { wait: '5d' }, { wait: '23h' }, { wait: '58m' }]);
    expect(opens(early, 2)).toEqual([]);
    const onTime = play('nb', [...part1, { wait: '6d' }]);
    expect(opens(onTime, 2)).toHaveLength(1);
  });

  it('moves an opening that falls in the night to 08:00 the next morning', () => {
    // Part 1 starts at 21:30 on a Monday, so 6 days later is 21:30 on a Sunday: too late to send.
    const late = new Date(new TZDate(2026, 10, 23, 21, 30, 0, TIME_ZONE).getTime());
    const done1 = play('nb', part1, late);
    const gate = done1.at(-1)!.result.timers.find((t) => t.key.includes('gate.p2_open'));
    expect(gate?.dueAt).toBe('2026-11-30T07:00:00.000Z');
    expect(opens(play('nb', [...part1, { wait: '6d' }, { wait: '10h' }], late), 2)).toEqual([]);
    const [opened] = opens(play('nb', [...part1, { wait: '6d' }, { wait: '11h' }], late), 2);
    expect(opened?.now).toEqual(new Date('2026-11-30T07:30:00.000Z'));
    expect(localHour(opened!.now)).toBe(8);
  });
});

describe('anxiety course: homework schemas', () => {
  const valid: Record<string, Record<string, unknown>> = {
    'anxiety.cycle': {
      situation: 'På jobben',
      thought: 'Hva om jeg dummer meg ut?',
      feeling: 'anxious',
      intensity: 7,
      body: 'heart',
      action: 'avoided',
    },
    'anxiety.worry_diary': {
      time: '14:30',
      worry: 'Rapporten',
      distress: 6,
      minutes: 45,
      about_now: true,
      can_act: true,
      kind: 'practical',
    },
    'anxiety.diary_review': { entries: 12, mostly: 'hypothetical' },
    'anxiety.worry_time_plan': {
      time: '17:30',
      minutes: 20,
      place: 'Kjøkkenbordet',
      belief_uncontrollable: 80,
    },
    'anxiety.worry_time_review': { days_used: 5, importance: 'less', belief_uncontrollable: 55 },
    'anxiety.problem_solving': {
      problem: 'E-posten',
      options: ['svare i dag', 'spørre en kollega'],
      chosen: 'svare i dag',
      first_step: 'Skrive tre setninger',
      when: 'today',
    },
    'anxiety.behaviour_experiment': {
      kind: 'reassurance',
      behaviour: 'Ringer mamma',
      feared_outcome: 'Blir urolig',
      belief_before: 70,
      step: 'Vente til kvelden',
      when: 'tomorrow',
    },
    'anxiety.experiment_result': { done: 'yes', feared_happened: 'no', belief_before: 70, belief_after: 30 },
    'anxiety.relapse_plan': {
      helped_most: 'worry_time',
      warning_signs: 'Sover dårligere',
      risky_situations: 'Eksamen',
      actions: 'Bekymringstid igjen',
      keep_doing: 'Bekymringstid',
      support: 'Kjæresten min',
    },
  };
  const wrong: Record<string, Record<string, unknown>[]> = {
    'anxiety.cycle': [{ intensity: 11 }, { feeling: 'angry' }, { situation: '' }],
    'anxiety.worry_diary': [
      { time: '25:00' },
      { time: '9:00' },
      { minutes: 0 },
      { about_now: false, can_act: true, kind: 'hypothetical' },
      { about_now: true, can_act: false, kind: 'practical' },
    ],
    'anxiety.diary_review': [{ entries: 0 }, { entries: 3, mostly: null }, { entries: -1 }],
    'anxiety.worry_time_plan': [{ minutes: 25 }, { minutes: '20' }, { belief_uncontrollable: 101 }],
    'anxiety.worry_time_review': [{ days_used: 8 }, { days_used: 0 }, { importance: 'much' }],
    'anxiety.problem_solving': [{ options: [] }, { options: [''] }, { when: 'someday' }],
    'anxiety.behaviour_experiment': [
      { belief_before: 100.5 },
      { kind: 'running' },
      { step: 'x'.repeat(301) },
    ],
    'anxiety.experiment_result': [
      { done: 'no' },
      { done: 'no', feared_happened: null, belief_after: 40 },
      { feared_happened: null },
    ],
    'anxiety.relapse_plan': [{ warning_signs: '   ' }, { helped_most: 'everything' }, { support: undefined }],
  };

  for (const type of anxietyHomework) {
    it(`${type.id}: takes a sound entry and refuses wrong ones`, () => {
      expect(homeworkTypes.get(type.id)).toBe(type);
      const sample = valid[type.id]!;
      expect(type.schema.safeParse(sample).success).toBe(true);
      expect(wrong[type.id]!.length).toBeGreaterThan(0);
      for (const change of wrong[type.id]!) {
        expect(type.schema.safeParse({ ...sample, ...change }).success, JSON.stringify(change)).toBe(false);
      }
    });
  }

  it('never records an entry that does not fit: the turn fails instead', () => {
    const flow = buildFlow({
      id: 'anxiety_wrong_entry',
      version: 1,
      steps: [recordHomework('bad', 'anxiety.cycle', () => ({ intensity: 12 })), end('done')],
    });
    const request = {
      flow,
      persisted: undefined,
      event: { kind: 'start' } as const,
      now: new Date('2026-11-23T09:00:00.000Z'),
      locale: 'nb' as const,
      timeZone: TIME_ZONE,
      text: (key: string) => catalog.text('nb', key),
    };
    let result: TurnResult;
    try {
      result = turn(request);
    } catch (error) {
      expect(String(error)).toMatch(/anxiety.cycle entry does not fit its schema/);
      return;
    }
    expect(result.events).toEqual([]);
    expect((result.persisted.snapshot as { status: string }).status).toBe('error');
  });
});
