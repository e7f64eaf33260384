import { anxietyCourse } from './anxiety.ts';
import { depressionCourse } from './depression.ts';
import { sleepCourse } from './sleep.ts';
import { stressCourse } from './stress.ts';

/** The four six-part courses (CLINICAL.md §5). */
export const courses = [depressionCourse, anxietyCourse, sleepCourse, stressCourse];
