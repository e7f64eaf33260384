/**
 * `npm run bench`: web chat turns per second against the real server, next to the floor (a bare Hono app
 * doing one read and one write transaction per request on the same kind of database), in one run; and
 * the therapist workspace's reads on a large caseload (workspace.ts); and a morning of due check-ins fired,
 * queued and drained at the SMS send rate (scheduler.ts). `--part` runs one of them.
 * See bench/README.md for what it measures and the flags.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/config.ts';
import { startNodeServer } from '../src/entry/node.ts';
import { createClient } from '../src/service/clients.ts';
import type { Logger } from '../src/service/deps.ts';
import { cpuStallUs, mainThreadCpuMs } from './cpu.ts';
import { startFloorServer } from './floor.ts';
import { closeAgents, type Phase, type PhaseResult, runPhase } from './load.ts';
import { countRoundTrips } from './round-trips.ts';
import { printScheduler, runSchedulerBench, type SchedulerBenchResult } from './scheduler.ts';
import { instrument, printSqlStats } from './sql-stats.ts';
import { printWorkspace, runWorkspaceBench, type WorkspaceBenchResult } from './workspace.ts';

const here = dirname(fileURLToPath(import.meta.url));

function intOption(
  flag: string | undefined,
  env: string | undefined,
  fallback: number,
  name: string,
): number {
  const raw = flag ?? env;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`bench: ${name} must be a whole number >= 0 (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

const USAGE = `usage: npm run bench -- [--concurrency 50] [--clients 500] [--warmup 100]
       [--floor-requests <turns>] [--rounds 5] [--max-seconds 120] [--driver worker|inline] [--out bench/results.json]
       [--sql-stats] [--keep-db <file>] [--part all|turns|workspace|scheduler] [--workspace-clients 1000] [--workspace-calls 200]
       [--checkins 100000] [--checkin-batch 250] [--send-rate 1000] [--max-drain-seconds 300]
env: BENCH_CONCURRENCY, BENCH_CLIENTS, BENCH_WARMUP, BENCH_FLOOR_REQUESTS, BENCH_ROUNDS, BENCH_MAX_SECONDS, BENCH_DRIVER,
     BENCH_PART, BENCH_WORKSPACE_CLIENTS, BENCH_WORKSPACE_CALLS, BENCH_SCHEDULER_CHECKINS, BENCH_SCHEDULER_BATCH,
     BENCH_SCHEDULER_SEND_RATE, BENCH_SCHEDULER_MAX_DRAIN_SECONDS`;

function parseFlags() {
  try {
    return parseArgs({
      options: {
        concurrency: { type: 'string', short: 'c' },
        clients: { type: 'string', short: 'n' },
        warmup: { type: 'string', short: 'w' },
        'floor-requests': { type: 'string' },
        'max-seconds': { type: 'string' },
        rounds: { type: 'string', short: 'r' },
        driver: { type: 'string' },
        out: { type: 'string' },
        'sql-stats': { type: 'boolean' },
        'keep-db': { type: 'string' },
        part: { type: 'string' },
        'workspace-clients': { type: 'string' },
        'workspace-calls': { type: 'string' },
        checkins: { type: 'string' },
        'checkin-batch': { type: 'string' },
        'send-rate': { type: 'string' },
        'max-drain-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const args = parseFlags();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const env = process.env;
const concurrency = Math.max(1, intOption(args.concurrency, env.BENCH_CONCURRENCY, 50, 'concurrency'));
const clients = Math.max(1, intOption(args.clients, env.BENCH_CLIENTS, 500, 'clients'));
const warmupClients = intOption(args.warmup, env.BENCH_WARMUP, Math.min(100, clients), 'warmup');
const TURNS_PER_CONVERSATION = 10; // start, access code, 8 answers
const floorRequests = Math.max(
  1,
  intOption(
    args['floor-requests'],
    env.BENCH_FLOOR_REQUESTS,
    clients * TURNS_PER_CONVERSATION,
    'floor-requests',
  ),
);
const maxSeconds = Math.max(1, intOption(args['max-seconds'], env.BENCH_MAX_SECONDS, 120, 'max-seconds'));
const rounds = Math.max(1, Math.min(clients, intOption(args.rounds, env.BENCH_ROUNDS, 5, 'rounds')));
const driver = args.driver ?? env.BENCH_DRIVER ?? 'worker';
if (driver !== 'worker' && driver !== 'inline') {
  console.error(`bench: --driver must be worker or inline (got "${driver}")`);
  process.exit(2);
}
const outPath = args.out ?? join(here, 'results.json');
const part = args.part ?? env.BENCH_PART ?? 'all';
if (part !== 'all' && part !== 'turns' && part !== 'workspace' && part !== 'scheduler') {
  console.error(`bench: --part must be all, turns, workspace or scheduler (got "${part}")`);
  process.exit(2);
}
const schedulerCheckins = Math.max(
  1,
  intOption(args.checkins, env.BENCH_SCHEDULER_CHECKINS, 100_000, 'checkins'),
);
const schedulerBatch = Math.max(
  1,
  intOption(args['checkin-batch'], env.BENCH_SCHEDULER_BATCH, 250, 'checkin-batch'),
);
const schedulerSendRate = Math.max(
  1,
  intOption(args['send-rate'], env.BENCH_SCHEDULER_SEND_RATE, 1000, 'send-rate'),
);
const schedulerMaxDrain = Math.max(
  1,
  intOption(args['max-drain-seconds'], env.BENCH_SCHEDULER_MAX_DRAIN_SECONDS, 300, 'max-drain-seconds'),
);
const workspaceClients = Math.max(
  1,
  intOption(args['workspace-clients'], env.BENCH_WORKSPACE_CLIENTS, 1000, 'workspace-clients'),
);
const workspaceCalls = Math.max(
  1,
  intOption(args['workspace-calls'], env.BENCH_WORKSPACE_CALLS, 200, 'workspace-calls'),
);

/** The results file as the last run left it: a part run alone replaces its own figures only. */
function previousResults(): Record<string, unknown> {
  if (!existsSync(outPath)) return {};
  try {
    return JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Counts what the server logs at warn/error, and shows the first few: a clean run logs nothing. */
function countingLogger(): Logger & { warnings: number; errors: number } {
  const log = {
    warnings: 0,
    errors: 0,
    info() {},
    warn(message: string, fields?: Record<string, unknown>) {
      if (log.warnings++ < 3) console.error('server warn:', message, fields ?? '');
    },
    error(message: string, fields?: Record<string, unknown>) {
      if (log.errors++ < 3) console.error('server error:', message, fields ?? '');
    },
  };
  return log;
}

/** Runs phases in a worker thread (its own event loop and core) or inline on the server's thread. */
async function makeDriver(): Promise<{ run(phase: Phase): Promise<PhaseResult>; close(): Promise<void> }> {
  if (driver === 'inline') return { run: runPhase, close: async () => closeAgents() };
  // Worker threads do not inherit tsx's loader hooks: register them inside the worker, then load load.ts.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL('./load.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`,
    { eval: true, workerData: { benchLoad: true } },
  );
  let pending: { resolve(r: PhaseResult): void; reject(e: Error): void } | undefined;
  let ready: () => void = () => {};
  let broken: (e: Error) => void = () => {};
  const isReady = new Promise<void>((resolve, reject) => {
    ready = resolve;
    broken = reject;
  });
  const die = (error: Error) => {
    broken(error);
    pending?.reject(error);
  };
  worker.on('message', (m: { ready?: boolean; result?: PhaseResult; error?: string }) => {
    if (m.ready) ready();
    else if (m.result) pending?.resolve(m.result);
    else if (m.error) pending?.reject(new Error(m.error));
  });
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`load worker exited with code ${code}`)));
  await isReady;
  return {
    run: (phase) =>
      new Promise<PhaseResult>((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage({ phase });
      }),
    async close() {
      await worker.terminate();
    },
  };
}

