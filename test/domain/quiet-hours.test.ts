import { describe, expect, it } from 'vitest';
import { intoSendWindow } from '../../src/domain/quiet-hours.ts';

const oslo = (iso: string) => intoSendWindow(new Date(iso), 'Europe/Oslo').toISOString();

describe('intoSendWindow (08:00-21:00 Europe/Oslo)', () => {
  it('leaves a time inside the window alone', () => {
    expect(oslo('2026-11-23T08:00:00.000Z')).toBe('2026-11-23T08:00:00.000Z'); // 09:00 local
    expect(oslo('2026-11-23T07:00:00.000Z')).toBe('2026-11-23T07:00:00.000Z'); // 08:00 local exactly
  });

  it('moves 22:30 to 08:00 the next morning and 05:00 to 08:00 the same morning', () => {
    expect(oslo('2026-11-23T21:30:00.000Z')).toBe('2026-11-24T07:00:00.000Z');
    expect(oslo('2026-11-23T04:00:00.000Z')).toBe('2026-11-23T07:00:00.000Z');
    expect(oslo('2026-11-23T20:00:00.000Z')).toBe('2026-11-24T07:00:00.000Z'); // 21:00 local is outside
  });

  it('is right across both DST changes', () => {
    // 22:30 CET on 28 March -> 08:00 CEST on 29 March (06:00 UTC).
    expect(oslo('2026-03-28T21:30:00.000Z')).toBe('2026-03-29T06:00:00.000Z');
    // 22:30 CEST on 24 October -> 08:00 CET on 25 October (07:00 UTC).
    expect(oslo('2026-10-24T20:30:00.000Z')).toBe('2026-10-25T07:00:00.000Z');
  });
});

describe('localDayAt / nextDue', () => {
  it('keeps a daily 09:00 check-in at 09:00 local across both DST changes', async () => {
    const { nextDue } = await import('../../src/domain/schedule.ts');
    let due = new Date('2026-03-27T08:00:00.000Z'); // 09:00 CET
    const spring: string[] = [];
    for (let i = 0; i < 3; i++) {
      due = nextDue(due, 1, '09:00', 'Europe/Oslo');
      spring.push(due.toISOString());
    }
    expect(spring).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    due = new Date('2026-10-23T07:00:00.000Z'); // 09:00 CEST
    const autumn: string[] = [];
    for (let i = 0; i < 3; i++) {
      due = nextDue(due, 1, '09:00', 'Europe/Oslo');
      autumn.push(due.toISOString());
    }
    expect(autumn).toEqual([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('moves a preferred time outside the send window into it', async () => {
    const { localDayAt } = await import('../../src/domain/schedule.ts');
    expect(localDayAt(new Date('2026-11-23T12:00:00Z'), 0, '22:30', 'Europe/Oslo').toISOString()).toBe(
      '2026-11-24T07:00:00.000Z',
    );
  });
});
