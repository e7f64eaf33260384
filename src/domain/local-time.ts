import { tzOffset } from '@date-fns/tz';

/** Parses what a person types as a clock time ("7", "07:30", "kl. 7.30", "0730") into "HH:MM". */
export function parseClockTime(text: string): string | undefined {
  const bare = text
    .trim()
    .toLowerCase()
    .replace(/^(klokka|klokken|kl\.?|at)\s*/, '');
  const match = /^(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?$/.exec(bare);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  if (hours > 23 || minutes > 59) return undefined;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * A date and time as the wall clock in some time zone shows it. `month` is 1–12; a `day` past the end
 * of the month (or below 1) rolls over into the next (or previous) month, as Date.UTC does, so callers
 * can add calendar days by adding to `day`.
 */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Offsets by zone and UTC hour (see offsetAt); emptied when it holds more than this many hours. */
const offsetCache = new Map<string, Map<number, number>>();
const OFFSET_CACHE_HOURS = 50_000;
let offsetCacheSize = 0;

/**
 * `tzOffset(timeZone, instant)` (minutes east of UTC), remembered per hour: every turn reads the zone's
 * offset several times (each `Intl` lookup costs microseconds), nearly always in an hour read before.
 * An hour is remembered only when its first and last millisecond have the same offset, so an hour with a
 * change in it (at any minute or second) is always looked up; no zone changes its offset twice in an hour.
 */
export function offsetAt(timeZone: string, instant: Date): number {
  const time = instant.getTime();
  const hour = Math.floor(time / MS_PER_HOUR);
  let hours = offsetCache.get(timeZone);
  const known = hours?.get(hour);
  if (known !== undefined) return known;
  const start = tzOffset(timeZone, new Date(hour * MS_PER_HOUR));
  if (start !== tzOffset(timeZone, new Date((hour + 1) * MS_PER_HOUR - 1))) {
    return tzOffset(timeZone, instant);
  }
  if (offsetCacheSize >= OFFSET_CACHE_HOURS) {
    offsetCache.clear();
    offsetCacheSize = 0;
    hours = undefined;
  }
  if (!hours) {
    hours = new Map();
    offsetCache.set(timeZone, hours);
  }
  hours.set(hour, start);
  offsetCacheSize++;
  return start;
}

/**
 * The instant at which the wall clock in `timeZone` shows `wall`.
 *
 * `new TZDate(y, m, d, h, min, timeZone)` is not used for this: it builds the time through the
 * process's own time zone first, so a time in a changed hour resolved differently under TZ=UTC and
 * TZ=Europe/Oslo. Here only Date.UTC and the zone's offsets take part, never the system zone.
 *
 * Where the clock changes: a time in the spring-forward gap (02:30 on the last Sunday of March in
 * Norway) does not exist and moves on by the length of the gap (to 03:30 summer time), so a daily
 * time is never skipped; a time that the autumn change shows twice (02:30 on the last Sunday of
 * October) takes the second occurrence (02:30 standard time), the rule the sleep diary has always read
 * nights by.
 *
 * The offsets a day before and a day after bracket the change, which holds while a zone changes its
 * offset at most once in two days (true of every zone's current rules).
 */
export function instantAt(wall: WallClock, timeZone: string): Date {
  const asIfUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hours, wall.minutes);
  const offsetBefore = offsetAt(timeZone, new Date(asIfUtc - MS_PER_DAY));
  const offsetAfter = offsetAt(timeZone, new Date(asIfUtc + MS_PER_DAY));
  const at = (offset: number) => new Date(asIfUtc - offset * MS_PER_MINUTE);
  // Read with the offset after the change: right for every time after it, and the second occurrence
  // of a repeated time. It is right exactly when the zone has that offset at the resulting instant.
  const after = at(offsetAfter);
  if (offsetAt(timeZone, after) === offsetAfter) return after;
  // Otherwise the time is before the change, or in the gap: read with the offset before the change,
  // a time in the gap lands after the change, as far on as the gap is long.
  return at(offsetBefore);
}

/**
 * The wall clock of `instant` in `timeZone`, to the minute: the instant moved by the zone's offset at
 * that instant, read in UTC. This is what `TZDate`'s getters read (its internal date, shifted by the
 * offset rounded to the second), without building one: a `TZDate` looks the offset up twice and this
 * runs for every reminder a turn schedules. An unknown zone gives NaN fields, as `TZDate` does.
 */
export function wallClockOf(instant: Date, timeZone: string): WallClock {
  const local = new Date(instant.getTime() - Math.round(-offsetAt(timeZone, instant) * 60) * 1000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hours: local.getUTCHours(),
    minutes: local.getUTCMinutes(),
  };
}

/**
 * The next instant strictly after `now` at which the wall clock in `timeZone` shows `hhmm`.
 * On a spring-forward day a time that does not exist resolves as `instantAt` says (one hour later on
 * the wall clock), so a daily schedule never silently skips a day.
 */
export function nextLocalTime(now: Date, hhmm: string, timeZone: string): Date {
  return firstLocalTime(now, hhmm, timeZone, (candidate) => candidate > now.getTime());
}

/** The first instant at or after `from` at which the wall clock in `timeZone` shows `hhmm`. */
export function localTimeAtOrAfter(from: Date, hhmm: string, timeZone: string): Date {
  return firstLocalTime(from, hhmm, timeZone, (candidate) => candidate >= from.getTime());
}

function firstLocalTime(
  from: Date,
  hhmm: string,
  timeZone: string,
  isLateEnough: (candidate: number) => boolean,
): Date {
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  const today = wallClockOf(from, timeZone);
  const candidate = instantAt({ ...today, hours, minutes }, timeZone);
  if (isLateEnough(candidate.getTime())) return candidate;
  return instantAt({ ...today, day: today.day + 1, hours, minutes }, timeZone);
}
