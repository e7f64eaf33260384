import { databaseGauges } from '../storage/metrics.ts';
import type { ServiceDeps } from './deps.ts';

/*
 * Counters of this process for `GET /metrics` (Prometheus text format 0.0.4), and the gauges the database
 * holds, read at each scrape. Names follow Prometheus conventions: a `selvhjelp_` prefix, base units
 * (seconds), `_total` on counters. Labels never hold ids, phone numbers or text: routes are patterns
 * ("/staff/clients/:id"), channels and outcomes are short fixed words.
 */

/** Upper bounds of the request duration buckets, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  lines(name: string): string[] {
    return [...this.values.values()].map((e) => `${name}${labelText(e.labels)} ${e.value}`);
  }
}

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  observe(labels: Labels, seconds: number): void {
    const key = labelText(labels);
    const s = this.series.get(key) ?? { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) s.counts[i]! += 1;
    });
    s.sum += seconds;
    s.count += 1;
    this.series.set(key, s);
  }
  lines(name: string): string[] {
    return [...this.series.values()].flatMap((s) => [
      ...BUCKETS.map((le, i) => `${name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`),
      `${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`,
      `${name}_sum${labelText(s.labels)} ${s.sum}`,
      `${name}_count${labelText(s.labels)} ${s.count}`,
    ]);
  }
}

export class Metrics {
  readonly requests = new Counter();
  readonly requestSeconds = new Histogram();
  readonly turns = new Counter();
  readonly schedulerPasses = new Counter();
  lastPass?: { finishedAt: Date; seconds: number };

  /** One answered request: its route pattern, method, status and duration. */
  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.requestSeconds.observe({ route }, seconds);
  }

  /** One client message a channel handed to the service, by channel and what became of it. */
  turn(channel: string, outcome: string): void {
    this.turns.inc({ channel, outcome });
  }

  schedulerPass(outcome: 'ok' | 'failed', finishedAt: Date, seconds: number): void {
    this.schedulerPasses.inc({ outcome });
    this.lastPass = { finishedAt, seconds };
  }
}

const family = (name: string, type: string, help: string, lines: string[]) => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} ${type}`,
  ...lines,
];

const ageSeconds = (now: Date, iso: string | undefined) =>
  iso === undefined ? 0 : Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);

/** The exposition: this process's counters and the database's gauges. */
export async function renderMetrics(deps: ServiceDeps, metrics: Metrics): Promise<string> {
  const now = deps.clock();
  const db = await deps.db.read((q) => databaseGauges(q, now.toISOString()));
  const lines = [
    ...family(
      'selvhjelp_http_requests_total',
      'counter',
      'HTTP requests answered, by route pattern, method and status.',
      metrics.requests.lines('selvhjelp_http_requests_total'),
    ),
    ...family(
      'selvhjelp_http_request_duration_seconds',
      'histogram',
      'Time to answer an HTTP request, by route pattern.',
      metrics.requestSeconds.lines('selvhjelp_http_request_duration_seconds'),
    ),
    ...family(
      'selvhjelp_turns_total',
      'counter',
      'Client messages handled, by channel and outcome.',
      metrics.turns.lines('selvhjelp_turns_total'),
    ),
    ...family(
      'selvhjelp_scheduler_passes_total',
      'counter',
      'Scheduler passes, by outcome.',
      metrics.schedulerPasses.lines('selvhjelp_scheduler_passes_total'),
    ),
    ...family(
      'selvhjelp_scheduler_last_pass_duration_seconds',
      'gauge',
      'How long the last scheduler pass took.',
      [`selvhjelp_scheduler_last_pass_duration_seconds ${metrics.lastPass?.seconds ?? 0}`],
    ),
    ...family(
      'selvhjelp_scheduler_lag_seconds',
      'gauge',
      'How long the oldest due timer has waited to fire.',
      [`selvhjelp_scheduler_lag_seconds ${ageSeconds(now, db.oldestDueTimerAt)}`],
    ),
    ...family('selvhjelp_outbox_pending', 'gauge', 'Messages waiting to be sent (due or later).', [
      `selvhjelp_outbox_pending ${db.outboxPending}`,
    ]),
    ...family('selvhjelp_outbox_due', 'gauge', 'Messages due to be sent now.', [
      `selvhjelp_outbox_due ${db.outboxDue}`,
    ]),
    ...family(
      'selvhjelp_outbox_oldest_due_age_seconds',
      'gauge',
      'How long the oldest due message has waited.',
      [`selvhjelp_outbox_oldest_due_age_seconds ${ageSeconds(now, db.outboxOldestDueAt)}`],
    ),
    ...family('selvhjelp_outbox_failed', 'gauge', 'Messages that failed for good after their retries.', [
      `selvhjelp_outbox_failed ${db.outboxFailed}`,
    ]),
    ...family('selvhjelp_alerts_open', 'gauge', 'Alerts no therapist has acknowledged.', [
      `selvhjelp_alerts_open ${db.openAlerts}`,
    ]),
  ];
  return `${lines.join('\n')}\n`;
}
