import type { HomeworkType } from './registry.ts';

/** The homework entries of the depression course. */
export const depressionHomework: HomeworkType[] = [];