/** Runs a phase and measures how busy the server's thread (this one) was: busy µs per request. */
async function measured(
  load: { run(phase: Phase): Promise<PhaseResult> },
  phase: Phase,
): Promise<PhaseResult & Server> {
  const elu = performance.eventLoopUtilization();
  const cpu = mainThreadCpuMs();
  const stall = cpuStallUs();
  const wall = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let gcMs = 0;
  let gcMaxMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  delay.enable();
  const result = await load.run(phase);
  delay.disable();
  gc.disconnect();
  const used = performance.eventLoopUtilization(elu);
  const cpuAfter = mainThreadCpuMs();
  const stallAfter = cpuStallUs();
  const wallMs = performance.now() - wall;
  return {
    ...result,
    cpuContention:
      stall === undefined || stallAfter === undefined
        ? Number.NaN
        : Math.round(((stallAfter - stall) / 1000 / wallMs) * 100) / 100,
    busyMs: used.active,
    cpuMs: cpu === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpu,
    loopDelayMaxMs: Math.round(delay.max / 1e6),
    gcMs: Math.round(gcMs),
    gcMaxMs: Math.round(gcMaxMs),
  };
}

type Measured = PhaseResult & Server;

/** Adds up the rounds of one side. */
function merge(parts: Measured[]): Measured {
  const sum = (f: (m: Measured) => number) => parts.reduce((a, m) => a + f(m), 0);
  const max = (f: (m: Measured) => number) => Math.max(...parts.map(f));
  const elapsedMs = sum((m) => m.elapsedMs);
  return {
    ok: sum((m) => m.ok),
    errors: sum((m) => m.errors),
    firstErrors: parts.flatMap((m) => m.firstErrors).slice(0, 5),
    completed: sum((m) => m.completed),
    latencies: parts.flatMap((m) => m.latencies),
    turnOf: parts.flatMap((m) => m.turnOf),
    elapsedMs,
    timedOut: parts.some((m) => m.timedOut),
    sockets: max((m) => m.sockets),
    retries: sum((m) => m.retries),
    // The slowest requests, with `round` telling which part they came from.
    slowest: parts
      .flatMap((m, round) => m.slowest.map((x) => ({ ...x, round })))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5),
    busyMs: sum((m) => m.busyMs),
    cpuMs: sum((m) => m.cpuMs),
    cpuContention: Math.round((sum((m) => m.cpuContention * m.elapsedMs) / elapsedMs) * 100) / 100,
    loopDelayMaxMs: max((m) => m.loopDelayMaxMs),
    gcMs: sum((m) => m.gcMs),
    gcMaxMs: max((m) => m.gcMaxMs),
  };
}

