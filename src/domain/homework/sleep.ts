import type { HomeworkType } from './registry.ts';

/** The homework entries of the sleep course. */
export const sleepHomework: HomeworkType[] = [];
