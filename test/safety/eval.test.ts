import { describe, expect, it } from 'vitest';
import { safetyRules } from '../../src/content/safety-phrases.ts';
import { SAFETY_LOCALES } from '../../src/domain/safety/rules.ts';
import { loadCorpus, type Outcome, score } from './evaluate.ts';

/**
 * The detector's floors on the evaluation corpus (test/safety/corpus, written independently of the rules;
 * `npm run eval:safety` prints the figures and every miss). Targets from issue 10: crisis-tier recall
 * ≥ 98 %, crisis+concern recall ≥ 99 %, crisis false positives on ordinary messages ≤ 1 %, concern ≤ 5 %.
 * Reached when set (nb / nn / en): crisis 99.4 / 100 / 99.2 %, crisis+concern 99.6 / 100 / 99.5 %,
 * false positives 0 % and 0 %.
 */
const FLOORS = {
  crisisRecall: 0.98,
  riskRecall: 0.99,
  crisisFalsePositives: 0.01,
  concernFalsePositives: 0.05,
};

const corpus = loadCorpus();
const texts = (outcomes: readonly Outcome[]) => outcomes.map((o) => o.entry.text);

describe('safety detector on the evaluation corpus', () => {
  it('has a corpus of at least 400 risk and 400 ordinary messages', () => {
    const all = SAFETY_LOCALES.flatMap((locale) => corpus[locale]);
    expect(all.filter((entry) => entry.label !== 'ordinary').length).toBeGreaterThanOrEqual(400);
    expect(all.filter((entry) => entry.label === 'ordinary').length).toBeGreaterThanOrEqual(400);
  });

  for (const locale of [...SAFETY_LOCALES, 'all'] as const) {
    it(`reaches the floors (${locale})`, () => {
      const entries = locale === 'all' ? SAFETY_LOCALES.flatMap((l) => corpus[l]) : corpus[locale];
      const s = score(entries, safetyRules);
      expect(
        s.crisisRecall,
        `crisis misses: ${JSON.stringify(texts(s.crisisMisses))}`,
      ).toBeGreaterThanOrEqual(FLOORS.crisisRecall);
      expect(s.riskRecall, `misses: ${JSON.stringify(texts(s.riskMisses))}`).toBeGreaterThanOrEqual(
        FLOORS.riskRecall,
      );
      expect(s.crisisFalsePositives, JSON.stringify(texts(s.falsePositives))).toBeLessThanOrEqual(
        FLOORS.crisisFalsePositives,
      );
      expect(s.concernFalsePositives, JSON.stringify(texts(s.falsePositives))).toBeLessThanOrEqual(
        FLOORS.concernFalsePositives,
      );
    });
  }
});
