/**
 * The workspace part of `npm run bench` (alone: `BENCH_PART=workspace npm run bench`): one therapist
 * with a large caseload on a file database, then `dashboardView` and `clientView` timed in-process, one
 * call at a time (what one therapist waits for; no HTTP, no other load). See bench/README.md.
 */
import { join } from 'node:path';
import { courseCatalog } from '../flows/courses/index.ts';
import { loadConfig } from '../src/config/config.ts';
import { parseSleepDiaryEntry, sleepMetrics } from '../src/domain/sleep-diary.ts';
import { buildNodeDeps } from '../src/entry/node.ts';
import type { ServiceDeps } from '../src/service/deps.ts';
import { silentLogger } from '../src/service/deps.ts';
import type { StaffActor } from '../src/service/staff-actor.ts';
import { clientView, dashboardView } from '../src/service/workspace.ts';
import type { Queryable } from '../src/storage/db.ts';
import { mulberry32 } from '../test/support/seeded.ts';
import { cpuStallUs, mainThreadCpuMs } from './cpu.ts';

export interface WorkspaceBenchOptions {
  /** Folder for the database file. */
  dir: string;
  clients: number;
  scoresPerClient: number;
  transcriptPerClient: number;
  calls: number;
  warmup: number;
}

export interface Latency {
  calls: number;
  /** CPU time of the main thread per call, ms (Linux; NaN elsewhere): steadier than wall time on a busy machine. */
  cpuMsPerCall: number;
  /** Share of the time something on the machine waited for a CPU (Linux PSI); above 0.2 the wall times are noisy. */
  cpuContention: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface WorkspaceBenchResult {
  date: string;
  seeded: {
    clients: number;
    scores: number;
    transcriptRows: number;
    domainEvents: number;
    homework: number;
    alerts: number;
    openAlerts: number;
    sleepWindows: number;
    seedMs: number;
  };
  /** The schema as the migrations make it, then with the proposed indexes added one step at a time. */
  variants: WorkspaceVariant[];
  /** The targets, on the schema as it is (the first variant). */
  targets: { p50AtMost50ms: boolean; p99AtMost200ms: boolean };
  auditRows: number;
}

export interface WorkspaceVariant {
  name: string;
  /** Indexes added for this variant (on top of the previous variant's). */
  added: string[];
  dashboard: Latency & { caseload: number; alerts: number };
  clientView: Latency & { scoresPerView: number; transcriptPerPage: number };
}

/**
 * Indexes the workspace's reads could use (none is in a migration yet). The first takes the dashboard's
 * newest-part lookup from a walk back through a client's events to one seek; the other two save little
 * (see bench/README.md), and the transcript one costs every turn a little.
 */
// `domain_events_parts` was proposed here and is now in migration 0008; these two are still only measured.
export const PROPOSED_INDEXES = {
  inbound: `CREATE INDEX transcript_client_inbound ON transcript (client_id, seq) WHERE direction = 'in'`,
  instrument: `CREATE INDEX questionnaire_responses_instrument ON questionnaire_responses (client_id, instrument, completed_at)`,
} as const;

const DAY = 86_400_000;
/** The seeded history ends here; the bench's clock stands a day later. */
const END = Date.parse('2026-11-20T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A small deterministic generator, so every run seeds the same database. */
const random = mulberry32;

/** Item answers (0..3) adding up to `total`, with item `risk` (0-based) set as given. */
function itemsFor(count: number, total: number, rnd: () => number, risk?: { index: number; value: number }) {
  const items = Array.from({ length: count }, () => 0);
  let left = total;
  if (risk) {
    items[risk.index] = risk.value;
    left -= risk.value;
  }
  if (left > (count - (risk ? 1 : 0)) * 3) throw new Error(`bench: ${total} does not fit ${count} items`);
  while (left > 0) {
    const i = Math.floor(rnd() * count);
    if (i === risk?.index || items[i]! >= 3) continue;
    items[i]!++;
    left--;
  }
  return items;
}

function sleepDiary(week: number, night: number, date: string, rnd: () => number) {
  const answers = {
    date,
    timeZone: 'Europe/Oslo',
    intoBed: '23:00',
    lightsOut: '23:15',
    latencyMinutes: 10 + Math.floor(rnd() * 40),
    awakenings: Math.floor(rnd() * 4),
    minutesAwake: Math.floor(rnd() * 60),
    finalWake: '06:30',
    outOfBed: '06:45',
    quality: 1 + Math.floor(rnd() * 5),
  };
  const parsed = parseSleepDiaryEntry(answers);
  if (!parsed.ok) throw new Error('bench: a seeded sleep diary night does not parse');
  const m = sleepMetrics(parsed.value);
  return {
    week,
    night,
    ...answers,
    tibMinutes: m.tibMinutes,
    tstMinutes: m.tstMinutes,
    sePercent: m.sePercent,
  };
}

/**
 * Seeds `clients` clients of therapist `t1` (and 50 of another therapist, so the caseload is a selection):
 * an intro and a course enrollment each, `scoresPerClient` PHQ-9/GAD-7 scores (half each, in pairs every
 * 14 days) with their domain events, part events, `transcriptPerClient` transcript rows, ten homework
 * entries, sleep-window proposals for the sleep course, and alerts (some open, some of unlinked
 * conversations, some in safety mode).
 */
async function seed(deps: ServiceDeps, o: WorkspaceBenchOptions): Promise<WorkspaceBenchResult['seeded']> {
  const started = performance.now();
  const rnd = random(42);
  const courses = courseCatalog.map((c) => c.id);
  const counts = {
    clients: 0,
    scores: 0,
    transcriptRows: 0,
    domainEvents: 0,
    homework: 0,
    alerts: 0,
    openAlerts: 0,
    sleepWindows: 0,
  };
  const created = iso(END - 500 * DAY);
  await deps.db.write(async (tx) => {
    for (const [id, role, name] of [
      ['t1', 'therapist', 'Tora Terapeut'],
      ['t2', 'therapist', 'Tor Annen'],
      ['admin', 'admin', 'Ada Admin'],
    ] as const) {
      await tx.execute({
        sql: `INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?)`,
        args: [id, `${id}@bench.invalid`, name, role, created],
      });
    }
  });
  const total = o.clients + 50;
  const pairs = Math.floor(o.scoresPerClient / 2);
  const chunk = 25;
  for (let from = 0; from < total; from += chunk) {
    await deps.db.write(async (tx) => {
      for (let i = from; i < Math.min(total, from + chunk); i++) {
        await seedClient(tx, i, i < o.clients ? 't1' : 't2');
      }
    });
  }

  async function event(
    tx: Queryable,
    clientId: string,
    enrollmentId: string,
    type: string,
    data: unknown,
    at: number,
  ) {
    counts.domainEvents++;
    await tx.execute({
      sql: 'INSERT INTO domain_events (client_id, enrollment_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [clientId, enrollmentId, type, JSON.stringify(data), iso(at)],
    });
  }

  async function seedClient(tx: Queryable, i: number, therapist: string) {
    const id = `client-${i}`;
    const course = courses[i % courses.length]!;
    const start = END - (pairs * 14 + 30) * DAY + Math.floor(rnd() * 10 * DAY);
    // A tenth wrote nothing for a fortnight: they are flagged inactive.
    const quiet = i % 10 === 0 ? 14 * DAY : 0;
    const last = END - quiet - Math.floor(rnd() * DAY);
    await tx.execute({
      sql: `INSERT INTO clients (id, access_code, locale, time_zone, display_name, created_at, therapist_id)
            VALUES (?, ?, ?, 'Europe/Oslo', ?, ?, ?)`,
      args: [
        id,
        `B${String(i).padStart(6, '0')}`,
        i % 4 === 0 ? 'en' : 'nb',
        i % 7 === 0 ? null : `Klient ${i}`,
        iso(start - DAY),
        therapist,
      ],
    });
    const address = `addr-${i}`;
    await tx.execute({
      sql: `INSERT INTO channel_addresses (id, channel, address, client_id, locale, created_at, linked_at, last_inbound_at)
            VALUES (?, ?, ?, ?, 'nb', ?, ?, ?)`,
      args: [address, i % 3 === 0 ? 'sms' : 'web', `bench-${i}`, id, iso(start), iso(start), iso(last)],
    });
    const intro = `intro-${i}`;
    const enrollment = `course-${i}`;
    for (const [eid, flow, status, at] of [
      [intro, 'intro', 'done', start],
      [enrollment, course, i % 5 === 0 ? 'done' : 'active', start + DAY],
    ] as const) {
      await tx.execute({
        sql: `INSERT INTO enrollments (id, client_id, flow_id, flow_version, status, snapshot, row_version, created_at, updated_at)
              VALUES (?, ?, ?, 1, ?, '{}', 1, ?, ?)`,
        args: [eid, id, flow, status, iso(at), iso(last)],
      });
    }
    await event(tx, id, intro, 'intro.area_chosen', { step: 'area', value: course }, start);
    await event(tx, id, intro, 'intro.goal_set', { step: 'goal', value: 'Sove bedre og orke mer' }, start);
    await event(
      tx,
      id,
      intro,
      'intro.suitability_assessed',
      { area: course, suitable: true, reasons: [] },
      start,
    );

    // Scores: pairs every 14 days, a random walk; every twentieth client gets worse, with item 9 at the end.
    const worse = i % 20 === 0;
    let phq = 8 + Math.floor(rnd() * 12);
    let gad = 6 + Math.floor(rnd() * 10);
    for (let p = 0; p < pairs; p++) {
      const at = start + DAY + p * 14 * DAY;
      const step = worse ? 1 : -1;
      phq = Math.max(0, Math.min(24, phq + step * Math.floor(rnd() * 2) + (rnd() < 0.2 ? 1 : 0)));
      gad = Math.max(0, Math.min(21, gad + step * Math.floor(rnd() * 2)));
      const risk = worse && p === pairs - 1 ? { index: 8, value: 1 } : { index: 8, value: 0 };
      for (const [instrument, totalScore, count] of [
        ['phq9', Math.max(phq, risk.value), 9],
        ['gad7', gad, 7],
      ] as const) {
        const items = itemsFor(count, totalScore, rnd, instrument === 'phq9' ? risk : undefined);
        const doneAt = at + (instrument === 'gad7' ? 5 * 60_000 : 0);
        counts.scores++;
        await tx.execute({
          sql: `INSERT INTO questionnaire_responses (id, client_id, enrollment_id, instrument, instrument_version,
                items, total, band, caseness, channel, started_at, completed_at, created_at)
                VALUES (?, ?, ?, ?, '1', ?, ?, NULL, ?, 'web', ?, ?, ?)`,
          args: [
            `r-${i}-${p}-${instrument}`,
            id,
            enrollment,
            instrument,
            JSON.stringify(items),
            totalScore,
            totalScore >= (instrument === 'phq9' ? 10 : 8) ? 1 : 0,
            iso(doneAt - 120_000),
            iso(doneAt),
            iso(doneAt),
          ],
        });
        await event(
          tx,
          id,
          enrollment,
          'questionnaire.completed',
          { step: `p${p}_${instrument}`, instrument, version: '1', items, total: totalScore },
          doneAt,
        );
      }
      // Parts open a week apart in the first months of the course.
      if (p < 6) {
        await event(tx, id, enrollment, 'part.started', { part: p + 1 }, at + 3_600_000);
        if (p < 5 || i % 5 === 0)
          await event(tx, id, enrollment, 'part.completed', { part: p + 1 }, at + 7_200_000);
      }
    }

    // Homework: ten entries of the course's own diary (another kind for stress).
    for (let h = 0; h < 10; h++) {
      const at = start + 2 * DAY + h * DAY;
      const date = iso(at).slice(0, 10);
      const [type, entry] =
        course === 'sleep'
          ? ['sleep.diary', sleepDiary(1 + Math.floor(h / 7), 1 + (h % 7), date, rnd)]
          : course === 'depression'
            ? [
                'depression.activity_diary',
                { period: 'evening', activity: 'Gikk en tur', mood: 5, company: 'alone' },
              ]
            : course === 'anxiety'
              ? [
                  'anxiety.worry_diary',
                  {
                    time: '21:30',
                    worry: 'Hva om jeg ikke klarer det?',
                    distress: 6,
                    minutes: 20,
                    about_now: false,
                    can_act: null,
                    kind: 'hypothetical',
                  },
                ]
              : [
                  'stress.stress_log',
                  {
                    situation: 'Møte',
                    area: 'work',
                    intensity: 6,
                    body: 'Stram nakke',
                    thought: 'Rekker ikke',
                    action: 'Jobbet sent',
                  },
                ];
      counts.homework++;
      await tx.execute({
        sql: `INSERT INTO homework_entries (id, client_id, enrollment_id, type, step, entry, channel, created_at)
              VALUES (?, ?, ?, ?, ?, ?, 'web', ?)`,
        args: [`hw-${i}-${h}`, id, enrollment, type, `hw${h}`, JSON.stringify(entry), iso(at)],
      });
      await event(tx, id, enrollment, 'homework.recorded', { type, step: `hw${h}`, entry }, at);
    }
    if (course === 'sleep') {
      for (let w = 0; w < 3; w++) {
        counts.sleepWindows++;
        await tx.execute({
          sql: `INSERT INTO sleep_windows (id, client_id, enrollment_id, bed_time, rise_time, minutes, proposal, status, created_at)
                VALUES (?, ?, ?, '00:30', '06:30', 360, ?, ?, ?)`,
          args: [
            `sw-${i}-${w}`,
            id,
            enrollment,
            JSON.stringify({
              week: w + 1,
              reason: 'efficiency_in_range_keep',
              nights: 7,
              meanSePercent: 86.5,
            }),
            w < 2 ? 'approved' : i % 8 === 2 ? 'awaiting_approval' : 'approved',
            iso(start + (w + 1) * 7 * DAY),
          ],
        });
      }
    }

    // Transcript: the conversation back and forth over the whole history.
    const span = last - start;
    for (let t = 0; t < o.transcriptPerClient; t++) {
      counts.transcriptRows++;
      const inbound = t % 2 === 1;
      await tx.execute({
        sql: `INSERT INTO transcript (address_id, client_id, enrollment_id, direction, text, payload, created_at)
              VALUES (?, ?, ?, ?, ?, '{}', ?)`,
        args: [
          address,
          id,
          enrollment,
          inbound ? 'in' : 'out',
          inbound ? 'Det gikk greit i dag' : 'Hvordan har du sovet i natt?',
          iso(start + Math.floor((span * (t + 1)) / o.transcriptPerClient)),
        ],
      });
    }

    // Alerts: every 25th client an acknowledged one; every 40th an open one, every 80th in safety mode.
    const alert = async (
      n: number,
      open: boolean,
      safety: boolean,
      clientId: string | null,
      addressId: string,
    ) => {
      counts.alerts++;
      if (open) counts.openAlerts++;
      await tx.execute({
        sql: `INSERT INTO alerts (id, client_id, address_id, enrollment_id, kind, tier, priority, trigger_text, channel,
              shown, alerted, safety_step, created_at, acknowledged_at, acknowledged_by, acknowledged_by_staff_id, acknowledged_note)
              VALUES (?, ?, ?, NULL, 'crisis_text', 'crisis', 'high', 'orker ikke mer', 'web', '[]', 'clinic', ?, ?, ?, ?, ?, ?)`,
        args: [
          `alert-${i}-${n}`,
          clientId,
          addressId,
          safety ? 'ask_danger' : null,
          iso(last - n * DAY),
          open ? null : iso(last - n * DAY + 3_600_000),
          open ? null : 'Tora Terapeut',
          open ? null : therapist,
          open ? null : 'Ringte, avtalt samtale',
        ],
      });
    };
    if (i % 25 === 0) await alert(1, false, false, id, address);
    if (i % 40 === 0) await alert(0, true, i % 80 === 0, id, address);
    // Every hundredth has a conversation nobody linked yet, with an open alert: it goes to every therapist.
    if (i % 100 === 0) {
      const unlinked = `unlinked-${i}`;
      await tx.execute({
        sql: `INSERT INTO channel_addresses (id, channel, address, locale, created_at) VALUES (?, 'web', ?, 'nb', ?)`,
        args: [unlinked, `bench-unlinked-${i}`, iso(last)],
      });
      await alert(2, true, true, null, unlinked);
    }
    counts.clients++;
  }

  return { ...counts, seedMs: Math.round(performance.now() - started) };
}

/** The q-quantile of ascending `sorted` (nearest rank). */
function quantile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;
}

function latency(run: Timed<unknown>): Latency {
  const { samples } = run;
  const sorted = Float64Array.from(samples).sort();
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    calls: samples.length,
    cpuMsPerCall: round(run.cpuMs / Math.max(1, samples.length)),
    cpuContention: round(run.stallUs / 1000 / run.wallMs),
    p50: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    p99: round(quantile(sorted, 0.99)),
    max: round(quantile(sorted, 1)),
    mean: round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
  };
}

