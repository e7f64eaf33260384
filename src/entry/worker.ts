import { createClient } from '@libsql/client/web';
import { networkAddressOf } from '../channels/network-address.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { createApp } from '../http/app.ts';
import type { Logger, ServiceDeps } from '../service/deps.ts';
import { tick } from '../service/scheduler.ts';
import { wrapClient } from '../storage/db.ts';
import { migrate, migrationsFromFiles } from '../storage/migrate.ts';
import m0001 from '../storage/migrations/0001_init.sql';
import m0002 from '../storage/migrations/0002_measures_and_safety.sql';
import m0003 from '../storage/migrations/0003_homework.sql';
import m0004 from '../storage/migrations/0004_checkins.sql';
import m0005 from '../storage/migrations/0005_sms.sql';
import m0006 from '../storage/migrations/0006_sleep_windows.sql';
import m0007 from '../storage/migrations/0007_safety_protocol.sql';
import m0008 from '../storage/migrations/0008_workspace.sql';
import m0009 from '../storage/migrations/0009_contracts.sql';
import m0010 from '../storage/migrations/0010_contacts.sql';
import m0011 from '../storage/migrations/0011_messages.sql';
import m0012 from '../storage/migrations/0012_chat_menu.sql';
import { channelsFromConfig } from './channels.ts';
import { serviceDeps } from './service-deps.ts';

/** The bits of the Workers runtime this entry uses (kept local so Node's typecheck needs no Workers types). */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

// Workers have no file system: every migration is bundled as text (a test checks none is missing here).
const migrations = migrationsFromFiles([
  { fileName: '0001_init.sql', sql: m0001 },
  { fileName: '0002_measures_and_safety.sql', sql: m0002 },
  { fileName: '0003_homework.sql', sql: m0003 },
  { fileName: '0004_checkins.sql', sql: m0004 },
  { fileName: '0005_sms.sql', sql: m0005 },
  { fileName: '0006_sleep_windows.sql', sql: m0006 },
  { fileName: '0007_safety_protocol.sql', sql: m0007 },
  { fileName: '0008_workspace.sql', sql: m0008 },
  { fileName: '0009_contracts.sql', sql: m0009 },
  { fileName: '0010_contacts.sql', sql: m0010 },
  { fileName: '0011_messages.sql', sql: m0011 },
  { fileName: '0012_chat_menu.sql', sql: m0012 },
]);

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
    const channels = channelsFromConfig(config);
    const db = wrapClient(createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN }));
    await migrate(db, migrations, new Date());
    const deps = serviceDeps(config, { db, log: consoleLogger });
    const workspace = { publicBaseUrl: config.PUBLIC_BASE_URL, networkAddress: networkAddressOf };
    return { deps, app: createApp(deps, channels.sms ? { sms: channels.sms, workspace } : { workspace }) };
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
