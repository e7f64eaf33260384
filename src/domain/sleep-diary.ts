import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { instantAt, localTimeAtOrAfter } from './local-time.ts';
import { err, ok, type Result } from './result.ts';
import { isTimeZone } from './time-zone.ts';

/**
 * Sleep diary maths for CBT-I (CLINICAL.md §4).
 *
 * Reading a night from its four clock times. A diary entry describes the night that starts around
 * `date`. The bed time places the night: from 12:00 it is on `date` (an evening, or an early night
 * from the afternoon), before 12:00 on the morning after (a night that starts after midnight, or sleep
 * after a night shift). Each later time is the first time the clock shows it at or after the time
 * before it (lights out after into bed, final wake after lights out, out of bed after final wake), and
 * the night, into bed to out of bed, must be shorter than 24 hours: times typed in the wrong order
 * would make it longer, and are refused.
 *
 * This replaced a simpler rule that read every time on its own (from 18:00 the evening of `date`,
 * earlier the morning after). That rule refused any bed time before 18:00 followed by a morning wake
 * (17:30 → 06:30 read as the next afternoon) and daytime sleep after a night shift that lasted past
 * 18:00 (10:00 → 18:30). Now any bed time is accepted; one in the daytime is unusual enough (after a night
 * shift, or "10:30" typed for 22:30) that the course shows how it read the night and asks the client
 * to confirm it (`isDaytimeBedTime`). On ordinary nights (bed from 18:00 or after midnight, up before
 * 18:00) both rules read the same instants.
 *
 * The 12:00 line only decides the calendar date of a night, which matters on the two DST nights a year:
 * the durations come from the times themselves. Times become real instants in the entry's time zone
 * (`instantAt`), so durations are real elapsed minutes: the night of the spring-forward change is one
 * hour shorter on the clock, the fall-back night one hour longer. A wall-clock time that does not exist
 * (02:30 on the spring-forward night) resolves one hour later (03:30 summer time); one that exists twice
 * (02:30 on the fall-back night) resolves to the second occurrence (standard time).
 */

export const DEFAULT_TIME_ZONE = 'Europe/Oslo';

/** Minutes after midnight from which a bed time is on `date`; earlier bed times are on the morning after. */
export const BED_TIME_SAME_DAY_FROM_MINUTES = 12 * 60;

/** Bed times from 06:00 up to 18:00 are in the daytime: accepted, but the client is asked to confirm. */
export const DAYTIME_STARTS_AT_MINUTES = 6 * 60;
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
  const timeInBed = night.outOfBed - night.intoBed;
  if (timeInBed >= MINUTES_PER_DAY) {
    // Each time is read as the first after the one before, so one time in the wrong place shows as a
    // step of nearly a day from the time before it: that is the time to name.
    const steps = ORDER.slice(1).map((later, i) => ({
      later,
      earlier: ORDER[i]!,
      minutes: night[later] - night[ORDER[i]!],
    }));
    const { later, earlier } = steps.reduce((longest, step) =>
      step.minutes > longest.minutes ? step : longest,
    );
    ctx.addIssue({
      code: 'custom',
      path: [later],
      message: `${later} (${entry[later]}) is before ${earlier} (${entry[earlier]}); the times must come in this order: ${ORDER.join(', ')}, within 24 hours of ${ORDER[0]}`,
    });
    return;
  }
  if (timeInBed <= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['outOfBed'],
      message: 'time in bed must be longer than 0 minutes',
    });
    return;
  }
  const asleepWindow = night.finalWake - night.lightsOut;
  if (entry.latencyMinutes + entry.minutesAwake > asleepWindow) {
    ctx.addIssue({
      code: 'custom',
      path: ['minutesAwake'],
      message: `minutes to fall asleep plus minutes awake (${entry.latencyMinutes + entry.minutesAwake}) exceed the ${asleepWindow} minutes from lights out to final wake, so total sleep time would be negative`,
    });
  }
});

