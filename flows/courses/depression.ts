import { buildFlow } from '../kit/build.ts';
import { COURSE_REMINDER } from '../kit/course.ts';
import { end, endOfPart, openPart, say } from '../kit/steps.ts';

// Scaffold: replaced by the full six-part course.
export const depressionCourse = buildFlow({
  id: 'depression',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: [
    openPart('p1_open', 1, 'depression.p1.open'),
    say('p1_intro', 'depression.p1.intro'),
    endOfPart('p1_end', 1, 'depression.p1.summary'),
    end('done', 'depression.done'),
  ],
});
