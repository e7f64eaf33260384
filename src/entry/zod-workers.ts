/**
 * `zod` for the Workers bundle only (wrangler.toml `[alias]`): the same modules as zod's own entry
 * (node_modules/zod/v4/classic/external.js), minus `locales`, `z.compile` and `z.fromJSONSchema`.
 * esbuild cannot drop unused members of the `z` namespace (@hono/zod-openapi hands `z` on as a value),
 * and the namespace holds every locale (261 KiB of the minified bundle, ~70 KiB gzip, for error messages
 * the service never shows in any language but English, zod's default, which schemas.js registers by
 * itself) and the schema compiler and JSON Schema reader nothing here calls (12 KiB gzip).
 * test/worker/zod-workers.test.ts checks that every `z.` member the code uses is here;
 * test/worker/bundle.test.ts keeps the bundle size in check.
 */
import * as z from './zod-workers-members.ts';

export * from './zod-workers-members.ts';
export { z, z as default };
