import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../flows/registry.ts';
import { tempDir } from '../support/harness.ts';

/**
 * The Workers bundle as `npm run deploy` builds it (`wrangler deploy --dry-run --outdir`): its size, and
 * every illustration and migration in it. esbuild only: no workerd needed, so this runs everywhere.
 */

/**
 * Most gzip KiB the upload may have. Issue #15 asks for 400; the build measured 460 KiB at this test's
 * writing (zod's core ~50, the nb and en texts ~70, the safety phrases ~40, libphonenumber ~35, the
 * staff workspace ~30): the limit keeps it from growing unnoticed while that is worked on.
 */
const MAX_GZIP_KIB = 480;

const root = new URL('../../', import.meta.url);
const out = tempDir();
let output = '';
let files: string[] = [];

beforeAll(() => {
  const build = spawnSync(
    join(root.pathname, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--outdir', out.path],
    {
      cwd: root.pathname,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1', WRANGLER_SEND_METRICS: 'false' },
    },
  );
  output = `${build.stdout}\n${build.stderr}`;
  if (build.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${output}`);
  files = readdirSync(out.path);
}, 120_000);
afterAll(() => out.remove());

/** wrangler names each bundled text module `<sha1 of its content>-<file name>`. */
const moduleName = (path: URL) =>
  `${createHash('sha1').update(readFileSync(path)).digest('hex')}-${path.pathname.split('/').at(-1)}`;

describe('the Workers bundle', () => {
  it(`stays within ${MAX_GZIP_KIB} KiB gzip`, () => {
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    expect(match, output).not.toBeNull();
    const gzip = Number(match![2]);
    console.info(`Workers bundle: ${match![1]} KiB, ${gzip} KiB gzip (limit ${MAX_GZIP_KIB})`);
    expect(gzip).toBeGreaterThan(100); // a parse of the wrong figure would pass anything
    expect(gzip).toBeLessThanOrEqual(MAX_GZIP_KIB);
  });

  it('is minified', () => {
    const worker = readFileSync(join(out.path, 'worker.js'), 'utf8');
    expect(worker.split('\n').length).toBeLessThan(worker.length / 1000);
  });

  it('holds every illustration the flows show, and every one in content/illustrations', () => {
    const worker = readFileSync(join(out.path, 'worker.js'), 'utf8');
    const used = defaultRegistry.all().flatMap((flow) => flow.images ?? []);
    expect(used.length).toBeGreaterThan(20);
    const folder = new URL('content/illustrations/', root);
    const onDisk = readdirSync(folder).flatMap((course) =>
      readdirSync(new URL(`${course}/`, folder))
        .filter((f) => f.endsWith('.svg'))
        .map((f) => `${course}/${f.slice(0, -4)}`),
    );
    for (const image of new Set([...used, ...onDisk])) {
      const file = new URL(`${image}.svg`, folder);
      expect(existsSync(file), image).toBe(true);
      const name = moduleName(file);
      expect(files, image).toContain(name);
      expect(worker, image).toContain(`./${name}`);
    }
  });

  it('holds every migration, for the schema check', () => {
    const folder = new URL('src/storage/migrations/', root);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.sql'))) {
      expect(files, file).toContain(moduleName(new URL(file, folder)));
    }
  });
});
