import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import phoneMetadata from 'libphonenumber-js/min/metadata';
import en from '../../content/safety-phrases/en.json' with { type: 'json' };
import nb from '../../content/safety-phrases/nb.json' with { type: 'json' };
import nn from '../../content/safety-phrases/nn.json' with { type: 'json' };
import rules from '../../content/safety-phrases/rules.json' with { type: 'json' };
import { ContentError } from '../content/catalog.ts';
import { ILLUSTRATION_NAME } from '../content/illustrations.ts';
import { withoutFormats } from '../domain/phone.ts';
import { loadSafetyRules, withoutDocumentation } from '../domain/safety/rules.ts';

/**
 * The custom build step of the Workers bundle (wrangler.toml `[build]`, run by `wrangler deploy`,
 * `wrangler dev` and the Worker tests before esbuild bundles): writes what the bundle takes in a
 * smaller form than the sources, under dist/worker/ (never committed).
 *
 * - `safety-phrases.json`: the four files of content/safety-phrases without their documentation
 *   (descriptions, notes and examples; the rules and words are the same), once the files as written
 *   have passed `loadSafetyRules`. The Worker compiles it with `documented: false`
 *   (worker-safety-phrases.ts).
 * - `illustrations.json`: every SVG under content/illustrations by its name (`<course>/<name>`), as
 *   worker-illustrations.ts serves them: one module instead of one text module per file.
 * - `phone-metadata.json`: libphonenumber-js's "min" metadata (every country) without the numbers'
 *   formats, which only formatting reads (`withoutFormats` in src/domain/phone.ts): it stands in for
 *   `libphonenumber-js/min/metadata`, 9 KiB gzip smaller, and parses and validates the same.
 */
const files = { nb, nn, en, rules };
const checked = loadSafetyRules(files);
if (!checked.ok) {
  const issue = checked.error[0]!;
  throw new ContentError(`content/safety-phrases/${issue.file}.json: ${issue.path} ${issue.message}`);
}
const out = new URL('../../dist/worker/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('safety-phrases.json', out), JSON.stringify(withoutDocumentation(files)));

const illustrations = new URL('../../content/illustrations/', import.meta.url);
const svgs: Record<string, string> = {};
for (const course of readdirSync(illustrations, { withFileTypes: true })) {
  if (!course.isDirectory()) continue;
  for (const file of readdirSync(new URL(`${course.name}/`, illustrations)).sort()) {
    if (!file.endsWith('.svg')) continue;
    const name = `${course.name}/${file.slice(0, -'.svg'.length)}`;
    if (!ILLUSTRATION_NAME.test(name)) throw new Error(`content/illustrations/${name}.svg: not a valid name`);
    svgs[name] = readFileSync(new URL(`${course.name}/${file}`, illustrations), 'utf8');
  }
}
writeFileSync(new URL('illustrations.json', out), JSON.stringify(svgs));

writeFileSync(new URL('phone-metadata.json', out), JSON.stringify(withoutFormats(phoneMetadata)));
