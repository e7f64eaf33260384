import { z } from 'zod';
import type { HomeworkType } from './registry.ts';

/*
 * The choices the anxiety course offers live here, next to the schemas, so that a choice in the flow and
 * the value its entry may hold cannot drift apart.
 */

/** The strongest feeling in a situation (part 1, the cycle of thoughts, feelings and behaviour). */
export const CYCLE_FEELINGS = ['anxious', 'worried', 'tense', 'irritable', 'sad', 'other'] as const;
/** What the body did most. */
export const CYCLE_BODY = ['heart', 'breathing', 'tension', 'stomach', 'restless', 'none'] as const;
/** What the client did in the situation. */
export const CYCLE_ACTIONS = ['avoided', 'reassurance', 'checked', 'distracted', 'faced', 'other'] as const;
/** What most of the week's diary worries were (part 3). */
export const DIARY_MOSTLY = ['hypothetical', 'practical', 'mixed'] as const;
/** Worry time lengths in minutes (part 3). */
export const WORRY_TIME_MINUTES = [15, 20, 30] as const;
/** How the noted worries felt once worry time came (part 4). */
export const WORRY_IMPORTANCE = ['less', 'same', 'more'] as const;
/** When a planned step is taken (parts 4 and 5). */
export const STEP_WHEN = ['today', 'tomorrow', 'this_week'] as const;
/** Kinds of avoidance and safety behaviour (part 5). */
export const SAFETY_BEHAVIOURS = [
  'avoid',
  'reassurance',
  'checking',
  'preparing',
  'distraction',
  'other',
] as const;
/** Whether the behavioural experiment was done, and whether the feared outcome came (part 6). */
export const EXPERIMENT_DONE = ['yes', 'partly', 'no'] as const;
export const FEAR_HAPPENED = ['no', 'partly', 'yes'] as const;
/** The parts of the course a client can name as the most helpful (part 6). */
export const COURSE_TOOLS = [
  'cycle',
  'diary',
  'worry_time',
  'problem_solving',
  'dropping_avoidance',
] as const;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');
const text = (max: number) => z.string().trim().min(1).max(max);
const scale = (max: number) => z.number().int().min(0).max(max);

/** One situation broken into the cycle: what happened, the thought, the feeling, the body, the action. */
export const cycleEntry = z.object({
  situation: text(300),
  thought: text(300),
  feeling: z.enum(CYCLE_FEELINGS),
  /** 0 (not at all) to 10 (the strongest imaginable). */
  intensity: scale(10),
  body: z.enum(CYCLE_BODY),
  action: z.enum(CYCLE_ACTIONS),
});

/**
 * One worry in the worry diary, sorted with two questions: is the problem here now, and can I do
 * something about it? Only a yes to both makes a worry practical.
 */
export const worryDiaryEntry = z
  .object({
    /** About when the worry came, local time. */
    time: clock,
    worry: text(300),
    /** 0 (not uneasy) to 10 (very uneasy). */
    distress: scale(10),
    /** About how long it lasted. */
    minutes: z.number().int().min(1).max(600),
    about_now: z.boolean(),
    /** Only asked when the problem is here now. */
    can_act: z.boolean().nullable(),
    kind: z.enum(['practical', 'hypothetical']),
  })
  .refine((e) => e.about_now || e.can_act === null, {
    message: 'can_act is only asked about a problem that is here now',
    path: ['can_act'],
  })
  .refine((e) => (e.kind === 'practical') === (e.about_now && e.can_act === true), {
    message: 'a worry is practical exactly when it is about now and something can be done',
    path: ['kind'],
  });

/** A look back at a week of worry diary (start of part 3). */
export const diaryReviewEntry = z
  .object({
    entries: z.number().int().min(0).max(200),
    mostly: z.enum(DIARY_MOSTLY).nullable(),
  })
  .refine((e) => (e.entries === 0) === (e.mostly === null), {
    message: 'mostly is given exactly when there were entries',
    path: ['mostly'],
  });

/** The client's daily worry time, and how uncontrollable worry felt before trying it (part 3). */
export const worryTimePlanEntry = z.object({
  time: clock,
  minutes: z.literal([...WORRY_TIME_MINUTES]),
  place: text(200),
  /** 0 (do not believe it at all) to 100 (completely sure) that worry cannot be controlled. */
  belief_uncontrollable: scale(100),
});

/** A week of worry time looked back on (start of part 4). */
export const worryTimeReviewEntry = z
  .object({
    days_used: scale(7),
    importance: z.enum(WORRY_IMPORTANCE).nullable(),
    belief_uncontrollable: scale(100),
  })
  .refine((e) => (e.days_used === 0) === (e.importance === null), {
    message: 'importance is given exactly when worry time was used',
    path: ['importance'],
  });

/** Problem solving for a practical worry: the problem, the options, the choice and the first step. */
export const problemSolvingEntry = z.object({
  problem: text(300),
  options: z.array(text(500)).min(1).max(20),
  chosen: text(300),
  first_step: text(300),
  when: z.enum(STEP_WHEN),
});

/** A planned behavioural experiment: doing a little less of an avoidance or safety behaviour. */
export const behaviourExperimentEntry = z.object({
  kind: z.enum(SAFETY_BEHAVIOURS),
  behaviour: text(300),
  feared_outcome: text(300),
  /** 0 (not sure at all) to 100 (completely sure) that the feared outcome will happen. */
  belief_before: scale(100),
  step: text(300),
  when: z.enum(STEP_WHEN),
});

/** How the experiment went (start of part 6); nothing more is asked when it was not done. */
export const experimentResultEntry = z
  .object({
    done: z.enum(EXPERIMENT_DONE),
    feared_happened: z.enum(FEAR_HAPPENED).nullable(),
    belief_before: scale(100),
    belief_after: scale(100).nullable(),
  })
  .refine(
    (e) =>
      e.done === 'no'
        ? e.feared_happened === null && e.belief_after === null
        : e.feared_happened !== null && e.belief_after !== null,
    {
      message: 'the outcome and the new belief are given exactly when the experiment was done',
      path: ['done'],
    },
  );

/** The relapse (maintenance) plan the client takes away from the course. */
export const relapsePlanEntry = z.object({
  helped_most: z.enum(COURSE_TOOLS),
  warning_signs: text(300),
  risky_situations: text(300),
  actions: text(500),
  keep_doing: text(300),
  support: text(300),
});

/** The homework entries of the anxiety course. */
export const anxietyHomework: HomeworkType[] = [
  { id: 'anxiety.cycle', schema: cycleEntry },
  { id: 'anxiety.worry_diary', schema: worryDiaryEntry },
  { id: 'anxiety.diary_review', schema: diaryReviewEntry },
  { id: 'anxiety.worry_time_plan', schema: worryTimePlanEntry },
  { id: 'anxiety.worry_time_review', schema: worryTimeReviewEntry },
  { id: 'anxiety.problem_solving', schema: problemSolvingEntry },
  { id: 'anxiety.behaviour_experiment', schema: behaviourExperimentEntry },
  { id: 'anxiety.experiment_result', schema: experimentResultEntry },
  { id: 'anxiety.relapse_plan', schema: relapsePlanEntry },
];
