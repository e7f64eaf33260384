import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { err, ok, type Result } from './result.ts';
import { isTimeZone } from './time-zone.ts';

/**
 * Sleep diary maths for CBT-I (CLINICAL.md §4).
 *
 * Wall-clock rule: a diary entry describes the night that starts on `date`. A time at or after 18:00
 * is on the evening of `date`; a time before 18:00 is on the morning after (`date` + 1 day). Times are
 * turned into real instants in the entry's time zone with @date-fns/tz, so durations are real elapsed
 * minutes: the night of the spring-forward change is one hour shorter on the clock, the fall-back
 * night one hour longer. A wall-clock time that does not exist (02:30 on the spring-forward night)
 * resolves one hour later (03:30 summer time); one that exists twice (02:30 on the fall-back night)
 * resolves to the second occurrence (standard time). Both follow @date-fns/tz.
 */

export const DEFAULT_TIME_ZONE = 'Europe/Oslo';

/** Minutes after midnight from which a clock time belongs to the evening of `date`. */
export const EVENING_STARTS_AT_MINUTES = 18 * 60;

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a clock time HH:MM (00:00–23:59)');

const minutes = z.int().min(0).max(MINUTES_PER_DAY);

const sleepDiaryFields = z.strictObject({
  /** The date the night starts on, YYYY-MM-DD. */
  date: z.iso.date(),
  timeZone: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as Europe/Oslo')
    .default(DEFAULT_TIME_ZONE),
  intoBed: clockTime,
  lightsOut: clockTime,
  finalWake: clockTime,
  outOfBed: clockTime,
  latencyMinutes: minutes,
  awakenings: z.int().min(0).max(100),
  minutesAwake: minutes,
  quality: z.int().min(1).max(5),
});

const ORDER = ['intoBed', 'lightsOut', 'finalWake', 'outOfBed'] as const;

export const sleepDiaryEntrySchema = sleepDiaryFields.superRefine((entry, ctx) => {
  if (!isTimeZone(entry.timeZone)) return;
  const night = epochMinutes(resolveNight(entry));
  for (let i = 1; i < ORDER.length; i++) {
    const earlier = ORDER[i - 1]!;
    const later = ORDER[i]!;
    if (night[later] < night[earlier]) {
      ctx.addIssue({
        code: 'custom',
        path: [later],
        message: `${later} (${entry[later]}) is before ${earlier} (${entry[earlier]}); times from 18:00 count as the evening of ${entry.date}, earlier times as the next morning`,
      });
    }
  }
  if (night.outOfBed <= night.intoBed) {
    ctx.addIssue({
      code: 'custom',
      path: ['outOfBed'],
      message: 'time in bed must be longer than 0 minutes',
    });
    return;
  }
  const asleepWindow = night.finalWake - night.lightsOut;
  if (night.finalWake >= night.lightsOut && entry.latencyMinutes + entry.minutesAwake > asleepWindow) {
    ctx.addIssue({
      code: 'custom',
      path: ['minutesAwake'],
      message: `minutes to fall asleep plus minutes awake (${entry.latencyMinutes + entry.minutesAwake}) exceed the ${asleepWindow} minutes from lights out to final wake, so total sleep time would be negative`,
    });
  }
});

function epochMinutes(night: Record<DiaryTime, TZDate>): Record<DiaryTime, number> {
  const minutesOf = (date: TZDate) => Math.round(date.getTime() / MS_PER_MINUTE);
  return {
    intoBed: minutesOf(night.intoBed),
    lightsOut: minutesOf(night.lightsOut),
    finalWake: minutesOf(night.finalWake),
    outOfBed: minutesOf(night.outOfBed),
  };
}

export type SleepDiaryInput = z.input<typeof sleepDiaryEntrySchema>;
export type SleepDiaryEntry = z.output<typeof sleepDiaryEntrySchema>;

export interface SleepDiaryIssue {
  readonly path: string;
  readonly message: string;
}