function epochMinutes(night: Record<DiaryTime, Date>): Record<DiaryTime, number> {
  const minutesOf = (date: Date) => Math.round(date.getTime() / MS_PER_MINUTE);
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

/** The four diary times as instants, by the rule in this module's header. */
function resolveNight(
  entry: Pick<SleepDiaryEntry, 'date' | 'timeZone' | DiaryTime>,
): Record<DiaryTime, TZDate> {
  const intoBed = resolveBedTime(entry.date, entry.intoBed, entry.timeZone);
  const lightsOut = localTimeAtOrAfter(intoBed, entry.lightsOut, entry.timeZone);
  const finalWake = localTimeAtOrAfter(lightsOut, entry.finalWake, entry.timeZone);
  const outOfBed = localTimeAtOrAfter(finalWake, entry.outOfBed, entry.timeZone);
  const inZone = (instant: Date) => new TZDate(instant.getTime(), entry.timeZone);
  return {
    intoBed: inZone(intoBed),
    lightsOut: inZone(lightsOut),
    finalWake: inZone(finalWake),
    outOfBed: inZone(outOfBed),
  };
}

/** The instant of the bed time that starts the night of `date`, by the rule in this module's header. */
export function resolveBedTime(date: string, time: string, timeZone: string): TZDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const clock = clockMinutes(time);
  const dayOffset = clock >= BED_TIME_SAME_DAY_FROM_MINUTES ? 0 : 1;
  const instant = instantAt(
    { year, month, day: day + dayOffset, hours: Math.floor(clock / 60), minutes: clock % 60 },
    timeZone,
  );
  return new TZDate(instant.getTime(), timeZone);
}

/**
 * Whether the client went to bed in the daytime (06:00–17:59). Such a night is valid — sleep after a
 * night shift, an early night — but rare enough, and a 12-hour-clock slip ("10:30" for 22:30) common
 * enough, that the course shows the client how it read the night before saving it.
 */
export function isDaytimeBedTime(entry: Pick<SleepDiaryEntry, 'intoBed'>): boolean {
  const clock = clockMinutes(entry.intoBed);
  return clock >= DAYTIME_STARTS_AT_MINUTES && clock < EVENING_STARTS_AT_MINUTES;
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
  /**
   * The window in force is under the floor (agreed with the therapist as another bed time): it is
   * lifted to the floor whatever the week's SE, since the lift is already longer than a weekly step.
   */
  | 'window_raised_to_floor'
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
  /** Mean of the nightly SE, rounded down to one decimal: see `meanSleepEfficiency`. */
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
  const meanSePercent = meanSleepEfficiency(nights);
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
  // The floor holds for the window in force too (CLINICAL.md §4): without this, a week under an agreed
  // 4 h window could come out as a 4 h 15 proposal.
  if (current < floor) return { minutes: floor, reason: 'window_raised_to_floor' as const };
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

/**
 * The mean of the nightly sleep efficiencies (TST / TIB of each night, unrounded) as a percent, rounded
 * DOWN to one decimal, computed exactly in integers. Needs at least one night.
 *
 * The 85 % and 90 % thresholds compare the unrounded mean (CLINICAL.md §4): 84.99 % shortens the window
 * and 89.98 % keeps it. Rounded to the nearest decimal those would read 85.0 and 90.0, on the other side.
 * Rounded down, a value is on the same side of any whole-percent threshold as the exact mean
 * (⌊10x⌋ / 10 ≥ T exactly when x ≥ T, for T a multiple of 0.1), so the rule can compare it, the
 * record can keep it and the client can be shown it without ever disagreeing. Integer arithmetic,
 * because a floating-point mean of nights averaging exactly 90 % can come out as 89.99999999999999.
 */
export function meanSleepEfficiency(
  nights: readonly Pick<SleepMetrics, 'tstMinutes' | 'tibMinutes'>[],
): number {
  // Σ tst/tib over a common denominator Π tib: up to 1440^7 for a week, too large for a double.
  const denominator = nights.reduce((product, night) => product * BigInt(night.tibMinutes), 1n);
  const numerator = nights.reduce(
    (sum, night) => sum + BigInt(night.tstMinutes) * (denominator / BigInt(night.tibMinutes)),
    0n,
  );
  // TST and TIB are never negative, so BigInt's truncating division rounds down.
  const tenths = (numerator * 1000n) / (denominator * BigInt(nights.length));
  return Number(tenths) / 10;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function isPositiveInt(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}
