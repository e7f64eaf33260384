import { homeworkRegistry } from './registry.ts';

/** Every homework type the courses can record, by id. */
export const homeworkTypes = homeworkRegistry([]);
