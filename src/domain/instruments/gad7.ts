import { frequencyAnswers, numberedItems } from './answer-options.ts';
import type { InstrumentDefinition } from './types.ts';

/** Item LOINC codes in item order 1..7 (CLINICAL.md §1). */
const ITEM_LOINC = ['69725-0', '68509-9', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7'] as const;

export const gad7: InstrumentDefinition = {
  id: 'gad7',
  version: '1',
  titleKey: 'gad7.title',
  stemKey: 'gad7.stem',
  recallPeriodDays: 14,
  loinc: { panel: '69737-5', total: '70274-6' },
  items: numberedItems('gad7', ITEM_LOINC),
  answers: frequencyAnswers('gad7'),
  unscoredItem: undefined,
  maxTotal: 21,
  bands: [
    { id: 'minimal', min: 0, max: 4, labelKey: 'gad7.band.minimal' },
    { id: 'mild', min: 5, max: 9, labelKey: 'gad7.band.mild' },
    { id: 'moderate', min: 10, max: 14, labelKey: 'gad7.band.moderate' },
    { id: 'severe', min: 15, max: 21, labelKey: 'gad7.band.severe' },
  ],
  threshold: { kind: 'caseness', min: 8 },
  reliableChange: 4,
  translations: {
    en: { status: 'original', provisionalKeys: [] },
    // No official Norwegian GAD-7 was found: the whole nb text is our UNVERIFIED candidate (CLINICAL.md §1).
    nb: { status: 'provisional', provisionalKeys: [] },
  },
  attributionKey: 'instruments.attribution',
};
