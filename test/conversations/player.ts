import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** A golden script: what a client sends in the web chat or by SMS, and how long they wait. */
const scriptSchema = z.object({
  description: z.string(),
  flow: z.string(),
  locale: z.enum(['nb', 'en']),
  /** The web chat (default) or SMS, where a message is typed text and keywords work. */
  channel: z.enum(['web', 'sms']).default('web'),
  /** Local time in Europe/Oslo to start at, e.g. "2026-11-23T03:00"; default 10:00 on 23 November. */
  start: z.string().optional(),
  steps: z.array(
    z.union([
      z.object({ send: z.string() }),
      z.object({ press: z.string() }),
      z.object({ wait: z.string() }),
    ]),
  ),
});

const here = import.meta.dirname;
const SMS_NUMBER = '+4791234567';
/** The scripts, `*.json` in this folder. */
export const scriptFiles = readdirSync(here).filter((f) => f.endsWith('.json'));

function formatReplies(replies: RenderedReply[]): string[] {
  return replies.flatMap((reply) => [
    `> ${reply.text}`,
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
export async function playScript(file: string): Promise<string> {
  const script = scriptSchema.parse(JSON.parse(readFileSync(join(here, file), 'utf8')));
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
    const lines = [
      `# ${script.description}`,
      `# flow ${created.flowId}@${created.flowVersion}, locale ${script.locale}, starts ${h.clock.now.toISOString()}`,
    ];
    const sms = script.channel === 'sms';
    let address: { id: string; address: string } = { id: '', address: SMS_NUMBER };
    let cursor = 0;
    if (!sms) {
      const conversation = await startConversation(h.deps, 'web', script.locale);
      address = conversation.address;
      lines.push('', ...formatReplies(conversation.replies));
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

    // The access code comes first, unless the script says where it is typed.
    const typesCode = script.steps.some((step) => 'send' in step && step.send === '{code}');
    const steps = typesCode ? script.steps : [{ send: '{code}' }, ...script.steps];
    for (const step of steps) {
      if ('wait' in step) {
        const ms = parseDuration(step.wait);
        if (ms === undefined) throw new Error(`bad wait ${step.wait}`);
        h.clock.advance(ms);
        const fired = await fireDueTimers(h.deps);
        lines.push('', `~ wait ${step.wait}: ${h.clock.now.toISOString()}, ${fired} timer(s) fired`);
        if (sms) lines.push(...(await smsSent()));
        else {
          const entries = await h.deps.db.read((q) => outboundAfter(q, address.id, cursor));
          lines.push(
            ...formatReplies(entries.map((e) => (e.payload as { rendered: RenderedReply }).rendered)),
          );
          if (entries.length) cursor = entries.at(-1)!.seq;
        }
      } else {
        const text = 'send' in step ? step.send.replace('{code}', created.accessCode) : undefined;
        lines.push('', 'send' in step ? `< ${text}` : `< [${step.press}]`);
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
    return `${lines.join('\n')}\n`;
  } finally {
    h.close();
  }
}
