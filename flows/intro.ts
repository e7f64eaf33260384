import { buildFlow } from './kit/build.ts';
import { askChoice, askText, askTime, branch, choicesOf, end, recordEvent, say } from './kit/steps.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Suitability for guided self-help (CLINICAL.md §5): mild to moderate, in work or study, motivated. */
export function suitability(answers: Record<string, unknown>): { suitable: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (answers.impact === 'severe') reasons.push('severe_impact');
  if (answers.acute === 'yes') reasons.push('acute');
  if (answers.motivation === 'no') reasons.push('not_motivated');
  return { suitable: reasons.length === 0, reasons };
}

/** The first conversation: what guided self-help is and is not, the focus area, and suitability. */
export const intro = buildFlow({
  id: 'intro',
  version: 1,
  reminder: { afterMs: DAY_MS, key: 'intro.reminder' },
  steps: [
    say('welcome', 'intro.welcome'),
    say('what', 'intro.what'),
    say('what_not', 'intro.what_not'),
    askChoice('ready', 'intro.ask_ready', [
      { value: 'yes', key: 'intro.choice_ready_yes', next: 'area' },
      { value: 'more', key: 'intro.choice_ready_more', next: 'more' },
    ]),
    say('more', 'intro.more', { next: 'ready_again' }),
    askChoice('ready_again', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }], {
      next: 'area',
    }),
    askChoice(
      'area',
      'intro.ask_area',
      choicesOf('intro.area', ['depression', 'anxiety', 'sleep', 'stress', 'unsure']),
      {
        record: 'intro.area_chosen',
      },
    ),
    askChoice('impact', 'intro.ask_impact', choicesOf('intro.impact', ['little', 'some', 'severe']), {
      record: 'intro.impact_reported',
    }),
    askChoice(
      'acute',
      'intro.ask_acute',
      [
        { value: 'yes', key: 'intro.acute_yes', next: 'acute_route' },
        { value: 'no', key: 'intro.acute_no', next: 'occupation' },
      ],
      { record: 'intro.acute_reported' },
    ),
    say('acute_route', 'intro.acute_route'),
    say('acute_followup', 'intro.acute_followup', { next: 'assess' }),
    askChoice(
      'occupation',
      'intro.ask_occupation',
      choicesOf('intro.occupation', ['yes', 'at_risk', 'sick_leave', 'no']),
      { record: 'intro.occupation_reported' },
    ),
    askChoice('motivation', 'intro.ask_motivation', choicesOf('intro.motivation', ['yes', 'unsure', 'no']), {
      record: 'intro.motivation_reported',
    }),
    askText('goal', 'intro.ask_goal', { record: 'intro.goal_set', maxLength: 500 }),
    askTime('time', 'intro.ask_time', { record: 'intro.reminder_time_chosen' }),
    say('thanks', 'intro.thanks'),
    recordEvent('assess', 'intro.suitability_assessed', ({ answers }) => ({
      area: answers.area ?? null,
      ...suitability(answers),
    })),
    branch('route', [
      { when: ({ answers }) => answers.acute === 'yes', next: 'done' },
      { when: ({ answers }) => !suitability(answers).suitable, next: 'next_check' },
    ]),
    say('next_suitable', 'intro.next_suitable', { next: 'done' }),
    say('next_check', 'intro.next_check'),
    end('done', 'intro.done'),
  ],
});
