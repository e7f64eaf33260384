import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient as createLibsqlClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { computeTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type DevDbServer, startDevDb } from '../../src/devdb/server.ts';
import { buildNodeDeps } from '../../src/entry/node.ts';
import { createClient } from '../../src/service/clients.ts';
import type { ServiceDeps } from '../../src/service/deps.ts';
import { silentLogger } from '../../src/service/deps.ts';
import { FakeTwilio } from '../fakes/fake-twilio.ts';
import { freePort, tempDir } from '../support/harness.ts';
import { eventually, type RunningWorker, startWorker, workerdAvailable } from './workerd.ts';

/**
 * The Workers build (wrangler.toml, src/entry/worker.ts) in workerd, against the local libSQL server of
 * `npm run dev:db` migrated as the deploy step does it, with the fake Twilio as the SMS provider. One
 * Worker for the whole file: starting workerd costs seconds.
 */

const ACCOUNT = `AC${'b2'.repeat(16)}`;
const TOKEN = 'worker-test-auth-token-0123';
const OUR_NUMBER = '+4759440001';
const CLIENT_PHONE = '+4791234567';

const available = workerdAvailable();

describe.runIf(available)('the Worker in workerd', { timeout: 60_000 }, () => {
  const dir = tempDir();
  let db: DevDbServer;
  let twilio: FakeTwilio;
  let worker: RunningWorker;
  let node: ServiceDeps;
  let sql: ReturnType<typeof createLibsqlClient>;
  let base: string;
  let workerNow = new Date(0);
  const logs: string[] = [];

  beforeAll(async () => {
    db = await startDevDb({ path: join(dir.path, 'worker.db'), port: 0 });
    // The deploy step: `selvhjelp migrate` against the remote URL, here through the same code. The test's
    // side (making access codes) keeps the Worker's time, which is the real one (see workerd.ts).
    node = await buildNodeDeps(loadConfig({ DATABASE_URL: db.url }), silentLogger, {
      clock: () => workerNow,
    });
    sql = createLibsqlClient({ url: db.url });
    twilio = new FakeTwilio({ accountSid: ACCOUNT, authToken: TOKEN });
    const apiBase = await twilio.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The Worker's info lines (and wrangler's request lines) are kept here rather than printed.
    for (const method of ['log', 'info'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logs.push(args.map(String).join(' '));
      });
    }
    worker = await startWorker(
      port,
      {
        DATABASE_URL: db.url,
        PUBLIC_BASE_URL: base,
        TWILIO_ACCOUNT_SID: ACCOUNT,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM: OUR_NUMBER,
        TWILIO_API_BASE_URL: apiBase,
        WORKER_SUBREQUEST_BUDGET: '45',
      },
      { logLevel: 'log' },
    );
    const health = (await (await worker.fetch('/healthz')).json()) as { time: string };
    workerNow = new Date(health.time);
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await worker?.dispose();
    await twilio?.stop();
    sql?.close();
    node?.db.close();
    await db?.close();
    dir.remove();
  });

  const postJson = (path: string, body: unknown) =>
    worker.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function postSigned(path: string, params: Record<string, string>) {
    const signature = await computeTwilioSignature(TOKEN, `${base}${path}`, params);
    return worker.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
  }

  const count = async (query: string, args: (string | number)[] = []) =>
    Number((await sql.execute({ sql: query, args })).rows[0]!.n);

  it('answers /healthz from the database', async () => {
    const response = await worker.fetch('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', time: expect.any(String) });
  });

  it('serves the chat page', async () => {
    const response = await worker.fetch('/chat');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('serves the illustrations as static assets, with the headers of the Node route', async () => {
    const response = await worker.fetch('/illustrations/sleep/bedroom.svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const file = readFileSync(
      new URL('../../content/illustrations/sleep/bedroom.svg', import.meta.url),
      'utf8',
    );
    expect(await response.text()).toBe(file);
    expect((await worker.fetch('/illustrations/sleep/nope.svg')).status).toBe(404);
  });

  it('reads its texts from the content catalogue among its assets, as the chat page shows', async () => {
    const asset = await worker.fetch('/content/catalog.json');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    const files = (await asset.json()) as { nb: Record<string, Record<string, string>> };
    const page = await (await worker.fetch('/chat')).text();
    const title = Object.values(files.nb).find((entries) => 'ui.title' in entries)?.['ui.title'];
    expect(title).toBeTruthy();
    expect(page).toContain(title!);
  });

  it('keeps serving the illustrations while another Worker test runs the build step', async () => {
    // Each Worker test file's wrangler runs worker-build.ts; workerd keeps the assets folder it opened
    // at start, so a build that removed and wrote the folder afresh made every illustration a 500.
    execFileSync(process.execPath, ['./bin/run-ts.js', 'src/entry/worker-build.ts'], {
      cwd: new URL('../../', import.meta.url),
    });
    const response = await worker.fetch('/illustrations/sleep/bedroom.svg');
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^<svg/);
  });

  it('plays the intro in the web chat after an access code', async () => {
    const created = await createClient(node, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error(created.error);
    const first = await postJson('/channels/web/messages', { text: created.accessCode, locale: 'nb' });
    expect(first.status).toBe(200);
    const linked = (await first.json()) as {
      conversationId: string;
      replies: { text: string; choices?: { value: string }[] }[];
    };
    const question = linked.replies.at(-1)!;
    expect(question.choices?.map((c) => c.value)).toEqual(['yes', 'more']);
    // Issue 15: a web turn on Workers is at most 4 round trips to the database (here 3: the turn's
    // read, its batch, the commit), counted as pipeline requests at the libSQL server.
    const before = db.database.pipelines;
    const next = await postJson('/channels/web/messages', {
      conversationId: linked.conversationId,
      value: 'yes',
    });
    expect(next.status).toBe(200);
    const trips = db.database.pipelines - before;
    expect(trips).toBeLessThanOrEqual(4);
    const answered = (await next.json()) as { replies: { text: string; choices?: { value: string }[] }[] };
    expect(answered.replies.length).toBeGreaterThan(0);
    expect(answered.replies.at(-1)!.choices?.map((c) => c.value)).not.toEqual(['yes', 'more']);
    const started = await count(
      "SELECT count(*) AS n FROM enrollments WHERE client_id = ? AND flow_id = 'intro'",
      [created.clientId],
    );
    expect(started).toBe(1);
  });

  it('checks an access code in at most 4 round trips, a wrong one and the right one', async () => {
    const created = await createClient(node, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error(created.error);
    // As the chat page does it: the conversation first, then what the person types.
    const started = (await (await postJson('/channels/web/messages', { locale: 'nb' })).json()) as {
      conversationId: string;
    };
    const trips = async (text: string) => {
      const before = db.database.pipelines;
      const response = await postJson('/channels/web/messages', {
        conversationId: started.conversationId,
        messageId: crypto.randomUUID(),
        text,
      });
      expect(response.status).toBe(200);
      const { replies } = (await response.json()) as { replies: { text: string }[] };
      return { trips: db.database.pipelines - before, replies: replies.map((r) => r.text) };
    };
    const wrong = await trips('ZZZZ999');
    expect(wrong.replies).toEqual([node.catalog.text('nb', 'service.code_unknown')]);
    expect(wrong.trips).toBeLessThanOrEqual(4);
    const right = await trips(created.accessCode);
    expect(right.replies[0]).toBe(node.catalog.text('nb', 'service.code_linked'));
    expect(right.trips).toBeLessThanOrEqual(4);
  });

  it('refuses bad input with a 4xx and changes nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM transcript');
    const bad = await worker.fetch('/channels/web/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect(await count('SELECT count(*) AS n FROM transcript')).toBe(before);
  });

  it('answers a crisis message in the web chat with the protocol and raises an alert', async () => {
    const alerts = await count('SELECT count(*) AS n FROM alerts');
    const response = await postJson('/channels/web/messages', {
      text: 'hei. jeg har samlet piller og tenker å ta dem',
      locale: 'nb',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { replies: { text: string; choices?: unknown[] }[] };
    const text = body.replies.map((r) => r.text).join('\n');
    expect(text).toContain('113');
    expect(text).toContain('116 123');
    expect(body.replies.at(-1)!.choices).toHaveLength(3);
    expect(await count('SELECT count(*) AS n FROM alerts')).toBe(alerts + 1);
  });

  let safetySid: string;

  it('sends the reply to a signed crisis SMS within the same request, without a cron run', async () => {
    const response = await postSigned('/channels/sms/twilio', {
      MessageSid: `SM${'1'.repeat(32)}`,
      AccountSid: ACCOUNT,
      From: CLIENT_PHONE,
      To: OUR_NUMBER,
      Body: 'hei. jeg har samlet piller og tenker å ta dem',
      NumMedia: '0',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/xml/);
    const sent = await eventually(() => {
      const to = twilio.messages.filter((m) => m.to === CLIENT_PHONE);
      return to.length >= 4 ? to : undefined;
    });
    expect(sent[0]!.from).toBe(OUR_NUMBER);
    expect(sent.map((m) => m.body).join('\n')).toContain('113');
    safetySid = sent[0]!.sid;
    await eventually(async () =>
      (await count("SELECT count(*) AS n FROM outbox WHERE status = 'sent' AND provider_id = ?", [
        safetySid,
      ])) === 1
        ? true
        : undefined,
    );
    // A bad signature is refused and runs nothing.
    const forged = await worker.fetch('/channels/sms/twilio', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
      body: new URLSearchParams({
        MessageSid: `SM${'2'.repeat(32)}`,
        From: CLIENT_PHONE,
        Body: 'hei',
      }).toString(),
    });
    expect(forged.status).toBe(403);
  });

  it('records a signed delivery status callback', async () => {
    expect(await twilio.deliverStatus(safetySid, 'delivered')).toBe(200);
    const outbox = await sql.execute({
      sql: 'SELECT id, status FROM outbox WHERE provider_id = ?',
      args: [safetySid],
    });
    expect(outbox.rows[0]!.status).toBe('delivered');
    expect(
      await count('SELECT count(*) AS n FROM delivery_status_events WHERE provider_id = ? AND status = ?', [
        safetySid,
        'delivered',
      ]),
    ).toBe(1);
  });

  it('delivers what is due on a scheduled run', async () => {
    // A message whose first attempt failed and is due again now: only a scheduler pass sends it.
    await sql.execute({
      sql: `INSERT INTO outbox (address_id, channel, transcript_seq, payload, status, attempts, next_attempt_at,
              created_at, updated_at, kind)
            SELECT address_id, channel, transcript_seq, payload, 'pending', 1, '2000-01-01T00:00:00.000Z',
              created_at, updated_at, 'normal' FROM outbox WHERE provider_id = ?`,
      args: [safetySid],
    });
    const before = twilio.messages.length;
    logs.length = 0;
    {
      const response = await worker.scheduled();
      expect(response.status).toBe(200);
      await eventually(() => (twilio.messages.length === before + 1 ? true : undefined));
      expect(twilio.messages.at(-1)!.to).toBe(CLIENT_PHONE);
      expect(await count("SELECT count(*) AS n FROM outbox WHERE status = 'pending'")).toBe(0);
      // The run logs one line with its counts and the subrequests it used of its budget.
      const line = await eventually(() => logs.find((l) => l.includes('"cron pass"')));
      const pass = JSON.parse(line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1));
      expect(pass).toMatchObject({ level: 'info', outbox: { sent: 1, failed: 0 }, budget: 45, errors: [] });
      expect(pass.subrequests).toBeGreaterThan(0);
      expect(pass.subrequests).toBeLessThanOrEqual(45);
    }
  });
});
