import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const PURE_DIRS = ['src/engine', 'src/domain', 'flows'];
const FORBIDDEN_PACKAGES =
  /^(node:|@libsql|hono|@hono|@microsoft\/agents|twilio|fs$|path$|http$|https$|net$|child_process$)/;
const OUTER_LAYERS = [
  'src/storage',
  'src/http',
  'src/channels',
  'src/service',
  'src/web',
  'src/entry',
  'src/cli',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The imports of a pure module that reach for I/O or an outer layer. */
function forbiddenImports(file: string, source: string): string[] {
  const specifiers = [
    ...source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2]!);
  return specifiers.filter((spec) => {
    if (FORBIDDEN_PACKAGES.test(spec)) return true;
    if (!spec.startsWith('.')) return false;
    const target = relative(root, join(file, '..', spec));
    return OUTER_LAYERS.some((layer) => target === layer || target.startsWith(`${layer}/`));
  });
}

describe('architecture', () => {
  it('keeps src/engine, src/domain and flows free of I/O and of outer layers', () => {
    const offenders: string[] = [];
    for (const dir of PURE_DIRS) {
      for (const file of files(join(root, dir))) {
        for (const spec of forbiddenImports(file, readFileSync(file, 'utf8'))) {
          offenders.push(`${relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('would catch an engine file that imports the database or a service', () => {
    const file = join(root, 'src/engine/example.ts');
    expect(forbiddenImports(file, "import { createClient } from '@libsql/client';")).toEqual([
      '@libsql/client',
    ]);
    expect(forbiddenImports(file, "import { readFileSync } from 'node:fs';")).toEqual(['node:fs']);
    expect(forbiddenImports(file, "import { x } from '../service/handle-inbound.ts';")).toEqual([
      '../service/handle-inbound.ts',
    ]);
    expect(
      forbiddenImports(join(root, 'flows/x.ts'), "import type { Q } from '../src/storage/db.ts';"),
    ).toEqual(['../src/storage/db.ts']);
    expect(forbiddenImports(file, "import { turn } from './turn.ts';")).toEqual([]);
  });
});
