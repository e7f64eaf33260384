import { contractFieldsSchema, quietAction } from '../domain/contract.ts';
import { preferredAddress } from '../storage/addresses.ts';
import { findClient } from '../storage/clients.ts';
import { appendEvent } from '../storage/events.ts';
import { quietCandidates } from '../storage/quiet.ts';
import type { ServiceDeps } from './deps.ts';
import { writeTurn } from './write-turn.ts';

/**
 * The guidance contract's "goes quiet" rule, one scheduler step: a client under a signed contract who
 * has written nothing for `quiet.reminderAfterDays` gets one discreet reminder (inside the send window);
 * after `quiet.taskAfterDays` without a word, the therapist gets a task (the dashboard's "gone quiet" flag, from the
 * `client.quiet_task` event). A message from the client starts the count again. Clients with an open
 * high-priority alert or in safety mode are skipped, as for check-ins.
 */
export async function applyQuietRule(
  deps: ServiceDeps,
  limit = 500,
): Promise<{ reminded: number; tasks: number }> {
  const now = deps.clock();
  const candidates = await deps.db.read((q) => quietCandidates(q, limit));
  let reminded = 0;
  let tasks = 0;
  for (const candidate of candidates) {
    const fields = contractFieldsSchema.safeParse(candidate.fields);
    if (!fields.success) continue;
    const signed = Date.parse(candidate.signedAt);
    const lastIn = candidate.lastInboundAt ? Date.parse(candidate.lastInboundAt) : 0;
    const action = quietAction({
      now,
      lastActivity: new Date(Math.max(signed, lastIn)),
      remindedAt: candidate.remindedAt ? new Date(candidate.remindedAt) : undefined,
      taskAt: candidate.taskAt ? new Date(candidate.taskAt) : undefined,
      rule: fields.data.quiet,
    });
    if (action === undefined) continue;
    const silentDays = Math.floor((now.getTime() - Math.max(signed, lastIn)) / 86_400_000);
    await deps.locks.run(`client:${candidate.clientId}`, () =>
      deps.db.write(async (tx) => {
        if (action === 'task') {
          await appendEvent(tx, {
            clientId: candidate.clientId,
            event: { type: 'client.quiet_task', data: { silentDays } },
            now: now.toISOString(),
          });
          tasks++;
          return;
        }
        const client = await findClient(tx, candidate.clientId);
        const address = await preferredAddress(tx, candidate.clientId, now);
        const event = { type: 'client.quiet_reminded', data: { silentDays } };
        if (!client || !address || address.optedOutAt || address.undeliverableAt) {
          // Nobody to remind: recorded, so the rule moves on to the therapist's task in time.
          await appendEvent(tx, { clientId: candidate.clientId, event, now: now.toISOString() });
          return;
        }
        await writeTurn(deps, tx, {
          now,
          address,
          clientId: client.id,
          locale: client.locale,
          events: [event],
          replies: [{ key: 'contract.quiet_reminder' }],
          scheduledFor: { timeZone: client.timeZone },
        });
        reminded++;
      }),
    );
  }
  return { reminded, tasks };
}
