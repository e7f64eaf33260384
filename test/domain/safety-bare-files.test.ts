import { describe, expect, it } from 'vitest';
import en from '../../content/safety-phrases/en.json' with { type: 'json' };
import nb from '../../content/safety-phrases/nb.json' with { type: 'json' };
import nn from '../../content/safety-phrases/nn.json' with { type: 'json' };
import rules from '../../content/safety-phrases/rules.json' with { type: 'json' };
import { detectRisk } from '../../src/domain/safety/detect.ts';
import { loadSafetyRules, withoutDocumentation } from '../../src/domain/safety/rules.ts';

/**
 * The Workers bundle carries the safety phrases without their documentation (src/entry/worker-build.ts).
 * They must detect exactly what the files as written do, and only the undocumented load may accept them.
 */
describe('the safety phrases without their documentation', () => {
  const files = { nb, nn, en, rules };
  const documented = loadSafetyRules(files);
  const bare = withoutDocumentation(files);
  const compiled = loadSafetyRules(bare, { documented: false });

  it('are smaller, load only as undocumented, and hold no examples', () => {
    expect(documented.ok && compiled.ok).toBe(true);
    expect(JSON.stringify(bare).length).toBeLessThan(0.8 * JSON.stringify(files).length);
    expect(JSON.stringify(bare)).not.toContain('"examples"');
    expect(loadSafetyRules(bare).ok).toBe(false);
  });

  it('detect the same as the files as written, on every example', () => {
    if (!documented.ok || !compiled.ok) throw new Error('the safety phrases do not load');
    const examples = [
      ...rules.rules.flatMap((rule) => rule.examples),
      ...[nb, nn, en].flatMap((lexicon) => lexicon.exclusions.flatMap((exclusion) => exclusion.examples)),
      'jeg har det fint i dag',
      'I feel fine today',
    ];
    expect(examples.length).toBeGreaterThan(100);
    for (const text of examples)
      expect(detectRisk(text, compiled.value), text).toEqual(detectRisk(text, documented.value));
  });
});
