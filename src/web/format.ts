import type { Translate } from './context.ts';

/** Dates and times in the workspace: the clinic's time zone, the staff member's language. */
export function formatDateTime(iso: string | undefined, locale: 'nb' | 'en', timeZone: string): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
}

export function formatDate(iso: string | undefined, locale: 'nb' | 'en', timeZone: string): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', {
    timeZone,
    dateStyle: 'medium',
  }).format(new Date(iso));
}

/**
 * A channel's name as the workspace shows it (`workspace.channel.*`): the web chat, SMS, Teams and the
 * other Bot Framework channels. A channel the texts do not know yet shows as its code.
 */
export function channelLabel(t: Translate, channel: string): string {
  return t(`channel.${channel}`);
}
