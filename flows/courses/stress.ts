import { buildFlow } from '../kit/build.ts';
import { COURSE_REMINDER } from '../kit/course.ts';
import { end, endOfPart, openPart, say } from '../kit/steps.ts';

// Scaffold: replaced by the full six-part course.
export const stressCourse = buildFlow({
  id: 'stress',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: [
    openPart('p1_open', 1, 'stress.p1.open'),
    say('p1_intro', 'stress.p1.intro'),
    endOfPart('p1_end', 1, 'stress.p1.summary'),
    end('done', 'stress.done'),
  ],
});