interface Timed<T> {
  samples: number[];
  last: T | undefined;
  wallMs: number;
  cpuMs: number;
  stallUs: number;
}

async function timed<T>(calls: number, fn: (i: number) => Promise<T>): Promise<Timed<T>> {
  const samples: number[] = [];
  let last: T | undefined;
  const cpu = mainThreadCpuMs();
  const stall = cpuStallUs();
  const wall = performance.now();
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    last = await fn(i);
    samples.push(performance.now() - started);
  }
  const cpuAfter = mainThreadCpuMs();
  const stallAfter = cpuStallUs();
  return {
    samples,
    last,
    wallMs: performance.now() - wall,
    cpuMs: cpu === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpu,
    stallUs: stall === undefined || stallAfter === undefined ? Number.NaN : stallAfter - stall,
  };
}

export async function runWorkspaceBench(o: WorkspaceBenchOptions): Promise<WorkspaceBenchResult> {
  const config = loadConfig({ DATABASE_URL: `file:${join(o.dir, 'workspace.db')}`, NODE_ENV: 'production' });
  const deps = await buildNodeDeps(config, silentLogger, { clock: () => new Date(END + DAY) });
  try {
    const seeded = await seed(deps, o);
    // The seed's WAL goes into the database now, not in the background while the reads are timed.
    await deps.db.read((q) => q.execute('PRAGMA wal_checkpoint(TRUNCATE)'));
    const therapist: StaffActor = {
      staffId: 't1',
      email: 't1@bench.invalid',
      name: 'Tora Terapeut',
      role: 'therapist',
      locale: 'nb',
      via: 'page',
    };
    const variants: WorkspaceVariant[] = [];
    for (const [name, added] of [
      ['schema as migrated', []],
      ['+ both proposed indexes', [PROPOSED_INDEXES.inbound, PROPOSED_INDEXES.instrument]],
    ] as const) {
      await deps.db.write(async (tx) => {
        for (const sql of added) await tx.execute(sql);
        await tx.execute('ANALYZE');
      });
      variants.push(await measure(deps, therapist, o, name, [...added]));
    }
    const auditRows = await deps.db.read(async (q) =>
      Number((await q.execute('SELECT count(*) AS n FROM audit_log')).rows[0]?.n ?? 0),
    );
    const [existing] = variants;
    return {
      date: new Date().toISOString(),
      seeded,
      variants,
      targets: {
        p50AtMost50ms: existing!.dashboard.p50 <= 50 && existing!.clientView.p50 <= 50,
        p99AtMost200ms: existing!.dashboard.p99 <= 200 && existing!.clientView.p99 <= 200,
      },
      auditRows,
    };
  } finally {
    deps.db.close();
  }
}

