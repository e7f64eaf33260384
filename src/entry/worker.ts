import { createClient } from '@libsql/client/web';
import { defaultRegistry } from '../../flows/registry.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { catalog } from '../content/default.ts';
import { createApp } from '../http/app.ts';
import { type Logger, randomIds, type ServiceDeps } from '../service/deps.ts';
import { KeyedLock } from '../service/keyed-lock.ts';
import { tick } from '../service/scheduler.ts';
import { wrapClient } from '../storage/db.ts';
import { migrate, migrationsFromFiles } from '../storage/migrate.ts';
import m0001 from '../storage/migrations/0001_init.sql';

/** The bits of the Workers runtime this entry uses (kept local so Node's typecheck needs no Workers types). */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

const migrations = migrationsFromFiles([{ fileName: '0001_init.sql', sql: m0001 }]);

const consoleLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

let services: Promise<{ deps: ServiceDeps; app: ReturnType<typeof createApp> }> | undefined;

/** The composition root for Workers: remote libSQL over HTTP, built once per isolate. */
function servicesFor(env: Record<string, unknown>) {
  services ??= (async () => {
    const config: Config = loadConfig(
      Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >,
    );
    if (config.DATABASE_URL.startsWith('file:') || config.DATABASE_URL === ':memory:') {
      throw new Error('Invalid configuration: DATABASE_URL must be a remote libSQL URL on Workers');
    }
    const db = wrapClient(createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN }));
    await migrate(db, migrations, new Date());
    const deps: ServiceDeps = {
      db,
      flows: defaultRegistry,
      catalog,
      clock: () => new Date(),
      ids: randomIds,
      defaults: { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIMEZONE, flowId: 'intro' },
      senders: { web: { mode: 'pull' } },
      locks: new KeyedLock(),
      log: consoleLogger,
      retry: { maxAttempts: 6, baseDelayMs: 120_000 },
    };
    return { deps, app: createApp(deps) };
  })().catch((error: unknown) => {
    services = undefined;
    throw error;
  });
  return services;
}

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    const { app } = await servicesFor(env);
    return app.fetch(request, env);
  },
  async scheduled(_controller: unknown, env: Record<string, unknown>, ctx: ExecutionContext): Promise<void> {
    const { deps } = await servicesFor(env);
    ctx.waitUntil(tick(deps));
  },
};
