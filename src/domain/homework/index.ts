import { anxietyHomework } from './anxiety.ts';
import { depressionHomework } from './depression.ts';
import { homeworkRegistry } from './registry.ts';
import { sleepHomework } from './sleep.ts';
import { stressHomework } from './stress.ts';

/** Every homework type the courses can record, by id. */
export const homeworkTypes = homeworkRegistry([
  ...depressionHomework,
  ...anxietyHomework,
  ...sleepHomework,
  ...stressHomework,
]);
