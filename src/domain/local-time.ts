import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';

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
 * The next instant strictly after `now` at which the wall clock in `timeZone` shows `hhmm`.
 * On a spring-forward day a time that does not exist resolves to the instant date-fns/tz gives
 * (one hour later on the wall clock), so a daily schedule never silently skips a day.
 */
export function nextLocalTime(now: Date, hhmm: string, timeZone: string): Date {
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  const local = new TZDate(now.getTime(), timeZone);
  let candidate = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    hours,
    minutes,
    0,
    timeZone,
  );
  if (candidate.getTime() <= now.getTime()) {
    const tomorrow = addDays(local, 1);
    candidate = new TZDate(
      tomorrow.getFullYear(),
      tomorrow.getMonth(),
      tomorrow.getDate(),
      hours,
      minutes,
      0,
      timeZone,
    );
  }
  return new Date(candidate.getTime());
}
