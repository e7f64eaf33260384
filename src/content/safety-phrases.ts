import en from '../../content/safety-phrases/en.json' with { type: 'json' };
import nb from '../../content/safety-phrases/nb.json' with { type: 'json' };
import nn from '../../content/safety-phrases/nn.json' with { type: 'json' };
import rules from '../../content/safety-phrases/rules.json' with { type: 'json' };
import { loadSafetyRules, type SafetyRules } from '../domain/safety/rules.ts';
import { ContentError } from './catalog.ts';

function load(): SafetyRules {
  const result = loadSafetyRules({ nb, nn, en, rules });
  if (!result.ok) {
    const issue = result.error[0]!;
    const more = result.error.length > 1 ? ` (and ${result.error.length - 1} more)` : '';
    throw new ContentError(
      `content/safety-phrases/${issue.file}.json: ${issue.path} ${issue.message}${more}`,
    );
  }
  return result.value;
}

/** The safety lexicons and rules (nb, nn, en), validated and compiled once at import. */
export const safetyRules: SafetyRules = load();
