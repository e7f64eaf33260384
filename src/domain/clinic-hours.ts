import { instantAt, wallClockOf } from './local-time.ts';
import { err, ok, type Result } from './result.ts';

/**
 * When a person at the clinic reads messages (`CLINIC_HOURS`), so that an automatic reply can say
 * honestly when someone will (CLINICAL.md §3, step 1). Written as weekday ranges with opening hours,
 * separated by commas: "Mon-Fri 08:00-15:30" or "Mon-Thu 08:00-15:30, Fri 08:00-14:00". Days are
 * Mon Tue Wed Thu Fri Sat Sun (or Norwegian man tir ons tor fre lør søn). Public holidays are not known:
 * a reply on a holiday may name a time nobody is there.
 */

/** One weekly opening: ISO weekday (1 = Monday … 7 = Sunday) and minutes after midnight, local time. */
export interface Opening {
  readonly day: number;
  readonly from: number;
  readonly to: number;
}

export type ClinicHours = readonly Opening[];

const DAYS: Readonly<Record<string, number>> = {
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  sun: 7,
  man: 1,
  tir: 2,
  ons: 3,
  tor: 4,
  fre: 5,
  lør: 6,
  lor: 6,
  søn: 7,
  son: 7,
};

const GROUP = /^([a-zæøå]{3})(?:\s*-\s*([a-zæøå]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

export function parseClinicHours(text: string): Result<ClinicHours, string> {
  const openings: Opening[] = [];
  for (const raw of text.split(',')) {
    const group = raw.trim().toLowerCase();
    const match = GROUP.exec(group);
    if (!match) return err(`"${raw.trim()}" is not like "Mon-Fri 08:00-15:30"`);
    const [, first, last, fh, fm, th, tm] = match as unknown as string[];
    const start = DAYS[first!];
    const end = last === undefined ? start : DAYS[last];
    if (start === undefined || end === undefined) return err(`unknown day in "${raw.trim()}"`);
    const from = Number(fh) * 60 + Number(fm);
    const to = Number(th) * 60 + Number(tm);
    if (
      Number(fh) > 23 ||
      Number(th) > 24 ||
      Number(fm) > 59 ||
      Number(tm) > 59 ||
      to > 24 * 60 ||
      from >= to
    ) {
      return err(`"${raw.trim()}" needs an opening time before its closing time`);
    }
    for (let day = start; ; day = (day % 7) + 1) {
      openings.push({ day, from, to });
      if (day === end) break;
    }
  }
  return ok(openings);
}

/** Where `now` stands: inside an opening, or the instant the next one starts (within a week). */
export type Staffing =
  | { readonly open: true }
  | { readonly open: false; readonly next: Date }
  | { readonly open: false; readonly next: undefined };

export function staffingAt(now: Date, hours: ClinicHours, timeZone: string): Staffing {
  const wall = wallClockOf(now, timeZone);
  const today = isoWeekday(now, timeZone);
  const minute = wall.hours * 60 + wall.minutes;
  if (hours.some((o) => o.day === today && o.from <= minute && minute < o.to)) return { open: true };
  for (let ahead = 0; ahead <= 7; ahead++) {
    const day = ((today - 1 + ahead) % 7) + 1;
    const from = hours
      .filter((o) => o.day === day && (ahead > 0 || o.from > minute))
      .reduce<number | undefined>((min, o) => (min === undefined || o.from < min ? o.from : min), undefined);
    if (from !== undefined) {
      // The calendar day `ahead` days on (UTC arithmetic on the date only), at the opening's wall-clock time.
      const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + ahead));
      const next = instantAt(
        {
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
          hours: Math.floor(from / 60),
          minutes: from % 60,
        },
        timeZone,
      );
      return { open: false, next };
    }
  }
  return { open: false, next: undefined };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of an instant in `timeZone`. */
function isoWeekday(instant: Date, timeZone: string): number {
  const { year, month, day } = wallClockOf(instant, timeZone);
  const jsDay = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return jsDay === 0 ? 7 : jsDay;
}
