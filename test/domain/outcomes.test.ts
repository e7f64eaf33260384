import { describe, expect, it } from 'vitest';
import {
  aggregateOutcomes,
  type CourseOutcome,
  courseOutcome,
  isCaseness,
  type MeasurementPoint,
} from '../../src/domain/outcomes.ts';

const lenient = { reliableImprovementRequiresNoReliableDeterioration: false };

function outcome(
  points: readonly MeasurementPoint[],
  rules = { reliableImprovementRequiresNoReliableDeterioration: true },
) {
  const result = courseOutcome(points, rules);
  if (!result.ok) throw new Error(`unexpected error ${JSON.stringify(result.error)}`);
  return result.value;
}

const flags = (value: CourseOutcome) =>
  value.finished
    ? {
        eligibleForRecovery: value.eligibleForRecovery,
        recovered: value.recovered,
        reliableImprovement: value.reliableImprovement,
        reliableRecovery: value.reliableRecovery,
        reliableDeterioration: value.reliableDeterioration,
      }
    : 'not finished';

describe('isCaseness', () => {
  it('is PHQ-9 >= 10 or GAD-7 >= 8', () => {
    expect(isCaseness({ phq9: 9, gad7: 7 })).toBe(false);
    expect(isCaseness({ phq9: 10, gad7: 0 })).toBe(true);
    expect(isCaseness({ phq9: 0, gad7: 8 })).toBe(true);
  });
});

describe('courseOutcome', () => {
  it('1: dropout after the baseline is not finished and has no outcome', () => {
    expect(outcome([{ phq9: 15, gad7: 12 }])).toEqual({
      finished: false,
      scoredPoints: 1,
      ignoredPoints: 0,
      casenessAtFirst: true,
    });
  });

  it('2: no measurement at all', () => {
    expect(outcome([])).toEqual({
      finished: false,
      scoredPoints: 0,
      ignoredPoints: 0,
      casenessAtFirst: undefined,
    });
  });

  it('3: 16/12 → 6/5 recovers reliably', () => {
    const value = outcome([
      { phq9: 16, gad7: 12 },
      { phq9: 11, gad7: 9 },
      { phq9: 6, gad7: 5 },
    ]);
    expect(value).toMatchObject({
      finished: true,
      scoredPoints: 3,
      first: { phq9: 16, gad7: 12 },
      last: { phq9: 6, gad7: 5 },
      change: { phq9: -10, gad7: -7 },
      casenessAtFirst: true,
      casenessAtLast: false,
    });
    expect(flags(value)).toEqual({
      eligibleForRecovery: true,
      recovered: true,
      reliableImprovement: true,
      reliableRecovery: true,
      reliableDeterioration: false,
    });
  });

  it('4: 10/8 → 9/7 recovers, but not reliably (change 1/1)', () => {
    expect(
      flags(
        outcome([
          { phq9: 10, gad7: 8 },
          { phq9: 9, gad7: 7 },
        ]),
      ),
    ).toEqual({
      eligibleForRecovery: true,
      recovered: true,
      reliableImprovement: false,
      reliableRecovery: false,
      reliableDeterioration: false,
    });
  });

  it('5: boundary — PHQ-9 down exactly 6 and GAD-7 down exactly 4 is reliable improvement', () => {
    const value = outcome([
      { phq9: 20, gad7: 15 },
      { phq9: 14, gad7: 11 },
    ]);
    expect(value).toMatchObject({ change: { phq9: -6, gad7: -4 }, casenessAtLast: true });
    expect(flags(value)).toEqual({
      eligibleForRecovery: true,
      recovered: false,
      reliableImprovement: true,
      reliableRecovery: false,
      reliableDeterioration: false,
    });
  });

  it('6: boundary — down 5 and 3 is not reliable improvement', () => {
    const value = outcome([
      { phq9: 20, gad7: 15 },
      { phq9: 15, gad7: 12 },
    ]);
    expect(value).toMatchObject({ change: { phq9: -5, gad7: -3 } });
    expect(flags(value)).toMatchObject({ reliableImprovement: false, recovered: false });
  });

  it('7: boundary — up exactly 6 / 4 is reliable deterioration; not at caseness at start', () => {
    const value = outcome([
      { phq9: 8, gad7: 6 },
      { phq9: 14, gad7: 10 },
    ]);
    expect(value).toMatchObject({
      change: { phq9: 6, gad7: 4 },
      casenessAtFirst: false,
      casenessAtLast: true,
    });
    expect(flags(value)).toEqual({
      eligibleForRecovery: false,
      recovered: false,
      reliableImprovement: false,
      reliableRecovery: false,
      reliableDeterioration: true,
    });
  });

  it('8: boundary — up 5 / 3 is not reliable deterioration', () => {
    expect(
      flags(
        outcome([
          { phq9: 8, gad7: 6 },
          { phq9: 13, gad7: 9 },
        ]),
      ),
    ).toMatchObject({
      reliableDeterioration: false,
    });
  });

  it('8b: GAD-7 alone up 4 is reliable deterioration', () => {
    expect(
      flags(
        outcome([
          { phq9: 5, gad7: 3 },
          { phq9: 5, gad7: 7 },
        ]),
      ),
    ).toMatchObject({
      reliableDeterioration: true,
      reliableImprovement: false,
    });
  });

  it('9: mixed — PHQ-9 down 6, GAD-7 up 4 — follows the named rule', () => {
    const points = [
      { phq9: 16, gad7: 5 },
      { phq9: 10, gad7: 9 },
    ];
    expect(outcome(points)).toMatchObject({ change: { phq9: -6, gad7: 4 }, casenessAtLast: true });
    expect(flags(outcome(points))).toEqual({
      eligibleForRecovery: true,
      recovered: false,
      reliableImprovement: false,
      reliableRecovery: false,
      reliableDeterioration: true,
    });
    expect(flags(outcome(points, lenient))).toMatchObject({
      reliableImprovement: true,
      reliableDeterioration: true,
    });
  });

  it('9b: mixed with recovery — 12/3 → 6/7 recovers; reliable recovery only without the rule', () => {
    const points = [
      { phq9: 12, gad7: 3 },
      { phq9: 6, gad7: 7 },
    ];
    expect(flags(outcome(points))).toEqual({
      eligibleForRecovery: true,
      recovered: true,
      reliableImprovement: false,
      reliableRecovery: false,
      reliableDeterioration: true,
    });
    expect(flags(outcome(points, lenient))).toMatchObject({
      reliableImprovement: true,
      reliableRecovery: true,
    });
  });

  it('10: not at caseness at start — reliable improvement but not eligible for recovery', () => {
    expect(
      flags(
        outcome([
          { phq9: 9, gad7: 7 },
          { phq9: 3, gad7: 2 },
        ]),
      ),
    ).toEqual({
      eligibleForRecovery: false,
      recovered: false,
      reliableImprovement: true,
      reliableRecovery: false,
      reliableDeterioration: false,
    });
  });

  it('11: caseness on GAD-7 alone at start, recovered when GAD-7 drops to 7', () => {
    expect(
      flags(
        outcome([
          { phq9: 5, gad7: 8 },
          { phq9: 5, gad7: 7 },
        ]),
      ),
    ).toMatchObject({
      eligibleForRecovery: true,
      recovered: true,
      reliableImprovement: false,
    });
  });

  it('12: still at caseness on one measure at the end is not recovered', () => {
    expect(
      flags(
        outcome([
          { phq9: 18, gad7: 14 },
          { phq9: 4, gad7: 8 },
        ]),
      ),
    ).toMatchObject({
      recovered: false,
      reliableImprovement: true,
    });
  });

  it('13: points with only one measure are ignored; pairs are the first and last complete points', () => {
    const value = outcome([
      { phq9: 15, gad7: null },
      { phq9: 15, gad7: 10 },
      { gad7: 3 },
      { phq9: 4, gad7: 3 },
    ]);
    expect(value).toMatchObject({
      finished: true,
      scoredPoints: 2,
      ignoredPoints: 2,
      first: { phq9: 15, gad7: 10 },
      last: { phq9: 4, gad7: 3 },
    });
    expect(flags(value)).toMatchObject({ recovered: true, reliableRecovery: true });
  });

  it('14: one complete point and partial ones is not finished', () => {
    expect(outcome([{ phq9: 12, gad7: 9 }, { phq9: 5 }])).toEqual({
      finished: false,
      scoredPoints: 1,
      ignoredPoints: 1,
      casenessAtFirst: true,
    });
  });

  it('15: points in between do not count, only first and last', () => {
    const value = outcome([
      { phq9: 15, gad7: 10 },
      { phq9: 25, gad7: 20 },
      { phq9: 15, gad7: 10 },
    ]);
    expect(value).toMatchObject({ change: { phq9: 0, gad7: 0 } });
    expect(flags(value)).toMatchObject({
      reliableDeterioration: false,
      reliableImprovement: false,
      recovered: false,
    });
  });

  it.each([
    [{ phq9: 28, gad7: 0 }, 'phq9', 28],
    [{ phq9: 0, gad7: 22 }, 'gad7', 22],
    [{ phq9: -1, gad7: 0 }, 'phq9', -1],
    [{ phq9: 1.5, gad7: 0 }, 'phq9', 1.5],
  ] as const)('rejects the impossible total in %j', (point, measure, value) => {
    expect(courseOutcome([{ phq9: 10, gad7: 10 }, point])).toEqual({
      ok: false,
      error: { code: 'invalid_total', index: 1, measure, value },
    });
  });
});

