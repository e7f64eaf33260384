import { readFileSync } from 'node:fs';
import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { type AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import { stressCourse } from '../../../flows/courses/stress.ts';
import { encodingOf, normaliseForGsm7 } from '../../../src/channels/sms/gsm7.ts';
import { catalog } from '../../../src/content/default.ts';
import { imageAltKey } from '../../../src/content/illustrations.ts';
import { parseDuration } from '../../../src/domain/duration.ts';
import { homeworkTypes } from '../../../src/domain/homework/index.ts';
import { STRESS_TEXT_LIMITS, stressHomework } from '../../../src/domain/homework/stress.ts';
import { currentPrompt } from '../../../src/engine/prompt.ts';
import { restore, turn } from '../../../src/engine/turn.ts';
import {
  type DomainEvent,
  type EngineEvent,
  type FlowEvent,
  type Locale,
  locales,
  type PersistedFlow,
  type Reply,
  type TimerSpec,
  type TurnResult,
} from '../../../src/engine/types.ts';
import { type Step, scriptSteps } from '../../conversations/player.ts';
import { analyseFlow } from '../../support/flow-graph.ts';
import { sendsKey } from '../../support/sent-keys.ts';

const course = stressCourse;
const ZONE = 'Europe/Oslo';
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_MESSAGE = 320;
const illustrations = new URL('../../../content/illustrations/', import.meta.url);

/** The course's own texts: questionnaire items and shared service texts are checked elsewhere. */
const ownKeys = (locale: Locale) =>
  catalog.keys(locale).filter((key) => key.startsWith('stress.') || key.startsWith('img.stress.'));

/** How long each variable in a course text can get: the longest answer the course accepts for it. */
const VAR_MAX: Record<string, number> = {
  idea1: STRESS_TEXT_LIMITS.idea,
  idea2: STRESS_TEXT_LIMITS.idea,
  idea3: STRESS_TEXT_LIMITS.idea,
  step: STRESS_TEXT_LIMITS.sentence,
  script: STRESS_TEXT_LIMITS.sentence,
  activity: STRESS_TEXT_LIMITS.activity,
  sign: STRESS_TEXT_LIMITS.sign,
  time: '23:59'.length,
  minutes: '240'.length,
  times: '7'.length,
  before: '10'.length,
  now: '10'.length,
};

const localClock = (iso: string) => {
  const local = new TZDate(Date.parse(iso), ZONE);
  return `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`;
};
const inSendWindow = (iso: string) => localClock(iso) >= '08:00' && localClock(iso) < '21:00';

/**
 * Plays the course through the pure engine the way the service does: every turn starts from the
 * persisted snapshot, timers are kept as rows and fed back when the clock passes their due time.
 */
class Player {
  persisted: PersistedFlow | undefined;
  timers = new Map<string, TimerSpec>();
  results: TurnResult[] = [];
  /** Every timer ever scheduled, with the time it was scheduled at. */
  scheduled: { at: string; timer: TimerSpec }[] = [];

  constructor(
    readonly locale: Locale,
    public now: Date,
    /** Called before each turn with the persisted state and the event, e.g. to check a restart. */
    private readonly check?: (persisted: PersistedFlow | undefined, event: EngineEvent, now: Date) => void,
  ) {}

  run(event: EngineEvent): TurnResult {
    this.check?.(this.persisted, event, this.now);
    const result = turn({
      flow: course,
      persisted: this.persisted,
      event,
      now: this.now,
      locale: this.locale,
      timeZone: ZONE,
      text: (key, vars) => catalog.text(this.locale, key, vars),
    });
    this.persisted = result.persisted;
    for (const key of result.cancels) this.timers.delete(key);
    for (const timer of result.timers) {
      this.timers.set(timer.key, timer);
      this.scheduled.push({ at: this.now.toISOString(), timer });
    }
    this.results.push(result);
    return result;
  }

  start = () => this.run({ kind: 'start' });
  press = (value: string) => this.run({ kind: 'input', input: { value } });
  send = (text: string) => this.run({ kind: 'input', input: { text } });

  /** Moves the clock on and fires what fell due, in due order, at the new time (as the scheduler does). */
  wait(ms: number): TurnResult[] {
    this.now = new Date(this.now.getTime() + ms);
    const due = [...this.timers.values()]
      .filter((t) => t.dueAt <= this.now.toISOString())
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    return due.map((timer) => {
      this.timers.delete(timer.key);
      return this.run({ kind: 'timer', key: timer.key, event: timer.event });
    });
  }

  snapshot(): AnyMachineSnapshot {
    return restore(course.machine, this.persisted!);
  }

  state = () => JSON.stringify(this.snapshot().value);
  events = (): DomainEvent[] => this.results.flatMap((r) => r.events);
}

type ScriptStep = Step;

function loadScript(locale: Locale): { locale: Locale; steps: ScriptStep[] } {
  return { locale, steps: scriptSteps(`course-stress-${locale}`) };
}

/** Plays a golden conversation script (without the access code the service needs) through the engine. */
function playScript(player: Player, steps: ScriptStep[]): void {
  player.start();
  for (const step of steps) {
    if ('wait' in step) player.wait(parseDuration(step.wait)!);
    else if ('press' in step) player.press(step.press);
    else player.send(step.send);
  }
}

/** Answers whatever the course asks, simply, until `until` holds: for tests that need to get somewhere. */
function answerUntil(player: Player, until: (p: Player) => boolean, limit = 500): void {
  for (let i = 0; i < limit && !until(player); i++) {
    const meta = currentPrompt(player.snapshot());
    if (!meta) throw new Error(`no question in state ${player.state()}`);
    const { prompt, hint } = meta;
    if (prompt.numbering === 'value') player.press('0');
    else if (prompt.choices) player.press(prompt.choices.at(-1)!.value);
    else if (hint?.key === 'engine.hint.number') player.send(String(hint.vars!.min));
    else if (hint?.key === 'engine.hint.time') player.send('18:00');
    else player.send('Et kort svar');
  }
  if (!until(player)) throw new Error(`did not get there; stuck in ${player.state()}`);
}

/** A local wall-clock time in Oslo (month 1-12) as an instant. */
const oslo = (year: number, month: number, day: number, hour: number, minute = 0) =>
  new Date(new TZDate(year, month - 1, day, hour, minute, 0, ZONE).getTime());
/** Where the golden conversations start: Monday 23 November 2026, 10:00 in Oslo. */
const START = oslo(2026, 11, 23, 10);

describe('stress course: content', () => {
  it('has every text it can send, in every locale, and no texts it never sends', () => {
    for (const locale of locales) {
      expect(course.textKeys.filter((key) => !catalog.has(locale, key))).toEqual([]);
      expect(ownKeys(locale).filter((key) => !sendsKey(course.textKeys, key))).toEqual([]);
    }
  });

  it('keeps every message of its own at most 320 characters, also with the longest answers quoted back', () => {
    for (const locale of locales) {
      for (const key of ownKeys(locale)) {
        const names = [...catalog.text(locale, key).matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]!);
        for (const name of names) expect(VAR_MAX, `${key}: how long can {${name}} be?`).toHaveProperty(name);
        const vars = Object.fromEntries(names.map((name) => [name, 'x'.repeat(VAR_MAX[name]!)]));
        const text = catalog.text(locale, key, vars);
        expect(text.length, `${locale} ${key}`).toBeLessThanOrEqual(MAX_MESSAGE);
      }
    }
  });

  it('sends every text as plain GSM-7 by SMS once normalised', () => {
    for (const locale of locales) {
      for (const key of course.textKeys) {
        const normalised = normaliseForGsm7(catalog.text(locale, key));
        expect(encodingOf(normalised), `${locale} ${key}: ${normalised}`).toBe('GSM-7');
      }
    }
  });

  it('shows at least six illustrations, each a small, self-contained SVG with an alt text', () => {
    const images = [...new Set(course.images ?? [])];
    expect(images.length).toBeGreaterThanOrEqual(6);
    for (const image of images) {
      expect(image).toMatch(/^stress\/[a-z0-9-]+$/);
      const bytes = readFileSync(new URL(`${image}.svg`, illustrations));
      expect(bytes.length, image).toBeLessThan(8 * 1024);
      const svg = bytes.toString('utf8').trim();
      expect(svg.startsWith('<svg'), image).toBe(true);
      expect(svg).toMatch(/<svg[^>]*\sviewBox="[\d.\s-]+"/);
      expect(svg).toMatch(/<svg[^>]*\srole="img"/);
      expect(svg).toMatch(/<title[^>]*>[^<]+<\/title>/);
      expect(svg).not.toMatch(/<script|<foreignObject|\son\w+=|href="(?!#)|url\((?!#)/i);
      // Language-neutral: no words drawn into the picture.
      expect(svg).not.toMatch(/<text/);
      expect(wellFormed(svg), image).toBe(true);
      for (const locale of locales) expect(catalog.has(locale, imageAltKey(image))).toBe(true);
    }
  });
});

/** Tags open and close in order (a small check, enough for hand-written SVG without CDATA). */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const [tag, closing, name, selfClosing] of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (tag.startsWith('<?')) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else if (!selfClosing) stack.push(name!);
  }
  return stack.length === 0 && !/<(?![/a-zA-Z?!])/.test(xml);
}