/** What the server's thread went through during a phase. */
interface Server {
  /** Share of the phase during which some task on the machine waited for a CPU (Linux PSI). */
  cpuContention: number;
  busyMs: number;
  cpuMs: number;
  /** Longest the event loop was blocked (one synchronous stretch), ms. */
  loopDelayMaxMs: number;
  gcMs: number;
  gcMaxMs: number;
}

interface Summary {
  ok: number;
  errors: number;
  perSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  elapsedMs: number;
  sockets: number;
  timedOut: boolean;
  /** Server thread busy (event loop not idle) per request, µs: less sensitive to the machine's load. */
  busyUsPerRequest: number;
  /** CPU time of the server's thread per request, µs (Linux only; NaN elsewhere). */
  cpuUsPerRequest: number;
  cpuContention: number;
  loopDelayMaxMs: number;
  gcMs: number;
  gcMaxMs: number;
}

/** The q-quantile of ascending `sorted` (nearest rank), NaN when empty. */
function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}

function summarise(r: PhaseResult & Server): Summary {
  const sorted = Float64Array.from(r.latencies).sort();
  const at = (q: number) => quantile(sorted, q);
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return {
    ok: r.ok,
    errors: r.errors,
    perSec: round(r.ok / (r.elapsedMs / 1000), 1),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(at(1)),
    mean: round(mean),
    elapsedMs: Math.round(r.elapsedMs),
    sockets: r.sockets,
    timedOut: r.timedOut,
    busyUsPerRequest: Math.round((r.busyMs * 1000) / Math.max(1, r.ok)),
    cpuContention: r.cpuContention,
    loopDelayMaxMs: r.loopDelayMaxMs,
    gcMs: r.gcMs,
    gcMaxMs: r.gcMaxMs,
    cpuUsPerRequest: Math.round((r.cpuMs * 1000) / Math.max(1, r.ok)),
  };
}

