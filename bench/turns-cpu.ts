/**
 * `node ./bin/run-ts.js bench/turns-cpu.ts [--clients 2000] [--lanes 20]`: main-thread CPU per turn of
 * the service without HTTP: whole intro conversations (as run.ts plays them) through `startConversation`
 * and `handleInbound`, `--lanes` of them side by side so that writes commit in groups as under load, on
 * a temporary file database. CPU time of the main thread does not grow when other processes take the
 * CPU, so this moves less than run.ts's figures on a shared machine. Nothing is wrapped or timed per
 * statement (see core.ts for that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { buildNodeDeps } from '../src/entry/node.ts';
import { createClient } from '../src/service/clients.ts';
import { silentLogger } from '../src/service/deps.ts';
import { handleInbound, startConversation } from '../src/service/handle-inbound.ts';
import { mainThreadCpuMs } from './cpu.ts';
import { introAnswers } from './intro-answers.ts';

const { values: args } = parseArgs({
  options: { clients: { type: 'string', short: 'n' }, lanes: { type: 'string', short: 'l' } },
});
const clients = Number(args.clients ?? 2000);
const lanes = Number(args.lanes ?? 20);
const warmup = 100;

const dir = mkdtempSync(join(tmpdir(), 'selvhjelp-turns-cpu-'));
try {
  const deps = await buildNodeDeps(
    loadConfig({ DATABASE_URL: `file:${join(dir, 'turns.db')}` }),
    silentLogger,
  );
  const doneText = deps.catalog.text('nb', 'intro.done');
  const codes: string[] = [];
  for (let i = 0; i < warmup + clients; i++) {
    const created = await createClient(deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error('createClient failed');
    codes.push(created.accessCode);
  }
  const play = async (i: number) => {
    const { address } = await startConversation(deps, 'web', 'nb');
    let last: string | undefined;
    for (const input of [{ text: codes[i]! }, ...introAnswers(i)]) {
      const outcome = await handleInbound(deps, {
        channel: 'web',
        address: address.address,
        providerId: crypto.randomUUID(),
        locale: 'nb',
        content:
          'value' in input && input.value !== undefined
            ? { kind: 'button', value: input.value }
            : { kind: 'message', text: input.text ?? '' },
      });
      if (outcome.kind !== 'handled') throw new Error(`turn not handled: ${outcome.kind}`);
      last = outcome.replies.at(-1)?.text;
    }
    if (last !== doneText) throw new Error(`conversation ${i} did not finish: ${last}`);
  };
  const run = async (from: number, to: number) => {
    let next = from;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < to) await play(next++);
      }),
    );
  };
  await run(0, warmup);
  const cpuBefore = mainThreadCpuMs();
  const started = performance.now();
  await run(warmup, warmup + clients);
  const cpuAfter = mainThreadCpuMs();
  const turns = clients * 10;
  const wall = ((performance.now() - started) * 1000) / turns;
  const cpu =
    cpuBefore === undefined || cpuAfter === undefined ? NaN : ((cpuAfter - cpuBefore) * 1000) / turns;
  console.log(
    `turns-cpu: ${turns} turns, ${lanes} side by side: main thread ${cpu.toFixed(0)} µs CPU per turn, ` +
      `${wall.toFixed(0)} µs wall per turn (no HTTP)`,
  );
  deps.db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
