/** Data shapes shared by the instrument definitions (PHQ-9, PHQ-2, GAD-7, GAD-2). */

export type InstrumentId = 'phq9' | 'phq2' | 'gad7' | 'gad2';

/** Locales the instrument texts exist in (content/<locale>/instruments.json). */
export type ContentLocale = 'nb' | 'en';

/**
 * Where a locale's instrument text comes from:
 * - 'original': the published English text (Spitzer, Williams, Kroenke and colleagues);
 * - 'nfkt': the Norwegian translation distributed by NFKT (check against the form before release);
 * - 'provisional': our own candidate, not an official translation (CLINICAL.md marks it UNVERIFIED).
 */
export type TranslationStatus = 'original' | 'nfkt' | 'provisional';

export type AnswerValue = 0 | 1 | 2 | 3;

export interface AnswerOption {
  readonly value: AnswerValue;
  /** LOINC answer code, e.g. LA6568-5 for 0 "Not at all". */
  readonly loinc: string | undefined;
  readonly textKey: string;
}

export interface InstrumentItem {
  /** Stable id within the instrument ('item1'..'item9'); stored with the answer. */
  readonly id: string;
  readonly loinc: string;
  readonly textKey: string;
  /** A risk item (PHQ-9 item 9): any answer above 0 triggers the crisis response at once (CLINICAL.md §3). */
  readonly risk: boolean;
}

/** The PHQ-9 difficulty question: asked and stored, never part of the total. */
export interface UnscoredItem {
  readonly id: string;
  readonly loinc: string;
  readonly textKey: string;
  readonly answers: readonly AnswerOption[];
}

export type BandId = 'minimal' | 'mild' | 'moderate' | 'moderately_severe' | 'severe';

export interface Band {
  readonly id: BandId;
  /** Inclusive bounds of the total. */
  readonly min: number;
  readonly max: number;
  readonly labelKey: string;
}

/** PHQ-9 and GAD-7 have a caseness threshold (NHS Talking Therapies); PHQ-2 and GAD-2 a screening cut-off. */
export type Threshold =
  | { readonly kind: 'caseness'; readonly min: number }
  | { readonly kind: 'screen'; readonly min: number };

export interface Translation {
  readonly status: TranslationStatus;
  /** Keys whose text in this locale is our own candidate even when the rest is official. */
  readonly provisionalKeys: readonly string[];
}

export interface InstrumentDefinition {
  readonly id: InstrumentId;
  /** Bumped whenever items, answers or scoring change; stored with every score. */
  readonly version: string;
  readonly titleKey: string;
  readonly stemKey: string;
  readonly recallPeriodDays: number;
  /** Panel and total codes; undefined where CLINICAL.md gives none (GAD-2). */
  readonly loinc: { readonly panel: string | undefined; readonly total: string | undefined };
  /** The scored items, in the order answers are given. */
  readonly items: readonly InstrumentItem[];
  readonly answers: readonly AnswerOption[];
  readonly unscoredItem: UnscoredItem | undefined;
  readonly maxTotal: number;
  /** Empty for PHQ-2 and GAD-2, which have only a screening cut-off. */
  readonly bands: readonly Band[];
  readonly threshold: Threshold;
  /** Change in total that counts as reliable (NHS TT); undefined for the 2-item screens. */
  readonly reliableChange: number | undefined;
  readonly translations: Readonly<Record<ContentLocale, Translation>>;
  readonly attributionKey: string;
}
