import type { HomeworkType } from './registry.ts';

/** The homework entries of the stress course. */
export const stressHomework: HomeworkType[] = [];
