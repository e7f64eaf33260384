import { type AnyEventObject, type AnyStateNodeConfig, assign, emit } from 'xstate';
import { nextLocalTime, wallClockOf } from '../../src/domain/local-time.ts';
import {
  isDaytimeBedTime,
  meanSleepEfficiency,
  parseSleepDiaryEntry,
  proposeSleepWindow,
  type SleepDiaryEntry,
  type SleepDiaryInput,
  type SleepWindowProposal,
  type SleepWindowReason,
  sleepMetrics,
} from '../../src/domain/sleep-diary.ts';
import type { FlowVersion, Reply, TextVars } from '../../src/engine/types.ts';
import { buildFlow, nowOf, type TimedEvent } from '../kit/build.ts';
import { COURSE_REMINDER, measurePoint } from '../kit/course.ts';
import {
  askChoice,
  askNumber,
  askText,
  askTime,
  branch,
  choicesOf,
  end,
  endOfPart,
  type FlowContext,
  openPart,
  type Reminder,
  recordEvent,
  recordHomework,
  type Step,
  say,
} from '../kit/steps.ts';

/**
 * The sleep course: CBT-I in six parts (CLINICAL.md §4, §5). The daily sleep diary runs every morning
 * between the parts, one week of seven nights after each of parts 1–5; from part 2 on, each week's
 * diary gives a sleep-window proposal that the therapist approves before the client uses it.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

const DIARY_NIGHTS = 7;

/** The delay of the wait before each morning's diary: until the diary time the client chose in part 1. */
const DIARY_DUE = 'sleep.diary_due';
const DEFAULT_DIARY_TIME = '08:00';
const DEFAULT_RISE_TIME = '07:00';

/** An unanswered morning diary is asked again the next morning, twice at most. */
const DIARY_START_REMINDER: Reminder = { afterMs: DAY_MS, key: 'sleep.diary.reminder', times: 2 };

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

// ---------------------------------------------------------------------------------------------------
// Custom steps: a hand-written XState state whose `next` is filled in when the step list is linked.

type Deferred = {
  kind: 'deferred';
  id: string;
  next?: string;
  textKeys?: string[];
  state: (next: string) => AnyStateNodeConfig;
};
type Item = Step | Deferred;

/** Stores values computed from the context and the time of the turn in `answers`. */
const compute = (
  id: string,
  patch: (context: FlowContext, now: Date) => Record<string, unknown>,
  extra: { next?: string } = {},
): Deferred => ({
  kind: 'deferred',
  id,
  ...extra,
  state: (next) => ({
    entry: assign({
      answers: ({ context, event }: { context: FlowContext; event: AnyEventObject }) => ({
        ...context.answers,
        ...patch(context, nowOf(event as TimedEvent, context)),
      }),
    }),
    always: next,
  }),
});

/** Says one of `keys`, picked (with its variables) from the context. */
const sayPicked = (
  id: string,
  keys: string[],
  pick: (context: FlowContext) => Reply,
  extra: { next?: string } = {},
): Deferred => ({
  kind: 'deferred',
  id,
  ...extra,
  textKeys: keys,
  state: (next) => ({
    entry: emit(
      ({ context }: { context: FlowContext }) => ({ type: 'reply', reply: pick(context) }) as never,
    ),
    always: next,
  }),
});

/** Waits until the next morning diary time. */
const waitForDiary = (id: string): Deferred => ({
  kind: 'deferred',
  id,
  state: (next) => ({ after: { [DIARY_DUE]: next } }),
});

