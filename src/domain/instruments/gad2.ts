import { gad7 } from './gad7.ts';
import type { InstrumentDefinition } from './types.ts';

/**
 * GAD-2: GAD-7 items 1 and 2 with the same item codes, texts and answers. CLINICAL.md gives no
 * panel or total LOINC code for GAD-2, so none is claimed.
 */
export const gad2: InstrumentDefinition = {
  id: 'gad2',
  version: '1',
  titleKey: 'gad2.title',
  stemKey: gad7.stemKey,
  recallPeriodDays: 14,
  loinc: { panel: undefined, total: undefined },
  items: gad7.items.slice(0, 2),
  answers: gad7.answers,
  unscoredItem: undefined,
  maxTotal: 6,
  bands: [],
  threshold: { kind: 'screen', min: 3 },
  reliableChange: undefined,
  translations: {
    en: { status: 'original', provisionalKeys: [] },
    nb: { status: 'provisional', provisionalKeys: [] },
  },
  attributionKey: gad7.attributionKey,
};
