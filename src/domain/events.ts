import { z } from 'zod';
import { err, ok, type Result } from './result.ts';

/**
 * The domain events a flow may emit, each with its data's shape. They are checked where they leave a
 * flow (the engine's turn), so a flow that emits a malformed event fails as a bug there — and is handled
 * as one — instead of writing something the therapist's views and the projections cannot read.
 * Events not listed here are the answers a flow records with `record:` (`intro.goal_set`,
 * `anxiety.week_rated`, …): `<flow>.<what>` with the step and the value.
 */

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const iso = z.string().min(1);

export const EVENT_SCHEMAS = {
  'questionnaire.completed': z.object({
    step: z.string(),
    instrument: z.string(),
    version: z.string(),
    items: z.array(z.number().int().min(0).max(3)),
    difficulty: z.number().int().min(0).max(3).nullable(),
    total: z.number().int().min(0),
    band: z.string().nullable(),
    caseness: z.boolean().nullable(),
    screenPositive: z.boolean().nullable(),
    startedAt: iso,
    completedAt: iso.optional(),
  }),
  'questionnaire.expired': z.object({ step: z.string(), instrument: z.string(), answered: z.number().int() }),
  'homework.recorded': z.object({
    type: z.string(),
    step: z.string(),
    entry: z.record(z.string(), z.unknown()),
  }),
  'sleep.window_proposed': z.looseObject({
    window: z.object({ bedTime: clock, riseTime: clock, minutes: z.number().int().positive() }),
  }),
  'safety.item9_positive': z.object({ step: z.string(), instrument: z.string(), answer: z.number().int() }),
  'safety.item9_negative': z.object({ step: z.string(), instrument: z.string(), answer: z.number().int() }),
  'part.started': z.object({ part: z.number().int().positive() }),
  'part.completed': z.object({ part: z.number().int().positive() }),
  'intro.reminder_time_chosen': z.object({ step: z.string(), value: clock }),
  'intro.suitability_assessed': z.object({
    area: z.string().nullable(),
    suitable: z.boolean(),
    reasons: z.array(z.string()),
  }),
  'sleep.diary_skipped': z.object({ week: z.number().int(), night: z.number().int(), date: z.unknown() }),
  'checkin.daily_recorded': z.record(z.string(), z.unknown()),
} as const;

export type KnownEventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends KnownEventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/** A recorded answer: `<flow>.<what>`, lower case. */
const answerSchema = z.object({ step: z.string(), value: z.unknown() });
const ANSWER_TYPE = /^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/;

export const isKnownEventType = (type: string): type is KnownEventType => Object.hasOwn(EVENT_SCHEMAS, type);

/** Checks a flow's domain event against its schema; the reason names the event and the field. */
export function checkFlowEvent(event: { type: string; data: unknown }): Result<true, string> {
  const schema = isKnownEventType(event.type)
    ? EVENT_SCHEMAS[event.type]
    : ANSWER_TYPE.test(event.type)
      ? answerSchema
      : undefined;
  if (!schema) return err(`unknown domain event type "${event.type}"`);
  const parsed = schema.safeParse(event.data);
  if (parsed.success) return ok(true);
  const issue = parsed.error.issues[0]!;
  return err(`domain event ${event.type}: ${issue.path.join('.') || 'data'} ${issue.message}`);
}

/** The typed data of a known event, for its projection; undefined when it does not match. */
export function eventData<T extends KnownEventType>(type: T, data: unknown): EventData<T> | undefined {
  const parsed = EVENT_SCHEMAS[type].safeParse(data);
  return parsed.success ? (parsed.data as EventData<T>) : undefined;
}
