import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ILLUSTRATION_NAME, type IllustrationSource } from './illustrations.ts';

const folder = new URL('../../content/illustrations/', import.meta.url);

/** Reads every SVG under content/illustrations once (Node only). */
export function nodeIllustrations(): IllustrationSource {
  const svgs = new Map<string, string>();
  if (existsSync(folder)) {
    for (const course of readdirSync(folder, { withFileTypes: true })) {
      if (!course.isDirectory()) continue;
      for (const file of readdirSync(new URL(`${course.name}/`, folder))) {
        if (!file.endsWith('.svg')) continue;
        const name = `${course.name}/${file.slice(0, -4)}`;
        if (ILLUSTRATION_NAME.test(name))
          svgs.set(name, readFileSync(new URL(`${course.name}/${file}`, folder), 'utf8'));
      }
    }
  }
  return (name) => svgs.get(name);
}
