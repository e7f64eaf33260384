const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** Parses durations such as "1d", "24h", "2d3h", "90m" into milliseconds; undefined if unreadable. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().toLowerCase();
  if (!/^(\d+[wdhms])+$/.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)([wdhms])/g))
    total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}
