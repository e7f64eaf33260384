/**
 * The scheduler part of `npm run bench` (alone: `npm run bench -- --part scheduler`): a morning of due
 * check-ins on a file database, seeded the same way twice (for the fire and the bare run):
 *
 * 1. fire: `fireDueSchedules` (batched) until every check-in is started and its notice queued; check-ins/s.
 * 2. bare: the same rows those check-ins wrote (every table, the same count and content), inserted in
 *    batches of the same size with nothing else; the ratio fire/bare is the scheduler's share of the
 *    database's own speed (goal >= 0.5).
 * 3. drain: the real server (its scheduler loop, the real Twilio sender) sends the queued notices to the
 *    fake Twilio at BENCH_SCHEDULER_SEND_RATE, while a crisis SMS comes in every second through the signed
 *    webhook; each crisis reply's latency is timed from the webhook to its arrival at the fake Twilio.
 *
 * Setup (seeding, reading the rows for the bare insert) is not timed. See bench/README.md.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { computeTwilioSignature } from '../src/channels/sms/twilio-signature.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildNodeDeps, startNodeServer } from '../src/entry/node.ts';
import { silentLogger } from '../src/service/deps.ts';
import { fireDueSchedules } from '../src/service/measurements.ts';
import type { Database, InStatement, Value } from '../src/storage/db.ts';
import { openNodeDatabase } from '../src/storage/open-node.ts';
import { FakeTwilio, type FakeTwilioMessage } from '../test/fakes/fake-twilio.ts';
import { cpuStallUs, mainThreadCpuMs } from './cpu.ts';

export interface SchedulerBenchOptions {
  /** Folder for the database files. */
  dir: string;
  checkins: number;
  /** Check-ins per batch (fireDueSchedules' batch size, and the bare insert's). */
  batch: number;
  /** SMS_SEND_RATE for the drain (messages per second). */
  sendRate: number;
  /** How often a crisis SMS comes in during the drain. */
  crisisEveryMs: number;
  /** Stop the drain after this long even if the outbox is not empty. */
  maxDrainSeconds: number;
}

export interface SchedulerBenchResult {
  date: string;
  checkins: number;
  batch: number;
  seedMs: number;
  /** Rows the check-ins wrote, per table (measurement_schedules: rows updated). */
  rows: Record<string, number>;
  fire: { seconds: number; perSecond: number; cpuMsPerCheckin: number; cpuContention: number };
  /** cpuMsPerCheckin: main-thread CPU of the timed writes only (each batch's delta of a 10 ms counter). */
  bare: { seconds: number; perSecond: number; cpuMsPerCheckin: number };
  /** fire.perSecond / bare.perSecond. */
  ratio: number;
  ratioGoal: number;
  ratioMet: boolean;
  drain: {
    sendRate: number;
    messages: number;
    sent: number;
    seconds: number;
    perSecond: number;
    /** The same backlog at the default SMS_SEND_RATE (10/s), computed: messages / 10. */
    atDefaultRateSeconds: number;
    finished: boolean;
    crisis: {
      injected: number;
      /** From the webhook to the first safety message at the fake Twilio, ms. */
      firstP50: number;
      firstMax: number;
      /** From the webhook to the last message of the crisis reply at the fake Twilio, ms. */
      wholeP50: number;
      wholeMax: number;
      /** Every crisis reply arrived whole within 2 s. */
      under2s: boolean;
    };
  };
}

const DEFAULT_SEND_RATE = 10;
const RATIO_GOAL = 0.5;
/** The morning: 08:30 in Oslo, inside the send window; every check-in fell due at 08:00. */
const NOW = new Date('2026-11-23T07:30:00.000Z');
const DUE = '2026-11-23T07:00:00.000Z';
/** The tables a check-in writes rows to. */
const WRITTEN = ['enrollments', 'domain_events', 'transcript', 'outbox', 'held_messages', 'timers'] as const;
const CRISIS_TEXT = 'jeg skal ta livet mitt i kveld';
const ACCOUNT = `AC${'b2'.repeat(16)}`;
const TOKEN = 'bench-auth-token-0123456789';
const FROM = '+4759440000';

