import { anxietyHomework } from '../../src/domain/homework/anxiety.ts';
import { depressionHomework } from '../../src/domain/homework/depression.ts';
import type { HomeworkType } from '../../src/domain/homework/registry.ts';
import { sleepHomework } from '../../src/domain/homework/sleep.ts';
import { stressHomework } from '../../src/domain/homework/stress.ts';
import type { FlowVersion } from '../../src/engine/types.ts';
import { anxietyCourse } from './anxiety.ts';
import { depressionCourse } from './depression.ts';
import { sleepCourse } from './sleep.ts';
import { stressCourse } from './stress.ts';

/**
 * Everything a course is made of, found from here: its machine (this folder), the homework its entries
 * must fit (src/domain/homework/<id>.ts), its texts (content/<locale>/course-<id>.json, with the shared
 * content/<locale>/course.json) and its illustrations (content/illustrations/<id>/). A test checks that
 * each course's text keys live in its own content file or a shared one, and that its illustrations and
 * homework types exist. docs/architecture.md says how to add a course.
 */
export interface CourseEntry {
  readonly id: string;
  readonly flow: FlowVersion;
  readonly homework: readonly HomeworkType[];
  /** The course's own text file, per locale: `content/<locale>/<contentFile>`. */
  readonly contentFile: string;
  /** The folder of its illustrations: `content/illustrations/<illustrations>/`. */
  readonly illustrations: string;
}

const entry = (flow: FlowVersion, homework: readonly HomeworkType[]): CourseEntry => ({
  id: flow.id,
  flow,
  homework,
  contentFile: `course-${flow.id}.json`,
  illustrations: flow.id,
});

/** The four six-part courses (CLINICAL.md §5). */
export const courseCatalog: readonly CourseEntry[] = [
  entry(depressionCourse, depressionHomework),
  entry(anxietyCourse, anxietyHomework),
  entry(sleepCourse, sleepHomework),
  entry(stressCourse, stressHomework),
];

export const courses: FlowVersion[] = courseCatalog.map((course) => course.flow);