/** `calls` dashboards (cycling through the sort keys) and `calls` views of random clients, one at a time. */
async function measure(
  deps: ServiceDeps,
  therapist: StaffActor,
  o: WorkspaceBenchOptions,
  name: string,
  added: string[],
): Promise<WorkspaceVariant> {
  const pick = random(7);
  const clientOf = () => `client-${Math.floor(pick() * o.clients)}`;
  const sorts = ['flags', 'name', 'lastActivity', 'phq9'] as const;
  await timed(o.warmup, () => dashboardView(deps, therapist));
  await timed(o.warmup, () => clientView(deps, therapist, clientOf()));
  const dashboard = await timed(o.calls, (i) =>
    dashboardView(deps, therapist, { sort: { key: sorts[i % sorts.length]! } }),
  );
  const views = await timed(o.calls, () => clientView(deps, therapist, clientOf()));
  if (dashboard.last?.caseload.length !== o.clients) {
    throw new Error(
      `bench: the dashboard listed ${dashboard.last?.caseload.length} clients, not ${o.clients}`,
    );
  }
  if (!views.last) throw new Error('bench: a client view came back empty');
  return {
    name,
    added,
    dashboard: {
      ...latency(dashboard),
      caseload: dashboard.last.caseload.length,
      alerts: dashboard.last.alerts.length,
    },
    clientView: {
      ...latency(views),
      scoresPerView: views.last.scores.length,
      transcriptPerPage: views.last.transcript.entries.length,
    },
  };
}

