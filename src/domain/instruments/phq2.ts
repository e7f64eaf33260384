import { phq9 } from './phq9.ts';
import type { InstrumentDefinition } from './types.ts';

/** PHQ-2: PHQ-9 items 1 and 2 with the same codes, texts and answers; a screen, not a severity measure. */
export const phq2: InstrumentDefinition = {
  id: 'phq2',
  version: '1',
  titleKey: 'phq2.title',
  stemKey: phq9.stemKey,
  recallPeriodDays: 14,
  loinc: { panel: '55757-9', total: '55758-7' },
  items: phq9.items.slice(0, 2),
  answers: phq9.answers,
  unscoredItem: undefined,
  maxTotal: 6,
  bands: [],
  threshold: { kind: 'screen', min: 3 },
  reliableChange: undefined,
  translations: {
    en: { status: 'original', provisionalKeys: [] },
    nb: { status: 'nfkt', provisionalKeys: [] },
  },
  attributionKey: phq9.attributionKey,
};
