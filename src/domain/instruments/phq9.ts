import { frequencyAnswers, numberedItems } from './answer-options.ts';
import type { InstrumentDefinition } from './types.ts';

/** Item LOINC codes in item order 1..9 (CLINICAL.md §1); item 9 is the risk item. */
const ITEM_LOINC = [
  '44250-9',
  '44255-8',
  '44259-0',
  '44254-1',
  '44251-7',
  '44258-2',
  '44252-5',
  '44253-3',
  '44260-8',
] as const;

/**
 * The difficulty question's answers. CLINICAL.md gives no LOINC codes for them, and public sources
 * disagree on which of LA6574-3 / LA6575-0 is "Very difficult", so no code is claimed here.
 */
const DIFFICULTY_ANSWERS = ([0, 1, 2, 3] as const).map((value) => ({
  value,
  loinc: undefined,
  textKey: `phq9.difficulty.answer${value}`,
}));

export const phq9: InstrumentDefinition = {
  id: 'phq9',
  version: '1',
  titleKey: 'phq9.title',
  stemKey: 'phq9.stem',
  recallPeriodDays: 14,
  loinc: { panel: '44249-1', total: '44261-6' },
  // Item 9 asks about thoughts of death or self-harm (CLINICAL.md §3).
  items: numberedItems('phq9', ITEM_LOINC, 9),
  answers: frequencyAnswers('phq9'),
  unscoredItem: {
    id: 'difficulty',
    loinc: '69722-7',
    textKey: 'phq9.difficulty',
    answers: DIFFICULTY_ANSWERS,
  },
  maxTotal: 27,
  bands: [
    { id: 'minimal', min: 0, max: 4, labelKey: 'phq9.band.minimal' },
    { id: 'mild', min: 5, max: 9, labelKey: 'phq9.band.mild' },
    { id: 'moderate', min: 10, max: 14, labelKey: 'phq9.band.moderate' },
    { id: 'moderately_severe', min: 15, max: 19, labelKey: 'phq9.band.moderately_severe' },
    { id: 'severe', min: 20, max: 27, labelKey: 'phq9.band.severe' },
  ],
  threshold: { kind: 'caseness', min: 10 },
  reliableChange: 6,
  translations: {
    en: { status: 'original', provisionalKeys: [] },
    // CLINICAL.md quotes the NFKT text for stem, items and answers, not for the difficulty question.
    nb: {
      status: 'nfkt',
      provisionalKeys: DIFFICULTY_ANSWERS.map((answer) => answer.textKey).concat('phq9.difficulty'),
    },
  },
  attributionKey: 'instruments.attribution',
};
