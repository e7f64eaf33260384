import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { defaultRegistry } from '../../flows/registry.ts';
import { loadConfig } from '../config/config.ts';
import { parseDuration } from '../domain/duration.ts';
import { restore } from '../engine/turn.ts';
import type { Locale } from '../engine/types.ts';
import { buildNodeDeps } from '../entry/node.ts';
import { silentLogger } from '../service/deps.ts';
import { currentEnrollment, listEnrollments } from '../storage/enrollments.ts';
import { listTimers } from '../storage/timers.ts';
import {
  ConversationPlayer,
  osloMinute,
  type Step,
  sequentialIds,
  startOf,
  stepLine,
  stepOf,
} from './player.ts';

/**
 * Plays a flow in the terminal on an in-memory database with its own clock, through the same player as
 * the golden conversations: what you type is a step, and you see what a `.chat` file would hold under it.
 * `/wait 1d` moves the clock on and fires what fell due, `/state` shows where the flow stands, `/quit`
 * ends. With `therapist`, the client has a therapist, and a line such as `! therapist signs contract
 * {"focus":"…","goals":["…"]}` is the therapist's step (test/conversations/player.ts). With `record`, the
 * session is written as a golden conversation (test/conversations/*.chat).
 */
export async function playInTerminal(options: {
  flow: string;
  locale: Locale;
  /** Where the clock starts (to the minute, in Oslo time, as a `.chat` header says it). */
  start: Date;
  /** Write what was played as a golden conversation (a test/conversations/*.chat file) to this file. */
  record?: string;
  /** The client has a responsible therapist, whose steps (`! therapist …`) can be played. */
  therapist?: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}): Promise<number> {
  const { output: out } = options;
  if (!defaultRegistry.latest(options.flow)) {
    out.write(
      `Unknown flow "${options.flow}". Known: ${[...new Set(defaultRegistry.all().map((f) => f.id))].join(', ')}\n`,
    );
    return 2;
  }
  // Whole minutes, as a `.chat` header can say them, so a recording replays to the same instants.
  const start = osloMinute(options.start);
  let now = startOf(start);
  const config = loadConfig({ DATABASE_URL: ':memory:', DEFAULT_LOCALE: options.locale });
  const deps = await buildNodeDeps(config, silentLogger, { clock: () => now });
  // The ids the golden player uses, so that a recording is a golden conversation as it stands.
  deps.ids = sequentialIds();
  const clock = { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  const therapist = options.therapist === true;
  const setup = { flow: options.flow, locale: options.locale, channel: 'web' as const, therapist };
  const { player, preamble } = await ConversationPlayer.open(deps, clock, setup);
  out.write(`selvhjelp chat — flow ${options.flow}, locale ${options.locale}, clock ${now.toISOString()}\n`);
  out.write('Commands: /wait 1d (move the clock on), /state, /quit. Type a number to pick a choice.\n');
  if (therapist) {
    out.write(
      'The therapist: ! therapist drafts contract {json} | ! therapist signs contract [{json}]\n' +
        '  e.g. ! therapist signs contract {"focus":"Lite energi","goals":["Gå tur"]}\n',
    );
  }
  out.write('\n');
  out.write(`${preamble.join('\n')}\n`);

  const transcript: string[] = ['', ...preamble];
  const play = async (step: Step) => {
    const lines = await player.step(step);
    transcript.push('', ...lines);
    // The input line is what was just typed; the rest is the answer.
    out.write(`${lines.slice(1).join('\n')}\n`);
  };
  const finished = async () => {
    const enrollments = await deps.db.read((q) => listEnrollments(q, player.clientId));
    return enrollments.every((e) => e.status === 'done');
  };

  out.write(`\n${stepLine({ send: '{code}' })}\n`);
  await play({ send: '{code}' });
  const lines = createInterface({ input: options.input, terminal: false });
  out.write('\n< ');
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '/quit') break;
    if (line.startsWith('/wait')) {
      const wait = line.slice(5).trim() || '1d';
      if (parseDuration(wait) === undefined) {
        out.write('Usage: /wait 1d | 12h | 30m | 2d3h\n< ');
        continue;
      }
      await play({ wait });
    } else if (line.startsWith('!')) {
      if (!therapist) {
        out.write('Therapist steps need a client with a therapist: start with --therapist\n< ');
        continue;
      }
      let step: Step | undefined;
      try {
        // "!x" without the space is no step to the reader either: ask for the whole line.
        step = stepOf(line.replace(/^!\s*/, '! '));
      } catch (error) {
        out.write(`${error instanceof Error ? error.message : String(error)}\n< `);
        continue;
      }
      await play(step!);
    } else if (line === '/state') {
      const enrollment = await deps.db.read((q) => currentEnrollment(q, player.clientId));
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
      await play({ send: line });
    }
    if (await finished()) {
      out.write('\n[the flow is finished]\n');
      break;
    }
    out.write('\n< ');
  }
  lines.close();
  deps.db.close();
  if (options.record) {
    const header = [
      '# Recorded with selvhjelp chat: say here what this conversation shows',
      `flow: ${options.flow}`,
      `locale: ${options.locale}`,
      `start: ${start}`,
      ...(therapist ? ['therapist: yes'] : []),
    ];
    writeFileSync(options.record, `${[...header, ...transcript].join('\n')}\n`);
    out.write(
      `\n[recorded ${transcript.filter((l) => l.startsWith('< ') || l.startsWith('~ wait ') || l.startsWith('! ')).length} step(s) to ${options.record}; put it in test/conversations/ and check it with npx vitest run test/conversations]\n`,
    );
  }
  return 0;
}