function link(items: Item[]): Step[] {
  return items.map((item, index) => {
    if (item.kind !== 'deferred') return item;
    const next = item.next ?? items[index + 1]?.id;
    if (next === undefined) throw new Error(`sleep: step "${item.id}" has no next step`);
    return {
      kind: 'custom',
      id: item.id,
      state: item.state(next),
      ...(item.textKeys ? { textKeys: item.textKeys } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// The diary: answers of week w, night n are stored under `w{w}n{n}_<field>`.

const nightId = (week: number, night: number) => `w${week}n${night}`;

/** The evening a night starts on: the local date before the morning the client answers on. */
export function diaryNightDate(now: Date, timeZone: string): string {
  const today = wallClockOf(now, timeZone);
  // Calendar arithmetic in UTC, where every day has 24 hours, whatever the process's own time zone.
  return new Date(Date.UTC(today.year, today.month - 1, today.day - 1)).toISOString().slice(0, 10);
}

function diaryInput(context: FlowContext, week: number, night: number): SleepDiaryInput | undefined {
  const a = context.answers;
  const p = nightId(week, night);
  const wakings = num(a[`${p}_wakings`]);
  const quality = str(a[`${p}_quality`]);
  const input = {
    date: str(a[`${p}_date`]),
    timeZone: context.timeZone,
    intoBed: str(a[`${p}_bed`]),
    lightsOut: str(a[`${p}_lights`]),
    latencyMinutes: num(a[`${p}_latency`]),
    awakenings: wakings,
    minutesAwake: wakings === 0 ? 0 : num(a[`${p}_awake`]),
    finalWake: str(a[`${p}_wake`]),
    outOfBed: str(a[`${p}_up`]),
    quality: quality === undefined ? undefined : Number(quality),
  };
  if (a[`${p}_start`] !== 'yes' || Object.values(input).some((v) => v === undefined)) return undefined;
  return input as SleepDiaryInput;
}

/**
 * Parsed nights by their answers. Parsing is pure, and reviews and branches ask for the same nights
 * again and again, so remembering them keeps every turn (and the graph analysis of the course) fast.
 */
const parsedNights = new Map<string, SleepDiaryEntry | undefined>();
const PARSED_NIGHTS_KEPT = 2000;

/** The night's validated entry, when the client filled it in and its times make a night. */
function diaryEntry(context: FlowContext, week: number, night: number): SleepDiaryEntry | undefined {
  const input = diaryInput(context, week, night);
  if (!input) return undefined;
  const key = JSON.stringify(input);
  if (parsedNights.has(key)) return parsedNights.get(key);
  const parsed = parseSleepDiaryEntry(input);
  const entry = parsed.ok ? parsed.value : undefined;
  if (parsedNights.size >= PARSED_NIGHTS_KEPT) parsedNights.clear();
  parsedNights.set(key, entry);
  return entry;
}

function weekEntries(context: FlowContext, week: number): SleepDiaryEntry[] {
  const entries: SleepDiaryEntry[] = [];
  for (let night = 1; night <= DIARY_NIGHTS; night++) {
    const entry = diaryEntry(context, week, night);
    if (entry) entries.push(entry);
  }
  return entries;
}

const hoursAndMinutes = (prefix: string, minutes: number): TextVars => {
  const rounded = Math.round(minutes);
  return { [`${prefix}_h`]: Math.floor(rounded / 60), [`${prefix}_m`]: rounded % 60 };
};

/**
 * Sleep efficiency as shown to the client: the proposal's one-decimal mean, rounded down, so that the
 * whole number shown always sits on the same side of the 85 % and 90 % thresholds as the rule.
 */
const shownPercent = (sePercent: number) => Math.floor(sePercent);

interface WeekStats {
  nights: number;
  meanTstMinutes: number;
  meanSePercent: number;
}

function weekStats(context: FlowContext, week: number): WeekStats | undefined {
  const nights = weekEntries(context, week).map(sleepMetrics);
  if (nights.length === 0) return undefined;
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    nights: nights.length,
    meanTstMinutes: mean(nights.map((n) => n.tstMinutes)),
    meanSePercent: meanSleepEfficiency(nights),
  };
}

const riseTimeOf = (context: FlowContext) => str(context.answers.p2_rise) ?? DEFAULT_RISE_TIME;

const clockMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/**
 * The window in force during diary week `week`, as the client reports what they agreed with the
 * therapist at the review of that week: the latest proposal, another bed time, or nothing new (the
 * window before stays). Week 1 is the baseline, with no window.
 */
function windowInForce(context: FlowContext, week: number): number | undefined {
  if (week <= 1) return undefined;
  const a = context.answers;
  const agreed = a[`r${week}_agreed`];
  if (agreed === 'proposed') {
    const last = lastProposal(context, week);
    if (last) return last.window.minutes;
  }
  if (agreed === 'other') {
    const bedTime = str(a[`r${week}_bedtime`]);
    if (bedTime !== undefined) {
      const minutes = (clockMinutes(riseTimeOf(context)) - clockMinutes(bedTime) + 24 * 60) % (24 * 60);
      if (minutes > 0) return minutes;
    }
  }
  return windowInForce(context, week - 1);
}

/** The sleep window proposed from diary week `week`, or undefined when that week has no usable nights. */
function proposal(context: FlowContext, week: number): SleepWindowProposal | undefined {
  const current = windowInForce(context, week);
  const result = proposeSleepWindow({
    entries: weekEntries(context, week),
    riseTime: riseTimeOf(context),
    currentWindow: current === undefined ? undefined : { minutes: current },
  });
  return result.ok ? result.value : undefined;
}

const PROPOSAL_KEYS: Record<SleepWindowReason, string> = {
  initial_mean_tst: 'sleep.window.initial',
  initial_floor: 'sleep.window.initial_floor',
  window_raised_to_floor: 'sleep.window.raised_to_floor',
  efficiency_high_extend: 'sleep.window.extend',
  efficiency_low_shorten: 'sleep.window.shorten',
  efficiency_low_at_floor: 'sleep.window.at_floor',
  efficiency_in_range_keep: 'sleep.window.keep',
};

const QUALITY = [1, 2, 3, 4, 5].map((q) => ({ value: String(q), key: `sleep.diary.quality_${q}` }));

/** The steps of one morning's diary; `after` is where the flow goes once the night is done. */
function diaryNight(week: number, night: number, after: string): Item[] {
  const p = nightId(week, night);
  const last = night === DIARY_NIGHTS;
  // The questions inside a night come without reminders: the course's three-day reminder does not fit
  // a daily diary. A night left half-way waits until the client writes again (the kit has no expiry
  // for a question that would let it move on to the next morning).
  const quiet = { remind: false as const };
  return [
    waitForDiary(`${p}_wait`),
    askChoice(
      `${p}_start`,
      'sleep.diary.start',
      [
        { value: 'yes', key: 'sleep.diary.start_yes' },
        { value: 'skip', key: 'sleep.diary.start_skip' },
      ],
      { vars: () => ({ night, nights: DIARY_NIGHTS }), remind: DIARY_START_REMINDER },
    ),
    compute(`${p}_dated`, (context, now) => ({ [`${p}_date`]: diaryNightDate(now, context.timeZone) })),
    branch(`${p}_started`, [
      { when: ({ answers }) => answers[`${p}_start`] === 'skip', next: `${p}_skipped` },
    ]),
    askTime(`${p}_bed`, 'sleep.diary.ask_bed', quiet),
    askTime(`${p}_lights`, 'sleep.diary.ask_lights', quiet),
    askNumber(`${p}_latency`, 'sleep.diary.ask_latency', 0, 600, quiet),
    askNumber(`${p}_wakings`, 'sleep.diary.ask_wakings', 0, 30, quiet),
    branch(`${p}_woke`, [{ when: ({ answers }) => answers[`${p}_wakings`] === 0, next: `${p}_wake` }]),
    askNumber(`${p}_awake`, 'sleep.diary.ask_awake', 0, 720, quiet),
    askTime(`${p}_wake`, 'sleep.diary.ask_final_wake', quiet),
    askTime(`${p}_up`, 'sleep.diary.ask_out_of_bed', quiet),
    askChoice(`${p}_quality`, 'sleep.diary.ask_quality', QUALITY, quiet),
    branch(`${p}_check`, [
      {
        when: (context) => {
          const entry = diaryEntry(context, week, night);
          return entry !== undefined && isDaytimeBedTime(entry);
        },
        next: `${p}_daytime`,
      },
      { when: (context) => diaryEntry(context, week, night) !== undefined, next: `${p}_entry` },
    ]),
    sayPicked(`${p}_problem`, ['sleep.diary.problem_order', 'sleep.diary.problem_minutes'], (context) => {
      const input = diaryInput(context, week, night)!;
      const parsed = parseSleepDiaryEntry(input);
      const tooManyMinutes = !parsed.ok && parsed.error.every((issue) => issue.path === 'minutesAwake');
      return tooManyMinutes
        ? { key: 'sleep.diary.problem_minutes' }
        : {
            key: 'sleep.diary.problem_order',
            vars: { bed: input.intoBed, lights: input.lightsOut, wake: input.finalWake, up: input.outOfBed },
          };
    }),
    askChoice(
      `${p}_retry`,
      'sleep.diary.ask_retry',
      [
        { value: 'again', key: 'sleep.diary.retry_again', next: `${p}_bed` },
        { value: 'skip', key: 'sleep.diary.retry_skip', next: `${p}_skipped` },
      ],
      quiet,
    ),
    // A bed time in the daytime is accepted (a night shift, an early night), but it is also what a
    // 12-hour-clock slip looks like ("10:30" for 22:30): show how the night was read, and let the
    // client type the times again before it is saved.
    askChoice(
      `${p}_daytime`,
      'sleep.diary.check_daytime',
      [
        { value: 'right', key: 'sleep.diary.daytime_right', next: `${p}_entry` },
        { value: 'again', key: 'sleep.diary.daytime_again', next: `${p}_bed` },
      ],
      {
        ...quiet,
        vars: (context) => {
          const entry = diaryEntry(context, week, night)!;
          return {
            bed: entry.intoBed,
            up: entry.outOfBed,
            ...hoursAndMinutes('tib', sleepMetrics(entry).tibMinutes),
          };
        },
      },
    ),
    recordHomework(`${p}_entry`, 'sleep.diary', (context) => {
      const entry = diaryEntry(context, week, night)!;
      const { tibMinutes, tstMinutes, sePercent } = sleepMetrics(entry);
      return { week, night, ...entry, tibMinutes, tstMinutes, sePercent };
    }),
    say(`${p}_saved`, last ? 'sleep.diary.saved_last' : 'sleep.diary.saved', {
      vars: (context) => {
        const metrics = sleepMetrics(diaryEntry(context, week, night)!);
        return {
          ...hoursAndMinutes('tst', metrics.tstMinutes),
          ...hoursAndMinutes('tib', metrics.tibMinutes),
        };
      },
      next: after,
    }),
    recordEvent(`${p}_skipped`, 'sleep.diary_skipped', ({ answers }) => ({
      week,
      night,
      date: answers[`${p}_date`] ?? null,
    })),
    say(`${p}_skip_ack`, last ? 'sleep.diary.skipped_last' : 'sleep.diary.skipped', { next: after }),
  ];
}

/** A week of morning diaries, then on to `after`. */
function diaryWeek(week: number, after: string): Item[] {
  const items: Item[] = [];
  for (let night = 1; night <= DIARY_NIGHTS; night++) {
    items.push(...diaryNight(week, night, night < DIARY_NIGHTS ? `${nightId(week, night + 1)}_wait` : after));
  }
  return items;
}

// ---------------------------------------------------------------------------------------------------
// The weekly review of the sleep window.

/** The latest proposal made before diary week `week`, if any. */
function lastProposal(context: FlowContext, week: number): SleepWindowProposal | undefined {
  for (let earlier = week - 1; earlier >= 1; earlier--) {
    const found = proposal(context, earlier);
    if (found) return found;
  }
  return undefined;
}

/** From week 2 on: which window did the client follow, as agreed with the therapist? */
function reviewAgreed(week: number): Item[] {
  const r = `r${week}`;
  return [
    sayPicked(`${r}_last`, ['sleep.review.last_proposal', 'sleep.review.no_proposal_yet'], (context) => {
      const last = lastProposal(context, week);
      return last
        ? {
            key: 'sleep.review.last_proposal',
            vars: { bed: last.window.bedTime, rise: last.window.riseTime },
          }
        : { key: 'sleep.review.no_proposal_yet' };
    }),
    askChoice(`${r}_agreed`, 'sleep.review.ask_agreed', [
      { value: 'proposed', key: 'sleep.review.agreed_proposed', next: `${r}_summary` },
      { value: 'other', key: 'sleep.review.agreed_other' },
      { value: 'none', key: 'sleep.review.agreed_none', next: `${r}_summary` },
    ]),
    askTime(`${r}_bedtime`, 'sleep.review.ask_bedtime', {
      vars: (context) => ({ rise: riseTimeOf(context) }),
    }),
  ];
}

/** What last week's diary showed. */
function reviewSummary(week: number): Item {
  return sayPicked(`r${week}_summary`, ['sleep.review.summary', 'sleep.review.no_entries'], (context) => {
    const stats = weekStats(context, week);
    if (!stats) return { key: 'sleep.review.no_entries' };
    return {
      key: 'sleep.review.summary',
      vars: {
        nights: stats.nights,
        ...hoursAndMinutes('tst', stats.meanTstMinutes),
        se: shownPercent(stats.meanSePercent),
      },
    };
  });
}

/** The proposal from the week's diary, recorded for the therapist to approve, and the safety warning. */
function reviewProposal(week: number, approvalKey: string, safetyKey: string): Item[] {
  const r = `r${week}`;
  return [
    branch(`${r}_can_propose`, [
      { when: (context) => proposal(context, week) === undefined, next: `${r}_none` },
    ]),
    recordEvent(`${r}_proposed`, 'sleep.window_proposed', (context) => {
      const p = proposal(context, week)!;
      return { week, ...p, previousMinutes: p.previousMinutes ?? null };
    }),
    sayPicked(`${r}_proposal`, Object.values(PROPOSAL_KEYS), (context) => {
      const p = proposal(context, week)!;
      return {
        key: PROPOSAL_KEYS[p.reason],
        vars: {
          bed: p.window.bedTime,
          rise: p.window.riseTime,
          ...hoursAndMinutes('win', p.window.minutes),
          ...hoursAndMinutes('tst', p.meanTstMinutes),
          ...(p.previousMinutes === undefined ? {} : hoursAndMinutes('prev', p.previousMinutes)),
          se: shownPercent(p.meanSePercent),
        },
      };
    }),
    say(`${r}_approval`, approvalKey, {
      vars: (context) => ({ rise: riseTimeOf(context) }),
      next: `${r}_safety`,
    }),
    say(`${r}_none`, 'sleep.window.none', { vars: (context) => ({ rise: riseTimeOf(context) }) }),
    say(`${r}_safety`, safetyKey),
  ];
}

/** The review at the start of parts 3–6: agreed window, last week's diary, the new proposal. */
const review = (week: number): Item[] => [
  say(`r${week}_intro`, 'sleep.review.intro'),
  ...reviewAgreed(week),
  reviewSummary(week),
  ...reviewProposal(week, 'sleep.window.approval', 'sleep.window.safety_short'),
];

// ---------------------------------------------------------------------------------------------------

const before = [
  say('p0_welcome', 'sleep.p0.welcome'),
  ...measurePoint('p0', { lead: ['sleep.p0.measures'], thanks: 'sleep.p0.thanks' }),
];

const part1: Item[] = [
  openPart('p1_open', 1, 'sleep.p1.open', { image: 'sleep/moon-bed' }),
  say('p1_intro', 'sleep.p1.intro'),
  askChoice(
    'p1_problem',
    'sleep.p1.ask_problem',
    choicesOf('sleep.p1.problem', ['onset', 'waking', 'early', 'mixed']),
  ),
  say('p1_problem_ack', 'sleep.p1.problem_ack'),
  say('p1_two_forces', 'sleep.p1.two_forces', { image: 'sleep/two-forces' }),
  say('p1_vicious', 'sleep.p1.vicious'),
  say('p1_bed_awake', 'sleep.p1.bed_awake'),
  askChoice('p1_recognise', 'sleep.p1.ask_recognise', [
    { value: 'much', key: 'sleep.p1.recognise_much', next: 'p1_recognise_much' },
    { value: 'some', key: 'sleep.p1.recognise_some', next: 'p1_recognise_other' },
    { value: 'no', key: 'sleep.p1.recognise_no', next: 'p1_recognise_other' },
  ]),
  say('p1_recognise_much', 'sleep.p1.recognise_much_reply', { next: 'p1_profile' }),
  say('p1_recognise_other', 'sleep.p1.recognise_other_reply'),
  say('p1_profile', 'sleep.p1.profile'),
  askTime('p1_usual_bed', 'sleep.p1.ask_usual_bed'),
  askTime('p1_usual_up', 'sleep.p1.ask_usual_up'),
  askNumber('p1_bad_nights', 'sleep.p1.ask_bad_nights', 0, 7),
  askChoice('p1_daytime', 'sleep.p1.ask_daytime', [
    { value: 'little', key: 'sleep.p1.daytime_little', next: 'p1_goal' },
    { value: 'some', key: 'sleep.p1.daytime_some', next: 'p1_goal' },
    { value: 'much', key: 'sleep.p1.daytime_much', next: 'p1_daytime_much' },
  ]),
  say('p1_daytime_much', 'sleep.p1.daytime_much_reply'),
  askText('p1_goal', 'sleep.p1.ask_goal', { maxLength: 500 }),
  say('p1_goal_ack', 'sleep.p1.goal_ack'),
  say('p1_diary', 'sleep.p1.diary', { image: 'sleep/sleep-diary' }),
  say('p1_diary_questions', 'sleep.p1.diary_questions'),
  say('p1_diary_estimate', 'sleep.p1.diary_estimate'),
  askChoice('p1_diary_time', 'sleep.p1.ask_diary_time', [
    { value: '08:00', key: 'sleep.p1.diary_time_08' },
    { value: '09:00', key: 'sleep.p1.diary_time_09' },
    { value: '10:00', key: 'sleep.p1.diary_time_10' },
    { value: '11:00', key: 'sleep.p1.diary_time_11' },
  ]),
  recordHomework('p1_homework', 'sleep.profile', ({ answers }) => ({
    problem: answers.p1_problem,
    usualBedTime: answers.p1_usual_bed,
    usualRiseTime: answers.p1_usual_up,
    badNightsPerWeek: answers.p1_bad_nights,
    daytimeImpact: answers.p1_daytime,
    goal: answers.p1_goal,
    diaryTime: answers.p1_diary_time,
  })),
  say('p1_this_week', 'sleep.p1.this_week'),
  endOfPart('p1_end', 1, 'sleep.p1.summary', {
    vars: ({ answers }) => ({ time: str(answers.p1_diary_time) ?? DEFAULT_DIARY_TIME }),
  }),
  ...diaryWeek(1, 'p2_open'),
];

const part2: Item[] = [
  openPart('p2_open', 2, 'sleep.p2.open'),
  reviewSummary(1),
  say('p2_efficiency', 'sleep.p2.efficiency'),
  say('p2_window', 'sleep.p2.window', { image: 'sleep/sleep-window' }),
  say('p2_window_grows', 'sleep.p2.window_grows'),
  askChoice('p2_feeling', 'sleep.p2.ask_feeling', [
    { value: 'ok', key: 'sleep.p2.feeling_ok', next: 'p2_feeling_ok' },
    { value: 'scared', key: 'sleep.p2.feeling_scared', next: 'p2_feeling_scared' },
    { value: 'unsure', key: 'sleep.p2.feeling_unsure', next: 'p2_feeling_unsure' },
  ]),
  say('p2_feeling_ok', 'sleep.p2.feeling_ok_reply', { next: 'p2_rise' }),
  say('p2_feeling_scared', 'sleep.p2.feeling_scared_reply', { next: 'p2_rise' }),
  say('p2_feeling_unsure', 'sleep.p2.feeling_unsure_reply'),
  askTime('p2_rise', 'sleep.p2.ask_rise'),
  ...reviewProposal(1, 'sleep.p2.approval', 'sleep.p2.safety'),
  say('p2_evening', 'sleep.p2.evening'),
  askText('p2_evening_plan', 'sleep.p2.ask_evening_plan', { maxLength: 500 }),
  askChoice('p2_hardest', 'sleep.p2.ask_hardest', [
    { value: 'stay_awake', key: 'sleep.p2.hardest_stay_awake', next: 'p2_tip_stay_awake' },
    { value: 'weekends', key: 'sleep.p2.hardest_weekends', next: 'p2_tip_weekends' },
    { value: 'daytime_tired', key: 'sleep.p2.hardest_daytime_tired', next: 'p2_tip_daytime_tired' },
  ]),
  say('p2_tip_stay_awake', 'sleep.p2.tip_stay_awake', { next: 'p2_homework' }),
  say('p2_tip_weekends', 'sleep.p2.tip_weekends', { next: 'p2_homework' }),
  say('p2_tip_daytime_tired', 'sleep.p2.tip_daytime_tired'),
  recordHomework('p2_homework', 'sleep.window_plan', (context) => {
    const p = proposal(context, 1);
    return {
      feeling: context.answers.p2_feeling,
      riseTime: riseTimeOf(context),
      proposedBedTime: p?.window.bedTime ?? null,
      proposedMinutes: p?.window.minutes ?? null,
      eveningPlan: context.answers.p2_evening_plan,
      hardest: context.answers.p2_hardest,
    };
  }),
  endOfPart('p2_end', 2, 'sleep.p2.summary', { vars: (context) => ({ rise: riseTimeOf(context) }) }),
  ...diaryWeek(2, 'p3_open'),
];

const part3: Item[] = [
  openPart('p3_open', 3, 'sleep.p3.open'),
  ...measurePoint('p3', { lead: ['sleep.p3.measures'] }),
  ...review(2),
  say('p3_bed_for_sleep', 'sleep.p3.bed_for_sleep', { image: 'sleep/bed-for-sleep' }),
  say('p3_rules', 'sleep.p3.rules'),
  say('p3_get_up', 'sleep.p3.get_up', { image: 'sleep/get-up' }),
  askChoice('p3_in_bed', 'sleep.p3.ask_in_bed', [
    ...choicesOf('sleep.p3.in_bed', ['screens', 'tv', 'work', 'worry']),
    { value: 'none', key: 'sleep.p3.in_bed_none', next: 'p3_in_bed_none' },
  ]),
  say('p3_in_bed_move', 'sleep.p3.in_bed_move', { next: 'p3_place' }),
  say('p3_in_bed_none', 'sleep.p3.in_bed_none_reply'),
  askText('p3_place', 'sleep.p3.ask_place', { maxLength: 200 }),
  askText('p3_activity', 'sleep.p3.ask_activity', { maxLength: 200 }),
  say('p3_prepare', 'sleep.p3.prepare'),
  askChoice('p3_naps', 'sleep.p3.ask_naps', [
    { value: 'no', key: 'sleep.p3.naps_no', next: 'p3_naps_none' },
    { value: 'sometimes', key: 'sleep.p3.naps_sometimes' },
    { value: 'often', key: 'sleep.p3.naps_often' },
  ]),
  say('p3_naps_advice', 'sleep.p3.naps_advice', { next: 'p3_homework' }),
  say('p3_naps_none', 'sleep.p3.naps_none'),
  recordHomework('p3_homework', 'sleep.stimulus_plan', ({ answers }) => ({
    inBed: answers.p3_in_bed,
    place: answers.p3_place,
    activity: answers.p3_activity,
    naps: answers.p3_naps,
  })),
  say('p3_hard_nights', 'sleep.p3.hard_nights'),
  endOfPart('p3_end', 3, 'sleep.p3.summary'),
  ...diaryWeek(3, 'p4_open'),
];

const MAX_WIND_DOWN_ACTIVITIES = 3;
const windDownActivities = (context: FlowContext): string[] =>
  (context.answers.p4_activities as string[] | undefined) ?? [];

const part4: Item[] = [
  openPart('p4_open', 4, 'sleep.p4.open'),
  ...review(3),
  say('p4_wind_down', 'sleep.p4.wind_down', { image: 'sleep/wind-down' }),
  say('p4_caffeine', 'sleep.p4.caffeine'),
  say('p4_screens', 'sleep.p4.screens'),
  say('p4_bedroom', 'sleep.p4.bedroom', { image: 'sleep/bedroom' }),
  askChoice('p4_change', 'sleep.p4.ask_change', [
    ...choicesOf('sleep.p4.change', ['caffeine', 'alcohol', 'screens', 'late_exercise', 'bedroom']),
    { value: 'none', key: 'sleep.p4.change_none', next: 'p4_change_none' },
  ]),
  say('p4_change_ack', 'sleep.p4.change_ack', { next: 'p4_start' }),
  say('p4_change_none', 'sleep.p4.change_none_reply'),
  askTime('p4_start', 'sleep.p4.ask_start'),
  askText('p4_activity', 'sleep.p4.ask_activity', { maxLength: 200 }),
  compute('p4_collect', (context) => ({
    p4_activities: [...windDownActivities(context), context.answers.p4_activity],
  })),
  branch('p4_full', [
    {
      when: (context) => windDownActivities(context).length >= MAX_WIND_DOWN_ACTIVITIES,
      next: 'p4_homework',
    },
  ]),
  askChoice('p4_more', 'sleep.p4.ask_more', [
    { value: 'yes', key: 'sleep.p4.more_yes', next: 'p4_activity' },
    { value: 'no', key: 'sleep.p4.more_no' },
  ]),
  recordHomework('p4_homework', 'sleep.wind_down', (context) => ({
    firstChange: context.answers.p4_change,
    startTime: context.answers.p4_start,
    activities: windDownActivities(context),
  })),
  say('p4_routine', 'sleep.p4.routine', { vars: ({ answers }) => ({ time: str(answers.p4_start) ?? '' }) }),
  endOfPart('p4_end', 4, 'sleep.p4.summary'),
  ...diaryWeek(4, 'p5_open'),
];

const part5: Item[] = [
  openPart('p5_open', 5, 'sleep.p5.open'),
  ...measurePoint('p5', { lead: ['sleep.p5.measures'] }),
  ...review(4),
  say('p5_thoughts', 'sleep.p5.thoughts', { image: 'sleep/thought-cloud' }),
  say('p5_trying', 'sleep.p5.trying'),
  askChoice('p5_thought', 'sleep.p5.ask_thought', [
    ...choicesOf('sleep.p5.thought', ['eight_hours', 'tomorrow', 'never', 'health']).map((c) => ({
      ...c,
      next: 'p5_belief_before',
    })),
    { value: 'own', key: 'sleep.p5.thought_own' },
  ]),
  askText('p5_own_thought', 'sleep.p5.ask_own_thought', { maxLength: 300 }),
  askNumber('p5_belief_before', 'sleep.p5.ask_belief_before', 0, 100),
  askText('p5_evidence', 'sleep.p5.ask_evidence', { maxLength: 1000 }),
  askText('p5_alternative', 'sleep.p5.ask_alternative', { maxLength: 1000 }),
  askNumber('p5_belief_after', 'sleep.p5.ask_belief_after', 0, 100),
  recordHomework('p5_homework', 'sleep.thought_record', ({ answers }) => ({
    thought: answers.p5_thought,
    ownThought: answers.p5_thought === 'own' ? answers.p5_own_thought : null,
    beliefBefore: answers.p5_belief_before,
    evidence: answers.p5_evidence,
    alternative: answers.p5_alternative,
    beliefAfter: answers.p5_belief_after,
  })),
  branch('p5_belief_changed', [
    {
      when: ({ answers }) => (num(answers.p5_belief_after) ?? 0) < (num(answers.p5_belief_before) ?? 0),
      next: 'p5_belief_lower',
    },
  ]),
  say('p5_belief_same', 'sleep.p5.belief_same', { next: 'p5_put_day_to_bed' }),
  say('p5_belief_lower', 'sleep.p5.belief_lower'),
  say('p5_put_day_to_bed', 'sleep.p5.put_day_to_bed'),
  say('p5_let_go', 'sleep.p5.let_go'),
  endOfPart('p5_end', 5, 'sleep.p5.summary'),
  ...diaryWeek(5, 'p6_open'),
];

const part6: Item[] = [
  openPart('p6_open', 6, 'sleep.p6.open', { image: 'sleep/morning-sun' }),
  ...review(5),
  branch('p6_compare', [
    { when: (context) => !weekStats(context, 1) || !weekStats(context, 5), next: 'p6_looking_back' },
  ]),
  say('p6_progress', 'sleep.p6.progress', {
    vars: (context) => ({
      se_first: shownPercent(weekStats(context, 1)!.meanSePercent),
      se_last: shownPercent(weekStats(context, 5)!.meanSePercent),
    }),
  }),
  say('p6_looking_back', 'sleep.p6.looking_back'),
  askChoice(
    'p6_helped',
    'sleep.p6.ask_helped',
    choicesOf('sleep.p6.helped', ['window', 'rise_time', 'get_up', 'wind_down', 'thoughts', 'unsure']),
  ),
  say('p6_keep_going', 'sleep.p6.keep_going'),
  say('p6_setbacks', 'sleep.p6.setbacks'),
  say('p6_plan', 'sleep.p6.plan'),
  askText('p6_signs', 'sleep.p6.ask_signs', { maxLength: 1000 }),
  askText('p6_actions', 'sleep.p6.ask_actions', { maxLength: 1000 }),
  askText('p6_support', 'sleep.p6.ask_support', { maxLength: 500 }),
  recordHomework('p6_homework', 'sleep.relapse_plan', ({ answers }) => ({
    helpedMost: answers.p6_helped,
    warningSigns: answers.p6_signs,
    firstSteps: answers.p6_actions,
    support: answers.p6_support,
  })),
  say('p6_plan_saved', 'sleep.p6.plan_saved'),
  say('p6_see_doctor', 'sleep.p6.see_doctor'),
  endOfPart('p6_end', 6, 'sleep.p6.summary'),
  ...measurePoint('p6', { lead: ['sleep.p6.measures'] }),
  end('done', 'sleep.done'),
];

const built = buildFlow({
  id: 'sleep',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: link([...before, ...part1, ...part2, ...part3, ...part4, ...part5, ...part6]),
});

/** The kit has no waits to a time read from the answers: the diary's wait is a delay provided here. */
export const sleepCourse: FlowVersion = {
  ...built,
  machine: built.machine.provide({
    delays: {
      [DIARY_DUE]: ({ context, event }: { context: FlowContext; event: TimedEvent }) => {
        const now = nowOf(event, context);
        const time = str(context.answers.p1_diary_time) ?? DEFAULT_DIARY_TIME;
        return nextLocalTime(now, time, context.timeZone).getTime() - now.getTime();
      },
    },
  } as never),
};