const phone = (n: number) => `+479${String(n).padStart(7, '0')}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Clients with a linked SMS number and a screen check-in due, in three statements. */
async function seed(db: Database, count: number): Promise<void> {
  const numbers = `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${count}) SELECT x FROM n`;
  const at = NOW.toISOString();
  await db.write((tx) =>
    tx.batch([
      {
        sql: `INSERT INTO clients (id, access_code, locale, time_zone, created_at)
              SELECT 'c' || x, 'CODE' || x, CASE WHEN x % 5 = 0 THEN 'en' ELSE 'nb' END, 'Europe/Oslo', ? FROM (${numbers})`,
        args: [at],
      },
      {
        sql: `INSERT INTO channel_addresses (id, channel, address, client_id, locale, created_at, linked_at, last_inbound_at)
              SELECT 'a' || x, 'sms', '+479' || substr('0000000' || x, -7), 'c' || x,
                     CASE WHEN x % 5 = 0 THEN 'en' ELSE 'nb' END, ?, ?, ? FROM (${numbers})`,
        args: [at, at, '2026-11-16T07:00:00.000Z'],
      },
      {
        sql: `INSERT INTO measurement_schedules (id, client_id, flow_id, every_days, next_due_at, active, once, created_at)
              SELECT 's' || x, 'c' || x, 'screen', 7, ?, 1, 0, ? FROM (${numbers})`,
        args: [DUE, at],
      },
    ]),
  );
}

async function maxRowids(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of WRITTEN) {
    const row = (await db.read((q) => q.execute(`SELECT coalesce(max(rowid), 0) AS m FROM ${table}`)))
      .rows[0]!;
    out[table] = Number(row.m);
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runSchedulerBench(o: SchedulerBenchOptions): Promise<SchedulerBenchResult> {
  const fireFile = join(o.dir, 'fire.db');
  const bareFile = join(o.dir, 'bare.db');
  const port = await freePort();
  // Arrivals at the fake Twilio per number, timed as they come (nothing is sent before the drain).
  const arrivals = new Map<string, { at: number; body: string }[]>();
  const twilio = new FakeTwilio({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    onMessage: (message: FakeTwilioMessage) => {
      const list = arrivals.get(message.to);
      const arrival = { at: performance.now(), body: message.body };
      if (list) list.push(arrival);
      else arrivals.set(message.to, [arrival]);
    },
  });
  const apiBase = await twilio.start();
  const env = (file: string) => ({
    DATABASE_URL: `file:${file}`,
    NODE_ENV: 'production',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_FROM: FROM,
    TWILIO_API_BASE_URL: apiBase,
    SMS_SEND_RATE: String(o.sendRate),
    SCHEDULER_INTERVAL_MS: '1000',
  });
  const clock = () => NOW;

  try {
    // The fire and bare runs start from the same seeded database (seeded twice: a copy of the file would
    // miss what is still in its WAL).
    const seedStarted = performance.now();
    for (const file of [fireFile, bareFile]) {
      const seedDeps = await buildNodeDeps(loadConfig(env(file)), silentLogger, { clock });
      await seed(seedDeps.db, o.checkins);
      seedDeps.db.close();
    }
    const seedMs = Math.round(performance.now() - seedStarted);

    // 1. Fire every due check-in, a batch per call; the table sizes after each are read untimed.
    const deps = await buildNodeDeps(loadConfig(env(fireFile)), silentLogger, { clock });
    const before = await maxRowids(deps.db);
    const boundaries: Record<string, number>[] = [];
    let fired = 0;
    let fireMs = 0;
    const cpuBefore = mainThreadCpuMs();
    const stallBefore = cpuStallUs();
    for (;;) {
      const started = performance.now();
      const n = await fireDueSchedules(deps, o.batch, o.batch);
      fireMs += performance.now() - started;
      if (n === 0) break;
      fired += n;
      boundaries.push(await maxRowids(deps.db));
    }
    const cpuAfter = mainThreadCpuMs();
    const stallAfter = cpuStallUs();
    const cpuMs = cpuAfter !== undefined && cpuBefore !== undefined ? cpuAfter - cpuBefore : Number.NaN;
    const stallUs =
      stallAfter !== undefined && stallBefore !== undefined ? stallAfter - stallBefore : Number.NaN;
    if (fired !== o.checkins) throw new Error(`bench: ${fired} of ${o.checkins} check-ins started`);
    const after = await maxRowids(deps.db);
    const rows: Record<string, number> = { measurement_schedules: fired };
    for (const table of WRITTEN) {
      const row = (
        await deps.db.read((q) =>
          q.execute({ sql: `SELECT count(*) AS n FROM ${table} WHERE rowid > ?`, args: [before[table]!] }),
        )
      ).rows[0]!;
      rows[table] = Number(row.n);
    }

    // 2. The same rows, inserted bare, batch by batch, into the other seeded database.
    // The same driver as the service's (the configuration's default for a file).
    const bareConfig = loadConfig(env(bareFile));
    const bare = await openNodeDatabase(bareConfig.DATABASE_URL, { driver: bareConfig.DATABASE_DRIVER });
    let bareMs = 0;
    let bareCpuMs = 0;
    let from = before;
    for (const [i, upTo] of boundaries.entries()) {
      const statements: InStatement[] = [];
      for (const table of WRITTEN) {
        const taken = await deps.db.read((q) =>
          q.execute({
            sql: `SELECT * FROM ${table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid`,
            args: [from[table]!, upTo[table]!],
          }),
        );
        for (const row of taken.rows) {
          const columns = Object.keys(row);
          statements.push({
            sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
            args: columns.map((c) => row[c] as Value),
          });
        }
      }
      const first = i * o.batch + 1;
      const last = Math.min(o.checkins, first + o.batch - 1);
      // Each check-in also moves its schedule on.
      statements.unshift({
        sql: `UPDATE measurement_schedules SET next_due_at = '2026-11-30T07:00:00.000Z'
              WHERE id IN (SELECT value FROM json_each(?))`,
        args: [JSON.stringify(Array.from({ length: last - first + 1 }, (_, k) => `s${first + k}`))],
      });
      const cpuStarted = mainThreadCpuMs();
      const started = performance.now();
      await bare.write((tx) => tx.batch(statements));
      bareMs += performance.now() - started;
      const cpuEnded = mainThreadCpuMs();
      bareCpuMs += cpuEnded !== undefined && cpuStarted !== undefined ? cpuEnded - cpuStarted : Number.NaN;
      from = upTo;
    }
    bare.close();
    for (const table of WRITTEN) if (after[table]! < from[table]!) throw new Error('bench: rows moved');
    deps.db.close();

    // 3. Drain through the real server and its scheduler loop, with crisis SMS coming in.
    const server = await startNodeServer(loadConfig(env(fireFile)), silentLogger, { clock });
    const crises: { number: string; at: number }[] = [];
    const drainStarted = performance.now();
    let finished = false;
    try {
      let next = 0;
      while (performance.now() - drainStarted < o.maxDrainSeconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, o.crisisEveryMs));
        // Clients at the end of the queue, whose notice has not gone yet.
        const number = phone(o.checkins - next++);
        const url = `${server.url}/channels/sms/twilio`;
        const params = {
          MessageSid: `SM${String(next).padStart(32, '0')}`,
          AccountSid: ACCOUNT,
          From: number,
          To: FROM,
          Body: CRISIS_TEXT,
          NumMedia: '0',
        };
        const at = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': await computeTwilioSignature(TOKEN, url, params),
          },
          body: new URLSearchParams(params).toString(),
        });
        if (response.status !== 200) throw new Error(`bench: crisis webhook answered ${response.status}`);
        await response.text();
        crises.push({ number, at });
        if (await noticesSent(server.deps.db)) {
          finished = true;
          break;
        }
      }
    } finally {
      await server.close();
    }

    const noticeBodies = new Set<string>();
    for (const list of arrivals.values()) {
      for (const a of list)
        if (a.body.includes('JA for') || a.body.includes('YES to')) noticeBodies.add(a.body);
    }
    const first: number[] = [];
    const whole: number[] = [];
    for (const crisis of crises) {
      const replies = (arrivals.get(crisis.number) ?? []).filter(
        (a) => a.at >= crisis.at && !noticeBodies.has(a.body),
      );
      if (replies.length === 0) {
        first.push(Number.POSITIVE_INFINITY);
        whole.push(Number.POSITIVE_INFINITY);
        continue;
      }
      first.push(replies[0]!.at - crisis.at);
      whole.push(replies.at(-1)!.at - crisis.at);
    }
    first.sort((a, b) => a - b);
    whole.sort((a, b) => a - b);
    const notices = rows.outbox!;
    const noticeTimes = [...arrivals.values()]
      .flat()
      .filter((a) => noticeBodies.has(a.body))
      .map((a) => a.at);
    const sent = noticeTimes.length;
    // From the start of the drain to the last notice's arrival (the loop itself ends on its next check).
    const drainSeconds = (noticeTimes.reduce((a, b) => Math.max(a, b), drainStarted) - drainStarted) / 1000;

    const result: SchedulerBenchResult = {
      date: new Date().toISOString(),
      checkins: o.checkins,
      batch: o.batch,
      seedMs,
      rows,
      fire: {
        seconds: round(fireMs / 1000, 2),
        perSecond: Math.round(fired / (fireMs / 1000)),
        cpuMsPerCheckin: round(cpuMs / fired, 3),
        cpuContention: round(stallUs / 1000 / fireMs, 3),
      },
      bare: {
        seconds: round(bareMs / 1000, 2),
        perSecond: Math.round(fired / (bareMs / 1000)),
        cpuMsPerCheckin: round(bareCpuMs / fired, 3),
      },
      ratio: round(bareMs / fireMs, 2),
      ratioGoal: RATIO_GOAL,
      ratioMet: bareMs / fireMs >= RATIO_GOAL,
      drain: {
        sendRate: o.sendRate,
        messages: notices,
        sent,
        seconds: round(drainSeconds, 1),
        perSecond: Math.round(sent / drainSeconds),
        atDefaultRateSeconds: Math.round(notices / DEFAULT_SEND_RATE),
        finished,
        crisis: {
          injected: crises.length,
          firstP50: Math.round(percentile(first, 0.5)),
          firstMax: Math.round(first.at(-1) ?? Number.NaN),
          wholeP50: Math.round(percentile(whole, 0.5)),
          wholeMax: Math.round(whole.at(-1) ?? Number.NaN),
          under2s: whole.every((ms) => ms < 2000),
        },
      },
    };
    return result;
  } finally {
    await twilio.stop();
  }
}

/** Whether every normal message (the notices) has left the outbox; crisis replies are timed apart. */
async function noticesSent(db: Database): Promise<boolean> {
  const rows = (
    await db.read((q) =>
      q.execute("SELECT 1 FROM outbox WHERE status = 'pending' AND kind = 'normal' LIMIT 1"),
    )
  ).rows;
  return rows.length === 0;
}

export function printScheduler(r: SchedulerBenchResult): void {
  const d = r.drain;
  console.log(`\nScheduler: a morning of ${r.checkins} due SMS check-ins (batches of ${r.batch})`);
  console.log(
    `  rows written: ${Object.entries(r.rows)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  fire      ${r.fire.seconds} s  ${r.fire.perSecond} check-ins/s  (${r.fire.cpuMsPerCheckin} ms CPU each, contention ${r.fire.cpuContention})`,
  );
  console.log(
    `  bare      ${r.bare.seconds} s  ${r.bare.perSecond} check-ins' rows/s  (${r.bare.cpuMsPerCheckin} ms CPU each)`,
  );
  console.log(`  ratio     ${r.ratio} (goal >= ${r.ratioGoal}: ${r.ratioMet ? 'met' : 'MISSED'})`);
  console.log(
    `  drain     ${d.sent} of ${d.messages} notices in ${d.seconds} s at SMS_SEND_RATE ${d.sendRate} (${d.perSecond}/s)${d.finished ? '' : ' (stopped before the end)'}; at the default ${DEFAULT_SEND_RATE}/s: ${d.atDefaultRateSeconds} s (${round(d.atDefaultRateSeconds / 3600, 2)} h)`,
  );
  console.log(
    `  crisis    ${d.crisis.injected} SMS during the drain: first reply p50 ${d.crisis.firstP50} ms, max ${d.crisis.firstMax} ms; whole reply p50 ${d.crisis.wholeP50} ms, max ${d.crisis.wholeMax} ms (target < 2000 ms: ${d.crisis.under2s ? 'met' : 'MISSED'})`,
  );
}
