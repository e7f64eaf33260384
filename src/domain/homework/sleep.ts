import { z } from 'zod';
import { parseSleepDiaryEntry, sleepMetrics } from '../sleep-diary.ts';
import type { HomeworkType } from './registry.ts';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a clock time HH:MM');
const text = (max: number) => z.string().trim().min(1).max(max);
const percent = z.int().min(0).max(100);

/** Week 1 of the course: how the client sleeps before changing anything (part 1). */
const profile = z.strictObject({
  problem: z.enum(['onset', 'waking', 'early', 'mixed']),
  usualBedTime: clock,
  usualRiseTime: clock,
  badNightsPerWeek: z.int().min(0).max(7),
  daytimeImpact: z.enum(['little', 'some', 'much']),
  goal: text(500),
  /** When the morning diary question is sent. */
  diaryTime: z.enum(['08:00', '09:00', '10:00', '11:00']),
});

/**
 * One morning's sleep diary (CLINICAL.md §4): the client's answers, and TIB, TST and SE% computed by
 * src/domain/sleep-diary.ts. `date` is the evening the night starts on. The answers must form a valid
 * night and the stored metrics must be the ones that night gives.
 */
const diary = z
  .strictObject({
    week: z.int().min(1).max(5),
    night: z.int().min(1).max(7),
    date: z.iso.date(),
    timeZone: z.string().min(1),
    intoBed: clock,
    lightsOut: clock,
    latencyMinutes: z.int().min(0).max(600),
    awakenings: z.int().min(0).max(30),
    minutesAwake: z.int().min(0).max(720),
    finalWake: clock,
    outOfBed: clock,
    quality: z.int().min(1).max(5),
    tibMinutes: z
      .int()
      .min(1)
      .max(24 * 60),
    tstMinutes: z
      .int()
      .min(0)
      .max(24 * 60),
    sePercent: z.number().min(0).max(100),
  })
  .superRefine((entry, ctx) => {
    const { week: _w, night: _n, tibMinutes, tstMinutes, sePercent, ...answers } = entry;
    const parsed = parseSleepDiaryEntry(answers);
    if (!parsed.ok) {
      for (const issue of parsed.error)
        ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
      return;
    }
    const metrics = sleepMetrics(parsed.value);
    if (
      metrics.tibMinutes !== tibMinutes ||
      metrics.tstMinutes !== tstMinutes ||
      metrics.sePercent !== sePercent
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['sePercent'],
        message: `metrics ${tibMinutes}/${tstMinutes}/${sePercent} differ from the night's ${metrics.tibMinutes}/${metrics.tstMinutes}/${metrics.sePercent}`,
      });
    }
  });

/** Part 2: the fixed rise time, the window proposed from week 1 (if the diary had nights), the evening plan. */
const windowPlan = z.strictObject({
  feeling: z.enum(['ok', 'scared', 'unsure']),
  riseTime: clock,
  proposedBedTime: clock.nullable(),
  proposedMinutes: z
    .int()
    .min(5 * 60)
    .max(24 * 60)
    .nullable(),
  eveningPlan: text(500),
  hardest: z.enum(['stay_awake', 'weekends', 'daytime_tired']),
});

/** Part 3: stimulus control — what leaves the bed, where to go when sleep does not come, naps. */
const stimulusPlan = z.strictObject({
  inBed: z.enum(['screens', 'tv', 'work', 'worry', 'none']),
  place: text(200),
  activity: text(200),
  naps: z.enum(['no', 'sometimes', 'often']),
});

/** Part 4: the evening wind-down and the first habit to change. */
const windDown = z.strictObject({
  firstChange: z.enum(['caffeine', 'alcohol', 'screens', 'late_exercise', 'bedroom', 'none']),
  startTime: clock,
  activities: z.array(text(200)).min(1).max(3),
});

/** Part 5: one thought about sleep, looked at from more sides. */
const thoughtRecord = z
  .strictObject({
    thought: z.enum(['eight_hours', 'tomorrow', 'never', 'health', 'own']),
    ownThought: text(300).nullable(),
    beliefBefore: percent,
    evidence: text(1000),
    alternative: text(1000),
    beliefAfter: percent,
  })
  .refine((r) => (r.thought === 'own') === (r.ownThought !== null), {
    path: ['ownThought'],
    message: 'ownThought is given exactly when the thought is the client’s own',
  });

/** Part 6: the plan for when sleep gets worse again. */
const relapsePlan = z.strictObject({
  helpedMost: z.enum(['window', 'rise_time', 'get_up', 'wind_down', 'thoughts', 'unsure']),
  warningSigns: text(1000),
  firstSteps: text(1000),
  support: text(500),
});

/** The homework entries of the sleep course (CBT-I). */
export const sleepHomework: HomeworkType[] = [
  { id: 'sleep.profile', schema: profile },
  { id: 'sleep.diary', schema: diary },
  { id: 'sleep.window_plan', schema: windowPlan },
  { id: 'sleep.stimulus_plan', schema: stimulusPlan },
  { id: 'sleep.wind_down', schema: windDown },
  { id: 'sleep.thought_record', schema: thoughtRecord },
  { id: 'sleep.relapse_plan', schema: relapsePlan },
];
