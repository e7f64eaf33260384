import { parseArgs } from 'node:util';
import { parseDuration } from '../domain/duration.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { scheduleMeasurement } from '../service/measurements.ts';
import { UsageError } from './usage-error.ts';

const DAY_MS = 86_400_000;

/**
 * `selvhjelp measures schedule CLIENT_ID [--flow measures|screen|phq9|gad7] (--every 14d | --at ISO-TIME)`:
 * a repeating check-in at the client's preferred time, or one measurement at a given time (for instance
 * the day before a follow-up contact).
 */
export async function measuresCommand(deps: ServiceDeps, args: string[]): Promise<number> {
  if (args[0] !== 'schedule') throw new UsageError(`unknown command: measures ${args[0] ?? ''}`.trim());
  const { values, positionals } = parseArgs({
    args: args.slice(1),
    options: {
      flow: { type: 'string', default: 'measures' },
      every: { type: 'string' },
      at: { type: 'string' },
    },
    allowPositionals: true,
  });
  const clientId = positionals[0];
  if (!clientId || positionals.length > 1)
    throw new UsageError('measures schedule needs exactly one client ID');
  if ((values.every === undefined) === (values.at === undefined)) {
    throw new UsageError('give either --every (e.g. 14d) or --at (an ISO time)');
  }
  let request: Parameters<typeof scheduleMeasurement>[1];
  if (values.every !== undefined) {
    const ms = parseDuration(values.every);
    if (ms === undefined || ms % DAY_MS !== 0 || ms === 0)
      throw new UsageError('--every takes whole days, e.g. 7d or 14d');
    request = { clientId, flowId: values.flow, everyDays: ms / DAY_MS };
  } else {
    const at = new Date(values.at!);
    if (Number.isNaN(at.getTime()))
      throw new UsageError('--at takes an ISO time, e.g. 2026-12-01T09:00:00+01:00');
    request = { clientId, flowId: values.flow, at };
  }
  const outcome = await scheduleMeasurement(deps, request);
  if (!outcome.ok) {
    process.stderr.write(`Cannot schedule: ${outcome.error.replace(/_/g, ' ')}.\n`);
    return 1;
  }
  process.stdout.write(
    `Scheduled ${outcome.schedule.flowId} for ${clientId}: first due ${outcome.schedule.nextDueAt}` +
      `${outcome.schedule.everyDays ? `, then every ${outcome.schedule.everyDays} days` : ''}.\n`,
  );
  return 0;
}
