import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { detectRisk, type RiskDetection } from '../../src/domain/safety/detect.ts';
import { SAFETY_LOCALES, type SafetyLocale, type SafetyRules } from '../../src/domain/safety/rules.ts';

/**
 * Scores the safety detector on labelled message sets: the tuning corpus in test/safety/corpus (the rules
 * were tuned on it) and the held-out set in test/safety/holdout (written without looking at the rules or
 * the corpus, to estimate how the detector generalises; see test/safety/holdout/README.md). Used by
 * eval.ts (prints the figures and every miss) and eval.test.ts (asserts the floors).
 */

const LABELS = ['crisis', 'concern', 'ordinary'] as const;
export type Label = (typeof LABELS)[number];

const corpusSchema = z.array(
  z.strictObject({ text: z.string().min(1), label: z.enum(LABELS), note: z.string().optional() }),
);
export type CorpusEntry = z.infer<typeof corpusSchema>[number];

/** The message sets: `corpus` (tuning) and `holdout` (held-out, {nb,nn,en}.json). */
export type MessageSet = 'corpus' | 'holdout';

function loadFile(file: string): readonly CorpusEntry[] {
  return corpusSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function loadCorpus(set: MessageSet = 'corpus'): Record<SafetyLocale, readonly CorpusEntry[]> {
  const dir = join(import.meta.dirname, set);
  const corpus = {} as Record<SafetyLocale, readonly CorpusEntry[]>;
  for (const locale of SAFETY_LOCALES) corpus[locale] = loadFile(join(dir, `${locale}.json`));
  return corpus;
}

/**
 * Extra held-out sets named `<prefix>-<lang>.json` in test/safety/holdout: `fresh` (written after the first
 * tuning, never tuned on), `dev2` (written before the second tuning, which was judged on it), `fresh2`
 * (written after the second tuning, never tuned on), `dev3` (before the third tuning, judged on it) and
 * `fresh3` (after the third tuning, never tuned on). See test/safety/holdout/README.md.
 * Grouped by the file's language tag (fresh-nb.json may hold nn messages: each entry is scored as is).
 */
export function loadFresh(prefix = 'fresh'): Record<string, readonly CorpusEntry[]> {
  const dir = join(import.meta.dirname, 'holdout');
  const sets: Record<string, readonly CorpusEntry[]> = {};
  const pattern = new RegExp(`^${prefix}-(.+)\\.json$`);
  for (const name of readdirSync(dir).sort()) {
    const match = pattern.exec(name);
    if (match?.[1] !== undefined) sets[match[1]] = loadFile(join(dir, name));
  }
  return sets;
}

export interface Outcome {
  readonly entry: CorpusEntry;
  readonly detection: RiskDetection;
}

export interface Scores {
  readonly counts: Readonly<Record<Label, number>>;
  /** Crisis messages detected as crisis. */
  readonly crisisRecall: number;
  /** Crisis and concern messages detected as either tier. */
  readonly riskRecall: number;
  /** Ordinary messages detected as crisis, and as concern. */
  readonly crisisFalsePositives: number;
  readonly concernFalsePositives: number;
  /** Crisis messages not detected as crisis; crisis or concern messages not detected at all. */
  readonly crisisMisses: readonly Outcome[];
  readonly riskMisses: readonly Outcome[];
  readonly falsePositives: readonly Outcome[];
  /** Concern messages detected as crisis: not a failure (sensitivity first), listed for review. */
  readonly concernAsCrisis: readonly Outcome[];
}

export function score(entries: readonly CorpusEntry[], rules: SafetyRules): Scores {
  const outcomes = entries.map((entry) => ({ entry, detection: detectRisk(entry.text, rules) }));
  const withLabel = (label: Label) => outcomes.filter((o) => o.entry.label === label);
  const crisis = withLabel('crisis');
  const risk = outcomes.filter((o) => o.entry.label !== 'ordinary');
  const ordinary = withLabel('ordinary');
  const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
  const crisisMisses = crisis.filter((o) => o.detection.tier !== 'crisis');
  const riskMisses = risk.filter((o) => o.detection.tier === 'none');
  const falsePositives = ordinary.filter((o) => o.detection.tier !== 'none');
  return {
    counts: { crisis: crisis.length, concern: withLabel('concern').length, ordinary: ordinary.length },
    crisisRecall: share(crisis.length - crisisMisses.length, crisis.length),
    riskRecall: share(risk.length - riskMisses.length, risk.length),
    crisisFalsePositives: share(
      falsePositives.filter((o) => o.detection.tier === 'crisis').length,
      ordinary.length,
    ),
    concernFalsePositives: share(
      falsePositives.filter((o) => o.detection.tier === 'concern').length,
      ordinary.length,
    ),
    crisisMisses,
    riskMisses,
    falsePositives,
    concernAsCrisis: withLabel('concern').filter((o) => o.detection.tier === 'crisis'),
  };
}

/** Mean microseconds per message over `rounds` passes of every text, after one warm-up pass. */
export function microsecondsPerMessage(texts: readonly string[], rules: SafetyRules, rounds = 20): number {
  for (const text of texts) detectRisk(text, rules);
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (const text of texts) detectRisk(text, rules);
  return Number(process.hrtime.bigint() - start) / 1000 / (rounds * texts.length);
}
