import { instantAt, wallClockOf } from './local-time.ts';
import { DEFAULT_SEND_WINDOW, intoSendWindow, type SendWindow } from './quiet-hours.ts';

export const DEFAULT_PREFERRED_TIME = '18:00';

/**
 * The instant `days` calendar days after the local date of `from`, at the local wall-clock `time`,
 * moved into the send window. Counting calendar days in the client's time zone (not 24-hour blocks)
 * keeps a 09:00 check-in at 09:00 across the DST changes.
 */
export function localDayAt(
  from: Date,
  days: number,
  time: string,
  timeZone: string,
  window: SendWindow = DEFAULT_SEND_WINDOW,
): Date {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const start = wallClockOf(from, timeZone);
  const at = instantAt({ ...start, day: start.day + days, hours, minutes }, timeZone);
  return intoSendWindow(at, timeZone, window);
}

/** A repeating check-in's next due time: `everyDays` after the one that was due, at the preferred time. */
export function nextDue(previousDue: Date, everyDays: number, preferredTime: string, timeZone: string): Date {
  return localDayAt(previousDue, everyDays, preferredTime, timeZone);
}