export function parseSleepDiaryEntry(input: unknown): Result<SleepDiaryEntry, readonly SleepDiaryIssue[]> {
  const parsed = sleepDiaryEntrySchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return err(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
}

type DiaryTime = (typeof ORDER)[number];

function resolveNight(
  entry: Pick<SleepDiaryEntry, 'date' | 'timeZone' | DiaryTime>,
): Record<DiaryTime, TZDate> {
  const at = (time: string) => resolveClockTime(entry.date, time, entry.timeZone);
  return {
    intoBed: at(entry.intoBed),
    lightsOut: at(entry.lightsOut),
    finalWake: at(entry.finalWake),
    outOfBed: at(entry.outOfBed),
  };
}

/** The instant of a diary clock time, by the wall-clock rule in this module's header. */
export function resolveClockTime(date: string, time: string, timeZone: string): TZDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const clock = clockMinutes(time);
  const dayOffset = clock >= EVENING_STARTS_AT_MINUTES ? 0 : 1;
  return new TZDate(year, month - 1, day + dayOffset, Math.floor(clock / 60), clock % 60, timeZone);
}

function clockMinutes(time: string): number {
  const [hours, mins] = time.split(':').map(Number) as [number, number];
  return hours * 60 + mins;
}

function formatClock(totalMinutes: number): string {
  const wrapped = ((totalMinutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const hours = Math.floor(wrapped / 60);
  return `${String(hours).padStart(2, '0')}:${String(wrapped % 60).padStart(2, '0')}`;
}

const roundToOneDecimal = (value: number): number => Math.round(value * 10) / 10;

export interface SleepMetrics {
  readonly date: string;
  /** The four diary times as instants, ISO 8601 with the local offset ("2026-03-28T23:00:00.000+01:00"). */
  readonly instants: Readonly<Record<DiaryTime, string>>;
  /** Time in bed: out of bed − into bed, real elapsed minutes. */
  readonly tibMinutes: number;
  /** Total sleep time: TIB − latency − awake − (final wake → out of bed) − (into bed → lights out). */
  readonly tstMinutes: number;
  /** Sleep efficiency TST / TIB × 100, one decimal. */
  readonly sePercent: number;
}

/** Metrics of one validated diary entry. */
export function sleepMetrics(entry: SleepDiaryEntry): SleepMetrics {
  const resolved = resolveNight(entry);
  const night = epochMinutes(resolved);
  const tibMinutes = night.outOfBed - night.intoBed;
  const tstMinutes =
    tibMinutes -
    entry.latencyMinutes -
    entry.minutesAwake -
    (night.outOfBed - night.finalWake) -
    (night.lightsOut - night.intoBed);
  return {
    date: entry.date,
    instants: {
      intoBed: resolved.intoBed.toISOString(),
      lightsOut: resolved.lightsOut.toISOString(),
      finalWake: resolved.finalWake.toISOString(),
      outOfBed: resolved.outOfBed.toISOString(),
    },
    tibMinutes,
    tstMinutes,
    sePercent: roundToOneDecimal((tstMinutes / tibMinutes) * 100),
  };
}

export interface SleepWindow {
  /** Wall-clock bed time HH:MM: rise time minus the window, on the clock. */
  readonly bedTime: string;
  readonly riseTime: string;
  readonly minutes: number;
}

export interface SleepWindowRequest {
  /** The diary entries of the last week (the caller picks the nights). */
  readonly entries: readonly SleepDiaryEntry[];
  /** The window in force; without it an initial window is proposed. */
  readonly currentWindow?: { readonly minutes: number } | undefined;
  /** The fixed rise time, HH:MM. */
  readonly riseTime: string;
  /** Never propose a shorter window; default 300 (5 hours). */
  readonly floorMinutes?: number | undefined;
  /** Weekly adjustment, also the grid the initial window is rounded to; default 15. */
  readonly stepMinutes?: number | undefined;
}

export type SleepWindowReason =
  /** Initial window: the week's mean TST, rounded to the nearest step. */
  | 'initial_mean_tst'
  /** Initial window: the mean TST was under the floor. */
  | 'initial_floor'
  /** Mean SE >= 90 %: one step longer. */
  | 'efficiency_high_extend'
  /** Mean SE < 85 %: one step shorter (not below the floor). */
  | 'efficiency_low_shorten'
  /** Mean SE < 85 % but the window is already at the floor. */
  | 'efficiency_low_at_floor'
  /** 85 % <= mean SE < 90 %: unchanged. */
  | 'efficiency_in_range_keep';

export interface SleepWindowProposal {
  readonly window: SleepWindow;
  readonly reason: SleepWindowReason;
  readonly nights: number;
  /** Mean TST over the nights, one decimal. */
  readonly meanTstMinutes: number;
  /** Mean of the nightly SE (unrounded nightly values), one decimal; the thresholds compare this value. */
  readonly meanSePercent: number;
  readonly previousMinutes: number | undefined;
}

export type SleepWindowError =
  | { readonly code: 'no_entries' }
  | { readonly code: 'invalid_rise_time'; readonly riseTime: string }
  | { readonly code: 'invalid_option'; readonly option: 'floorMinutes' | 'stepMinutes' | 'currentWindow' };

export const SLEEP_EFFICIENCY_EXTEND_AT = 90;
export const SLEEP_EFFICIENCY_SHORTEN_BELOW = 85;

/**
 * Proposes the sleep window for the coming week; the therapist approves it (CLINICAL.md §4).
 * Wall-clock arithmetic: on the two DST nights a year the real window is one hour shorter or longer.
 */
export function proposeSleepWindow(
  request: SleepWindowRequest,
): Result<SleepWindowProposal, SleepWindowError> {
  const { entries, currentWindow, riseTime } = request;
  const floorMinutes = request.floorMinutes ?? 300;
  const stepMinutes = request.stepMinutes ?? 15;
  if (!clockTime.safeParse(riseTime).success) return err({ code: 'invalid_rise_time', riseTime });
  if (!isPositiveInt(floorMinutes) || floorMinutes > MINUTES_PER_DAY) {
    return err({ code: 'invalid_option', option: 'floorMinutes' });
  }
  if (!isPositiveInt(stepMinutes)) return err({ code: 'invalid_option', option: 'stepMinutes' });
  if (currentWindow && (!isPositiveInt(currentWindow.minutes) || currentWindow.minutes > MINUTES_PER_DAY)) {
    return err({ code: 'invalid_option', option: 'currentWindow' });
  }
  if (entries.length === 0) return err({ code: 'no_entries' });

  const nights = entries.map(sleepMetrics);
  const meanTst = mean(nights.map((night) => night.tstMinutes));
  const meanSePercent = roundToOneDecimal(
    mean(nights.map((night) => (night.tstMinutes / night.tibMinutes) * 100)),
  );
  const { minutes, reason } = currentWindow
    ? adjustWindow(currentWindow.minutes, meanSePercent, floorMinutes, stepMinutes)
    : initialWindow(meanTst, floorMinutes, stepMinutes);
  return ok({
    window: { bedTime: formatClock(clockMinutes(riseTime) - minutes), riseTime, minutes },
    reason,
    nights: nights.length,
    meanTstMinutes: roundToOneDecimal(meanTst),
    meanSePercent,
    previousMinutes: currentWindow?.minutes,
  });
}

function initialWindow(meanTst: number, floor: number, step: number) {
  const rounded = Math.round(meanTst / step) * step;
  return rounded < floor
    ? { minutes: floor, reason: 'initial_floor' as const }
    : { minutes: rounded, reason: 'initial_mean_tst' as const };
}

function adjustWindow(current: number, meanSePercent: number, floor: number, step: number) {
  if (meanSePercent >= SLEEP_EFFICIENCY_EXTEND_AT) {
    return { minutes: current + step, reason: 'efficiency_high_extend' as const };
  }
  if (meanSePercent < SLEEP_EFFICIENCY_SHORTEN_BELOW) {
    return current <= floor
      ? { minutes: current, reason: 'efficiency_low_at_floor' as const }
      : { minutes: Math.max(floor, current - step), reason: 'efficiency_low_shorten' as const };
  }
  return { minutes: current, reason: 'efficiency_in_range_keep' as const };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function isPositiveInt(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}