function reportErrors(label: string, r: PhaseResult): void {
  if (r.errors === 0 && !r.timedOut) return;
  console.error(`${label}: ${r.errors} errors${r.timedOut ? ', stopped at --max-seconds' : ''}`);
  for (const e of r.firstErrors) console.error(`  ${e}`);
}

const loadBefore = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'selvhjelp-bench-'));
const log = countingLogger();
let exitCode = 0;
const closers: (() => Promise<void>)[] = [];
const hardStop = setTimeout(
  () => {
    console.error('bench: hard time limit reached, giving up');
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  },
  ((2 * rounds + 2) * maxSeconds +
    120 +
    (part === 'turns' ? 0 : 600) +
    (part === 'all' || part === 'scheduler' ? 1200 + schedulerMaxDrain : 0)) *
    1000,
);
hardStop.unref();

// The workspace part first, on a database of its own that is gone before the turns part starts.
let workspace: WorkspaceBenchResult | undefined;
if (part === 'all' || part === 'workspace') {
  const workspaceDir = join(dir, 'workspace');
  try {
    mkdirSync(workspaceDir);
    workspace = await runWorkspaceBench({
      dir: workspaceDir,
      clients: workspaceClients,
      scoresPerClient: 50,
      transcriptPerClient: 200,
      calls: workspaceCalls,
      warmup: Math.min(20, workspaceCalls),
    });
    printWorkspace(workspace);
  } catch (error) {
    console.error('bench (workspace) failed:', error);
    exitCode = 1;
  } finally {
    rmSync(workspaceDir, { recursive: true, force: true });
  }
  if (part === 'workspace') {
    if (workspace) {
      writeFileSync(outPath, `${JSON.stringify({ ...previousResults(), workspace }, null, 2)}\n`);
      console.log(`wrote ${outPath} (workspace)`);
    }
    rmSync(dir, { recursive: true, force: true });
    process.exit(exitCode);
  }
}

// The scheduler part next, on databases of its own, gone before the turns part starts.
let scheduler: SchedulerBenchResult | undefined;
if (part === 'all' || part === 'scheduler') {
  const schedulerDir = join(dir, 'scheduler');
  try {
    mkdirSync(schedulerDir);
    scheduler = await runSchedulerBench({
      dir: schedulerDir,
      checkins: schedulerCheckins,
      batch: schedulerBatch,
      sendRate: schedulerSendRate,
      crisisEveryMs: 1000,
      maxDrainSeconds: schedulerMaxDrain,
    });
    printScheduler(scheduler);
  } catch (error) {
    console.error('bench (scheduler) failed:', error);
    exitCode = 1;
  } finally {
    rmSync(schedulerDir, { recursive: true, force: true });
  }
  if (part === 'scheduler') {
    if (scheduler) {
      writeFileSync(outPath, `${JSON.stringify({ ...previousResults(), scheduler }, null, 2)}\n`);
      console.log(`wrote ${outPath} (scheduler)`);
    }
    rmSync(dir, { recursive: true, force: true });
    process.exit(exitCode);
  }
}

