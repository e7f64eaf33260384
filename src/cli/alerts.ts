import { parseArgs } from 'node:util';
import { acknowledge, listOpenAlerts } from '../service/alerts.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { UsageError } from './usage-error.ts';

/** `selvhjelp alerts [--json]` and `selvhjelp alerts ack ID --by NAME`. */
export async function alertsCommand(deps: ServiceDeps, args: string[]): Promise<number> {
  if (args[0] === 'ack') {
    const { values, positionals } = parseArgs({
      args: args.slice(1),
      options: { by: { type: 'string' } },
      allowPositionals: true,
    });
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new UsageError('alerts ack needs exactly one alert ID');
    if (!values.by?.trim()) throw new UsageError('alerts ack needs --by NAME (who acknowledges it)');
    const outcome = await acknowledge(deps, id, values.by.trim());
    if (!outcome.ok) {
      process.stderr.write(
        outcome.error === 'not_found'
          ? `No alert with ID ${id}.\n`
          : `Alert ${id} was already acknowledged.\n`,
      );
      return 1;
    }
    process.stdout.write(
      `Alert ${id} acknowledged by ${outcome.alert.acknowledgedBy} at ${outcome.alert.acknowledgedAt}.\n`,
    );
    return 0;
  }

  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const alerts = await listOpenAlerts(deps);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
    return 0;
  }
  if (alerts.length === 0) {
    process.stdout.write('No open alerts.\n');
    return 0;
  }
  for (const alert of alerts) {
    process.stdout.write(
      [
        `${alert.id}  ${alert.priority.toUpperCase()}  ${alert.kind} (${alert.tier})  ${alert.createdAt}  via ${alert.channel}`,
        `  client:  ${alert.clientId ?? '(not linked yet)'}`,
        `  message: ${JSON.stringify(alert.triggerText)}`,
        ...(alert.matchedPhrase ? [`  rule:    ${alert.matchedPhrase}`] : []),
        `  shown:   ${alert.shown.join(', ')}`,
        `  answers: ${
          alert.safetyAnswers.map((a) => `${a.step} -> ${a.answer} (${a.at})`).join('; ') || '(none yet)'
        }`,
        `  safety mode: ${alert.safetyStep ? `waiting at ${alert.safetyStep}` : 'ended'}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}
