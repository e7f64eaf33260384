import { serve } from '@hono/node-server';
import type { FlowRegistry } from '../../flows/registry.ts';
import { sdkAuthenticator } from '../channels/botframework/sdk-auth.ts';
import { networkAddressOf } from '../channels/network-address.ts';
import type { Config } from '../config/config.ts';
import { catalog } from '../content/default.ts';
import { nodeIllustrations } from '../content/illustrations-node.ts';
import { createApp } from '../http/app.ts';
import type { Logger, ServiceDeps } from '../service/deps.ts';
import { startScheduler } from '../service/scheduler.ts';
import type { Database } from '../storage/db.ts';
import { migrate } from '../storage/migrate.ts';
import { nodeMigrations } from '../storage/migrations-node.ts';
import { openNodeDatabase } from '../storage/open-node.ts';
import { channelsFromConfig } from './channels.ts';
import { serviceDeps } from './service-deps.ts';

export interface NodeOverrides {
  clock?: () => Date;
  flows?: FlowRegistry;
  log?: Logger;
  senders?: ServiceDeps['senders'];
}

/** The composition root for Node: opens and migrates the database and builds every service. */
export async function buildNodeDeps(
  config: Config,
  log: Logger,
  overrides: NodeOverrides = {},
): Promise<ServiceDeps> {
  const db: Database = await openNodeDatabase(config.DATABASE_URL, {
    authToken: config.DATABASE_AUTH_TOKEN,
    driver: config.DATABASE_DRIVER,
  });
  const clock = overrides.clock ?? (() => new Date());
  await migrate(db, nodeMigrations(), clock());
  return serviceDeps(config, {
    db,
    catalog,
    clock,
    log: overrides.log ?? log,
    flows: overrides.flows,
    senders: overrides.senders,
  });
}

export interface RunningServer {
  url: string;
  deps: ServiceDeps;
  close(): Promise<void>;
}

/** Starts the HTTP server and the scheduler loop; resolves once the server listens. */
export async function startNodeServer(
  config: Config,
  log: Logger,
  overrides: NodeOverrides = {},
): Promise<RunningServer> {
  const deps = await buildNodeDeps(config, log, overrides);
  const scheduler = startScheduler(deps, config.SCHEDULER_INTERVAL_MS);
  const channels = channelsFromConfig(config, { authenticator: sdkAuthenticator });
  if (!channels.botframework) {
    log.info(
      'Bot Framework channel off: no MICROSOFT_APP_ID, and the Emulator mode is refused in production',
    );
  }
  const app = createApp(deps, {
    onActivity: () => scheduler.kick(),
    illustrations: nodeIllustrations(),
    sms: channels.sms,
    botframework: channels.botframework,
    chatEmbedOrigins: config.CHAT_EMBED_ORIGINS,
    metricsToken: config.METRICS_TOKEN,
    workspace: {
      publicBaseUrl: config.PUBLIC_BASE_URL,
      networkAddress: networkAddressOf,
    },
  });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) =>
        resolve({ server: s, port: info.port }),
      );
    },
  );
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return {
    url: `http://${host}:${port}`,
    deps,
    async close() {
      await scheduler.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      deps.db.close();
    },
  };
}
