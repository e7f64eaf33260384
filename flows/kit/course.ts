import type { Reminder } from './steps.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Courses remind a client who left a part unfinished after 3 days, at most twice, 08:00-21:00 local. */
export const COURSE_REMINDER: Reminder = {
  afterMs: 3 * DAY_MS,
  key: 'course.reminder',
  times: 2,
  window: { from: '08:00', to: '21:00' },
};

/** The six parts of every course (CLINICAL.md §5), and the measurement points around them. */
export const COURSE_PARTS = 6;
/** PHQ-9 and GAD-7 before these parts, and after the last one. */
export const MEASURE_BEFORE_PARTS = [1, 3, 5] as const;
