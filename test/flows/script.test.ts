import { describe, expect, it } from 'vitest';
import type { KitFlow } from '../../flows/kit/build.ts';
import { flowScript } from '../../flows/kit/script.ts';
import { defaultRegistry } from '../../flows/registry.ts';
import { catalog } from '../../src/content/default.ts';
import { locales } from '../../src/engine/types.ts';

describe('review export', () => {
  for (const flow of defaultRegistry.all() as KitFlow[]) {
    it(`${flow.id}: every message and choice the client can see is in the script, in both languages`, () => {
      for (const locale of locales) {
        const script = flowScript(flow.spec, locale, (key, vars) => catalog.text(locale, key, vars));
        expect(script.startsWith(`# ${flow.id} (version ${flow.version}, ${locale})`)).toBe(true);
        for (const step of flow.spec.steps) {
          if ('key' in step && step.key)
            expect(script, `${step.id} in ${locale}`).toContain(
              catalog.text(locale, step.key).split('\n')[0]!,
            );
          if (step.kind === 'choice')
            for (const c of step.choices) expect(script).toContain(catalog.text(locale, c.key));
          if (step.kind === 'homework') expect(script).toContain(`\`${step.type}\``);
          if (step.kind === 'questionnaire') expect(script).toContain('Questionnaire');
        }
      }
    });
  }
});
