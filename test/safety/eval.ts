import { safetyRules } from '../../src/content/safety-phrases.ts';
import { SAFETY_LOCALES } from '../../src/domain/safety/rules.ts';
import { loadCorpus, microsecondsPerMessage, type Outcome, type Scores, score } from './evaluate.ts';

/**
 * `npm run eval:safety`: recall and false-positive rates of the safety detector per language and tier on
 * test/safety/corpus, then every miss and false alarm, and the time per message.
 */

const percent = (value: number) => `${(value * 100).toFixed(1).padStart(5)} %`;
const describe = (o: Outcome) =>
  o.detection.tier === 'none'
    ? `  - ${JSON.stringify(o.entry.text)} → none`
    : `  - ${JSON.stringify(o.entry.text)} → ${o.detection.tier} (${o.detection.rule}: «${o.detection.evidence}»)`;

const corpus = loadCorpus();
const all = SAFETY_LOCALES.flatMap((locale) => corpus[locale]);
const scores: [string, Scores][] = [
  ...SAFETY_LOCALES.map((locale): [string, Scores] => [locale, score(corpus[locale], safetyRules)]),
  ['all', score(all, safetyRules)],
];

console.log('Safety detector on test/safety/corpus (targets: crisis ≥ 98 %, crisis+concern ≥ 99 %,');
console.log('crisis false positives ≤ 1 %, concern false positives ≤ 5 %)\n');
console.log('lang  crisis concern ordinary | crisis recall | crisis+concern recall | FP crisis | FP concern');
for (const [name, s] of scores) {
  console.log(
    `${name.padEnd(4)} ${String(s.counts.crisis).padStart(7)} ${String(s.counts.concern).padStart(7)} ${String(s.counts.ordinary).padStart(8)} |` +
      ` ${percent(s.crisisRecall).padStart(13)} | ${percent(s.riskRecall).padStart(21)} |` +
      ` ${percent(s.crisisFalsePositives).padStart(9)} | ${percent(s.concernFalsePositives).padStart(10)}`,
  );
}

for (const [name, s] of scores.slice(0, -1)) {
  const sections: [string, readonly Outcome[]][] = [
    ['crisis not detected as crisis', s.crisisMisses],
    ['crisis or concern not detected at all', s.riskMisses],
    ['ordinary detected (false positives)', s.falsePositives],
    ['concern detected as crisis (for review, not counted as errors)', s.concernAsCrisis],
  ];
  for (const [title, list] of sections) {
    if (list.length === 0) continue;
    console.log(`\n${name}: ${title} (${list.length})`);
    for (const outcome of list) console.log(describe(outcome));
  }
}

const texts = all.map((entry) => entry.text);
console.log(
  `\n${microsecondsPerMessage(texts, safetyRules).toFixed(1)} µs per message (mean over ${texts.length} messages × 20)`,
);
