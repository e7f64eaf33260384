import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { formatSms } from '../../src/channels/sms/twilio-sender.ts';
import { type ClientStep, ConversationPlayer, type Step, startOf, stepOf } from '../../src/cli/player.ts';

/** A client's step, as the course tests replay a golden's script through the pure engine (`scriptSteps`). */
export type { ClientStep as Step };

import { makeHarness } from '../support/harness.ts';

/**
 * A golden conversation reads like a chat transcript: a header, then what the client sends (`< text`,
 * `< [button value]`, `~ wait 2d`) and what their therapist does (`! therapist …`, below) with everything
 * the service answered and recorded below each line (`> reply`, indented events, scores, alerts, the
 * contract and state). The input lines are the script; the rest is
 * what the player produced last time and must produce again. A new conversation is just the header and
 * its input lines (what `selvhjelp chat --record` writes); `npx vitest run test/conversations -u` fills in
 * the rest. A long course is a folder of `part-N.chat` files played as one conversation, each file
 * holding the lines of one part; only `part-1.chat` carries the header's settings.
 *
 * Header: `# description` lines, then `flow:`, `locale:` (nb|en), optionally `channel:` (web|sms) and
 * `start:` (Oslo wall-clock time, e.g. 2026-11-23T03:00; default 10:00 on 23 November) and `therapist: yes`
 * (the client has a therapist; implied by a therapist step), then a blank line.
 *
 * Therapist steps act on the guidance contract through the service functions the workspace and the staff
 * API use. A conversation with one gets a client with a responsible therapist (Tina Terapeut), so its
 * course waits for a signed contract (the gate), and each step shows what reached the client (the whole
 * contract in the chat, the summary by SMS), its events and a `contract` line with every version's status
 * and the change the client asked for:
 * - `! therapist drafts contract {"focus":"…","goals":["…"]}` — writes fields into the open draft, or
 *   starts the next version when the newest is signed; the fields are the staff API's (any subset, nested
 *   groups such as `contacts` in part), over the clinic's defaults or the version before;
 * - `! therapist signs contract` — signs the newest draft, or the version the client asked to change, and
 *   sends it to the client; `! therapist signs contract {…}` drafts those fields first.
 */
const here = import.meta.dirname;
/** Where a conversation starts when its header does not say: 10:00 in Oslo on 23 November 2026. */
const DEFAULT_START = '2026-11-23T10:00';

const headerSchema = z.object({
  description: z.string().min(1),
  flow: z.string(),
  locale: z.enum(['nb', 'en']),
  /** The web chat (default) or SMS, where a message is typed text and keywords work. */
  channel: z.enum(['web', 'sms']).default('web'),
  start: z.string().optional(),
  /** The client has a therapist (`selvhjelp chat --therapist` writes it); implied by a therapist step. */
  therapist: z.literal('yes').optional(),
});
type Header = z.infer<typeof headerSchema>;

/** A `.chat` file: its description lines, its settings (part 1 only) and its steps. */
export function parseChat(text: string): {
  description: string[];
  settings: Record<string, string>;
  steps: Step[];
} {
  const lines = text.split('\n');
  const description: string[] = [];
  const settings: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i]!;
    if (line.startsWith('# ')) description.push(line.slice(2));
    else {
      const setting = /^([a-z]+): (.*)$/.exec(line);
      if (!setting) throw new Error(`header line not understood: "${line}"`);
      settings[setting[1]!] = setting[2]!;
    }
  }
  const steps = lines.slice(i).flatMap((line) => {
    const step = stepOf(line);
    return step ? [step] : [];
  });
  return { description, settings, steps };
}

/** One conversation: a `.chat` file, or a folder of `part-N.chat` files played as one. */
export interface Conversation {
  name: string;
  files: string[];
}

/** Every golden conversation in this folder. */
export const conversations: Conversation[] = readdirSync(here, { withFileTypes: true }).flatMap(
  (entry): Conversation[] => {
    if (entry.isFile() && entry.name.endsWith('.chat')) {
      return [{ name: entry.name.replace(/\.chat$/, ''), files: [join(here, entry.name)] }];
    }
    if (!entry.isDirectory()) return [];
    const parts = readdirSync(join(here, entry.name))
      .filter((name) => /^part-\d+\.chat$/.test(name))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
    return parts.length ? [{ name: entry.name, files: parts.map((p) => join(here, entry.name, p)) }] : [];
  },
);

function headerLines(description: string[], settings: Record<string, string>): string[] {
  return [
    ...description.map((line) => `# ${line}`),
    ...Object.entries(settings).map(([key, value]) => `${key}: ${value}`),
  ];
}

/**
 * Plays a conversation and returns what each of its files must hold: the header as written, then every
 * step with what the service answered and recorded.
 */
export async function playConversation(conversation: Conversation): Promise<string[]> {
  const files = conversation.files.map((file) => parseChat(readFileSync(file, 'utf8')));
  const first = files[0]!;
  const header = headerSchema.parse({ description: first.description.join(' '), ...first.settings });
  const steps = files.flatMap((f) => f.steps);
  const { preamble, blocks } = await play(header, steps);
  let next = 0;
  return files.map((file, index) => {
    const mine = blocks.slice(next, next + file.steps.length);
    next += file.steps.length;
    const body = [...(index === 0 ? preamble : []), ...mine.flatMap((block) => ['', ...block])];
    return `${[...headerLines(file.description, file.settings), ...body].join('\n')}\n`;
  });
}

/**
 * The steps of a golden conversation by name (`course-sleep-nb`), without the access code: for tests
 * that play the same script through the pure engine.
 */
export function scriptSteps(name: string): ClientStep[] {
  const conversation = conversations.find((c) => c.name === name);
  if (!conversation) throw new Error(`no golden conversation ${name}`);
  return conversation.files
    .flatMap((file) => parseChat(readFileSync(file, 'utf8')).steps)
    .map((step) => {
      if ('therapist' in step) throw new Error(`${name}: the pure engine cannot play a therapist step`);
      return step;
    })
    .filter((step) => !('send' in step && step.send === '{code}'));
}

/** Plays one `.chat` file anywhere (a script just recorded with `selvhjelp chat --record`). */
export async function playChatFile(path: string): Promise<string> {
  const [content] = await playConversation({ name: path, files: [resolve(path)] });
  return content!;
}

/**
 * Plays a header's conversation through the real service on an in-memory libSQL database, with a fake
 * clock and fake ids, using the player `selvhjelp chat` uses (src/cli/player.ts).
 */
async function play(script: Header, steps: Step[]): Promise<{ preamble: string[]; blocks: string[][] }> {
  const therapist = script.therapist === 'yes' || steps.some((step) => 'therapist' in step);
  const h = await makeHarness({
    senders: {
      sms: {
        mode: 'push',
        format: formatSms,
        // Golden conversations read the outbox; the player sends what is due, and Twilio takes it.
        send: async () => ({ ok: true }),
      },
    },
  });
  try {
    h.clock.now = startOf(script.start ?? DEFAULT_START);
    const clock = { now: h.clock.read, advance: (ms: number) => h.clock.advance(ms) };
    const { player, preamble } = await ConversationPlayer.open(h.deps, clock, { ...script, therapist });
    const blocks: string[][] = [];
    for (const step of steps) blocks.push(await player.step(step));
    return { preamble: ['', ...preamble], blocks };
  } finally {
    h.close();
  }
}
