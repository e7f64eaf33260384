import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KitFlow } from '../../flows/kit/build.ts';
import { flowScript } from '../../flows/kit/script.ts';
import { defaultRegistry } from '../../flows/registry.ts';
import { catalog } from '../content/default.ts';
import { UsageError } from './usage-error.ts';

/** `selvhjelp content export --course ID --locale nb|en [--out FILE]`: the course as a Markdown script. */
export function contentCommand(args: string[]): number {
  if (args[0] !== 'export') throw new UsageError(`unknown command: content ${args[0] ?? ''}`.trim());
  const { values } = parseArgs({
    args: args.slice(1),
    options: {
      course: { type: 'string' },
      locale: { type: 'string', default: 'nb' },
      out: { type: 'string' },
    },
  });
  if (values.locale !== 'nb' && values.locale !== 'en') throw new UsageError('--locale must be nb or en');
  const flow = values.course ? defaultRegistry.latest(values.course) : undefined;
  if (!flow || !('spec' in flow)) {
    const known = [...new Set(defaultRegistry.all().map((f) => f.id))].join(', ');
    throw new UsageError(`--course must name a flow (known: ${known})`);
  }
  const locale = values.locale;
  const script = flowScript((flow as KitFlow).spec, locale, (key, vars) => catalog.text(locale, key, vars));
  if (values.out) {
    writeFileSync(values.out, script);
    process.stdout.write(`Wrote ${values.out} (${Buffer.byteLength(script)} bytes).\n`);
  } else {
    process.stdout.write(script);
  }
  return 0;
}
