/**
 * Where the Workers build puts what the Worker reads from its static assets (wrangler.toml `[assets]`,
 * written by worker-build.ts): the content catalogue, as `{ nb: {file: entries}, en: … }`.
 */
export const CATALOG_ASSET = '/content/catalog.json';
