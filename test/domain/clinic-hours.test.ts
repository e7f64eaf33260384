import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type ClinicHours, parseClinicHours, staffingAt } from '../../src/domain/clinic-hours.ts';

function hours(text: string): ClinicHours {
  const parsed = parseClinicHours(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const OSLO = 'Europe/Oslo';

describe('parseClinicHours', () => {
  it('reads weekday ranges, single days and Norwegian day names', () => {
    expect(hours('Mon-Fri 08:00-15:30')).toHaveLength(5);
    expect(hours('man-tor 08:00-15:30, fre 08:00-14:00')).toEqual([
      { day: 1, from: 480, to: 930 },
      { day: 2, from: 480, to: 930 },
      { day: 3, from: 480, to: 930 },
      { day: 4, from: 480, to: 930 },
      { day: 5, from: 480, to: 840 },
    ]);
    expect(hours('Sat-Mon 10:00-12:00').map((o) => o.day)).toEqual([6, 7, 1]);
  });

  it('refuses what it cannot read, saying why', () => {
    for (const bad of ['weekdays 8-16', 'Mon-Fri 16:00-08:00', 'Xyz 08:00-09:00', 'Mon 25:00-26:00', '']) {
      const parsed = parseClinicHours(bad);
      expect(parsed.ok, bad).toBe(false);
    }
  });

  it('stops start-up with a line naming CLINIC_HOURS', () => {
    expect(() => loadConfig({ CLINIC_HOURS: 'always' })).toThrow(
      /^Invalid configuration: CLINIC_HOURS must be like/,
    );
    expect(loadConfig({ CLINIC_HOURS: 'Mon-Fri 08:00-15:30' }).CLINIC_HOURS).toHaveLength(5);
  });
});

describe('staffingAt', () => {
  const weekdays = hours('Mon-Fri 08:00-15:30');

  it('is open inside the hours, in the clinic time zone', () => {
    expect(staffingAt(new Date('2026-11-30T07:00:00Z'), weekdays, OSLO)).toEqual({ open: true }); // Mon 08:00
    expect(staffingAt(new Date('2026-11-30T14:29:00Z'), weekdays, OSLO)).toEqual({ open: true });
  });

  it('names the next opening: later today, tomorrow, or after the weekend', () => {
    const next = (iso: string) => {
      const s = staffingAt(new Date(iso), weekdays, OSLO);
      return s.open ? 'open' : s.next?.toISOString();
    };
    expect(next('2026-11-30T06:10:00Z')).toBe('2026-11-30T07:00:00.000Z'); // Mon 07:10 → 08:00 today
    expect(next('2026-11-30T14:30:00Z')).toBe('2026-12-01T07:00:00.000Z'); // Mon 15:30 → Tue 08:00
    expect(next('2026-11-27T21:00:00Z')).toBe('2026-11-30T07:00:00.000Z'); // Fri 22:00 → Mon 08:00
  });

  it('keeps 08:00 local across a change to or from summer time in between', () => {
    const next = (iso: string) => {
      const s = staffingAt(new Date(iso), weekdays, OSLO);
      return s.open ? 'open' : s.next?.toISOString();
    };
    expect(next('2026-03-28T12:00:00Z')).toBe('2026-03-30T06:00:00.000Z'); // Sat → Mon 08:00 CEST
    expect(next('2026-10-24T12:00:00Z')).toBe('2026-10-26T07:00:00.000Z'); // Sat → Mon 08:00 CET
  });
});
