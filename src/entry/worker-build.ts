import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
 * - `assets/illustrations/<course>/<name>.svg` and `assets/_headers`: every SVG under
 *   content/illustrations as a static asset (wrangler.toml `[assets]`), served before the Worker runs
 *   and not part of the script: 8.8 KiB gzip less in the bundle.
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

// The illustrations as static assets (wrangler.toml `[assets]`): served by Cloudflare before the Worker
// runs, with the headers of `_headers`, and outside the script's size limit. Written afresh, so an SVG
// removed from content/illustrations is gone from the assets too.
const illustrations = new URL('../../content/illustrations/', import.meta.url);
const assets = new URL('assets/', out);
rmSync(assets, { recursive: true, force: true });
for (const course of readdirSync(illustrations, { withFileTypes: true })) {
  if (!course.isDirectory()) continue;
  for (const file of readdirSync(new URL(`${course.name}/`, illustrations)).sort()) {
    if (!file.endsWith('.svg')) continue;
    const name = `${course.name}/${file.slice(0, -'.svg'.length)}`;
    if (!ILLUSTRATION_NAME.test(name)) throw new Error(`content/illustrations/${name}.svg: not a valid name`);
    const target = new URL(`illustrations/${course.name}/`, assets);
    mkdirSync(target, { recursive: true });
    copyFileSync(new URL(`${course.name}/${file}`, illustrations), new URL(file, target));
  }
}
// The headers the Node route sends with an illustration (src/http/app.ts).
writeFileSync(
  new URL('_headers', assets),
  [
    '/illustrations/*',
    "  Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'",
    '  Cache-Control: public, max-age=3600',
    '  X-Content-Type-Options: nosniff',
    '',
  ].join('\n'),
);

writeFileSync(new URL('phone-metadata.json', out), JSON.stringify(withoutFormats(phoneMetadata)));
