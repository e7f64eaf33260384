import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/domain/duration.ts';
import { nextLocalTime, parseClockTime } from '../../src/domain/local-time.ts';

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
