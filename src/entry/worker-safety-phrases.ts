import files from 'selvhjelp-worker-build/safety-phrases.json';
import { ContentError } from '../content/catalog.ts';
import { loadSafetyRules, type SafetyRules } from '../domain/safety/rules.ts';

/**
 * src/content/safety-phrases.ts for the Workers bundle (wrangler.toml `[alias]`): the same rules and
 * words, read from the form worker-build.ts writes without the files' documentation, which the bundle
 * has no use for (72 KiB gzip as written, 53 without it).
 */
function load(): SafetyRules {
  const result = loadSafetyRules(files, { documented: false });
  if (!result.ok) {
    const issue = result.error[0]!;
    throw new ContentError(`safety phrases (Workers build): ${issue.file} ${issue.path} ${issue.message}`);
  }
  return result.value;
}

/** The safety lexicons and rules (nb, nn, en), validated and compiled once at import. */
export const safetyRules: SafetyRules = load();
