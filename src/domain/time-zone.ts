const known = new Map<string, boolean>();

/** Whether `value` is an IANA time zone this runtime knows (e.g. Europe/Oslo); remembered per name. */
export function isTimeZone(value: string): boolean {
  let ok = known.get(value);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      ok = true;
    } catch {
      ok = false;
    }
    known.set(value, ok);
  }
  return ok;
}