try {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(dir, 'bench.db')}`,
    NODE_ENV: 'production',
  });
  const server = await startNodeServer(config, log);
  closers.push(() => server.close());
  // The app reads deps.db on every request, so swapping it here instruments the running server.
  const sql = args['sql-stats'] ? instrument(server.deps.db) : undefined;
  // And counts the round trips a remote server (Turso, from a Worker) would see (round-trips.ts).
  const trips = sql ? countRoundTrips(sql.db) : undefined;
  if (sql && trips) server.deps.db = trips.db;
  const floor = await startFloorServer(`file:${join(dir, 'floor.db')}`, config.DATABASE_DRIVER);
  closers.push(() => floor.close());
  const load = await makeDriver();
  closers.push(() => load.close());

  const doneText = server.deps.catalog.text('nb', 'intro.done');
  const codes: string[] = [];
  for (let i = 0; i < warmupClients + clients; i++) {
    const created = await createClient(server.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error(`createClient: ${created.error}`);
    codes.push(created.accessCode);
  }
  const warmCodes = codes.slice(0, warmupClients);
  const measuredCodes = codes.slice(warmupClients);

  console.log(
    `selvhjelp bench — node ${process.version}, ${cpus().length} cpus, concurrency ${concurrency}, ` +
      `${clients} clients (+${warmupClients} warm-up), ${rounds} rounds, driver ${driver}`,
  );

  // Warm up both, then measure in rounds that alternate floor and service, so that other work on the
  // machine (it changes from minute to minute) weighs on both sides alike.
  const floorWarm = await load.run({
    kind: 'floor',
    url: floor.url,
    concurrency,
    requests: warmupClients * TURNS_PER_CONVERSATION,
    maxSeconds,
  });
  reportErrors('floor warm-up', floorWarm);
  if (warmupClients > 0) {
    const serviceWarm = await load.run({
      kind: 'service',
      url: server.url,
      concurrency,
      accessCodes: warmCodes,
      doneText,
      maxSeconds,
    });
    reportErrors('service warm-up', serviceWarm);
  }
  sql?.reset();
  trips?.reset();
  const floorParts: Measured[] = [];
  const serviceParts: Measured[] = [];
  for (let r = 0; r < rounds; r++) {
    const share = (n: number) => Math.floor((n * (r + 1)) / rounds) - Math.floor((n * r) / rounds);
    floorParts.push(
      await measured(load, {
        kind: 'floor',
        url: floor.url,
        concurrency,
        requests: share(floorRequests),
        maxSeconds,
      }),
    );
    const from = Math.floor((clients * r) / rounds);
    serviceParts.push(
      await measured(load, {
        kind: 'service',
        url: server.url,
        concurrency,
        accessCodes: measuredCodes.slice(from, from + share(clients)),
        doneText,
        maxSeconds,
      }),
    );
  }
  const floorRun = merge(floorParts);
  const serviceRun = merge(serviceParts);
  reportErrors('floor', floorRun);
  reportErrors('service', serviceRun);
  const sqlStats = sql
    ? {
        ...sql.stats,
        bySql: Object.fromEntries(sql.stats.bySql),
        perTurn: sql.stats.statements / serviceRun.ok,
        roundTripsPerTurn: trips ? trips.trips.total / serviceRun.ok : undefined,
      }
    : undefined;
  if (sql) printSqlStats(sql.stats, serviceRun.ok);
  if (trips) {
    const per = (n: number) => (n / serviceRun.ok).toFixed(2);
    console.log(
      `remote   per turn: ${per(trips.trips.total)} round trips to a remote libSQL server ` +
        `(${per(trips.trips.reads)} reads, ${per(trips.trips.writes)} writes with their commits; scheduler passes included)`,
    );
  }

  if (args['keep-db']) {
    const keep = args['keep-db'];
    rmSync(keep, { force: true });
    await server.deps.db.read((q) => q.execute({ sql: 'VACUUM INTO ?', args: [keep] }));
    console.log(`kept the service database as ${keep}`);
  }

  // The database must agree: every measured conversation finished its enrollment.
  const doneInDb = await server.deps.db.read(async (q) =>
    Number((await q.execute("SELECT count(*) AS n FROM enrollments WHERE status = 'done'")).rows[0]?.n ?? 0),
  );

  const service = summarise(serviceRun);
  const floorSummary = summarise(floorRun);
  const ratio = Math.round((service.perSec / floorSummary.perSec) * 1000) / 1000;
  const cpuRatio = Math.round((floorSummary.cpuUsPerRequest / service.cpuUsPerRequest) * 1000) / 1000;
  const targets = {
    ratioAtLeastHalf: ratio >= 0.5,
    serviceP99Under50ms: service.p99 < 50,
  };

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const line = (label: string, unit: string, x: Summary, extra: string) =>
    `${label.padEnd(8)} ${String(x.perSec).padStart(8)} ${unit.padEnd(10)} p50 ${ms(x.p50)}  p90 ${ms(x.p90)}  ` +
    `p99 ${ms(x.p99)}  max ${ms(x.max)}  server CPU ${x.cpuUsPerRequest} µs/req  (${extra})`;
  const loadAfter = loadavg();
  console.log('');
  console.log(
    line(
      'service',
      'turns/s',
      service,
      `${service.ok} turns, ${serviceRun.completed}/${clients} conversations, ${service.errors} errors, ${service.sockets} sockets, ${serviceRun.retries} retried`,
    ),
  );
  console.log(
    line(
      'floor',
      'requests/s',
      floorSummary,
      `${floorSummary.ok} requests, ${floorSummary.errors} errors, ${floorSummary.sockets} sockets, ${floorRun.retries} retried`,
    ),
  );
  console.log(
    `ratio    ${ratio} (service turns/s ÷ floor requests/s); ` +
      `server CPU per request, floor ÷ service: ${cpuRatio}`,
  );
  console.log(
    `targets  ratio >= 0.5: ${targets.ratioAtLeastHalf ? 'met' : 'MISSED'}; ` +
      `service p99 < 50 ms: ${targets.serviceP99Under50ms ? 'met' : 'MISSED'}`,
  );
  console.log(
    `checks   enrollments done in DB: ${doneInDb} (expected ${warmupClients + clients}); ` +
      `server warnings ${log.warnings}, errors ${log.errors}; load average ${loadBefore[0]!.toFixed(2)} before, ` +
      `${loadAfter[0]!.toFixed(2)} after`,
  );
  const slow = (r: PhaseResult) =>
    r.slowest
      .map((x) => `${x.ms} ms (turn ${x.turn}, round ${(x.round ?? 0) + 1} at ${x.atMs} ms)`)
      .join(', ');
  // Latency by turn of the conversation: the access-code turn links the address and starts check-ins.
  const byTurn = new Map<number, number[]>();
  serviceRun.turnOf.forEach((turn, i) => {
    const latencies = byTurn.get(turn) ?? [];
    latencies.push(serviceRun.latencies[i]!);
    byTurn.set(turn, latencies);
  });
  console.log(
    `by turn  service p50/p99 ms: ${[...byTurn]
      .sort((a, b) => a[0] - b[0])
      .map(([turn, xs]) => {
        const sorted = Float64Array.from(xs).sort();
        return `${turn}: ${quantile(sorted, 0.5).toFixed(0)}/${quantile(sorted, 0.99).toFixed(0)}`;
      })
      .join(', ')}`,
  );
  console.log(`slowest  service: ${slow(serviceRun)}`);
  console.log(`         floor: ${slow(floorRun)}`);
  const stalls = (x: Summary) =>
    `CPU contention ${x.cpuContention}, event loop blocked ≤ ${x.loopDelayMaxMs} ms, GC ${x.gcMs} ms (longest ${x.gcMaxMs} ms)`;
  console.log(`server   service: ${stalls(service)}; floor: ${stalls(floorSummary)}`);
  if (Math.max(service.cpuContention, floorSummary.cpuContention) > 0.2)
    console.log(
      'note     other work competed for the CPUs during this run: req/s and latencies are low and noisy; ' +
        'server CPU µs/req is the steadier figure',
    );

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    concurrency,
    clients,
    warmupClients,
    rounds,
    turns: service.ok,
    driver,
    service: { turnsPerSec: service.perSec, ...service, completed: serviceRun.completed },
    floor: { requestsPerSec: floorSummary.perSec, ...floorSummary },
    ratio,
    cpuRatio,
    targets,
    loadAverage: { before: loadBefore, after: loadAfter },
    ...(sqlStats ? { sqlStats } : {}),
    checks: {
      enrollmentsDone: doneInDb,
      expectedDone: warmupClients + clients,
      serverWarnings: log.warnings,
      serverErrors: log.errors,
    },
  };
  // Run alone (--part turns), the turns part keeps the workspace and scheduler figures of the last run.
  const previous = part === 'turns' ? previousResults() : {};
  writeFileSync(
    outPath,
    `${JSON.stringify(
      { ...results, workspace: workspace ?? previous.workspace, scheduler: scheduler ?? previous.scheduler },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${outPath}`);

  const allFinished = serviceRun.completed === clients && doneInDb === warmupClients + clients;
  if (service.errors > 0 || floorSummary.errors > 0 || !allFinished || log.errors > 0) exitCode = 1;
} catch (error) {
  console.error('bench failed:', error);
  exitCode = 1;
} finally {
  for (const close of closers.reverse()) await close().catch((e: unknown) => console.error('close:', e));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