describe('stress course: graph', () => {
  it('has every state reachable, every situation able to finish, no dead ends', () => {
    // Six earlier-answer sets per state still reach every state here, in half the time of the default
    // twelve; test/flows/graph.test.ts runs the default over every registered flow, this one included.
    const report = analyseFlow(course, 6);
    expect(report.unreachable).toEqual([]);
    expect(report.stuck).toEqual([]);
    expect(report.withoutExit).toEqual([]);
  });
});

describe('stress course: the golden path through the pure engine', () => {
  for (const locale of locales) {
    it(`${locale}: resumes from a snapshot taken at any step exactly as it would have gone on in memory`, () => {
      let live: AnyMachineSnapshot | undefined;
      let turns = 0;
      const replayed = (persisted: PersistedFlow | undefined, event: EngineEvent, now: Date) => {
        // The same turn from a copy that went through JSON, as from the database, gives the same result.
        const request = {
          flow: course,
          event,
          now,
          locale,
          timeZone: ZONE,
          text: (key: string) => catalog.text(locale, key),
        };
        const inMemory = turn({ ...request, persisted });
        const fromJson = turn({
          ...request,
          persisted: persisted && (JSON.parse(JSON.stringify(persisted)) as PersistedFlow),
        });
        expect(fromJson).toEqual(inMemory);
        turns++;

        // And a machine that never left memory agrees with the restored one on state, context and replies.
        const nowIso = now.toISOString();
        let actions: unknown[];
        if (event.kind === 'start') {
          [live, actions] = initialTransition(course.machine, { locale, timeZone: ZONE, now: nowIso });
        } else if (live!.status !== 'active') {
          expect(inMemory.replies.map((r) => r.key)).toEqual(['engine.finished']);
          return;
        } else if (event.kind === 'timer') {
          [live, actions] = transition(course.machine, live!, { ...event.event, now: nowIso } as FlowEvent);
        } else if (event.kind === 'input') {
          [live, actions] = transition(course.machine, live!, { type: 'INPUT', now: nowIso, ...event.input });
        } else {
          throw new Error(`the stress test plays no ${event.kind} event`);
        }
        const restored = restore(course.machine, inMemory.persisted);
        expect(restored.value).toEqual(live.value);
        expect(restored.context).toEqual(live.context);
        const replies = (actions as { type: string; params?: { event?: { type: string; reply?: Reply } } }[])
          .filter((a) => a.type === 'xstate.emit' && a.params?.event?.type === 'reply')
          .map((a) => a.params!.event!.reply);
        expect(inMemory.replies).toEqual(replies);
      };

      const player = new Player(locale, START, replayed);
      playScript(player, loadScript(locale).steps);
      expect(player.snapshot().status).toBe('done');
      // Every turn of the whole course was checked: each input and each timer that fired.
      expect(turns).toBe(player.results.length);
      expect(turns).toBeGreaterThan(140);
    });
  }

  it('records PHQ-9 and GAD-7 before parts 1, 3 and 5 and after part 6, and every part in order', () => {
    const player = new Player('nb', START);
    playScript(player, loadScript('nb').steps);
    const events = player.events();
    const completed = events.filter((e) => e.type === 'questionnaire.completed').map((e) => e.data.step);
    expect(completed).toEqual([
      'start_phq9',
      'start_gad7',
      'p3_phq9',
      'p3_gad7',
      'p5_phq9',
      'p5_gad7',
      'end_phq9',
      'end_gad7',
    ]);
    const milestones = events
      .filter((e) => e.type.startsWith('part.') || e.type === 'questionnaire.completed')
      .map((e) => (e.type === 'questionnaire.completed' ? String(e.data.step) : `${e.type} ${e.data.part}`));
    expect(milestones.indexOf('start_gad7')).toBeLessThan(milestones.indexOf('part.started 1'));
    expect(milestones.indexOf('part.started 3')).toBeLessThan(milestones.indexOf('p3_phq9'));
    expect(milestones.indexOf('part.started 5')).toBeLessThan(milestones.indexOf('p5_phq9'));
    expect(milestones.indexOf('part.completed 6')).toBeLessThan(milestones.indexOf('end_phq9'));
    for (let part = 1; part <= 6; part++) {
      expect(milestones.indexOf(`part.started ${part}`)).toBeLessThan(
        milestones.indexOf(`part.completed ${part}`),
      );
    }
  });
});