export function printWorkspace(r: WorkspaceBenchResult): void {
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const line = (label: string, x: Latency) =>
    `  ${label.padEnd(10)} p50 ${ms(x.p50)}  p90 ${ms(x.p90)}  p99 ${ms(x.p99)}  max ${ms(x.max)}  ` +
    `CPU ${ms(x.cpuMsPerCall)}/call  (CPU contention ${x.cpuContention})`;
  const s = r.seeded;
  console.log('');
  console.log(
    `workspace  in-process, one call at a time: one therapist's ${s.clients - 50} clients (+50 of another), ` +
      `${s.scores} scores, ${s.transcriptRows} transcript rows, ${s.domainEvents} domain events, ` +
      `${s.homework} homework entries, ${s.alerts} alerts (${s.openAlerts} open); seeded in ${(s.seedMs / 1000).toFixed(1)} s`,
  );
  for (const v of r.variants) {
    console.log(
      `${v.name}: ${v.dashboard.calls} dashboards of ${v.dashboard.caseload} clients and ${v.dashboard.alerts} alerts, ` +
        `${v.clientView.calls} client views (${v.clientView.scoresPerView} scores, ${v.clientView.transcriptPerPage} transcript rows)`,
    );
    console.log(line('dashboard', v.dashboard));
    console.log(line('client', v.clientView));
  }
  const contended = r.variants.some(
    (v) => Math.max(v.dashboard.cpuContention, v.clientView.cpuContention) > 0.2,
  );
  if (contended)
    console.log(
      'note       other work competed for the CPUs during this run: wall times are high and noisy; CPU per call is the steadier figure',
    );
  console.log(
    `targets    schema as migrated: p50 <= 50 ms: ${r.targets.p50AtMost50ms ? 'met' : 'MISSED'}; ` +
      `p99 <= 200 ms: ${r.targets.p99AtMost200ms ? 'met' : 'MISSED'}; audit rows written ${r.auditRows}`,
  );
}
