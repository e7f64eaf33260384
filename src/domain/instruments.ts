import { dailyCheckin } from './instruments/daily-checkin.ts';
import { gad2 } from './instruments/gad2.ts';
import { gad7 } from './instruments/gad7.ts';
import { phq2 } from './instruments/phq2.ts';
import { phq9 } from './instruments/phq9.ts';
import type { AnswerValue, BandId, InstrumentDefinition, InstrumentId } from './instruments/types.ts';
import { err, ok, type Result } from './result.ts';

export {
  type CheckinIssue,
  type DailyCheckinAnswers,
  dailyCheckinAnswersSchema,
  parseDailyCheckin,
} from './instruments/daily-checkin.ts';
export type {
  AnswerOption,
  AnswerValue,
  Band,
  BandId,
  ContentLocale,
  InstrumentDefinition,
  InstrumentId,
  InstrumentItem,
  Threshold,
  TranslationStatus,
  UnscoredItem,
} from './instruments/types.ts';
export { dailyCheckin, gad2, gad7, phq2, phq9 };

export const instruments: Readonly<Record<InstrumentId, InstrumentDefinition>> = { phq9, phq2, gad7, gad2 };

export const INSTRUMENT_IDS: readonly InstrumentId[] = ['phq9', 'phq2', 'gad7', 'gad2'];

export function isInstrumentId(value: string): value is InstrumentId {
  return (INSTRUMENT_IDS as readonly string[]).includes(value);
}

export type ScoreError =
  | {
      readonly code: 'wrong_length';
      readonly instrumentId: InstrumentId;
      /** Accepted lengths: the scored items, and for PHQ-9 also scored items + difficulty item. */
      readonly expected: readonly number[];
      readonly actual: number;
    }
  | {
      readonly code: 'out_of_range';
      readonly instrumentId: InstrumentId;
      readonly index: number;
      readonly value: number;
    };

interface ScoreBase {
  readonly instrumentId: InstrumentId;
  readonly version: string;
  readonly total: number;
  readonly maxTotal: number;
  /** Undefined for PHQ-2 and GAD-2, which have no severity bands. */
  readonly band: BandId | undefined;
  /** The scored answers, in item order (the difficulty answer is not among them). */
  readonly itemAnswers: readonly AnswerValue[];
  /** The PHQ-9 difficulty answer when given; never part of the total. */
  readonly difficulty: AnswerValue | undefined;
  /** True when a risk item (PHQ-9 item 9) was answered above 0: the crisis response must follow. */
  readonly riskItemPositive: boolean;
}

export type InstrumentScore =
  | (ScoreBase & { readonly kind: 'caseness'; readonly caseness: boolean })
  | (ScoreBase & { readonly kind: 'screen'; readonly screenPositive: boolean });

const isAnswerValue = (value: number): value is AnswerValue =>
  Number.isInteger(value) && value >= 0 && value <= 3;

/**
 * Scores one completed questionnaire. `answers` are the item answers in item order; for PHQ-9 the
 * difficulty answer may follow as a 10th value and is validated and returned, never summed.
 * Wrong length or a value outside 0..3 is returned as a ScoreError, not thrown.
 */
export function score(
  instrumentId: InstrumentId,
  answers: readonly number[],
): Result<InstrumentScore, ScoreError> {
  const definition = instruments[instrumentId];
  const scoredCount = definition.items.length;
  const expected = definition.unscoredItem ? [scoredCount, scoredCount + 1] : [scoredCount];
  if (!expected.includes(answers.length)) {
    return err({ code: 'wrong_length', instrumentId, expected, actual: answers.length });
  }
  const values: AnswerValue[] = [];
  for (const [index, value] of answers.entries()) {
    if (!isAnswerValue(value)) return err({ code: 'out_of_range', instrumentId, index, value });
    values.push(value);
  }
  const itemAnswers = values.slice(0, scoredCount);
  const total = itemAnswers.reduce<number>((sum, value) => sum + value, 0);
  const base: ScoreBase = {
    instrumentId,
    version: definition.version,
    total,
    maxTotal: definition.maxTotal,
    band: definition.bands.find((band) => total >= band.min && total <= band.max)?.id,
    itemAnswers,
    difficulty: values[scoredCount],
    riskItemPositive: definition.items.some((item, index) => item.risk && (itemAnswers[index] ?? 0) > 0),
  };
  const { threshold } = definition;
  return ok(
    threshold.kind === 'caseness'
      ? { ...base, kind: 'caseness', caseness: total >= threshold.min }
      : { ...base, kind: 'screen', screenPositive: total >= threshold.min },
  );
}

const PHQ9_ITEM9_INDEX = phq9.items.findIndex((item) => item.risk);

/**
 * PHQ-9 item 9 ("better off dead or hurting yourself") above 0. Works on partial answer lists so the
 * crisis response can start as soon as item 9 is answered, before the questionnaire is complete.
 */
export function item9Positive(answers: readonly number[]): boolean {
  const value = answers[PHQ9_ITEM9_INDEX];
  return typeof value === 'number' && value > 0;
}

/** Every content key an instrument definition refers to; each must exist in every locale file. */
export function instrumentTextKeys(definition: InstrumentDefinition): readonly string[] {
  return [
    definition.titleKey,
    definition.stemKey,
    definition.attributionKey,
    ...definition.items.map((item) => item.textKey),
    ...definition.answers.map((answer) => answer.textKey),
    ...(definition.unscoredItem
      ? [definition.unscoredItem.textKey, ...definition.unscoredItem.answers.map((answer) => answer.textKey)]
      : []),
    ...definition.bands.map((band) => band.labelKey),
  ];
}

/** Every content key the daily check-in refers to. */
export function checkinTextKeys(): readonly string[] {
  return [
    dailyCheckin.titleKey,
    dailyCheckin.introKey,
    dailyCheckin.notValidatedKey,
    ...dailyCheckin.ratings.flatMap((rating) => [rating.textKey, rating.lowKey, rating.highKey]),
    dailyCheckin.freeText.textKey,
  ];
}
