import { describe, expect, it } from 'vitest';
import {
  isDaytimeBedTime,
  meanSleepEfficiency,
  parseSleepDiaryEntry,
  proposeSleepWindow,
  resolveBedTime,
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

describe('resolveBedTime', () => {
  it('puts bed times from 12:00 on the date and earlier ones on the next morning', () => {
    expect(resolveBedTime('2026-01-10', '23:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-10T23:00:00.000+01:00',
    );
    expect(resolveBedTime('2026-01-10', '17:30', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-10T17:30:00.000+01:00',
    );
    expect(resolveBedTime('2026-01-10', '12:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-10T12:00:00.000+01:00',
    );
    expect(resolveBedTime('2026-01-10', '11:59', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-11T11:59:00.000+01:00',
    );
    expect(resolveBedTime('2026-01-10', '00:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-01-11T00:00:00.000+01:00',
    );
  });

  it('rolls over month ends', () => {
    expect(resolveBedTime('2026-03-31', '07:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-04-01T07:00:00.000+02:00',
    );
    expect(resolveBedTime('2026-12-31', '07:00', 'Europe/Oslo').toISOString()).toBe(
      '2027-01-01T07:00:00.000+01:00',
    );
  });

  it('moves a time in the spring-forward gap one hour on, and takes the second of a repeated hour', () => {
    expect(resolveBedTime('2026-03-28', '02:30', 'Europe/Oslo').toISOString()).toBe(
      '2026-03-29T03:30:00.000+02:00',
    );
    expect(resolveBedTime('2026-10-24', '02:30', 'Europe/Oslo').toISOString()).toBe(
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

describe('a bed time in the daytime', () => {
  it('is accepted for an early night before a morning wake, read from the evening of the date', () => {
    // Refused before: 17:30 was read as the next afternoon, after the 06:30 wake.
    const metrics = sleepMetrics(
      entry({ intoBed: '17:30', lightsOut: '17:45', finalWake: '06:30', outOfBed: '07:00' }),
    );
    // TIB 17:30→07:00 = 810; TST = 810 − 20 − 30 − 30 (06:30→07:00) − 15 (17:30→17:45) = 715
    expect(metrics).toMatchObject({ tibMinutes: 810, tstMinutes: 715, sePercent: 88.3 });
    expect(metrics.instants.intoBed).toBe('2026-01-10T17:30:00.000+01:00');
    expect(metrics.instants.outOfBed).toBe('2026-01-11T07:00:00.000+01:00');
  });

  it('is accepted after a night shift, also when the sleep ends after 18:00', () => {
    const morning = { intoBed: '08:00', lightsOut: '08:15', latencyMinutes: 15, minutesAwake: 0 };
    // TIB 08:00→15:30 = 450; TST = 450 − 15 − 0 − 30 − 15 = 390
    expect(sleepMetrics(entry({ ...morning, finalWake: '15:00', outOfBed: '15:30' }))).toMatchObject({
      instants: { intoBed: '2026-01-11T08:00:00.000+01:00', outOfBed: '2026-01-11T15:30:00.000+01:00' },
      tibMinutes: 450,
      tstMinutes: 390,
    });
    // Refused before: 18:30 was read as the evening before the 08:00 bed time.
    expect(sleepMetrics(entry({ ...morning, finalWake: '18:00', outOfBed: '18:30' }))).toMatchObject({
      instants: { intoBed: '2026-01-11T08:00:00.000+01:00', outOfBed: '2026-01-11T18:30:00.000+01:00' },
      tibMinutes: 630,
      tstMinutes: 570,
    });
  });

  it('is flagged for the client to confirm, from 06:00 up to 18:00', () => {
    expect(['06:00', '08:00', '10:30', '17:59'].filter((intoBed) => isDaytimeBedTime({ intoBed }))).toEqual([
      '06:00',
      '08:00',
      '10:30',
      '17:59',
    ]);
    expect(['18:00', '22:30', '00:00', '05:59'].some((intoBed) => isDaytimeBedTime({ intoBed }))).toBe(false);
  });

  it('still computes a mistyped evening ("10:30" for 22:30) as the night it says, which the flag catches', () => {
    const typo = entry({ intoBed: '10:30', lightsOut: '11:00' });
    expect(sleepMetrics(typo).tibMinutes).toBe(20 * 60 + 30);
    expect(isDaytimeBedTime(typo)).toBe(true);
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

  it('names the time that is out of place, also when the night starts in the daytime', () => {
    expect(
      issuePaths({ ...base, intoBed: '08:00', lightsOut: '07:45', finalWake: '15:00', outOfBed: '15:30' }),
    ).toEqual(['lightsOut']);
    expect(
      issuePaths({ ...base, intoBed: '17:30', lightsOut: '17:45', finalWake: '06:30', outOfBed: '06:00' }),
    ).toEqual(['outOfBed']);
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

/** A night from 22:00 with `tib` minutes in bed and `tst` asleep (the rest spent falling asleep). */
const nightOf = (tib: number, tst: number) => {
  const up = 22 * 60 + tib;
  const clock = `${String(Math.floor(up / 60) % 24).padStart(2, '0')}:${String(up % 60).padStart(2, '0')}`;
  return entry({
    intoBed: '22:00',
    lightsOut: '22:00',
    finalWake: clock,
    outOfBed: clock,
    latencyMinutes: tib - tst,
    minutesAwake: 0,
  });
};

describe('meanSleepEfficiency', () => {
  it('is the mean of the unrounded nightly SE, rounded down to one decimal', () => {
    expect(meanSleepEfficiency([{ tstMinutes: 400, tibMinutes: 600 }])).toBe(66.6);
    expect(meanSleepEfficiency([{ tstMinutes: 599, tibMinutes: 600 }])).toBe(99.8);
    expect(meanSleepEfficiency([{ tstMinutes: 0, tibMinutes: 600 }])).toBe(0);
    expect(meanSleepEfficiency([{ tstMinutes: 600, tibMinutes: 600 }])).toBe(100);
    // 7 nights of coprime TIBs: a common denominator far beyond 2^53
    const week = [1427, 1429, 1433, 1439, 1423, 1409, 1399].map((tib) => ({
      tibMinutes: tib,
      tstMinutes: tib - 1,
    }));
    expect(meanSleepEfficiency(week)).toBe(99.9);
  });
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
        meanSePercent: 58.6, // 58.67, rounded down: see meanSleepEfficiency
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

  it('shortens at an unrounded 84.99 % and keeps at 89.98 % (which round to 85.0 and 90.0)', () => {
    // (310/400 + 578/625) / 2 = 84.99 %
    const low = [nightOf(400, 310), nightOf(625, 578)];
    expect(
      proposeSleepWindow({ entries: low, currentWindow: { minutes: 360 }, riseTime: '06:30' }),
    ).toMatchObject({
      value: { window: { minutes: 345 }, reason: 'efficiency_low_shorten', meanSePercent: 84.9 },
    });
    // (304/320 + 531/625) / 2 = 89.98 %
    const high = [nightOf(320, 304), nightOf(625, 531)];
    expect(
      proposeSleepWindow({ entries: high, currentWindow: { minutes: 360 }, riseTime: '06:30' }),
    ).toMatchObject({
      value: { window: { minutes: 360 }, reason: 'efficiency_in_range_keep', meanSePercent: 89.9 },
    });
  });

  it('keeps at exactly 85 % and extends at exactly 90 %, where a floating-point mean falls just short', () => {
    // Exactly 85 % and 90 %; summed as doubles, both come out as ….99999999999999.
    const at85 = [nightOf(300, 225), nightOf(300, 262), nightOf(300, 278)];
    const at90 = [nightOf(315, 300), nightOf(330, 299), nightOf(385, 324)];
    expect(
      proposeSleepWindow({ entries: at85, currentWindow: { minutes: 360 }, riseTime: '06:30' }),
    ).toMatchObject({
      value: { window: { minutes: 360 }, reason: 'efficiency_in_range_keep', meanSePercent: 85 },
    });
    expect(
      proposeSleepWindow({ entries: at90, currentWindow: { minutes: 360 }, riseTime: '06:30' }),
    ).toMatchObject({
      value: { window: { minutes: 375 }, reason: 'efficiency_high_extend', meanSePercent: 90 },
    });
  });

  it('lifts a window in force below the floor to the floor, whatever the efficiency', () => {
    // Agreed bed 02:30, rise 06:30: a 4 h window. Extending it gave 4 h 15 before.
    for (const latency of [0, 60, 90, 300]) {
      expect(
        proposeSleepWindow({ entries: [night(latency)], currentWindow: { minutes: 240 }, riseTime: '06:30' }),
      ).toMatchObject({
        value: {
          window: { bedTime: '01:30', riseTime: '06:30', minutes: 300 },
          reason: 'window_raised_to_floor',
          previousMinutes: 240,
        },
      });
    }
    expect(
      proposeSleepWindow({
        entries: [night(0)],
        currentWindow: { minutes: 300 },
        riseTime: '06:30',
        floorMinutes: 330,
      }),
    ).toMatchObject({ value: { window: { minutes: 330 }, reason: 'window_raised_to_floor' } });
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
