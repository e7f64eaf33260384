import type { AnswerOption, InstrumentItem } from './types.ts';

/**
 * LOINC answer codes for the frequency scale shared by PHQ and GAD items, indexed by value 0..3
 * (CLINICAL.md §1): Not at all, Several days, More than half the days, Nearly every day.
 */
export const FREQUENCY_ANSWER_LOINC = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'] as const;

/** The four frequency answers with text keys `<prefix>.answer0`..`<prefix>.answer3`. */
export function frequencyAnswers(prefix: string): readonly AnswerOption[] {
  return ([0, 1, 2, 3] as const).map((value) => ({
    value,
    loinc: FREQUENCY_ANSWER_LOINC[value],
    textKey: `${prefix}.answer${value}`,
  }));
}

/**
 * Items `item1`..`itemN` with text keys `<prefix>.item1`.., one per LOINC code in item order; `riskItem`
 * (1-based) is the item whose answer above 0 is a safety signal.
 */
export function numberedItems(
  prefix: string,
  loincs: readonly string[],
  riskItem?: number,
): readonly InstrumentItem[] {
  return loincs.map((loinc, index) => ({
    id: `item${index + 1}`,
    loinc,
    textKey: `${prefix}.item${index + 1}`,
    risk: index + 1 === riskItem,
  }));
}
