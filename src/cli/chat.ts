import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { defaultRegistry } from '../../flows/registry.ts';
import { loadConfig } from '../config/config.ts';
import { parseDuration } from '../domain/duration.ts';
import { restore } from '../engine/turn.ts';
import type { Locale } from '../engine/types.ts';
import { buildNodeDeps } from '../entry/node.ts';
import { createClient } from '../service/clients.ts';
import { silentLogger } from '../service/deps.ts';
import { fireDueTimers } from '../service/fire-timers.ts';
import { handleInbound } from '../service/handle-inbound.ts';
import type { RenderedReply } from '../service/render.ts';
import { findAddress } from '../storage/addresses.ts';
import { currentEnrollment, listEnrollments } from '../storage/enrollments.ts';
import { listTimers } from '../storage/timers.ts';
import { outboundAfter } from '../storage/transcript.ts';

const CHANNEL = 'terminal';
const ADDRESS = 'terminal';

function print(replies: RenderedReply[], out: NodeJS.WritableStream): void {
  for (const reply of replies) {
    out.write(`\n  ${reply.text.replace(/\n/g, '\n  ')}\n`);
    for (const [i, choice] of (reply.choices ?? []).entries()) {
      out.write(`    ${reply.numbering === 'value' ? choice.value : i + 1}) ${choice.label}\n`);
    }
  }
}

/**
 * Plays a flow in the terminal on an in-memory database with its own clock: `/wait 1d` moves the clock
 * on and fires what fell due, `/state` shows where the flow stands, `/quit` ends.
 */
export async function playInTerminal(options: {
  flow: string;
  locale: Locale;
  /** Where the player's clock starts; tests pass a fixed time so that send windows never depend on the hour. */
  start: Date;
  /** Write what was played as a golden conversation (a test/conversations/*.chat file) to this file. */
  record?: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}): Promise<number> {
  const { output: out } = options;
  let now = new Date(options.start.getTime());
  const config = loadConfig({ DATABASE_URL: ':memory:', DEFAULT_LOCALE: options.locale });
  if (!defaultRegistry.latest(options.flow)) {
    out.write(
      `Unknown flow "${options.flow}". Known: ${[...new Set(defaultRegistry.all().map((f) => f.id))].join(', ')}\n`,
    );
    return 2;
  }
  const deps = await buildNodeDeps(config, silentLogger, {
    clock: () => now,
    senders: { [CHANNEL]: { mode: 'pull' } },
  });
  const created = await createClient(deps, { course: options.flow, locale: options.locale });
  if (!created.ok) throw new Error(`cannot create a client for ${options.flow}`);
  out.write(
    `selvhjelp chat — flow ${created.flowId}@${created.flowVersion}, locale ${options.locale}, clock ${now.toISOString()}\n`,
  );
  out.write('Commands: /wait 1d (move the clock on), /state, /quit. Type a number to pick a choice.\n');

  // The golden script of this session: what was typed and how long the clock was moved on.
  const recorded: ({ send: string } | { wait: string })[] = [];
  let cursor = 0;
  const say = async (text: string) => {
    const outcome = await handleInbound(deps, {
      channel: CHANNEL,
      address: ADDRESS,
      content: { kind: 'message', text },
      createAddress: true,
    });
    if (outcome.kind === 'handled') {
      print(outcome.replies, out);
      cursor = outcome.cursor;
    }
  };
  const finished = async () => {
    const enrollments = await deps.db.read((q) => listEnrollments(q, created.clientId));
    return enrollments.every((e) => e.status === 'done');
  };

  await say(created.accessCode);
  const lines = createInterface({ input: options.input, terminal: false });
  out.write('\n> ');
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '/quit') break;
    if (line.startsWith('/wait')) {
      const ms = parseDuration(line.slice(5).trim() || '1d');
      if (ms === undefined) {
        out.write('Usage: /wait 1d | 12h | 30m | 2d3h\n> ');
        continue;
      }
      recorded.push({ wait: line.slice(5).trim() || '1d' });
      now = new Date(now.getTime() + ms);
      const fired = await fireDueTimers(deps);
      out.write(`[clock: ${now.toISOString()}; ${fired} timer(s) fired]\n`);
      const address = await deps.db.read((q) => findAddress(q, CHANNEL, ADDRESS));
      const entries = address ? await deps.db.read((q) => outboundAfter(q, address.id, cursor)) : [];
      for (const entry of entries) {
        print([(entry.payload as { rendered: RenderedReply }).rendered], out);
        cursor = entry.seq;
      }
    } else if (line === '/state') {
      const enrollment = await deps.db.read((q) => currentEnrollment(q, created.clientId));
      if (!enrollment?.persisted) out.write('[no active enrollment]\n');
      else {
        const flow = deps.flows.get(enrollment.flowId, enrollment.flowVersion)!;
        const snapshot = restore(flow.machine, enrollment.persisted);
        const timers = await deps.db.read((q) => listTimers(q, enrollment.id));
        out.write(
          `[${flow.id}@${flow.version} ${JSON.stringify(snapshot.value)} status=${snapshot.status}]\n` +
            `[answers ${JSON.stringify(snapshot.context.answers)}]\n` +
            `[timers ${timers.map((t) => `${t.key} at ${t.dueAt}`).join(', ') || 'none'}]\n`,
        );
      }
    } else if (line.length > 0) {
      recorded.push({ send: line });
      await say(line);
    }
    if (await finished()) {
      out.write('\n[the flow is finished]\n');
      break;
    }
    out.write('\n> ');
  }
  lines.close();
  deps.db.close();
  if (options.record) {
    // A golden conversation's header and its input lines (test/conversations/player.ts reads them);
    // `npx vitest run test/conversations -u` fills in what the service answers.
    const lines = [
      `# Recorded with selvhjelp chat: say here what this conversation shows`,
      `flow: ${options.flow}`,
      `locale: ${options.locale}`,
      `start: ${osloLocal(options.start)}`,
      '',
      '< {code}',
      ...recorded.map((step) => ('send' in step ? `< ${step.send}` : `~ wait ${step.wait}`)),
    ];
    writeFileSync(options.record, `${lines.join('\n')}\n`);
    out.write(
      `\n[recorded ${recorded.length} step(s) to ${options.record}; put it in test/conversations/ and run npx vitest run test/conversations -u]\n`,
    );
  }
  return 0;
}

/** The golden runner's start format: Oslo wall-clock time to the minute ("2026-11-23T03:00"). */
function osloLocal(date: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Oslo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}