describe('stress course: homework', () => {
  const recorded = (locale: Locale) => {
    const player = new Player(locale, START);
    playScript(player, loadScript(locale).steps);
    return player
      .events()
      .filter((e) => e.type === 'homework.recorded')
      .map((e) => e.data as { type: string; entry: Record<string, unknown> });
  };

  it('records every kind of homework along the golden path, each fitting its schema', () => {
    for (const locale of locales) {
      const entries = recorded(locale);
      expect(entries.map((e) => e.type)).toEqual([
        'stress.stress_log',
        'stress.stress_log',
        'stress.stress_log',
        'stress.problem_solving',
        'stress.problem_review',
        'stress.recovery_plan',
        'stress.boundary_plan',
        'stress.maintenance_plan',
      ]);
      for (const { type, entry } of entries) {
        const result = homeworkTypes.get(type)!.schema.safeParse(entry);
        expect(result.success, `${type}: ${result.error?.message}`).toBe(true);
      }
    }
  });

  it('builds the entries from the answers', () => {
    const entries = recorded('nb');
    expect(entries.find((e) => e.type === 'stress.problem_solving')!.entry).toEqual({
      problem: 'Jeg rekker ikke å gjøre ferdig budsjettet til møtet på fredag',
      ideas: ['Be om utsatt frist', 'Få hjelp av en kollega', 'Lage en enklere versjon først'],
      chosen: 3,
      first_step: 'Lage en kort oversikt med bare de viktigste tallene',
      when: 'tomorrow',
      time: '09:00',
    });
    expect(entries.find((e) => e.type === 'stress.maintenance_plan')!.entry).toMatchObject({
      most_helpful: 'recovery',
      stress_level_part1: 7,
      stress_level_part6: 4,
    });
  });

  it('registers its schemas, and they refuse entries that do not fit', () => {
    for (const type of stressHomework) expect(homeworkTypes.get(type.id)).toBe(type);
    const schema = (id: string) => homeworkTypes.get(id)!.schema;
    const log = {
      situation: 'Ny oppgave rett før fristen',
      area: 'work',
      intensity: 7,
      body: 'Stiv nakke',
      thought: 'Dette rekker jeg aldri',
      action: 'Jobbet sent',
    };
    expect(schema('stress.stress_log').safeParse(log).success).toBe(true);
    for (const wrong of [
      { ...log, intensity: 11 },
      { ...log, intensity: 6.5 },
      { ...log, area: 'office' },
      { ...log, situation: '' },
      { ...log, body: 'x'.repeat(STRESS_TEXT_LIMITS.sentence + 1) },
      { ...log, extra: 'not part of the entry' },
      { situation: log.situation, area: log.area, intensity: log.intensity },
    ]) {
      expect(schema('stress.stress_log').safeParse(wrong).success, JSON.stringify(wrong)).toBe(false);
    }
    const plan = {
      problem: 'Budsjettet blir ikke ferdig',
      ideas: ['Be om utsettelse', 'Be om hjelp', 'Enklere versjon'],
      chosen: 2,
      first_step: 'Sende en e-post',
      when: 'today',
      time: '14:00',
    };
    expect(schema('stress.problem_solving').safeParse(plan).success).toBe(true);
    for (const wrong of [
      { ...plan, time: '24:00' },
      { ...plan, time: '9:00' },
      { ...plan, chosen: 4 },
      { ...plan, ideas: ['Bare én'] },
      { ...plan, when: 'someday' },
    ]) {
      expect(schema('stress.problem_solving').safeParse(wrong).success, JSON.stringify(wrong)).toBe(false);
    }
    const recovery = {
      drains: 'Møter',
      fillers: 'Tur',
      balance: 3,
      activity: 'Gåtur',
      minutes: 30,
      times_per_week: 3,
      time: '17:30',
    };
    expect(schema('stress.recovery_plan').safeParse(recovery).success).toBe(true);
    expect(schema('stress.recovery_plan').safeParse({ ...recovery, times_per_week: 8 }).success).toBe(false);
    expect(schema('stress.recovery_plan').safeParse({ ...recovery, minutes: '30' }).success).toBe(false);
    expect(
      schema('stress.boundary_plan').safeParse({
        situation: 'Ekstravakter',
        usual: 'always',
        script: 'Ikke denne uka',
        difficulty: 5,
        good_enough: 'Enkel middag',
      }).success,
    ).toBe(false);
    expect(
      schema('stress.maintenance_plan').safeParse({
        warning_signs: 'Dårlig søvn',
        actions: 'Planlegge påfyll',
        keep_doing: 'Gåturer',
        support: 'Samboeren min',
        most_helpful: 'recovery',
        stress_level_part1: 7,
      }).success,
    ).toBe(false);
  });
});

