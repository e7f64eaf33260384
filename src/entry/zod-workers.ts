/**
 * `zod` for the Workers bundle only (wrangler.toml `[alias]`): the same modules as zod's own entry
 * (node_modules/zod/v4/classic/external.js), minus `locales`. esbuild cannot drop unused members of the
 * `z` namespace, and the namespace holds every locale: 261 KiB of the minified bundle, ~70 KiB gzip,
 * for error messages the service never shows in any language but English (zod's default, which
 * schemas.js registers by itself). test/worker/bundle.test.ts keeps the bundle size in check.
 */
import * as z from './zod-workers-members.ts';

export * from './zod-workers-members.ts';
export { z, z as default };
