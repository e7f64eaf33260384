import { TZDate, tzOffset } from '@date-fns/tz';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/domain/duration.ts';
import {
  instantAt,
  localTimeAtOrAfter,
  nextLocalTime,
  offsetAt,
  parseClockTime,
  wallClockOf,
} from '../../src/domain/local-time.ts';
import { intoSendWindow } from '../../src/domain/quiet-hours.ts';
import { localDayAt } from '../../src/domain/schedule.ts';
import { parseSleepDiaryEntry, sleepMetrics } from '../../src/domain/sleep-diary.ts';

const at = (date: string, time: string, timeZone: string) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return instantAt({ year, month, day, hours, minutes }, timeZone).toISOString();
};

describe('instantAt', () => {
  it('gives the instant of an ordinary wall-clock time', () => {
    expect(at('2026-01-10', '23:00', 'Europe/Oslo')).toBe('2026-01-10T22:00:00.000Z');
    expect(at('2026-07-10', '23:00', 'Europe/Oslo')).toBe('2026-07-10T21:00:00.000Z');
    expect(at('2026-07-10', '23:00', 'UTC')).toBe('2026-07-10T23:00:00.000Z');
    expect(at('2026-07-10', '08:00', 'Asia/Kolkata')).toBe('2026-07-10T02:30:00.000Z');
  });

  it('rolls a day past the end of the month (or before its start) over, as Date.UTC does', () => {
    expect(at('2026-12-32', '07:00', 'Europe/Oslo')).toBe('2027-01-01T06:00:00.000Z');
    expect(at('2026-03-00', '07:00', 'Europe/Oslo')).toBe('2026-02-28T06:00:00.000Z');
  });

  it('moves a time in the spring-forward gap on by the length of the gap', () => {
    // Oslo, 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 is 03:30 CEST.
    expect(at('2026-03-29', '02:30', 'Europe/Oslo')).toBe('2026-03-29T01:30:00.000Z');
    expect(at('2026-03-29', '02:00', 'Europe/Oslo')).toBe('2026-03-29T01:00:00.000Z');
    expect(at('2026-03-29', '01:59', 'Europe/Oslo')).toBe('2026-03-29T00:59:00.000Z');
    expect(at('2026-03-29', '03:00', 'Europe/Oslo')).toBe('2026-03-29T01:00:00.000Z');
    // New York, 8 March 2026: 02:30 is 03:30 EDT.
    expect(at('2026-03-08', '02:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
    // Auckland, 27 September 2026: 02:30 is 03:30 NZDT.
    expect(at('2026-09-27', '02:30', 'Pacific/Auckland')).toBe('2026-09-26T14:30:00.000Z');
    // Lord Howe Island changes by 30 minutes: 02:15 is 02:45.
    expect(at('2026-10-04', '02:15', 'Australia/Lord_Howe')).toBe('2026-10-03T15:45:00.000Z');
  });

  it('takes the second occurrence of a time the autumn change shows twice', () => {
    // Oslo, 25 October 2026: 03:00 CEST becomes 02:00 CET; the second 02:30 is CET.
    expect(at('2026-10-25', '02:30', 'Europe/Oslo')).toBe('2026-10-25T01:30:00.000Z');
    expect(at('2026-10-25', '02:00', 'Europe/Oslo')).toBe('2026-10-25T01:00:00.000Z');
    expect(at('2026-10-25', '01:59', 'Europe/Oslo')).toBe('2026-10-24T23:59:00.000Z');
    expect(at('2026-10-25', '03:00', 'Europe/Oslo')).toBe('2026-10-25T02:00:00.000Z');
    // New York, 1 November 2026: the second 01:30 is EST.
    expect(at('2026-11-01', '01:30', 'America/New_York')).toBe('2026-11-01T06:30:00.000Z');
    // Auckland, 5 April 2026: the second 02:30 is NZST.
    expect(at('2026-04-05', '02:30', 'Pacific/Auckland')).toBe('2026-04-04T14:30:00.000Z');
  });

  it('round-trips through wallClockOf outside the changed hours', () => {
    const wall = { year: 2026, month: 6, day: 30, hours: 23, minutes: 45 };
    expect(wallClockOf(instantAt(wall, 'Pacific/Auckland'), 'Pacific/Auckland')).toEqual(wall);
  });
});

describe('offsetAt', () => {
  it('gives what tzOffset gives, minute by minute around changes, in zones with odd offsets and changes', () => {
    const zones = [
      'Europe/Oslo',
      'America/New_York',
      'Australia/Lord_Howe', // a change of 30 minutes at 02:00
      'Pacific/Chatham', // +12:45 / +13:45
      'Asia/Kathmandu', // +05:45 since 1986, +05:30 before
      'America/St_Johns', // -03:30 / -02:30
      'Africa/Casablanca', // summer time stopped during Ramadan
      'Nope/Nowhere', // unknown: NaN, as tzOffset
    ];
    const around = [
      '2026-03-29T00:00:00Z',
      '2026-10-25T00:00:00Z',
      '2026-03-08T06:00:00Z',
      '2026-04-04T14:00:00Z',
      '2026-09-26T14:00:00Z',
      '1985-12-31T18:00:00Z',
      '2026-02-14T00:00:00Z',
    ];
    for (const zone of zones) {
      for (const start of around) {
        // Every 7 minutes over 4 hours, twice: the second pass reads what the first remembered.
        for (let pass = 0; pass < 2; pass++) {
          for (let minute = 0; minute < 240; minute += 7) {
            const instant = new Date(Date.parse(start) + minute * 60_000 + pass * 1234);
            expect(offsetAt(zone, instant), `${zone} ${instant.toISOString()}`).toEqual(
              tzOffset(zone, instant),
            );
          }
        }
      }
    }
  });
});

describe('wallClockOf', () => {
  /** What TZDate's getters read, which wallClockOf computes without building one. */
  const viaTzDate = (instant: number, timeZone: string) => {
    const local = new TZDate(instant, timeZone);
    return {
      year: local.getFullYear(),
      month: local.getMonth() + 1,
      day: local.getDate(),
      hours: local.getHours(),
      minutes: local.getMinutes(),
    };
  };

  it('reads the same wall clock as TZDate every 7 minutes around clock changes and odd offsets', () => {
    const zones = ['Europe/Oslo', 'Pacific/Auckland', 'America/St_Johns', 'Asia/Kathmandu', 'UTC'];
    // Both 2026 changes in Oslo and Auckland, and 1890 (Oslo's local mean time, an offset in seconds).
    const starts = [
      '2026-03-28T12:00:00Z',
      '2026-10-24T12:00:00Z',
      '2026-04-04T00:00:00Z',
      '1890-06-01T00:00:00Z',
    ];
    let compared = 0;
    for (const timeZone of zones) {
      for (const start of starts) {
        for (let t = Date.parse(start); t < Date.parse(start) + 2 * 86_400_000; t += 7 * 60_000 + 13_000) {
          expect(wallClockOf(new Date(t), timeZone), `${timeZone} ${new Date(t).toISOString()}`).toEqual(
            viaTzDate(t, timeZone),
          );
          compared++;
        }
      }
    }
    expect(compared).toBe(8000);
  });

  it('gives NaN fields for an unknown zone, as TZDate does', () => {
    expect(wallClockOf(new Date(0), 'Nowhere/Atlantis').hours).toBeNaN();
    expect(viaTzDate(0, 'Nowhere/Atlantis').hours).toBeNaN();
  });
});

describe('wall-clock times do not depend on the time zone of the process', () => {
  const systemZone = process.env.TZ;
  afterEach(() => {
    if (systemZone === undefined) delete process.env.TZ;
    else process.env.TZ = systemZone;
  });

  /** Everything in src/domain that turns a wall clock into an instant, on both DST nights. */
  const results = () => {
    const night = (date: string) => {
      const parsed = parseSleepDiaryEntry({
        date,
        intoBed: '02:30',
        lightsOut: '02:30',
        finalWake: '07:00',
        outOfBed: '07:00',
        latencyMinutes: 0,
        awakenings: 0,
        minutesAwake: 0,
        quality: 3,
      });
      return parsed.ok ? sleepMetrics(parsed.value) : parsed.error;
    };
    return {
      spring: at('2026-03-29', '02:30', 'Europe/Oslo'),
      autumn: at('2026-10-25', '02:30', 'Europe/Oslo'),
      nightSpring: night('2026-03-28'),
      nightAutumn: night('2026-10-24'),
      next: nextLocalTime(new Date('2026-10-24T12:00:00Z'), '02:30', 'Europe/Oslo').toISOString(),
      atOrAfter: localTimeAtOrAfter(new Date('2026-03-28T12:00:00Z'), '02:30', 'Europe/Oslo').toISOString(),
      sendWindow: intoSendWindow(new Date('2026-03-28T21:30:00Z'), 'Europe/Oslo').toISOString(),
      dayAt: localDayAt(new Date('2026-10-24T08:00:00Z'), 1, '09:00', 'America/New_York').toISOString(),
    };
  };

  it('gives the same instants under TZ=UTC, Europe/Oslo, America/New_York and Pacific/Auckland', () => {
    process.env.TZ = 'UTC';
    const expected = results();
    expect(expected).toMatchObject({
      spring: '2026-03-29T01:30:00.000Z',
      autumn: '2026-10-25T01:30:00.000Z',
      nightSpring: { tibMinutes: 210 },
      nightAutumn: { tibMinutes: 270 },
    });
    for (const zone of ['Europe/Oslo', 'America/New_York', 'Pacific/Auckland']) {
      process.env.TZ = zone;
      expect(new Date('2026-01-01T00:00:00Z').getTimezoneOffset(), zone).not.toBe(0);
      expect(results(), zone).toEqual(expected);
    }
  });
});

describe('parseClockTime', () => {
  it.each([
    ['7', '07:00'],
    ['07:30', '07:30'],
    ['7.30', '07:30'],
    ['0730', '07:30'],
    ['kl 18', '18:00'],
    ['Kl. 21.15', '21:15'],
    ['klokka 6', '06:00'],
    [' 23:59 ', '23:59'],
    ['0', '00:00'],
  ])('reads %j as %s', (text, expected) => expect(parseClockTime(text)).toBe(expected));

  it.each(['24', '25:00', '12:60', 'halv sju', '', '7:3', '123456'])('refuses %j', (text) =>
    expect(parseClockTime(text)).toBeUndefined(),
  );
});

describe('nextLocalTime', () => {
  it('is strictly after now, where localTimeAtOrAfter may be now itself', () => {
    const nine = new Date('2026-11-23T08:00:00Z'); // 09:00 in Oslo
    expect(nextLocalTime(nine, '09:00', 'Europe/Oslo').toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect(localTimeAtOrAfter(nine, '09:00', 'Europe/Oslo').toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });

  it('gives the next 09:00 in Oslo, later the same day or the day after', () => {
    expect(nextLocalTime(new Date('2026-11-23T06:00:00Z'), '09:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-11-23T08:00:00.000Z',
    );
    expect(nextLocalTime(new Date('2026-11-23T08:00:00Z'), '09:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-11-24T08:00:00.000Z',
    );
  });

  it('keeps 09:00 local across both DST changes', () => {
    // Spring forward on 29 March 2026: 09:00 CEST is 07:00 UTC.
    expect(nextLocalTime(new Date('2026-03-28T09:00:00Z'), '09:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    // Fall back on 25 October 2026: 09:00 CET is 08:00 UTC.
    expect(nextLocalTime(new Date('2026-10-24T08:00:00Z'), '09:00', 'Europe/Oslo').toISOString()).toBe(
      '2026-10-25T08:00:00.000Z',
    );
  });
});

describe('parseDuration', () => {
  it('reads days, hours and minutes', () => {
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('2d3h')).toBe(2 * 86_400_000 + 3 * 3_600_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
