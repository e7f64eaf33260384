import { join } from 'node:path';
import { createClient as createLibsqlClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type DevDbServer, startDevDb } from '../../src/devdb/server.ts';
import { buildNodeDeps } from '../../src/entry/node.ts';
import type { ServiceDeps } from '../../src/service/deps.ts';
import { silentLogger } from '../../src/service/deps.ts';
import { FakeBotFramework } from '../fakes/botframework.ts';
import { freePort, tempDir } from '../support/harness.ts';
import { eventually, type RunningWorker, startWorker, workerdAvailable } from './workerd.ts';

/**
 * `POST /api/messages` in the Workers build with MICROSOFT_APP_ID: tokens checked with jose
 * (src/channels/botframework/jose-auth.ts) against the fake Bot Framework's published keys, replies sent
 * to its connector with a bot token, after the request and from the cron. One Worker for the file, and
 * few requests: workerd starts slowly. The Worker keeps the real clock (see workerd.ts), so tokens are
 * signed at the time it reports on /healthz.
 */

const APP_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const PASSWORD = 'worker-bot-password-0123456789';
const TENANT = '8b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

const available = workerdAvailable();

describe.runIf(available)('the Bot Framework channel in workerd', { timeout: 60_000 }, () => {
  const dir = tempDir();
  const bf = new FakeBotFramework({ appId: APP_ID, appPassword: PASSWORD });
  let db: DevDbServer;
  let node: ServiceDeps;
  let sql: ReturnType<typeof createLibsqlClient>;
  let worker: RunningWorker;
  let workerNow = new Date(0);
  let activityId = 0;

  beforeAll(async () => {
    db = await startDevDb({ path: join(dir.path, 'worker-bf.db'), port: 0 });
    // The deploy step's migration, through the same code.
    node = await buildNodeDeps(loadConfig({ DATABASE_URL: db.url }), silentLogger);
    sql = createLibsqlClient({ url: db.url });
    const authority = await bf.start();
    worker = await startWorker(await freePort(), {
      DATABASE_URL: db.url,
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: PASSWORD,
      MICROSOFT_APP_TENANT_ID: TENANT,
      BOTFRAMEWORK_AUTHORITY_URL: authority,
    });
    const health = (await (await worker.fetch('/healthz')).json()) as { time: string };
    workerNow = new Date(health.time);
  }, 120_000);

  afterAll(async () => {
    await worker?.dispose();
    await bf.stop();
    sql?.close();
    node?.db.close();
    await db?.close();
    dir.remove();
  });

  const message = (conversation: string, text: string) => ({
    type: 'message',
    id: `act-${++activityId}`,
    timestamp: workerNow.toISOString(),
    serviceUrl: bf.serviceUrl,
    channelId: 'msteams',
    from: { id: '29:user-aad-1', name: 'Client' },
    recipient: { id: `28:${APP_ID}`, name: 'selvhjelp' },
    conversation: { id: conversation, conversationType: 'personal', tenantId: TENANT },
    locale: 'nb-NO',
    text,
  });

  const post = (activity: unknown, token?: string) =>
    worker.fetch('/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(activity),
    });

  /** Row counts of everything an inbound activity could change. */
  const footprint = async () => {
    const counts: Record<string, number> = {};
    for (const table of [
      'channel_addresses',
      'transcript',
      'outbox',
      'processed_inbound',
      'conversation_references',
    ]) {
      counts[table] = Number((await sql.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    }
    return counts;
  };

  it('accepts a signed activity and sends the reply to the connector with a bot token', async () => {
    const activity = message('a:worker-conversation-1', 'hei');
    const response = await post(activity, await bf.token({ tenant: TENANT, now: workerNow }));
    expect(response.status).toBe(200);
    const [sent] = await bf.waitFor(1, 30_000);
    expect(sent).toMatchObject({
      conversationId: 'a:worker-conversation-1',
      replyToId: activity.id,
      authorization: 'Bearer bot-token-1',
      activity: { type: 'message', replyToId: activity.id, from: { id: `28:${APP_ID}` } },
    });
    expect(sent!.activity.text).toMatch(/tilgangskoden/);
    expect(await footprint()).toEqual({
      channel_addresses: 1,
      transcript: 2,
      outbox: 1,
      processed_inbound: 1,
      conversation_references: 1,
    });
  });

  it('refuses an unsigned activity and one whose serviceurl claim is another, with 401, changing nothing', async () => {
    const before = await footprint();
    const unsigned = await post(message('a:worker-conversation-2', 'hei'));
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const elsewhere = await bf.token({
      tenant: TENANT,
      now: workerNow,
      claims: { serviceurl: 'https://smba.trafficmanager.net/emea/' },
    });
    const mismatched = await post(message('a:worker-conversation-3', 'hei'), elsewhere);
    expect(mismatched.status).toBe(401);
    expect(await mismatched.json()).toMatchObject({ error: { code: 'unauthorized' } });
    // Give a wrongly queued reply the chance to show itself.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await footprint()).toEqual(before);
    expect(bf.activities).toHaveLength(1);
  });

  it('sends a due message from the cron through the stored conversation reference', async () => {
    // The reply again, due now: only a scheduler pass sends it, and the sender reads the reference.
    await sql.execute(
      `INSERT INTO outbox (address_id, channel, transcript_seq, payload, status, attempts, next_attempt_at,
         created_at, updated_at, kind)
       SELECT address_id, channel, transcript_seq, payload, 'pending', 1, '2000-01-01T00:00:00.000Z',
         created_at, updated_at, 'normal' FROM outbox WHERE channel = 'botframework'`,
    );
    expect((await worker.scheduled()).status).toBe(200);
    const [, again] = await bf.waitFor(2, 30_000);
    expect(again).toMatchObject({
      conversationId: 'a:worker-conversation-1',
      activity: { type: 'message', from: { id: `28:${APP_ID}` }, conversation: { tenantId: TENANT } },
    });
    await eventually(async () =>
      Number(
        (
          await sql.execute(
            "SELECT count(*) AS n FROM outbox WHERE channel = 'botframework' AND status = 'sent'",
          )
        ).rows[0]!.n,
      ) === 2
        ? true
        : undefined,
    );
  });
});
