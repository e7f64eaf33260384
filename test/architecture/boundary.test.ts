import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/**
 * The layers, outermost first: entry → http → (web, channels) → service → (engine, domain, flows, storage).
 * Each may import itself and the layers it lists, nothing else: nothing imports upward, src/http never
 * imports storage, channels reach storage only through the service, and the pure core (engine, domain,
 * flows) imports no I/O at all. `content` is the texts and phrase data; `src/content` loads them.
 */
/** What the composition roots may use: every layer below them. */
const BELOW_ENTRY = [
  'src/http',
  'src/web',
  'src/channels',
  'src/service',
  'src/storage',
  'src/engine',
  'src/domain',
  'flows',
  'src/content',
  'content',
  'src/config',
];

const LAYERS: Readonly<Record<string, readonly string[]>> = {
  'src/cli': ['src/entry', ...BELOW_ENTRY],
  'src/entry': BELOW_ENTRY,
  'src/http': [
    'src/web',
    'src/channels',
    'src/service',
    'src/engine',
    'src/domain',
    'src/content',
    'content',
  ],
  'src/channels': ['src/service', 'src/engine', 'src/domain', 'src/content', 'content'],
  'src/web': ['src/service', 'src/engine', 'src/domain', 'src/content', 'content'],
  'src/service': ['src/storage', 'src/engine', 'src/domain', 'flows', 'src/content', 'content', 'src/config'],
  'src/storage': ['src/engine', 'src/domain'],
  flows: ['src/engine', 'src/domain', 'src/content', 'content'],
  'src/content': ['src/engine', 'src/domain', 'content'],
  'src/config': ['src/domain'],
  'src/engine': ['src/domain'],
  'src/domain': [],
  content: [],
};

/** Layers whose code must stay pure: no I/O packages, whatever they import of each other. */
const PURE = new Set(['src/engine', 'src/domain', 'flows']);
const IO_PACKAGES =
  /^(node:|@libsql|libsql$|hono|@hono|@microsoft\/agents|twilio|fs$|path$|http$|https$|net$|child_process$)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function layerOf(path: string): string | undefined {
  return Object.keys(LAYERS)
    .sort((a, b) => b.length - a.length)
    .find((layer) => path === layer || path.startsWith(`${layer}/`));
}

/** The imports of `file` (a path relative to the root) that break the layer rules, with the reason. */
function violations(file: string, source: string): string[] {
  const from = layerOf(file);
  if (!from) return [];
  const specifiers = [
    ...source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2]!);
  const found: string[] = [];
  for (const spec of specifiers) {
    if (!spec.startsWith('.')) {
      if (PURE.has(from) && IO_PACKAGES.test(spec)) found.push(`${file} (${from}, pure) imports ${spec}`);
      continue;
    }
    const target = relative(root, join(root, file, '..', spec));
    const to = layerOf(target);
    if (to === undefined || to === from) continue;
    if (!LAYERS[from]!.includes(to)) found.push(`${file} (${from}) imports ${target} (${to})`);
  }
  return found;
}

describe('architecture', () => {
  it('keeps every layer to the layers below it, and the core free of I/O', () => {
    const offenders: string[] = [];
    for (const layer of Object.keys(LAYERS)) {
      let all: string[];
      try {
        all = files(join(root, layer));
      } catch {
        continue; // a layer that does not exist yet (src/web)
      }
      for (const path of all) {
        const file = relative(root, path);
        offenders.push(...violations(file, readFileSync(path, 'utf8')));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('would catch an upward import, storage from http or a channel, and I/O in the core', () => {
    expect(violations('src/service/x.ts', "import { app } from '../http/app.ts';")).toHaveLength(1);
    expect(violations('src/service/x.ts', "import { r } from '../channels/sms/routes.ts';")).toHaveLength(1);
    expect(violations('src/http/app.ts', "import { q } from '../storage/db.ts';")).toHaveLength(1);
    expect(violations('src/channels/sms/x.ts', "import { q } from '../../storage/outbox.ts';")).toHaveLength(
      1,
    );
    expect(violations('src/storage/x.ts', "import type { D } from '../service/deps.ts';")).toHaveLength(1);
    expect(violations('src/domain/x.ts', "import { turn } from '../engine/turn.ts';")).toHaveLength(1);
    expect(violations('src/engine/x.ts', "import { q } from '../storage/db.ts';")).toHaveLength(1);
    expect(violations('src/engine/x.ts', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(violations('flows/x.ts', "import type { Q } from '../src/storage/db.ts';")).toHaveLength(1);
    expect(violations('src/engine/x.ts', "import { createClient } from '@libsql/client';")).toHaveLength(1);
    // Allowed: downward, and within a layer.
    expect(violations('src/http/app.ts', "import { r } from '../channels/sms/routes.ts';")).toEqual([]);
    expect(violations('src/service/x.ts', "import { q } from '../storage/db.ts';")).toEqual([]);
    expect(violations('src/engine/x.ts', "import { turn } from './turn.ts';")).toEqual([]);
  });
});
