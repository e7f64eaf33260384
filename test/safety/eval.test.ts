import { describe, expect, it } from 'vitest';
import { safetyRules } from '../../src/content/safety-phrases.ts';
import { SAFETY_LOCALES } from '../../src/domain/safety/rules.ts';
import { loadCorpus, type MessageSet, type Outcome, score } from './evaluate.ts';

/**
 * The detector's floors (`npm run eval:safety` prints the figures and every miss).
 *
 * Tuning corpus (test/safety/corpus, the rules were tuned on it). Targets from issue 10: crisis-tier recall
 * ≥ 98 %, crisis+concern recall ≥ 99 %, crisis false positives on ordinary messages ≤ 1 %, concern ≤ 5 %.
 * Reached when set (nb / nn / en): crisis 99.4 / 100 / 99.2 %, crisis+concern 99.6 / 100 / 99.5 %,
 * false positives 0 % and 0 %.
 *
 * Held-out set (test/safety/holdout/{nb,nn,en}.json, written before anyone read the rules; see its
 * README.md). Before it was used for tuning: crisis 75.4 %, crisis+concern 81.3 %, false positives
 * 2.2 % crisis and 1.8 % concern (all languages). The rules were then generalised on its misses, so these
 * floors guard against regressions, not against overfitting: reached when set (nb / nn / en) crisis
 * 100 / 100 / 100 %, crisis+concern 100 / 100 / 100 %, false positives 0 % crisis and 0.8 / 0 / 1.1 %
 * concern (the two concern alarms are joking "kms 😂", which the rules flag on purpose). Per language the
 * floors leave room for one or two misses, as the sets are small (26 to 66 crisis messages).
 * The fresh sets (holdout/fresh-*, fresh2-*, fresh3-*) and the development sets (dev2-*, dev3-*) have no
 * floors: the fresh sets are there to be read, never tuned on.
 */
const FLOORS: Record<MessageSet, Record<'language' | 'all', Floors>> = {
  corpus: {
    language: {
      crisisRecall: 0.98,
      riskRecall: 0.99,
      crisisFalsePositives: 0.01,
      concernFalsePositives: 0.05,
    },
    all: { crisisRecall: 0.98, riskRecall: 0.99, crisisFalsePositives: 0.01, concernFalsePositives: 0.05 },
  },
  holdout: {
    language: {
      crisisRecall: 0.96,
      riskRecall: 0.97,
      crisisFalsePositives: 0.01,
      concernFalsePositives: 0.03,
    },
    all: { crisisRecall: 0.98, riskRecall: 0.99, crisisFalsePositives: 0.01, concernFalsePositives: 0.015 },
  },
};

interface Floors {
  readonly crisisRecall: number;
  readonly riskRecall: number;
  readonly crisisFalsePositives: number;
  readonly concernFalsePositives: number;
}

const texts = (outcomes: readonly Outcome[]) => outcomes.map((o) => o.entry.text);

for (const [set, title, minimum] of [
  ['corpus', 'the tuning corpus', 400],
  ['holdout', 'the held-out set', 270],
] as const) {
  const corpus = loadCorpus(set);
  describe(`safety detector on ${title} (test/safety/${set})`, () => {
    it(`has at least ${minimum} risk and ${minimum} ordinary messages`, () => {
      const all = SAFETY_LOCALES.flatMap((locale) => corpus[locale]);
      expect(all.filter((entry) => entry.label !== 'ordinary').length).toBeGreaterThanOrEqual(minimum);
      expect(all.filter((entry) => entry.label === 'ordinary').length).toBeGreaterThanOrEqual(minimum);
    });

    for (const locale of [...SAFETY_LOCALES, 'all'] as const) {
      it(`reaches the floors (${locale})`, () => {
        const floors = FLOORS[set][locale === 'all' ? 'all' : 'language'];
        const entries = locale === 'all' ? SAFETY_LOCALES.flatMap((l) => corpus[l]) : corpus[locale];
        const s = score(entries, safetyRules);
        expect(
          s.crisisRecall,
          `crisis misses: ${JSON.stringify(texts(s.crisisMisses))}`,
        ).toBeGreaterThanOrEqual(floors.crisisRecall);
        expect(s.riskRecall, `misses: ${JSON.stringify(texts(s.riskMisses))}`).toBeGreaterThanOrEqual(
          floors.riskRecall,
        );
        expect(s.crisisFalsePositives, JSON.stringify(texts(s.falsePositives))).toBeLessThanOrEqual(
          floors.crisisFalsePositives,
        );
        expect(s.concernFalsePositives, JSON.stringify(texts(s.falsePositives))).toBeLessThanOrEqual(
          floors.concernFalsePositives,
        );
      });
    }
  });
}
