import { gad7, phq9 } from './instruments.ts';
import { err, ok, type Result } from './result.ts';

/**
 * Course outcomes after NHS Talking Therapies (CLINICAL.md §2), for one enrollment and for a set.
 *
 * Interpretation used here:
 * - A *scored point* is a measurement point with BOTH a PHQ-9 and a GAD-7 total: caseness and every
 *   outcome below need both measures. Points with only one of them are counted in `ignoredPoints`
 *   and take no part in the outcome.
 * - *Finished* means at least 2 scored points in total (the first one is the baseline). Measurement
 *   happens before every guidance contact, so someone who drops out after two contacts is finished
 *   and has a last score; someone with only a baseline is not finished and gets no outcome.
 * - The pair is the first and the last scored point.
 */

/** One measurement occasion; a missing measure may be undefined or null (as read from storage). */
export interface MeasurementPoint {
  readonly phq9?: number | null | undefined;
  readonly gad7?: number | null | undefined;
}

export interface ScorePair {
  readonly phq9: number;
  readonly gad7: number;
}

export interface OutcomeRules {
  /**
   * UNVERIFIED second clause of reliable improvement (CLINICAL.md §2): when true, a course where one
   * measure improved reliably but the other deteriorated reliably is NOT a reliable improvement.
   */
  readonly reliableImprovementRequiresNoReliableDeterioration: boolean;
}

export const DEFAULT_OUTCOME_RULES: OutcomeRules = {
  reliableImprovementRequiresNoReliableDeterioration: true,
};

// Thresholds come from the instrument definitions so that there is one place to change them.
const CASENESS = { phq9: phq9.threshold.min, gad7: gad7.threshold.min } as const;
const RELIABLE_CHANGE = {
  phq9: defined(phq9.reliableChange, 'PHQ-9 reliable change'),
  gad7: defined(gad7.reliableChange, 'GAD-7 reliable change'),
} as const;
const MAX_TOTAL = { phq9: phq9.maxTotal, gad7: gad7.maxTotal } as const;

function defined(value: number | undefined, what: string): number {
  if (value === undefined) throw new Error(`${what} is missing from the instrument definition`);
  return value;
}

/** At caseness: PHQ-9 >= 10 or GAD-7 >= 8. */
export function isCaseness(pair: ScorePair): boolean {
  return pair.phq9 >= CASENESS.phq9 || pair.gad7 >= CASENESS.gad7;
}

export type CourseOutcome =
  | {
      readonly finished: false;
      readonly scoredPoints: number;
      readonly ignoredPoints: number;
      /** Known when there is a baseline; undefined with no scored point at all. */
      readonly casenessAtFirst: boolean | undefined;
    }
  | {
      readonly finished: true;
      readonly scoredPoints: number;
      readonly ignoredPoints: number;
      readonly first: ScorePair;
      readonly last: ScorePair;
      /** last − first per measure: negative is improvement. */
      readonly change: ScorePair;
      readonly casenessAtFirst: boolean;
      readonly casenessAtLast: boolean;
      /** Only courses starting at caseness can recover; the others are not counted for recovery. */
      readonly eligibleForRecovery: boolean;
      readonly recovered: boolean;
      readonly reliableImprovement: boolean;
      readonly reliableRecovery: boolean;
      readonly reliableDeterioration: boolean;
    };

export interface OutcomeInputError {
  readonly code: 'invalid_total';
  readonly index: number;
  readonly measure: 'phq9' | 'gad7';
  readonly value: number;
}

