import { AsyncLocalStorage } from 'node:async_hooks';
import { createClient } from '@libsql/client/http';
import { joseAuthenticator } from '../channels/botframework/jose-auth.ts';
import { networkAddressOf } from '../channels/network-address.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { buildCatalog, type Catalog, type ContentFiles } from '../content/catalog.ts';
import { createApp } from '../http/app.ts';
import type { Logger, ServiceDeps } from '../service/deps.ts';
import { type Database, wrapClient } from '../storage/db.ts';
import { channelsFromConfig } from './channels.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import { serviceDeps } from './service-deps.ts';
import { CATALOG_ASSET } from './worker-assets.ts';
import { cronPass, deliverAfterInbound, describe, guardSenders, SubrequestBudget } from './worker-cron.ts';

/** The bits of the Workers runtime this entry uses (kept local so Node's typecheck needs no Workers types). */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

const consoleLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/** One invocation (a request or a cron run): its context for `waitUntil` and its subrequest budget. */
interface Invocation {
  ctx: ExecutionContext;
  budget: SubrequestBudget;
}
const invocation = new AsyncLocalStorage<Invocation>();

interface Services {
  config: Config;
  deps: ServiceDeps;
  app: ReturnType<typeof createApp>;
}

/**
 * Why the Worker cannot serve yet: its configuration (for the isolate's life), its content (the texts,
 * read from its static assets), the database, or its schema.
 */
interface StartFailure {
  status: 'config' | 'content' | 'database' | 'schema';
  message: string;
}

/** The static assets' binding (wrangler.toml `[assets] binding`). */
interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

let catalog: Catalog | undefined;
let catalogLoading: Promise<Catalog | StartFailure> | undefined;

/**
 * The content catalogue, read once per isolate from the static assets and validated as Node validates
 * it at import (`buildCatalog`): the texts of both languages are a fifth of the script's size, and a
 * Worker's script has a size limit where its assets do not. A failure is tried again on the next request.
 */
function catalogFor(env: Record<string, unknown>): Catalog | Promise<Catalog | StartFailure> {
  if (catalog) return catalog;
  catalogLoading ??= (async (): Promise<Catalog | StartFailure> => {
    try {
      const assets = env.ASSETS as AssetsBinding | undefined;
      if (!assets) throw new Error('no ASSETS binding (wrangler.toml [assets])');
      const response = await assets.fetch(new Request(`https://assets.invalid${CATALOG_ASSET}`));
      if (!response.ok) throw new Error(`${CATALOG_ASSET} answered ${response.status}`);
      catalog = buildCatalog((await response.json()) as ContentFiles);
      return catalog;
    } catch (error) {
      catalogLoading = undefined;
      return { status: 'content', message: describe(error) };
    }
  })();
  return catalogLoading;
}

const isFailure = (value: object): value is StartFailure => 'status' in value && 'message' in value;

let services: Services | undefined;
let configFailure: StartFailure | undefined;
/** Set once the database answered with the schema this build expects; checked once per isolate. */
let schemaReady = false;
/** The last start failure logged, so a failure repeating on every request is logged once. */
let lastLogged: string | undefined;

function logStartFailure(failure: StartFailure): void {
  const line = `${failure.status}: ${failure.message}`;
  if (line === lastLogged) return;
  lastLogged = line;
  consoleLogger.error('worker not ready', { reason: failure.status, error: failure.message });
}

/** Only the string variables: bindings of other kinds are not configuration. */
function stringEnv(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
}

/**
 * The composition root for Workers, built once per isolate: remote libSQL over HTTP (no database call
 * yet: the client connects lazily), every fetch of it counted against the current invocation's budget.
 */
function build(env: Record<string, unknown>, catalog: Catalog): Services {
  const config = loadConfig(stringEnv(env));
  if (config.DATABASE_URL.startsWith('file:') || config.DATABASE_URL === ':memory:') {
    throw new Error('Invalid configuration: DATABASE_URL must be a remote libSQL URL on Workers');
  }
  const client = createClient({
    url: config.DATABASE_URL,
    authToken: config.DATABASE_AUTH_TOKEN,
    fetch: (input: Request | string | URL, init?: RequestInit) => {
      invocation.getStore()?.budget.take();
      return fetch(input, init);
    },
  });
  const db = wrapClient(client);
  const base = serviceDeps(config, { db, catalog, log: consoleLogger });
  const deps: ServiceDeps = {
    ...base,
    senders: guardSenders(base.senders, () => invocation.getStore()?.budget),
  };
  // Bot Framework tokens are checked with jose (the SDK cannot be bundled): the same checks as the Node
  // entry's sdkAuthenticator, the issuers' key sets cached for the isolate's life, each fetch of them
  // counted against the invocation's budget. The sender in `deps.senders` (serviceDeps) reads the stored
  // conversation references, so replies and the cron's proactive sends reach the conversation.
  const channels = channelsFromConfig(config, {
    authenticator: (settings) =>
      joseAuthenticator(settings, {
        now: deps.clock,
        fetch: (url, init) => {
          invocation.getStore()?.budget.take();
          return fetch(url, init);
        },
      }),
  });
  const app = createApp(deps, {
    // An inbound SMS (or activity) was written: send its replies now, safety first, after the answer.
    onActivity: () => {
      const current = invocation.getStore();
      current?.ctx.waitUntil(deliverAfterInbound(deps, current.budget, consoleLogger));
    },
    workspace: { publicBaseUrl: config.PUBLIC_BASE_URL, networkAddress: networkAddressOf },
    chatEmbedOrigins: config.CHAT_EMBED_ORIGINS,
    metricsToken: config.METRICS_TOKEN,
    ...(channels.sms && { sms: channels.sms }),
    ...(channels.botframework && { botframework: channels.botframework }),
  });
  return { config, deps, app };
}

