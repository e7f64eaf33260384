import { z } from 'zod';
import type { HomeworkType } from './registry.ts';

/** Longest activity a client can type in the course (flows/courses/depression.ts asks with this limit). */
export const ACTIVITY_MAX = 100;
/** Longest answer to one question of the relapse plan. */
export const PLAN_ANSWER_MAX = 300;

const activity = z.string().trim().min(1).max(ACTIVITY_MAX);
/** Mood as the client rates it: 0 the worst they can imagine, 10 very good. */
const mood = z.number().int().min(0).max(10);
/** The three kinds of activity in behavioural activation. */
const category = z.enum(['routine', 'necessary', 'pleasant']);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local clock time "HH:MM"');

/** One line of the activity diary: what they did in a part of the day, and their mood then. */
const activityDiary = z.object({
  period: z.enum(['morning', 'afternoon', 'evening']),
  activity,
  mood,
  company: z.enum(['alone', 'with_others']),
});

/** An activity on the client's list, sorted into one of the three kinds. */
const activityList = z.object({ category, activity });

/**
 * How hard an activity feels now. Activities from the list carry their kind; a first small step the
 * client broke off a hard activity has none and is easy by design.
 */
const activityRanking = z.object({
  activity,
  category: category.optional(),
  difficulty: z.enum(['easy', 'medium', 'hard']),
});

/** An activity put in the week's plan: what, which weekday, at what local time. */
const activityPlan = z.object({
  activity,
  category,
  day: z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  time: clockTime,
});

/**
 * How a planned activity went. Done (or partly): mood just before and just after. Not done: what got in
 * the way.
 */
const activityReview = z
  .object({
    activity,
    done: z.enum(['yes', 'partly', 'no']),
    moodBefore: mood.optional(),
    moodAfter: mood.optional(),
    obstacle: z.enum(['energy', 'forgot', 'time', 'too_big', 'other']).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.done === 'no') {
      if (entry.obstacle === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['obstacle'],
          message: 'an activity not done needs an obstacle',
        });
      if (entry.moodBefore !== undefined || entry.moodAfter !== undefined)
        ctx.addIssue({ code: 'custom', path: ['moodBefore'], message: 'an activity not done has no mood' });
    } else {
      if (entry.moodBefore === undefined || entry.moodAfter === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['moodAfter'],
          message: 'a done activity needs mood before and after',
        });
      if (entry.obstacle !== undefined)
        ctx.addIssue({ code: 'custom', path: ['obstacle'], message: 'a done activity has no obstacle' });
    }
  });

const planAnswer = z.string().trim().min(1).max(PLAN_ANSWER_MAX);

/** The relapse (maintenance) plan written in the last part. */
const relapsePlan = z.object({
  helped: planAnswer,
  warningSigns: planAnswer,
  actions: planAnswer,
  support: planAnswer,
});

/** The homework entries of the depression course (behavioural activation). */
export const depressionHomework: HomeworkType[] = [
  { id: 'depression.activity_diary', schema: activityDiary },
  { id: 'depression.activity_list', schema: activityList },
  { id: 'depression.activity_ranking', schema: activityRanking },
  { id: 'depression.activity_plan', schema: activityPlan },
  { id: 'depression.activity_review', schema: activityReview },
  { id: 'depression.relapse_plan', schema: relapsePlan },
];
