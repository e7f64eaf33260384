import type { Translate } from './context.ts';

/*
 * Every date the workspace shows goes through here, so each language has one date form and one
 * date-time form on every page: "5 Dec 2026" and "5 Dec 2026, 14:03" in English (day before month, as
 * en-GB writes it), "5. des. 2026" and "5. des. 2026, 14:03" in Bokmål. Instants are shown in the time zone
 * the caller gives (the clinic's, or the client's where a page says so); a calendar day has no zone.
 */

type Locale = 'nb' | 'en';

const INTL_LOCALE: Readonly<Record<Locale, string>> = { nb: 'nb-NO', en: 'en-GB' };

/** The Intl locale of a workspace language: Bokmål as in Norway, English as in Britain. */
export const intlLocale = (locale: Locale): string => INTL_LOCALE[locale];

const DATE = { dateStyle: 'medium' } as const;
const DATE_TIME = { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' } as const;

/** Dates and times in the workspace: the clinic's time zone, the staff member's language. */
export function formatDateTime(iso: string | undefined, locale: Locale, timeZone: string): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...DATE_TIME, timeZone }).format(new Date(iso));
}

export function formatDate(iso: string | undefined, locale: Locale, timeZone: string): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...DATE, timeZone }).format(new Date(iso));
}

/** A calendar day (`YYYY-MM-DD`: a night of the sleep diary) in the form of `formatDate`. */
export function formatDay(date: string, locale: Locale): string {
  // Noon UTC of that day, shown in UTC: the same day whatever zone the server runs in.
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...DATE, timeZone: 'UTC' }).format(
    new Date(`${date}T12:00:00Z`),
  );
}

/**
 * The day of `iso` with a clock time the client gave (`HH:MM`, "about when the worry came"), in the
 * form of `formatDateTime`. The time is shown as written: built as an instant, a time that a change to
 * summer time skips would move.
 */
export function formatDayAt(iso: string, time: string, locale: Locale, timeZone: string): string {
  const [hour, minute] = time.split(':');
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...DATE_TIME, timeZone })
    .formatToParts(new Date(iso))
    .map((part) => (part.type === 'hour' ? hour : part.type === 'minute' ? minute : part.value))
    .join('');
}

/**
 * A channel's name as the workspace shows it (`workspace.channel.*`): the web chat, SMS, Teams and the
 * other Bot Framework channels. A channel the texts do not know yet shows as its code.
 */
export function channelLabel(t: Translate, channel: string): string {
  return t(`channel.${channel}`);
}
