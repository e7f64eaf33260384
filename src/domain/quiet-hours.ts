import { instantAt, wallClockOf } from './local-time.ts';

/** Hours of the day (local wall clock, "HH:MM") in which scheduled messages may go out. */
export interface SendWindow {
  from: string;
  to: string;
}

export const DEFAULT_SEND_WINDOW: SendWindow = { from: '08:00', to: '21:00' };

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/**
 * The first instant at or after `instant` that falls inside the send window in `timeZone`: unchanged
 * inside the window, the window's start the same morning when too early, the next morning when too late.
 * Safety replies never go through this: they go out at once, at any hour.
 */
export function intoSendWindow(
  instant: Date,
  timeZone: string,
  window: SendWindow = DEFAULT_SEND_WINDOW,
): Date {
  const local = wallClockOf(instant, timeZone);
  const minutes = local.hours * 60 + local.minutes;
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (minutes >= from && minutes < to) return instant;
  const day = minutes < from ? local.day : local.day + 1;
  return instantAt({ ...local, day, hours: Math.floor(from / 60), minutes: from % 60 }, timeZone);
}
