import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseDuration } from '../../src/domain/duration.ts';
import { restore } from '../../src/engine/turn.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import type { RenderedReply } from '../../src/service/render.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { clientEvents } from '../../src/storage/events.ts';
import { outboundAfter } from '../../src/storage/transcript.ts';
import { makeHarness } from '../support/harness.ts';

/**
 * Golden conversations: each `*.json` here is a script of what a client sends (and how long they wait);
 * the runner plays it through the real service on an in-memory libSQL database with a fake clock and
 * fake ids, and pins everything the client sees, every domain event and the state after each step in
 * `__golden__/<name>.txt`. Regenerate with `npx vitest run test/conversations -u` and review the diff.
 */
const scriptSchema = z.object({
  description: z.string(),
  flow: z.string(),
  locale: z.enum(['nb', 'en']),
  steps: z.array(
    z.union([
      z.object({ send: z.string() }),
      z.object({ press: z.string() }),
      z.object({ wait: z.string() }),
    ]),
  ),
});

const here = import.meta.dirname;
const scripts = readdirSync(here).filter((f) => f.endsWith('.json'));

function formatReplies(replies: RenderedReply[]): string[] {
  return replies.flatMap((reply) => [
    `> ${reply.text}`,
    ...(reply.choices ?? []).map((c, i) => `    ${i + 1}) ${c.label}  [${c.value}]`),
    ...(reply.image ? [`    (image ${reply.image})`] : []),
  ]);
}

describe('golden conversations', () => {
  it('has scripts', () => expect(scripts.length).toBeGreaterThan(0));

  for (const file of scripts) {
    it(file.replace(/\.json$/, ''), async () => {
      const script = scriptSchema.parse(JSON.parse(readFileSync(join(here, file), 'utf8')));
      const h = await makeHarness();
      try {
        const created = await createClient(h.deps, { course: script.flow, locale: script.locale });
        if (!created.ok) throw new Error(`unknown flow ${script.flow}`);
        const lines = [
          `# ${script.description}`,
          `# flow ${created.flowId}@${created.flowVersion}, locale ${script.locale}`,
        ];
        let cursor = 0;
        let seenEvents = 0;

        const after = async () => {
          const events = await h.deps.db.read((q) => clientEvents(q, created.clientId));
          for (const event of events.slice(seenEvents))
            lines.push(`  event ${event.type} ${JSON.stringify(event.data)}`);
          seenEvents = events.length;
          const [enrollment] = await h.deps.db.read((q) => listEnrollments(q, created.clientId));
          if (enrollment?.persisted) {
            // The stored snapshot must survive JSON and restore to the same state.
            const persisted = JSON.parse(JSON.stringify(enrollment.persisted));
            const flow = h.deps.flows.get(enrollment.flowId, enrollment.flowVersion)!;
            const snapshot = restore(flow.machine, persisted);
            lines.push(`  state ${JSON.stringify(snapshot.value)} (${enrollment.status})`);
          }
        };

        const steps = [{ send: '{code}' }, ...script.steps];
        for (const step of steps) {
          if ('wait' in step) {
            const ms = parseDuration(step.wait);
            if (ms === undefined) throw new Error(`bad wait ${step.wait}`);
            h.clock.advance(ms);
            const fired = await fireDueTimers(h.deps);
            lines.push('', `~ wait ${step.wait}: ${h.clock.now.toISOString()}, ${fired} timer(s) fired`);
            const address = await h.deps.db.read((q) => findAddress(q, 'terminal', 'golden'));
            const entries = await h.deps.db.read((q) => outboundAfter(q, address!.id, cursor));
            lines.push(
              ...formatReplies(entries.map((e) => (e.payload as { rendered: RenderedReply }).rendered)),
            );
            if (entries.length) cursor = entries.at(-1)!.seq;
          } else {
            const text = 'send' in step ? step.send.replace('{code}', created.accessCode) : undefined;
            lines.push('', 'send' in step ? `< ${text}` : `< [${step.press}]`);
            const outcome = await handleInbound(h.deps, {
              channel: 'terminal',
              address: 'golden',
              createAddress: true,
              ...('send' in step ? { text } : { value: step.press }),
            });
            if (outcome.kind !== 'handled') throw new Error(`step not handled: ${outcome.kind}`);
            lines.push(...formatReplies(outcome.replies));
            cursor = outcome.cursor;
          }
          await after();
        }
        await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot(
          `__golden__/${file.replace(/\.json$/, '.txt')}`,
        );
      } finally {
        h.close();
      }
    });
  }
});
