import type { HomeworkType } from './registry.ts';

/** The homework entries of the anxiety course. */
export const anxietyHomework: HomeworkType[] = [];
