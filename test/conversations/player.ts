import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { formatSms } from '../../src/channels/sms/twilio-sender.ts';
import { parseDuration } from '../../src/domain/duration.ts';
import { restore } from '../../src/engine/turn.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound, startConversation } from '../../src/service/handle-inbound.ts';
import type { RenderedReply } from '../../src/service/render.ts';
import { clientAlerts } from '../../src/storage/alerts.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { clientEvents } from '../../src/storage/events.ts';
import { outboxForAddress } from '../../src/storage/outbox.ts';
import { clientResponses } from '../../src/storage/responses.ts';
import { outboundAfter } from '../../src/storage/transcript.ts';
import { makeHarness } from '../support/harness.ts';
import { pressed, typed } from '../support/inbound.ts';

/**
 * A golden conversation reads like a chat transcript: a header, then what the client sends (`< text`,
 * `< [button value]`, `~ wait 2d`) with everything the service answered and recorded below each line
 * (`> reply`, indented events, scores, alerts and state). The input lines are the script; the rest is
 * what the player produced last time and must produce again. A new conversation is just the header and
 * its input lines (what `selvhjelp chat --record` writes); `npx vitest run test/conversations -u` fills in
 * the rest. A long course is a folder of `part-N.chat` files played as one conversation, each file
 * holding the lines of one part; only `part-1.chat` carries the header's settings.
 *
 * Header: `# description` lines, then `flow:`, `locale:` (nb|en), optionally `channel:` (web|sms) and
 * `start:` (Oslo wall-clock time, e.g. 2026-11-23T03:00; default 10:00 on 23 November), then a blank line.
 */
const here = import.meta.dirname;
const SMS_NUMBER = '+4791234567';

const headerSchema = z.object({
  description: z.string().min(1),
  flow: z.string(),
  locale: z.enum(['nb', 'en']),
  /** The web chat (default) or SMS, where a message is typed text and keywords work. */
  channel: z.enum(['web', 'sms']).default('web'),
  start: z.string().optional(),
});
type Header = z.infer<typeof headerSchema>;

export type Step = { send: string } | { press: string } | { wait: string };

/** The input line of a step, exactly as it stands in a `.chat` file. */
export function stepLine(step: Step): string {
  return 'send' in step ? `< ${step.send}` : 'press' in step ? `< [${step.press}]` : `~ wait ${step.wait}`;
}

function stepOf(line: string): Step | undefined {
  const press = /^< \[([^\]]+)\]$/.exec(line);
  if (press) return { press: press[1]! };
  if (line.startsWith('< ')) return { send: line.slice(2) };
  const wait = /^~ wait (\S+)$/.exec(line);
  return wait ? { wait: wait[1]! } : undefined;
}

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
  const { preamble, blocks } = await play(
    header,
    files.flatMap((f) => f.steps),
  );
  let next = 0;
  return files.map((file, index) => {
    const mine = blocks.slice(next, next + file.steps.length);
    next += file.steps.length;
    const body = [...(index === 0 ? preamble : []), ...mine.flatMap((block) => ['', ...block])];
    return `${[...headerLines(file.description, file.settings), ...body].join('\n')}\n`;
  });
}

/** Plays one `.chat` file anywhere (a script just recorded with `selvhjelp chat --record`). */
export async function playChatFile(path: string): Promise<string> {
  const [content] = await playConversation({ name: path, files: [resolve(path)] });
  return content!;
}

function formatReplies(replies: RenderedReply[]): string[] {
  return replies.flatMap((reply) => [
    // A reply of several lines keeps its later lines indented, so none can be read as a step.
    ...reply.text.split('\n').map((line, i) => (i === 0 ? `> ${line}` : `  ${line}`.trimEnd())),
    ...(reply.choices ?? []).map(
      (c, i) => `    ${reply.numbering === 'value' ? c.value : i + 1}) ${c.label}  [${c.value}]`,
    ),
    ...(reply.image ? [`    (image ${reply.image.src}: ${reply.image.alt})`] : []),
  ]);
}

/**
 * Plays a golden conversation script through the real service on an in-memory libSQL database, with a fake
 * clock and fake ids, and returns its transcript: everything the client sees, every domain event, stored
 * score and alert, and the state after each step. By SMS, what the client sees is each message as it would
 * go to Twilio (GSM-7, numbered choices), with its outbox kind. The stored snapshot is restored from JSON
 * after every step. Shared by the golden test and the XState equivalence test.
 */
