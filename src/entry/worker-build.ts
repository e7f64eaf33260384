import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import phoneMetadata from 'libphonenumber-js/min/metadata';
import { contentFiles } from '../../content/index.ts';
import en from '../../content/safety-phrases/en.json' with { type: 'json' };
import nb from '../../content/safety-phrases/nb.json' with { type: 'json' };
import nn from '../../content/safety-phrases/nn.json' with { type: 'json' };
import rules from '../../content/safety-phrases/rules.json' with { type: 'json' };
import { buildCatalog, ContentError } from '../content/catalog.ts';
import { ILLUSTRATION_NAME } from '../content/illustrations.ts';
import { withoutFormats } from '../domain/phone.ts';
import { loadSafetyRules, withoutDocumentation } from '../domain/safety/rules.ts';
import { CATALOG_ASSET } from './worker-assets.ts';

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
 * - `assets/content/catalog.json`: the content catalogue (every text of both languages), once it has
 *   passed `buildCatalog`: the Worker reads it from its assets at start (worker.ts), so the texts are not
 *   part of the script, whose size is limited.
 * - `phone-metadata.json`: libphonenumber-js's "min" metadata (every country) without the numbers'
 *   formats, which only formatting reads (`withoutFormats` in src/domain/phone.ts): it stands in for
 *   `libphonenumber-js/min/metadata`, 9 KiB gzip smaller, and parses and validates the same.
 *
 * Several builds may run at once (each Worker test file starts its own wrangler) while an earlier
 * Worker serves the assets: a file is written only when its content changes, through a temporary file
 * renamed over it, and nothing is removed but what the sources no longer have. A reader sees the old
 * file or the new one, never a missing or half-written one.
 */
const files = { nb, nn, en, rules };
const checked = loadSafetyRules(files);
if (!checked.ok) {
  const issue = checked.error[0]!;
  throw new ContentError(`content/safety-phrases/${issue.file}.json: ${issue.path} ${issue.message}`);
}
const out = fileURLToPath(new URL('../../dist/worker/', import.meta.url));

/** Writes `content` to `path` unless it is there already, atomically (a rename in the same folder). */
function writeIfChanged(path: string, content: string | Buffer): void {
  const wanted = typeof content === 'string' ? Buffer.from(content) : content;
  try {
    if (readFileSync(path).equals(wanted)) return;
  } catch {
    // Not there yet.
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, wanted);
  renameSync(temporary, path);
}

/** The files under `dir`, relative to it, with `/` between folders. */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
  } catch {
    return [];
  }
}

writeIfChanged(join(out, 'safety-phrases.json'), JSON.stringify(withoutDocumentation(files)));

// The illustrations as static assets (wrangler.toml `[assets]`): served by Cloudflare before the Worker
// runs, with the headers of `_headers`, and outside the script's size limit. An SVG removed from
// content/illustrations is removed from the assets too.
const illustrations = fileURLToPath(new URL('../../content/illustrations/', import.meta.url));
const assets = join(out, 'assets');
const wanted = new Map<string, string | Buffer>();
for (const course of readdirSync(illustrations, { withFileTypes: true })) {
  if (!course.isDirectory()) continue;
  for (const file of readdirSync(join(illustrations, course.name)).sort()) {
    if (!file.endsWith('.svg')) continue;
    const name = `${course.name}/${file.slice(0, -'.svg'.length)}`;
    if (!ILLUSTRATION_NAME.test(name)) throw new Error(`content/illustrations/${name}.svg: not a valid name`);
    wanted.set(`illustrations/${name}.svg`, readFileSync(join(illustrations, course.name, file)));
  }
}
// The content catalogue, checked as Node checks it at import (a bad file fails the build, not a request).
buildCatalog(contentFiles);
wanted.set(CATALOG_ASSET.slice(1), JSON.stringify(contentFiles));
// The headers the Node route sends with an illustration (src/http/app.ts), and the catalogue's.
wanted.set(
  '_headers',
  [
    '/illustrations/*',
    "  Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'",
    '  Cache-Control: public, max-age=3600',
    '  X-Content-Type-Options: nosniff',
    CATALOG_ASSET,
    '  Cache-Control: no-cache',
    '  X-Content-Type-Options: nosniff',
    '',
  ].join('\n'),
);
for (const [path, content] of wanted) writeIfChanged(join(assets, path), content);
for (const path of filesUnder(assets)) {
  // A `.tmp` file is another build's write in progress.
  if (!wanted.has(path) && !path.endsWith('.tmp')) rmSync(join(assets, path), { force: true });
}

writeIfChanged(join(out, 'phone-metadata.json'), JSON.stringify(withoutFormats(phoneMetadata)));
