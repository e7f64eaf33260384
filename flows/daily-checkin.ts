import { dailyCheckin, parseDailyCheckin } from '../src/domain/instruments.ts';
import { buildFlow } from './kit/build.ts';
import { askNumber, askText, end, recordEvent, say } from './kit/steps.ts';

/**
 * The daily check-in of our own (mood, sleep, energy 0-10 and one thing the client did): labelled as
 * self-monitoring, never as a validated instrument, and recorded as an event, never as a score.
 */
export const dailyCheckinFlow = buildFlow({
  id: 'checkin',
  version: 1,
  steps: [
    say('intro', dailyCheckin.introKey),
    say('not_validated', dailyCheckin.notValidatedKey),
    ...dailyCheckin.ratings.map((r) => askNumber(r.id, r.textKey, r.min, r.max, { remind: false })),
    askText('one_thing', dailyCheckin.freeText.textKey, {
      maxLength: dailyCheckin.freeText.maxLength,
      remind: false,
    }),
    recordEvent('recorded', 'checkin.daily_recorded', ({ answers }) => {
      const parsed = parseDailyCheckin({
        mood: answers.mood,
        sleep: answers.sleep,
        energy: answers.energy,
        oneThing: answers.one_thing,
      });
      if (!parsed.ok) throw new Error(`daily check-in does not fit its schema: ${parsed.error[0]?.message}`);
      return {
        instrument: dailyCheckin.id,
        version: dailyCheckin.version,
        validated: false,
        ...parsed.value,
      };
    }),
    end('done', 'questionnaire.checkin_thanks'),
  ],
});