/** The services, or why there are none: a configuration error stays for the isolate's life. */
function servicesFor(env: Record<string, unknown>, catalog: Catalog): Services | StartFailure {
  if (services) return services;
  if (configFailure) return configFailure;
  try {
    services = build(env, catalog);
    return services;
  } catch (error) {
    configFailure = { status: 'config', message: describe(error) };
    return configFailure;
  }
}

/**
 * One round trip: the newest migration the database has applied. Behind this build's, or no answer,
 * is a failure (checked again on the next request); once current it is not asked again in this isolate.
 */
async function checkSchema(db: Database): Promise<StartFailure | undefined> {
  if (schemaReady) return undefined;
  let applied: number;
  try {
    const result = await db.read((q) => q.execute('SELECT max(version) AS version FROM schema_migrations'));
    applied = Number(result.rows[0]?.version ?? 0);
  } catch (error) {
    const message = describe(error);
    if (/no such table/i.test(message)) {
      return {
        status: 'schema',
        message: `the database has no migrations; this build needs ${SCHEMA_VERSION}`,
      };
    }
    return { status: 'database', message };
  }
  if (applied < SCHEMA_VERSION) {
    return {
      status: 'schema',
      message: `the database schema is at version ${applied}; this build needs ${SCHEMA_VERSION}`,
    };
  }
  schemaReady = true;
  return undefined;
}

/** A database that is not there: the fallback app below must not reach one. */
const noDatabase: Database = {
  read: () => Promise.reject(new Error('database unavailable')),
  write: () => Promise.reject(new Error('database unavailable')),
  close: () => {},
};

let fallback: ReturnType<typeof createApp> | undefined;

/**
 * What still works without a usable database or configuration: the chat page (which then shows that
 * the service is unavailable when it posts; the illustrations are static assets, served without the
 * Worker). Everything else answers 503.
 */
function fallbackApp(env: Record<string, unknown>, catalog: Catalog): ReturnType<typeof createApp> {
  if (fallback) return fallback;
  const locale = env.DEFAULT_LOCALE === 'en' ? 'en' : 'nb';
  const config = loadConfig({ DEFAULT_LOCALE: locale, DATABASE_URL: 'http://unavailable.invalid' });
  const deps = serviceDeps(config, { db: noDatabase, catalog, log: consoleLogger });
  fallback = createApp(deps, {});
  return fallback;
}

const servedWithoutDatabase = (request: Request) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = new URL(request.url).pathname;
  return path === '/' || path === '/chat' || path.startsWith('/illustrations/');
};

function unavailable(
  request: Request,
  env: Record<string, unknown>,
  failure: StartFailure,
): Response | Promise<Response> {
  logStartFailure(failure);
  // Without its texts the chat page cannot be drawn either.
  if (catalog && servedWithoutDatabase(request)) return fallbackApp(env, catalog).fetch(request);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'retry-after': '30',
  };
  if (new URL(request.url).pathname === '/healthz') {
    return new Response(JSON.stringify({ status: 'unavailable', reason: failure.status }), {
      status: 503,
      headers,
    });
  }
  const message =
    failure.status === 'schema'
      ? 'The service is being updated. Try again in a minute.'
      : 'The service is not available right now. Try again in a minute.';
  return new Response(JSON.stringify({ error: { code: 'unavailable', message } }), { status: 503, headers });
}

/** The budget of one invocation, from WORKER_SUBREQUEST_BUDGET (or its default when the config failed). */
const budgetOf = (s: Services | StartFailure) =>
  new SubrequestBudget('deps' in s ? s.config.WORKER_SUBREQUEST_BUDGET : 50);

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    const content = await catalogFor(env);
    if (isFailure(content)) return unavailable(request, env, content);
    const s = servicesFor(env, content);
    if (!('deps' in s)) return unavailable(request, env, s);
    return invocation.run({ ctx, budget: budgetOf(s) }, async () => {
      const failure = await checkSchema(s.deps.db);
      if (failure) return unavailable(request, env, failure);
      lastLogged = undefined;
      return s.app.fetch(request, env);
    });
  },

  async scheduled(_controller: unknown, env: Record<string, unknown>, ctx: ExecutionContext): Promise<void> {
    const content = await catalogFor(env);
    if (isFailure(content)) return logStartFailure(content);
    const s = servicesFor(env, content);
    if (!('deps' in s)) return logStartFailure(s);
    const budget = budgetOf(s);
    await invocation.run({ ctx, budget }, async () => {
      const failure = await checkSchema(s.deps.db);
      if (failure) return logStartFailure(failure);
      await cronPass(s.deps, budget, consoleLogger);
    });
  },
};
