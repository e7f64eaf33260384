import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAddress, insertAddress } from '../../src/storage/addresses.ts';
import { insertAlert, pendingSafetyQuestionRef, recordSafetyAnswer } from '../../src/storage/alerts.ts';
import { findClient, insertClient } from '../../src/storage/clients.ts';
import type { Queryable } from '../../src/storage/db.ts';
import { currentEnrollment, insertEnrollment, saveSnapshot } from '../../src/storage/enrollments.ts';
import { markProcessed, wasProcessed } from '../../src/storage/inbound.ts';
import { loadClientTurnContext, loadInboundContext } from '../../src/storage/inbound-context.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { nodeMigrations } from '../../src/storage/migrations-node.ts';
import { openTestDatabase, tempDir } from '../support/harness.ts';

/** The message counters read with the context: one conversation's row exists, and the network's. */
const COUNTERS = {
  conversation: 'message_conversation',
  network: { bucket: 'message_network', key: 'net-1' },
};

const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 9, minute)).toISOString();

describe('the one-statement turn reads', () => {
  it('read what the separate repository functions read', async () => {
    const dir = tempDir();
    const db = await openTestDatabase(`file:${join(dir.path, 'c.db')}`);
    try {
      await migrate(db, nodeMigrations(), new Date(at(0)));
      await db.write(async (tx) => {
        await insertClient(tx, {
          id: 'c1',
          accessCode: 'ABC123',
          locale: 'nb',
          timeZone: 'Europe/Oslo',
          phone: '+4790000000',
          createdAt: at(1),
        });
        await insertClient(tx, {
          id: 'c2',
          accessCode: 'XYZ789',
          locale: 'en',
          timeZone: 'UTC',
          createdAt: at(1),
        });
        await insertAddress(tx, {
          id: 'a1',
          channel: 'web',
          address: 'conv-1',
          clientId: 'c1',
          locale: 'nb',
          createdAt: at(2),
        });
        await insertAddress(tx, {
          id: 'a2',
          channel: 'web',
          address: 'conv-2',
          locale: 'en',
          createdAt: at(2),
        });
        await insertAddress(tx, {
          id: 'a3',
          channel: 'web',
          address: 'conv-3',
          clientId: 'c2',
          locale: 'en',
          createdAt: at(2),
        });
        await markProcessed(tx, 'web', 'm1', at(3));
        await insertEnrollment(tx, { id: 'e1', clientId: 'c1', flowId: 'intro', flowVersion: 1, now: at(4) });
        await insertEnrollment(tx, {
          id: 'e2',
          clientId: 'c1',
          flowId: 'checkin',
          flowVersion: 2,
          now: at(5),
        });
        await saveSnapshot(tx, {
          id: 'e2',
          expectedRowVersion: 0,
          persisted: {
            flowId: 'checkin',
            version: 2,
            snapshot: { value: 'q1', context: { n: 1.5, s: 'æ"ø' } },
          },
          done: false,
          now: at(6),
        });
        for (const [id, minute] of [
          ['al1', 7],
          ['al2', 8],
        ] as const) {
          await insertAlert(tx, {
            id,
            clientId: 'c1',
            addressId: 'a1',
            kind: 'crisis_text',
            tier: 'crisis',
            priority: 'high',
            triggerText: 'x',
            channel: 'web',
            shown: [],
            alerted: 'clinic',
            safetyStep: 'ask_thoughts',
            safetyAnswers: [],
            heldReplies: [],
            createdAt: at(minute),
          });
        }
        await recordSafetyAnswer(tx, 'al2', {
          entry: { step: 'ask_thoughts', answer: 'no_thoughts', at: at(9) },
          step: undefined,
          escalate: false,
        });
      });

      await db.write(async (tx) => {
        await tx.execute({
          sql: `INSERT INTO rate_limits (bucket, key, window_start, count) VALUES
                  ('message_conversation', 'a1', ?, 3), ('message_network', 'net-1', ?, 7),
                  ('message_conversation', 'conv-1', ?, 9)`,
          args: [at(5), at(6), at(7)],
        });
      });

      const cases: [string, string, string | undefined][] = [
        ['web', 'conv-1', 'm1'],
        ['web', 'conv-1', 'm2'],
        ['web', 'conv-1', undefined],
        ['web', 'conv-2', 'm1'],
        ['web', 'nowhere', 'm1'],
        ['sms', 'conv-1', 'm1'],
        ['web', 'conv-3', 'm3'],
      ];
      for (const [channel, address, providerId] of cases) {
        const context = await db.read((q) => loadInboundContext(q, channel, address, providerId, COUNTERS));
        const expected = await db.read(async (q) => {
          const found = await findAddress(q, channel, address);
          const client = found?.clientId ? await findClient(q, found.clientId) : undefined;
          return {
            address: found,
            processed: providerId !== undefined && (await wasProcessed(q, channel, providerId)),
            client,
            linkedClientMissing: false,
            turn:
              found && client
                ? {
                    pending: await pendingSafetyQuestionRef(q, found.id),
                    enrollment: await currentEnrollment(q, client.id),
                  }
                : undefined,
            pendingSafetyAlert: found ? await pendingSafetyQuestionRef(q, found.id) : undefined,
            // Keyed by the address row's id, never by what the channel calls it.
            counters: {
              conversation: found?.id === 'a1' ? { windowStart: at(5), count: 3 } : undefined,
              network: { windowStart: at(6), count: 7 },
            },
          };
        });
        expect(context).toEqual(expected);
      }

      for (const [addressId, clientId] of [
        ['a1', 'c1'],
        ['a3', 'c2'],
        ['a2', 'c1'],
      ] as const) {
        const context = await db.read((q) => loadClientTurnContext(q, addressId, clientId));
        const expected = await db.read(async (q) => ({
          pending: await pendingSafetyQuestionRef(q, addressId),
          enrollment: await currentEnrollment(q, clientId),
        }));
        expect(context).toEqual(expected);
      }
      // The linked address with a pending safety question and two enrollments: both come with its context.
      const linked = await db.read((q) => loadInboundContext(q, 'web', 'conv-1', 'm9', COUNTERS));
      expect(linked.turn?.pending).toEqual({ id: 'al1' });
      expect(linked.turn?.enrollment?.id).toBe('e2');
      expect((await db.read((q) => loadClientTurnContext(q, 'a1', 'c1'))).pending).toEqual({ id: 'al1' });
      expect((await db.read((q) => loadClientTurnContext(q, 'a1', 'c1'))).enrollment?.id).toBe('e2');
    } finally {
      db.close();
      dir.remove();
    }
  });
});

