import { buildFlow } from '../kit/build.ts';
import { COURSE_REMINDER } from '../kit/course.ts';
import { end, endOfPart, openPart, say } from '../kit/steps.ts';

// Scaffold: replaced by the full six-part course.
export const anxietyCourse = buildFlow({
  id: 'anxiety',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: [
    openPart('p1_open', 1, 'anxiety.p1.open'),
    say('p1_intro', 'anxiety.p1.intro'),
    endOfPart('p1_end', 1, 'anxiety.p1.summary'),
    end('done', 'anxiety.done'),
  ],
});
