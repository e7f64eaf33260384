import svgs from 'selvhjelp-worker-build/illustrations.json';
import { ILLUSTRATION_NAME, type IllustrationSource } from '../content/illustrations.ts';

/**
 * Every course illustration for Workers, which have no file system to read content/illustrations from
 * as nodeIllustrations does on Node: worker-build.ts writes them all into one module at the bundle's
 * build (wrangler.toml `[build]` and `[alias]`), so a new SVG in the folder is bundled without a change
 * here. test/worker/bundle.test.ts checks that the bundle holds every one, so every one a flow shows.
 */
export const workerIllustrations: IllustrationSource = (name) =>
  ILLUSTRATION_NAME.test(name) && Object.hasOwn(svgs, name) ? svgs[name] : undefined;
