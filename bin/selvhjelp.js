#!/usr/bin/env -S node --max-semi-space-size=32
// Runs the TypeScript CLI directly through tsx, so `npm install && npm start` needs no build step.
// A young generation of up to 32 MiB a half (`npm start` sets the same): a turn's short-lived objects
// then die there, and the server spends about 40% less time in GC (bench/README.md).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
