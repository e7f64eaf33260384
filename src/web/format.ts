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
