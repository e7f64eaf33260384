import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unstable_startWorker } from 'wrangler';

const root = new URL('../../', import.meta.url);

/** The workerd binary wrangler's Miniflare starts (the `workerd` package's default export). */
const workerdBinary: string = createRequire(import.meta.url)('workerd').default;

/**
 * workerd hangs at start under libfaketime (`npm run test:clock` preloads it into every process), so it
 * is started without it, through a wrapper Miniflare runs instead (MINIFLARE_WORKERD_PATH), and keeps
 * the real clock. This process's own environment stays as it is: libfaketime reads FAKETIME again while
 * the tests run. Tests take the Worker's time from /healthz where the test's side must agree with it (an
 * access code's expiry), and assert nothing that depends on the hour.
 */
function useRealClockForWorkerd(): void {
  if (process.env.MINIFLARE_WORKERD_PATH) return;
  const dir = mkdtempSync(join(tmpdir(), 'selvhjelp-workerd-'));
  const wrapper = join(dir, 'workerd');
  writeFileSync(wrapper, `#!/bin/sh\nexec env -u LD_PRELOAD -u FAKETIME '${workerdBinary}' "$@"\n`, {
    mode: 0o755,
  });
  process.env.MINIFLARE_WORKERD_PATH = wrapper;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}

/**
 * Whether workerd runs on this machine (wrangler's binary for the platform, started once with
 * `--version`). Where it cannot, the Worker tests are skipped with a note, unless CI is set: then they
 * must run and fail loudly.
 */
export function workerdAvailable(): boolean {
  useRealClockForWorkerd();
  const probe = spawnSync(process.env.MINIFLARE_WORKERD_PATH!, ['--version'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  const ok = probe.status === 0 && /workerd/.test(probe.stdout);
  if (!ok && process.env.CI) {
    throw new Error(
      `workerd does not start here, and CI requires the Worker tests: ${probe.stderr || probe.error}`,
    );
  }
  if (!ok)
    console.warn(
      'Skipping the Workers tests: workerd does not start on this machine (they run with CI set).',
    );
  return ok;
}

export interface RunningWorker {
  url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Runs the cron trigger once, as Cloudflare does every minute (wrangler's scheduled test route). */
  scheduled(): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * The Worker of wrangler.toml in workerd, built and started with the pinned wrangler's programmatic API
 * on 127.0.0.1:`port`, with `vars` as its environment (secrets included) instead of any .dev.vars. The
 * Worker's console lines reach this process's console through wrangler: at `warn` only warnings and errors.
 */
export async function startWorker(
  port: number,
  vars: Record<string, string>,
  options: { logLevel?: 'warn' | 'log' } = {},
): Promise<RunningWorker> {
  const worker = await unstable_startWorker({
    config: new URL('wrangler.toml', root).pathname,
    envFiles: [],
    sendMetrics: false,
    bindings: Object.fromEntries(
      Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }]),
    ),
    dev: {
      server: { hostname: '127.0.0.1', port },
      inspector: false,
      persist: false,
      watch: false,
      liveReload: false,
      // 'log' passes the Worker's console.log lines on (and wrangler's own request lines).
      logLevel: options.logLevel ?? 'warn',
      testScheduled: true,
    },
  });
  await worker.ready;
  const url = (await worker.url).origin;
  return {
    url,
    fetch: (path, init) => fetch(`${url}${path}`, init),
    scheduled: () => fetch(`${url}/__scheduled?cron=*+*+*+*+*`),
    dispose: () => worker.dispose(),
  };
}

/** Polls `check` until it returns a value, at most `ms`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
