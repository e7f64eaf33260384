import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseCatalog } from '../../../flows/courses/index.ts';
import { homeworkTypes } from '../../../src/domain/homework/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const keysOf = (locale: string, file: string): Set<string> =>
  new Set(Object.keys(JSON.parse(readFileSync(join(root, 'content', locale, file), 'utf8'))));

/** Text files every course may draw on besides its own. */
const SHARED = [
  'course.json',
  'engine.json',
  'questionnaire.json',
  'instruments.json',
  'safety.json',
  'ui.json',
];

describe('the course catalog: a course in one place', () => {
  it.each(courseCatalog.map((c) => [c.id, c] as const))(
    '%s: texts, illustrations and homework are where the index says',
    (_, course) => {
      for (const locale of ['nb', 'en']) {
        const own = keysOf(locale, course.contentFile);
        const shared = SHARED.map((file) => keysOf(locale, file));
        const homeless = course.flow.textKeys.filter(
          (key) => !own.has(key) && !shared.some((s) => s.has(key)),
        );
        expect(homeless, `${locale}: keys outside content/${locale}/${course.contentFile}`).toEqual([]);
        // The course's own file holds only its own keys (its texts and its illustrations' alt texts).
        const foreign = [...own].filter(
          (key) => !key.startsWith(`${course.id}.`) && !key.startsWith(`img.${course.id}.`),
        );
        expect(foreign).toEqual([]);
      }
      for (const image of course.flow.images ?? []) {
        expect(image.startsWith(`${course.illustrations}/`), image).toBe(true);
        expect(existsSync(join(root, 'content', 'illustrations', `${image}.svg`)), image).toBe(true);
      }
      for (const type of course.homework) {
        expect(type.id.startsWith(`${course.id}.`), type.id).toBe(true);
        expect(homeworkTypes.get(type.id)).toBe(type);
      }
    },
  );
});
