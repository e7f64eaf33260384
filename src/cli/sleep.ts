import { parseArgs } from 'node:util';
import type { ServiceDeps } from '../service/deps.ts';
import { decide, listProposals } from '../service/sleep-windows.ts';
import { UsageError } from './usage-error.ts';

/**
 * `selvhjelp sleep windows [--json]` lists sleep-window proposals awaiting approval;
 * `selvhjelp sleep approve|reject ID --by NAME` decides one.
 */
export async function sleepCommand(deps: ServiceDeps, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'windows') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } } });
    const proposals = await listProposals(deps);
    if (values.json) process.stdout.write(`${JSON.stringify(proposals, null, 2)}\n`);
    else if (proposals.length === 0) process.stdout.write('No sleep windows awaiting approval.\n');
    else {
      for (const p of proposals) {
        const reason = typeof p.proposal.reason === 'string' ? p.proposal.reason : '';
        process.stdout.write(
          `${p.id}  client ${p.clientId}  ${p.bedTime}–${p.riseTime} (${p.minutes} min)  ${reason}  proposed ${p.createdAt}\n`,
        );
      }
    }
    return 0;
  }
  if (sub === 'approve' || sub === 'reject') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { by: { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(`sleep ${sub} needs exactly one window ID`);
    if (!values.by?.trim()) throw new UsageError(`sleep ${sub} needs --by NAME`);
    const outcome = await decide(
      deps,
      positionals[0]!,
      sub === 'approve' ? 'approved' : 'rejected',
      values.by.trim(),
    );
    if (!outcome.ok) {
      process.stderr.write(`Cannot ${sub}: ${outcome.error.replace(/_/g, ' ')}.\n`);
      return 1;
    }
    process.stdout.write(
      `Sleep window ${outcome.window.id} ${outcome.window.status} by ${outcome.window.decidedBy}.\n`,
    );
    return 0;
  }
  throw new UsageError(`unknown command: sleep ${sub ?? ''}`.trim());
}
