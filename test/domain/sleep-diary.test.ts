import { describe, expect, it } from 'vitest';
import {
  parseSleepDiaryEntry,
  proposeSleepWindow,
  resolveClockTime,
  type SleepDiaryEntry,
  type SleepDiaryInput,
  sleepMetrics,
} from '../../src/domain/sleep-diary.ts';

const base: SleepDiaryInput = {
  date: '2026-01-10',
  intoBed: '22:30',
  lightsOut: '23:00',
  finalWake: '06:30',
  outOfBed: '07:00',
  latencyMinutes: 20,
  awakenings: 2,
  minutesAwake: 30,
  quality: 3,
};

function entry(overrides: Partial<SleepDiaryInput> = {}): SleepDiaryEntry {
  const result = parseSleepDiaryEntry({ ...base, ...overrides });
  if (!result.ok) throw new Error(`unexpected issues ${JSON.stringify(result.error)}`);
  return result.value;
}

function issuePaths(input: unknown): string[] {
  const result = parseSleepDiaryEntry(input);
  return result.ok ? [] : result.error.map((issue) => issue.path);
}

describe('resolveClockTime', () => {
  it('puts times from 18:00 on the evening of the date and earlier times on the next morning', () => {
    expect(resolveClockTime('2026-01-10', '18:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-10T18:00:00.000+01:00',
    );
    expect(resolveClockTime('2026-01-10', '17:59', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-11T17:59:00.000+01:00',
    );
    expect(resolveClockTime('2026-01-10', '00:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-11T00:00:00.000+01:00',
    );
  });

  it('rolls over month ends', () => {
    expect(resolveClockTime('2026-03-31', '07:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-04-01T07:00:00.000+02:00',
    );
    expect(resolveClockTime('2026-12-31', '07:00', 'Europe/Oslo').toISOString()).toBe(
      '2027-01-01T07:00:00.000+01:00',
    );
  });

  it('moves a time in the spring-forward gap one hour on, and takes the second of a repeated hour', () => {
    expect(resolveClockTime('2026-03-28', '02:30', 'Europe/Oslo').toISOString()).toBe(
      '2026-03-29T03:30:00.000+02:00',
    );
    expect(resolveClockTime('2026-10-24', '02:30', 'Europe/Oslo').toISOString()).toBe(
      '2026-10-25T02:30:00.000+01:00',
    );
  });
});

describe('sleepMetrics', () => {
  it('computes TIB, TST and SE across midnight', () => {
    // TIB 22:30→07:00 = 510; TST = 510 − 20 − 30 − 30 (06:30→07:00) − 30 (22:30→23:00) = 400; SE 78.43
    expect(sleepMetrics(entry())).toEqual({
      date: '2026-01-10',
      instants: {
        intoBed: '2026-01-10T22:30:00.000+01:00',
        lightsOut: '2026-01-10T23:00:00.000+01:00',
        finalWake: '2026-01-11T06:30:00.000+01:00',
        outOfBed: '2026-01-11T07:00:00.000+01:00',
      },
      tibMinutes: 510,
      tstMinutes: 400,
      sePercent: 78.4,
    });
  });

  it('counts the spring-forward night (2026-03-28→29) one hour shorter', () => {
    // 23:00 CET → 07:00 CEST is 7 real hours; TST = 420 − 30 − 30 = 360; SE 85.71
    const metrics = sleepMetrics(
      entry({
        date: '2026-03-28',
        intoBed: '23:00',
        lightsOut: '23:00',
        finalWake: '07:00',
        outOfBed: '07:00',
        latencyMinutes: 30,
        minutesAwake: 30,
      }),
    );
    expect(metrics).toMatchObject({ tibMinutes: 420, tstMinutes: 360, sePercent: 85.7 });
    expect(metrics.instants.intoBed).toBe('2026-03-28T23:00:00.000+01:00');
    expect(metrics.instants.outOfBed).toBe('2026-03-29T07:00:00.000+02:00');
  });

  it('counts the fall-back night (2026-10-24→25) one hour longer', () => {
    // 23:00 CEST → 07:00 CET is 9 real hours; TST = 540 − 30 − 30 = 480; SE 88.89
    const metrics = sleepMetrics(
      entry({
        date: '2026-10-24',
        intoBed: '23:00',
        lightsOut: '23:00',
        finalWake: '07:00',
        outOfBed: '07:00',
        latencyMinutes: 30,
        minutesAwake: 30,
      }),
    );
    expect(metrics).toMatchObject({ tibMinutes: 540, tstMinutes: 480, sePercent: 88.9 });
    expect(metrics.instants.intoBed).toBe('2026-10-24T23:00:00.000+02:00');
    expect(metrics.instants.outOfBed).toBe('2026-10-25T07:00:00.000+01:00');
  });

  it('handles times inside the changed hour on both DST nights', () => {
    const spring = {
      date: '2026-03-28',
      intoBed: '02:30',
      lightsOut: '02:30',
      finalWake: '07:00',
      outOfBed: '07:00',
    };
    const fall = { ...spring, date: '2026-10-24' };
    // 02:30 does not exist in spring (→ 03:30 CEST, 210 min to 07:00); in autumn the second 02:30 CET is 270 min
    expect(sleepMetrics(entry({ ...spring, latencyMinutes: 0, minutesAwake: 0 })).tibMinutes).toBe(210);
    expect(sleepMetrics(entry({ ...fall, latencyMinutes: 0, minutesAwake: 0 })).tibMinutes).toBe(270);
  });

  it('uses the entry time zone', () => {
    // America/New_York springs forward on 2026-03-08
    const metrics = sleepMetrics(
      entry({
        date: '2026-03-07',
        timeZone: 'America/New_York',
        intoBed: '23:00',
        lightsOut: '23:00',
        finalWake: '07:00',
        outOfBed: '07:00',
        latencyMinutes: 0,
        minutesAwake: 0,
      }),
    );
    expect(metrics.tibMinutes).toBe(420);
  });

  it('handles a night that starts after midnight', () => {
    const metrics = sleepMetrics(
      entry({
        intoBed: '01:00',
        lightsOut: '01:15',
        finalWake: '08:45',
        outOfBed: '09:00',
        latencyMinutes: 15,
        minutesAwake: 0,
      }),
    );
    // TIB 480; TST = 480 − 15 − 0 − 15 − 15 = 435; SE 90.625
    expect(metrics).toMatchObject({ tibMinutes: 480, tstMinutes: 435, sePercent: 90.6 });
    expect(metrics.instants.intoBed).toBe('2026-01-11T01:00:00.000+01:00');
  });
});

describe('parseSleepDiaryEntry', () => {
  it('defaults the time zone to Europe/Oslo', () => {
    expect(entry().timeZone).toBe('Europe/Oslo');
  });

  it.each([
    [{ intoBed: '7:00' }, 'intoBed'],
    [{ outOfBed: '24:00' }, 'outOfBed'],
    [{ date: '2026-02-30' }, 'date'],
    [{ date: '10.01.2026' }, 'date'],
    [{ timeZone: 'Europe/Nowhere' }, 'timeZone'],
    [{ quality: 0 }, 'quality'],
    [{ quality: 6 }, 'quality'],
    [{ latencyMinutes: -5 }, 'latencyMinutes'],
    [{ minutesAwake: 12.5 }, 'minutesAwake'],
    [{ awakenings: -1 }, 'awakenings'],
  ] as const)('rejects %j', (override, path) => {
    expect(issuePaths({ ...base, ...override })).toContain(path);
  });

  it('rejects unknown fields', () => {
    expect(parseSleepDiaryEntry({ ...base, naps: 1 }).ok).toBe(false);
  });

  it('rejects times out of order, naming the later field', () => {
    expect(issuePaths({ ...base, lightsOut: '22:00' })).toEqual(['lightsOut']);
    expect(issuePaths({ ...base, finalWake: '07:30' })).toEqual(['outOfBed']);
  });

  it('rejects a bed time before 18:00, which reads as the next afternoon', () => {
    expect(issuePaths({ ...base, intoBed: '17:30', lightsOut: '17:45' })).toContain('finalWake');
  });

  it('rejects zero time in bed', () => {
    const input = {
      ...base,
      intoBed: '23:00',
      lightsOut: '23:00',
      finalWake: '23:00',
      outOfBed: '23:00',
      latencyMinutes: 0,
      minutesAwake: 0,
    };
    expect(issuePaths(input)).toEqual(['outOfBed']);
  });

  it('rejects latency plus awake time longer than the night (negative TST)', () => {
    // lights out 23:00 → final wake 06:30 is 450 minutes
    expect(issuePaths({ ...base, latencyMinutes: 300, minutesAwake: 151 })).toEqual(['minutesAwake']);
    expect(issuePaths({ ...base, latencyMinutes: 300, minutesAwake: 150 })).toEqual([]);
    expect(sleepMetrics(entry({ latencyMinutes: 300, minutesAwake: 150 })).tstMinutes).toBe(0);
  });
});

/** A night 22:00→08:00 (TIB 600, no time in bed awake besides latency): SE = (600 − latency) / 6. */
const night = (latencyMinutes: number, date = '2026-01-10') =>
  entry({
    date,
    intoBed: '22:00',
    lightsOut: '22:00',
    finalWake: '08:00',
    outOfBed: '08:00',
    latencyMinutes,
    minutesAwake: 0,
  });

describe('proposeSleepWindow', () => {
  it('starts at the mean TST rounded to 15 minutes, ending at the fixed rise time', () => {
    // TSTs 360, 330, 366 → mean 352 → 345 minutes; 07:00 − 5:45 = 01:15
    const entries = [night(240), night(270), night(234)];
    expect(proposeSleepWindow({ entries, riseTime: '07:00' })).toEqual({
      ok: true,
      value: {
        window: { bedTime: '01:15', riseTime: '07:00', minutes: 345 },
        reason: 'initial_mean_tst',
        nights: 3,
        meanTstMinutes: 352,
        meanSePercent: 58.7,
        previousMinutes: undefined,
      },
    });
  });

  it('never starts below the floor (5 hours by default, or as given)', () => {
    const entries = [night(360), night(350)]; // TSTs 240, 250
    expect(proposeSleepWindow({ entries, riseTime: '06:30' })).toMatchObject({
      ok: true,
      value: { window: { bedTime: '01:30', minutes: 300 }, reason: 'initial_floor' },
    });
    expect(proposeSleepWindow({ entries, riseTime: '06:30', floorMinutes: 330 })).toMatchObject({
      value: { window: { bedTime: '01:00', minutes: 330 }, reason: 'initial_floor' },
    });
  });

  it('adds 15 minutes when mean SE is exactly 90 %', () => {
    expect(
      proposeSleepWindow({ entries: [night(60)], currentWindow: { minutes: 360 }, riseTime: '06:30' }),
    ).toMatchObject({
      value: {
        window: { bedTime: '00:15', riseTime: '06:30', minutes: 375 },
        reason: 'efficiency_high_extend',
        meanSePercent: 90,
        previousMinutes: 360,
      },
    });
  });

  it('keeps the window at 89.9 % and at exactly 85 %', () => {
    // SE 90 and 89.83 → mean 89.92 → 89.9
    expect(
      proposeSleepWindow({
        entries: [night(60), night(61)],
        currentWindow: { minutes: 360 },
        riseTime: '06:30',
      }),
    ).toMatchObject({
      value: { window: { minutes: 360 }, reason: 'efficiency_in_range_keep', meanSePercent: 89.9 },
    });
    expect(
      proposeSleepWindow({ entries: [night(90)], currentWindow: { minutes: 360 }, riseTime: '06:30' }),
    ).toMatchObject({
      value: { window: { minutes: 360 }, reason: 'efficiency_in_range_keep', meanSePercent: 85 },
    });
  });

  it('removes 15 minutes at 84.9 %', () => {
    // SE 85 and 84.83 → mean 84.92 → 84.9
    expect(
      proposeSleepWindow({
        entries: [night(90), night(91)],
        currentWindow: { minutes: 360 },
        riseTime: '06:30',
      }),
    ).toMatchObject({
      value: {
        window: { bedTime: '00:45', minutes: 345 },
        reason: 'efficiency_low_shorten',
        meanSePercent: 84.9,
      },
    });
  });

  it('never shortens below the floor', () => {
    const low = [night(300)];
    expect(
      proposeSleepWindow({ entries: low, currentWindow: { minutes: 310 }, riseTime: '06:00' }),
    ).toMatchObject({
      value: { window: { minutes: 300, bedTime: '01:00' }, reason: 'efficiency_low_shorten' },
    });
    expect(
      proposeSleepWindow({ entries: low, currentWindow: { minutes: 300 }, riseTime: '06:00' }),
    ).toMatchObject({
      value: { window: { minutes: 300 }, reason: 'efficiency_low_at_floor' },
    });
  });

  it('wraps the bed time back over midnight', () => {
    expect(
      proposeSleepWindow({ entries: [night(60)], currentWindow: { minutes: 465 }, riseTime: '06:00' }),
    ).toMatchObject({
      value: { window: { bedTime: '22:00', minutes: 480 } },
    });
  });

  it('returns errors as values', () => {
    expect(proposeSleepWindow({ entries: [], riseTime: '07:00' })).toEqual({
      ok: false,
      error: { code: 'no_entries' },
    });
    expect(proposeSleepWindow({ entries: [night(60)], riseTime: '7' })).toEqual({
      ok: false,
      error: { code: 'invalid_rise_time', riseTime: '7' },
    });
    expect(proposeSleepWindow({ entries: [night(60)], riseTime: '07:00', floorMinutes: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_option', option: 'floorMinutes' },
    });
    expect(
      proposeSleepWindow({ entries: [night(60)], riseTime: '07:00', currentWindow: { minutes: -15 } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_option', option: 'currentWindow' },
    });
  });
});
