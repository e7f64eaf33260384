import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as workersZod from '../../src/entry/zod-workers.ts';

/**
 * The Workers bundle's `zod` (src/entry/zod-workers.ts, wrangler.toml `[alias]`) lists its members by
 * hand, leaving out what the bundle need not carry. TypeScript checks the code against the real zod, so a
 * member used in the code but left out there would be undefined only on Workers: this finds every `z.`
 * member the code uses and that the real `z` has at run time (the rest, like `z.infer`, are types).
 */
const root = new URL('../../', import.meta.url);

function sources(folder: string): string[] {
  return readdirSync(new URL(folder, root), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => `${folder}${file}`);
}

describe("the Workers bundle's zod", () => {
  it('has every member of z that the code uses', () => {
    const used = new Map<string, string>();
    const code = [...sources('src/'), ...sources('flows/'), ...sources('content/')];
    for (const file of code.filter((f) => !f.startsWith('src/entry/zod-workers'))) {
      for (const [, name] of readFileSync(new URL(file, root), 'utf8').matchAll(/\bz\.([A-Za-z_$][\w$]*)/g)) {
        if (!used.has(name!)) used.set(name!, file);
      }
    }
    const atRunTime = [...used.keys()].filter((name) => name in z);
    expect(atRunTime.length).toBeGreaterThan(15); // a scan that found nothing would pass anything
    for (const name of atRunTime) expect(workersZod.z, `z.${name} (${used.get(name)})`).toHaveProperty(name);
  });

  it('is the same zod: the schemas it builds are the real ones', () => {
    const schema = workersZod.z.object({ n: workersZod.z.number().int() });
    expect(schema).toBeInstanceOf(z.ZodObject);
    expect(schema.safeParse({ n: 1.5 }).success).toBe(false);
    expect(workersZod.z.toJSONSchema(schema)).toEqual(z.toJSONSchema(schema));
  });

  it('leaves out z.compile and z.fromJSONSchema, which nothing uses', () => {
    expect(z).toHaveProperty('compile');
    expect(workersZod.z).not.toHaveProperty('compile');
    expect(workersZod.z).not.toHaveProperty('fromJSONSchema');
  });
});