describe('the turn reads on a migrated database', () => {
  it('find the newest enrollment and safety question by index, without sorting (migration 0020)', async () => {
    const dir = tempDir();
    const db = await openTestDatabase(`file:${join(dir.path, 'plan.db')}`);
    try {
      await migrate(db, nodeMigrations(), new Date(at(0)));
      // Each read's statement, as it sends it, explained instead of run.
      const plans: string[] = [];
      const explaining = (q: Queryable): Queryable => ({
        execute: async (stmt) => {
          const { sql, args } = typeof stmt === 'string' ? { sql: stmt, args: [] } : stmt;
          const rows = (await q.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows;
          plans.push(rows.map((row) => String(row.detail)).join('\n'));
          throw new Error('explained');
        },
        batch: q.batch,
      });
      await db
        .read((q) => loadInboundContext(explaining(q), 'web', 'conv-1', 'm1', COUNTERS))
        .catch(() => {});
      await db.read((q) => loadClientTurnContext(explaining(q), 'a1', 'c1')).catch(() => {});
      expect(plans).toHaveLength(2);
      for (const plan of plans) {
        expect(plan).toContain('USING INDEX enrollments_current');
        expect(plan).toContain('USING INDEX alerts_address_pending');
        expect(plan).not.toContain('TEMP B-TREE');
      }
    } finally {
      db.close();
      dir.remove();
    }
  });
});
