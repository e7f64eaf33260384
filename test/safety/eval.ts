import { safetyRules } from '../../src/content/safety-phrases.ts';
import { SAFETY_LOCALES } from '../../src/domain/safety/rules.ts';
import {
  type CorpusEntry,
  loadCorpus,
  loadFresh,
  microsecondsPerMessage,
  type Outcome,
  type Scores,
  score,
} from './evaluate.ts';

/**
 * `npm run eval:safety`: recall and false-positive rates of the safety detector per language and tier on
 * the tuning corpus (test/safety/corpus), the held-out set (test/safety/holdout/{nb,nn,en}.json), the
 * development sets dev2 and dev3 and the fresh sets written after each tuning and never tuned on (fresh,
 * fresh2, fresh3 in test/safety/holdout), each with every miss and false alarm,
 * then the time per message. `npm run eval:safety -- --quiet` prints the tables only.
 */

const quiet = process.argv.includes('--quiet');
const percent = (value: number) => `${(value * 100).toFixed(1).padStart(5)} %`;
const describe = (o: Outcome) =>
  o.detection.tier === 'none'
    ? `  - ${JSON.stringify(o.entry.text)} → none`
    : `  - ${JSON.stringify(o.entry.text)} → ${o.detection.tier} (${o.detection.rule}: «${o.detection.evidence}»)`;

function report(title: string, sets: Record<string, readonly CorpusEntry[]>): void {
  const names = Object.keys(sets);
  const all = names.flatMap((name) => sets[name] ?? []);
  const scores: [string, Scores][] = [
    ...names.map((name): [string, Scores] => [name, score(sets[name] ?? [], safetyRules)]),
    ['all', score(all, safetyRules)],
  ];
  console.log(`\n=== ${title} ===\n`);
  console.log(
    'lang  crisis concern ordinary | crisis recall | crisis+concern recall | FP crisis | FP concern',
  );
  for (const [name, s] of scores) {
    console.log(
      `${name.padEnd(4)} ${String(s.counts.crisis).padStart(7)} ${String(s.counts.concern).padStart(7)} ${String(s.counts.ordinary).padStart(8)} |` +
        ` ${percent(s.crisisRecall).padStart(13)} | ${percent(s.riskRecall).padStart(21)} |` +
        ` ${percent(s.crisisFalsePositives).padStart(9)} | ${percent(s.concernFalsePositives).padStart(10)}`,
    );
  }
  if (quiet) return;
  for (const [name, s] of scores.slice(0, -1)) {
    const sections: [string, readonly Outcome[]][] = [
      ['crisis not detected as crisis', s.crisisMisses],
      ['crisis or concern not detected at all', s.riskMisses],
      ['ordinary detected (false positives)', s.falsePositives],
      ['concern detected as crisis (for review, not counted as errors)', s.concernAsCrisis],
    ];
    for (const [section, list] of sections) {
      if (list.length === 0) continue;
      console.log(`\n${title} ${name}: ${section} (${list.length})`);
      for (const outcome of list) console.log(describe(outcome));
    }
  }
}

console.log('Safety detector (targets: crisis ≥ 98 %, crisis+concern ≥ 99 %, crisis false positives ≤ 1 %,');
console.log('concern false positives ≤ 5 %). The rules were tuned on the corpus; the held-out sets estimate');
console.log('how they generalise to messages nobody tuned them on.');

const corpus = loadCorpus('corpus');
const holdout = loadCorpus('holdout');
const fresh = loadFresh();
const dev2 = loadFresh('dev2');
const fresh2 = loadFresh('fresh2');
const dev3 = loadFresh('dev3');
const fresh3 = loadFresh('fresh3');
report('tuning corpus (test/safety/corpus)', corpus);
report('held-out set (test/safety/holdout)', holdout);
if (Object.keys(dev2).length > 0)
  report('second development set, written before the second tuning (test/safety/holdout/dev2-*)', dev2);
if (Object.keys(dev3).length > 0)
  report('third development set, written before the third tuning (test/safety/holdout/dev3-*)', dev3);
if (Object.keys(fresh).length > 0)
  report('held-out fresh set, never tuned on (test/safety/holdout/fresh-*)', fresh);
if (Object.keys(fresh2).length > 0)
  report('second fresh set, never tuned on (test/safety/holdout/fresh2-*)', fresh2);
if (Object.keys(fresh3).length > 0)
  report('third fresh set, never tuned on (test/safety/holdout/fresh3-*)', fresh3);

const texts = [corpus, holdout].flatMap((set) =>
  SAFETY_LOCALES.flatMap((locale) => set[locale].map((e) => e.text)),
);
console.log(
  `\n${microsecondsPerMessage(texts, safetyRules).toFixed(1)} µs per message (mean over ${texts.length} messages × 20)`,
);
