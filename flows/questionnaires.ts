import type { InstrumentId } from '../src/domain/instruments.ts';
import { buildFlow } from './kit/build.ts';
import { askQuestionnaire, end, say } from './kit/steps.ts';

const HOUR_MS = 60 * 60 * 1000;
/** A check-in gets one reminder after a day, and lapses unscored after two. */
const CHECKIN_REMINDER_MS = 24 * HOUR_MS;
const CHECKIN_EXPIRY_MS = 48 * HOUR_MS;

/** A short flow that asks one or more questionnaires in a row: used for measurements and check-ins. */
function questionnaireFlow(id: string, instruments: InstrumentId[]) {
  return buildFlow({
    id,
    version: 1,
    steps: [
      say('intro', 'questionnaire.intro'),
      // Left unfinished, the whole measurement point lapses: no second form a day late.
      ...instruments.map((instrument) =>
        askQuestionnaire(instrument, instrument, {
          expireTo: 'expired',
          remindAfterMs: CHECKIN_REMINDER_MS,
          expireAfterMs: CHECKIN_EXPIRY_MS,
        }),
      ),
      end('done', 'questionnaire.thanks'),
      end('expired'),
    ],
  });
}

export const phq9Flow = questionnaireFlow('phq9', ['phq9']);
export const gad7Flow = questionnaireFlow('gad7', ['gad7']);
/** The full measurement point: PHQ-9 then GAD-7. */
export const measuresFlow = questionnaireFlow('measures', ['phq9', 'gad7']);
/** The short screen used between full measurements: PHQ-2 then GAD-2. */
export const screenFlow = questionnaireFlow('screen', ['phq2', 'gad2']);
