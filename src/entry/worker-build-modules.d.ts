// Modules that src/entry/worker-build.ts writes under dist/worker/ when the Workers bundle is built
// (wrangler.toml `[build]`), imported under these names through wrangler.toml's `[alias]`.
declare module 'selvhjelp-worker-build/safety-phrases.json' {
  const files: import('../domain/safety/rules.ts').SafetyFiles;
  export default files;
}