async function play(script: Header, steps: Step[]): Promise<{ preamble: string[]; blocks: string[][] }> {
  const h = await makeHarness({
    senders: {
      sms: {
        mode: 'push',
        format: formatSms,
        send: () => Promise.reject(new Error('golden conversations read the outbox; nothing is sent')),
      },
    },
  });
  try {
    if (script.start) {
      const [y, mo, d, hh, mm] = script.start.split(/[-T:]/).map(Number) as [
        number,
        number,
        number,
        number,
        number,
      ];
      h.clock.now = new Date(new TZDate(y, mo - 1, d, hh, mm, 0, 'Europe/Oslo').getTime());
    }
    const created = await createClient(h.deps, { course: script.flow, locale: script.locale });
    if (!created.ok) throw new Error(`unknown flow ${script.flow}`);
    const preamble = [
      '',
      `  flow ${created.flowId}@${created.flowVersion}, starts ${h.clock.now.toISOString()}`,
    ];
    const blocks: string[][] = [];
    let lines = preamble;
    const sms = script.channel === 'sms';
    let address: { id: string; address: string } = { id: '', address: SMS_NUMBER };
    let cursor = 0;
    if (!sms) {
      const conversation = await startConversation(h.deps, 'web', script.locale);
      address = conversation.address;
      lines.push(...formatReplies(conversation.replies));
      cursor = conversation.cursor;
    }
    let outboxSeen = 0;
    /** By SMS: the messages queued for Twilio since the last look. */
    const smsSent = async () => {
      const rows = await h.deps.db.read((q) => outboxForAddress(q, address.id));
      const fresh = rows.slice(outboxSeen);
      outboxSeen = rows.length;
      return fresh.flatMap((row) => {
        const [first = '', ...rest] = (row.payload as { text: string }).text.split('\n');
        return [`> [sms ${row.kind}] ${first}`, ...rest.map((line) => `  ${line}`)];
      });
    };
    const seen = { events: 0, scores: 0, alerts: 0 };
    const answersSeen = new Map<string, number>();

    const after = async () => {
      const { events, scores, alerts, enrollments } = await h.deps.db.read(async (q) => ({
        events: await clientEvents(q, created.clientId),
        scores: await clientResponses(q, created.clientId),
        alerts: await clientAlerts(q, created.clientId),
        enrollments: await listEnrollments(q, created.clientId),
      }));
      for (const e of events.slice(seen.events)) lines.push(`  event ${e.type} ${JSON.stringify(e.data)}`);
      for (const r of scores.slice(seen.scores)) {
        lines.push(
          `  score ${r.instrument}@${r.instrumentVersion} items=${r.items.join(',')} difficulty=${r.difficulty ?? '-'} total=${r.total} band=${r.band ?? '-'} caseness=${r.caseness ?? '-'} screen=${r.screenPositive ?? '-'} via ${r.channel}`,
        );
      }
      for (const a of alerts.slice(seen.alerts)) {
        lines.push(
          `  alert ${a.priority} ${a.kind} ${JSON.stringify(a.triggerText)} rule=${a.matchedPhrase ?? '-'} shown=${a.shown.join(',')}`,
        );
      }
      // Each answer read in safety mode, as the therapist will see it on the alert.
      for (const a of alerts) {
        for (const answer of a.safetyAnswers.slice(answersSeen.get(a.id) ?? 0)) {
          lines.push(
            `  alert ${a.kind} answer ${answer.step} -> ${answer.answer}; now ${a.priority}, ${a.safetyStep ? `waiting at ${a.safetyStep}` : 'safety mode ended'}`,
          );
        }
        answersSeen.set(a.id, a.safetyAnswers.length);
      }
      Object.assign(seen, { events: events.length, scores: scores.length, alerts: alerts.length });
      const [enrollment] = enrollments;
      if (enrollment?.persisted) {
        // The stored snapshot must survive JSON and restore to the same state.
        const persisted = JSON.parse(JSON.stringify(enrollment.persisted));
        const flow = h.deps.flows.get(enrollment.flowId, enrollment.flowVersion)!;
        const snapshot = restore(flow.machine, persisted);
        lines.push(`  state ${JSON.stringify(snapshot.value)} (${enrollment.status})`);
      }
    };

    for (const step of steps) {
      lines = [stepLine(step)];
      blocks.push(lines);
      if ('wait' in step) {
        const ms = parseDuration(step.wait);
        if (ms === undefined) throw new Error(`bad wait ${step.wait}`);
        h.clock.advance(ms);
        const fired = await fireDueTimers(h.deps);
        lines.push(`  clock ${h.clock.now.toISOString()}, ${fired} timer(s) fired`);
        if (sms) lines.push(...(await smsSent()));
        else {
          const entries = await h.deps.db.read((q) => outboundAfter(q, address.id, cursor));
          lines.push(
            ...formatReplies(entries.map((e) => (e.payload as { rendered: RenderedReply }).rendered)),
          );
          if (entries.length) cursor = entries.at(-1)!.seq;
        }
      } else {
        // `{code}` stands for the client's access code, so a file does not depend on how codes are drawn.
        const text = 'send' in step ? step.send.replace('{code}', created.accessCode) : undefined;
        if (sms && !('send' in step)) throw new Error('SMS has no buttons: send the text instead');
        const outcome = await handleInbound(h.deps, {
          channel: script.channel,
          address: address.address,
          content: 'send' in step ? typed(text ?? '', { keywords: sms }) : pressed(step.press),
          ...(sms ? { createAddress: true } : {}),
        });
        if (outcome.kind !== 'handled') throw new Error(`step not handled: ${outcome.kind}`);
        if (sms) {
          address = { id: outcome.addressId, address: SMS_NUMBER };
          lines.push(...(await smsSent()));
        } else lines.push(...formatReplies(outcome.replies));
        cursor = outcome.cursor;
      }
      await after();
    }
    return { preamble, blocks };
  } finally {
    h.close();
  }
}
