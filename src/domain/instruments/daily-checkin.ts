import { z } from 'zod';
import { err, ok, type Result } from '../result.ts';

/**
 * Our own daily check-in: self-monitoring for the client and the therapist, NOT a validated
 * instrument. It has no bands, no threshold and must never be reported as a symptom score.
 */

export type CheckinRatingId = 'mood' | 'sleep' | 'energy';

export interface CheckinRating {
  readonly id: CheckinRatingId;
  readonly min: 0;
  readonly max: 10;
  readonly textKey: string;
  /** Labels of the scale's ends (0 and 10). */
  readonly lowKey: string;
  readonly highKey: string;
}

export interface DailyCheckinDefinition {
  readonly id: 'checkin';
  readonly version: string;
  readonly validated: false;
  readonly purpose: 'self-monitoring';
  readonly titleKey: string;
  readonly introKey: string;
  readonly notValidatedKey: string;
  readonly ratings: readonly CheckinRating[];
  readonly freeText: { readonly id: 'oneThing'; readonly textKey: string; readonly maxLength: number };
}

const rating = (id: CheckinRatingId): CheckinRating => ({
  id,
  min: 0,
  max: 10,
  textKey: `checkin.${id}`,
  lowKey: `checkin.${id}.low`,
  highKey: `checkin.${id}.high`,
});

export const dailyCheckin: DailyCheckinDefinition = {
  id: 'checkin',
  version: '1',
  validated: false,
  purpose: 'self-monitoring',
  titleKey: 'checkin.title',
  introKey: 'checkin.intro',
  notValidatedKey: 'checkin.not_validated',
  ratings: [rating('mood'), rating('sleep'), rating('energy')],
  freeText: { id: 'oneThing', textKey: 'checkin.one_thing', maxLength: 500 },
};

const ratingValue = z.int().min(0).max(10);

export const dailyCheckinAnswersSchema = z.strictObject({
  mood: ratingValue,
  sleep: ratingValue,
  energy: ratingValue,
  /** "One thing I did today"; may be empty — the client is not re-asked for it. */
  oneThing: z.string().trim().max(dailyCheckin.freeText.maxLength),
});

export type DailyCheckinAnswers = z.infer<typeof dailyCheckinAnswersSchema>;

export interface CheckinIssue {
  readonly path: string;
  readonly message: string;
}

export function parseDailyCheckin(input: unknown): Result<DailyCheckinAnswers, readonly CheckinIssue[]> {
  const parsed = dailyCheckinAnswersSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return err(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
}
