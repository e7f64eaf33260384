import { askQuestionnaire, branch, type Reminder, type Step, say } from './steps.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Courses remind a client who left a part unfinished after 3 days, at most twice, 08:00-21:00 local. */
export const COURSE_REMINDER: Reminder = {
  afterMs: 3 * DAY_MS,
  key: 'course.reminder',
  times: 2,
  window: { from: '08:00', to: '21:00' },
};

/**
 * A measurement point: lead-in texts, PHQ-9, then GAD-7, then an optional thanks. A form left
 * unfinished past its expiry lapses the whole point: the course goes on without the other form and
 * without thanking for answers that never came.
 */
export function measurePoint(prefix: string, options: { lead?: string[]; thanks?: string } = {}): Step[] {
  const lapsed = `${prefix}_lapsed`;
  return [
    ...(options.lead ?? []).map((key, i) => say(`${prefix}_lead${i === 0 ? '' : `_${i + 1}`}`, key)),
    askQuestionnaire(`${prefix}_phq9`, 'phq9', { expireTo: lapsed }),
    askQuestionnaire(`${prefix}_gad7`, 'gad7', { expireTo: lapsed }),
    ...(options.thanks ? [say(`${prefix}_thanks`, options.thanks)] : []),
    // Where a finished or a lapsed point goes on: straight to the step after it.
    branch(lapsed, []),
  ];
}