/** Outcome of one enrollment from its time-ordered measurement points. */
export function courseOutcome(
  points: readonly MeasurementPoint[],
  rules: OutcomeRules = DEFAULT_OUTCOME_RULES,
): Result<CourseOutcome, OutcomeInputError> {
  const scored: ScorePair[] = [];
  for (const [index, point] of points.entries()) {
    for (const measure of ['phq9', 'gad7'] as const) {
      const value = point[measure];
      if (value != null && !(Number.isInteger(value) && value >= 0 && value <= MAX_TOTAL[measure])) {
        return err({ code: 'invalid_total', index, measure, value });
      }
    }
    const { phq9: phq9Total, gad7: gad7Total } = point;
    if (phq9Total != null && gad7Total != null) scored.push({ phq9: phq9Total, gad7: gad7Total });
  }
  const ignoredPoints = points.length - scored.length;
  const first = scored[0];
  const last = scored.at(-1);
  if (scored.length < 2 || first === undefined || last === undefined) {
    return ok({
      finished: false,
      scoredPoints: scored.length,
      ignoredPoints,
      casenessAtFirst: first && isCaseness(first),
    });
  }
  const change = { phq9: last.phq9 - first.phq9, gad7: last.gad7 - first.gad7 };
  const reliablyBetter = -change.phq9 >= RELIABLE_CHANGE.phq9 || -change.gad7 >= RELIABLE_CHANGE.gad7;
  const reliableDeterioration = change.phq9 >= RELIABLE_CHANGE.phq9 || change.gad7 >= RELIABLE_CHANGE.gad7;
  const reliableImprovement =
    reliablyBetter && !(rules.reliableImprovementRequiresNoReliableDeterioration && reliableDeterioration);
  const casenessAtFirst = isCaseness(first);
  const casenessAtLast = isCaseness(last);
  const recovered = casenessAtFirst && !casenessAtLast;
  return ok({
    finished: true,
    scoredPoints: scored.length,
    ignoredPoints,
    first,
    last,
    change,
    casenessAtFirst,
    casenessAtLast,
    eligibleForRecovery: casenessAtFirst,
    recovered,
    reliableImprovement,
    reliableRecovery: recovered && reliableImprovement,
    reliableDeterioration,
  });
}

export interface OutcomeSummary {
  readonly enrollments: number;
  readonly finished: number;
  readonly notFinished: number;
  /** Finished courses that started at caseness: the denominator of the recovery rates. */
  readonly finishedAtCaseness: number;
  readonly recovered: number;
  readonly reliableRecovery: number;
  readonly reliableImprovement: number;
  readonly reliableDeterioration: number;
  /** Fractions 0..1; undefined when the denominator is 0. */
  readonly rates: {
    /** recovered / finishedAtCaseness */
    readonly recovery: number | undefined;
    /** reliableRecovery / finishedAtCaseness */
    readonly reliableRecovery: number | undefined;
    /** reliableImprovement / finished */
    readonly reliableImprovement: number | undefined;
    /** reliableDeterioration / finished */
    readonly reliableDeterioration: number | undefined;
  };
}

/** Counts and rates over a set of enrollments' outcomes. */
export function aggregateOutcomes(outcomes: readonly CourseOutcome[]): OutcomeSummary {
  const finished = outcomes.flatMap((outcome) => (outcome.finished ? [outcome] : []));
  const count = (predicate: (outcome: (typeof finished)[number]) => boolean) =>
    finished.filter(predicate).length;
  const finishedAtCaseness = count((outcome) => outcome.eligibleForRecovery);
  const recovered = count((outcome) => outcome.recovered);
  const reliableRecovery = count((outcome) => outcome.reliableRecovery);
  const reliableImprovement = count((outcome) => outcome.reliableImprovement);
  const reliableDeterioration = count((outcome) => outcome.reliableDeterioration);
  return {
    enrollments: outcomes.length,
    finished: finished.length,
    notFinished: outcomes.length - finished.length,
    finishedAtCaseness,
    recovered,
    reliableRecovery,
    reliableImprovement,
    reliableDeterioration,
    rates: {
      recovery: rate(recovered, finishedAtCaseness),
      reliableRecovery: rate(reliableRecovery, finishedAtCaseness),
      reliableImprovement: rate(reliableImprovement, finished.length),
      reliableDeterioration: rate(reliableDeterioration, finished.length),
    },
  };
}

function rate(numerator: number, denominator: number): number | undefined {
  return denominator === 0 ? undefined : numerator / denominator;
}