describe('aggregateOutcomes', () => {
  it('counts outcomes; recovery rates are over finished courses that started at caseness', () => {
    const outcomes = [
      outcome([
        { phq9: 16, gad7: 12 },
        { phq9: 6, gad7: 5 },
      ]), // recovered reliably
      outcome([
        { phq9: 10, gad7: 8 },
        { phq9: 9, gad7: 7 },
      ]), // recovered
      outcome([
        { phq9: 20, gad7: 15 },
        { phq9: 14, gad7: 11 },
      ]), // reliable improvement, still at caseness
      outcome([
        { phq9: 8, gad7: 6 },
        { phq9: 14, gad7: 10 },
      ]), // deteriorated, not eligible
      outcome([
        { phq9: 16, gad7: 5 },
        { phq9: 10, gad7: 9 },
      ]), // mixed: deteriorated
      outcome([
        { phq9: 9, gad7: 7 },
        { phq9: 3, gad7: 2 },
      ]), // reliable improvement, not eligible
      outcome([{ phq9: 15, gad7: 12 }]), // dropout
      outcome([]), // never measured
    ];
    expect(aggregateOutcomes(outcomes)).toEqual({
      enrollments: 8,
      finished: 6,
      notFinished: 2,
      finishedAtCaseness: 4,
      recovered: 2,
      reliableRecovery: 1,
      reliableImprovement: 3,
      reliableDeterioration: 2,
      rates: {
        recovery: 2 / 4,
        reliableRecovery: 1 / 4,
        reliableImprovement: 3 / 6,
        reliableDeterioration: 2 / 6,
      },
    });
  });

  it('leaves rates undefined when nobody finished', () => {
    expect(aggregateOutcomes([outcome([{ phq9: 15, gad7: 12 }])]).rates).toEqual({
      recovery: undefined,
      reliableRecovery: undefined,
      reliableImprovement: undefined,
      reliableDeterioration: undefined,
    });
  });
});