describe('stress course: parts open about a week apart, inside the send window', () => {
  const gateTimer = (player: Player) => [...player.timers.values()].find((t) => t.key.includes('.gate.'));
  const keysOf = (result: TurnResult) => result.replies.map((x) => x.key);
  const reminderOf = (result: TurnResult, step: string) =>
    result.timers.find((t) => t.key.includes(`.remind.${step}`));
  const PART_ONE_READY = '{"p1_open__ready":"waiting"}';

  it('opens part 1 at once and part 2 not before 6 days after part 1 started', () => {
    const player = new Player('nb', START);
    player.start();
    answerUntil(player, (p) => p.state() === PART_ONE_READY);
    // Part 1 has no earlier part to wait for: it opens in the turn that answers the last start measure,
    // right after the thanks, with no timer for it.
    const opening = player.results.at(-1)!;
    expect(opening.events.map((e) => e.data.step)).toContain('start_gad7');
    expect(keysOf(opening).slice(-2)).toEqual(['stress.start_thanks', 'stress.p1.open']);
    expect(opening.replies.at(-1)!.choices?.map((c) => c.value)).toEqual(['start']);
    expect(player.scheduled.filter(({ timer }) => timer.key.includes('.gate.'))).toEqual([]);
    // Its reminder counts from the time of that turn.
    expect(reminderOf(opening, 'p1_open__ready')!.dueAt).toBe(
      new Date(player.now.getTime() + 3 * DAY_MS).toISOString(),
    );
    player.wait(5 * 60 * 1000);
    player.press('start');
    const partOneStarted = player.now.getTime();
    answerUntil(player, (p) => p.state() === '"p2_open"');

    const gate = gateTimer(player)!;
    expect(Date.parse(gate.dueAt)).toBe(partOneStarted + 6 * DAY_MS);
    const untilGate = Date.parse(gate.dueAt) - player.now.getTime();
    expect(player.wait(untilGate - 60 * 1000)).toEqual([]);
    expect(player.state()).toBe('"p2_open"');
    const opened = player.wait(60 * 1000);
    expect(opened.flatMap(keysOf)).toEqual(['stress.p2.open']);
    expect(opened[0]!.replies[0]!.choices?.map((c) => c.value)).toEqual(['start']);
  });

  it('moves an opening that falls in the night to 08:00 the next morning', () => {
    const player = new Player('nb', oslo(2026, 11, 23, 21, 30));
    player.start();
    answerUntil(player, (p) => p.state() === PART_ONE_READY);
    // Part 1 opens at once, as a reply to the client who is there at 21:30; its reminder keeps to the window.
    expect(keysOf(player.results.at(-1)!).at(-1)).toBe('stress.p1.open');
    expect(reminderOf(player.results.at(-1)!, 'p1_open__ready')!.dueAt).toBe(
      oslo(2026, 11, 27, 8).toISOString(),
    );
    player.wait(60 * 60 * 1000);
    player.press('start');
    const started = player.now.toISOString();
    expect(localClock(started)).toBe('22:30');
    answerUntil(player, (p) => p.state() === '"p2_open"');
    const gate = gateTimer(player)!;
    expect(gate.dueAt).toBe(oslo(2026, 11, 30, 8).toISOString());
    expect(Date.parse(gate.dueAt) - Date.parse(started)).toBeGreaterThanOrEqual(6 * DAY_MS);
  });

  it('on the golden path, opens every part and sends every reminder between 08:00 and 21:00 local time', () => {
    const player = new Player('nb', START);
    playScript(player, loadScript('nb').steps);
    // Part 1 opens in the same turn as the last start measure; parts 2-6 each wait for a gate.
    const partOne = player.results.findIndex((r) => keysOf(r).includes('stress.p1.open'));
    expect(player.results[partOne]!.events.map((e) => e.data.step)).toContain('start_gad7');
    const gates = player.scheduled.filter(({ timer }) => timer.key.includes('.gate.'));
    expect(gates.map(({ timer }) => timer.key.match(/gate\.(p\d)_open/)![1])).toEqual([
      'p2',
      'p3',
      'p4',
      'p5',
      'p6',
    ]);
    for (const { timer } of gates) expect(inSendWindow(timer.dueAt), timer.dueAt).toBe(true);
    const reminders = player.scheduled.filter(({ timer }) => timer.key.includes('.remind.'));
    expect(reminders.length).toBeGreaterThan(0);
    for (const { at, timer } of reminders) {
      expect(inSendWindow(timer.dueAt), timer.dueAt).toBe(true);
      expect(Date.parse(timer.dueAt) - Date.parse(at)).toBeGreaterThanOrEqual(3 * DAY_MS);
    }
    // The golden path waits three silent days at part 2 and gets one reminder with the question again.
    const reminded = player.results.filter((r) => r.replies.some((x) => x.key === 'course.reminder'));
    expect(reminded.map(keysOf)).toEqual([['course.reminder', 'stress.p2.open']]);
  });
});
