import { z } from 'zod';
import type { HomeworkType } from './registry.ts';

/**
 * Longest answers the stress course accepts, by kind of answer. The course asks with these limits and the
 * schemas below hold entries to them, so an entry that fits one fits the other; the course texts that
 * quote an answer back are tested with answers this long.
 */
export const STRESS_TEXT_LIMITS = {
  /** A situation, a thought, a step: one sentence. */
  sentence: 200,
  /** One idea in a list of three, quoted back together in one message. */
  idea: 80,
  /** A name of an activity, quoted back in a later part. */
  activity: 120,
  /** A warning sign, quoted back in the last part. */
  sign: 150,
  /** A line of the maintenance plan. */
  plan: 300,
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const scale0to10 = z.number().int().min(0).max(10);
/** A local wall-clock time as the kit stores it, "HH:MM". */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');

/** Where a stressor comes from (the log's "area" question and the main stressor of part 2). */
export const STRESS_AREAS = ['work', 'study', 'home', 'money', 'health', 'relationships', 'other'] as const;

/** One stressful situation and the reactions to it: part 1 (one example) and part 2 (the week's log). */
export const stressLogSchema = z.strictObject({
  situation: text(STRESS_TEXT_LIMITS.sentence),
  area: z.enum(STRESS_AREAS),
  /** How strong the stress was, 0 none to 10 the strongest ever felt. */
  intensity: scale0to10,
  body: text(STRESS_TEXT_LIMITS.sentence),
  thought: text(STRESS_TEXT_LIMITS.sentence),
  action: text(STRESS_TEXT_LIMITS.sentence),
});

/** Part 3: a problem worked through to a first step with a time. */
export const problemSolvingSchema = z.strictObject({
  problem: text(STRESS_TEXT_LIMITS.sentence),
  ideas: z.array(text(STRESS_TEXT_LIMITS.idea)).length(3),
  /** Which idea (1-3) the client chose to try. */
  chosen: z.number().int().min(1).max(3),
  first_step: text(STRESS_TEXT_LIMITS.sentence),
  when: z.enum(['today', 'tomorrow', 'this_week']),
  time: clockTime,
});

/** Part 4: whether the first step of part 3 was done, and how stressful the problem is now. */
export const problemReviewSchema = z.strictObject({
  first_step: text(STRESS_TEXT_LIMITS.sentence),
  done: z.enum(['yes', 'partly', 'no']),
  /** How much the problem stresses the client now, 0-10. */
  stress_now: scale0to10,
});

/** Part 4: what drains and what fills, and one planned recovery activity. */
export const recoveryPlanSchema = z.strictObject({
  drains: text(STRESS_TEXT_LIMITS.sentence),
  fillers: text(STRESS_TEXT_LIMITS.sentence),
  /** Balance between draining and filling, 0 only draining to 10 well balanced. */
  balance: scale0to10,
  activity: text(STRESS_TEXT_LIMITS.activity),
  minutes: z.number().int().min(5).max(240),
  times_per_week: z.number().int().min(1).max(7),
  time: clockTime,
});

/** Part 5: one situation to set a boundary in, the sentence to say, and one demand lowered to "good enough". */
export const boundaryPlanSchema = z.strictObject({
  situation: text(STRESS_TEXT_LIMITS.sentence),
  usual: z.enum(['say_yes', 'do_all', 'avoid', 'other']),
  script: text(STRESS_TEXT_LIMITS.sentence),
  /** How hard saying it feels beforehand, 0 easy to 10 very hard. */
  difficulty: scale0to10,
  good_enough: text(STRESS_TEXT_LIMITS.sentence),
});

/** Part 6: the maintenance (relapse) plan, with the stress level of part 1 and of part 6. */
export const maintenancePlanSchema = z.strictObject({
  warning_signs: text(STRESS_TEXT_LIMITS.plan),
  actions: text(STRESS_TEXT_LIMITS.plan),
  keep_doing: text(STRESS_TEXT_LIMITS.plan),
  support: text(STRESS_TEXT_LIMITS.plan),
  most_helpful: z.enum(['log', 'problem_solving', 'recovery', 'boundaries', 'unsure']),
  stress_level_part1: scale0to10,
  stress_level_part6: scale0to10,
});

/** The homework entries of the stress course. */
export const stressHomework: HomeworkType[] = [
  { id: 'stress.stress_log', schema: stressLogSchema },
  { id: 'stress.problem_solving', schema: problemSolvingSchema },
  { id: 'stress.problem_review', schema: problemReviewSchema },
  { id: 'stress.recovery_plan', schema: recoveryPlanSchema },
  { id: 'stress.boundary_plan', schema: boundaryPlanSchema },
  { id: 'stress.maintenance_plan', schema: maintenancePlanSchema },
];
