import { Hono } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import { type BotFrameworkRouteSettings, botFrameworkRoutes } from '../channels/botframework/routes.ts';
import { errorStatus, onError } from '../channels/http-errors.ts';
import { type SmsWebhookSettings, smsTwilioRoutes } from '../channels/sms/routes.ts';
import { webChatRoutes } from '../channels/web/routes.tsx';
import type { IllustrationSource } from '../content/illustrations.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { renderMetrics } from '../service/metrics.ts';
import { workspaceRoutes } from '../web/app.tsx';
import type { WorkspaceOptions } from '../web/context.ts';
import { clientWentAway, observe } from './observability.ts';

export interface AppOptions {
  /** Called after an inbound SMS or activity was handled, so the scheduler delivers its replies at once. */
  onActivity?: () => void;
  /** The course illustrations, by name. */
  illustrations?: IllustrationSource;
  /** Twilio's webhook settings; without them the SMS routes answer 404. */
  sms?: SmsWebhookSettings;
  /** The Bot Framework channel's authentication; without it POST /api/messages answers 404. */
  botframework?: BotFrameworkRouteSettings;
  /** The therapist workspace's settings (network address of a request, public base URL). */
  workspace?: WorkspaceOptions;
  /** Sites that may frame the web chat (CHAT_EMBED_ORIGINS); none by default. */
  chatEmbedOrigins?: readonly string[];
  /** The bearer token that reads GET /metrics (METRICS_TOKEN); without it the route answers 404. */
  metricsToken?: string;
}

/** Answers that carry a client's data: never kept by a browser or a proxy. */
const PRIVATE_PATHS = /^\/(channels|api)\//;

/** The one Hono app, the same on Node and Workers; runtimes differ only in src/entry. */
export function createApp(deps: ServiceDeps, options: AppOptions = {}) {
  const app = new Hono();
  app.onError(onError(deps.log, clientWentAway));
  app.use(observe(deps, deps.metrics));
  // On every answer, errors included: nothing sniffed, and nothing with a client's data stored. Set
  // before the handler, so that the answer it builds carries them: a header set on a finished answer
  // makes @hono/node-server copy it into a full Response and stream its body (about 30 µs a request).
  // A handler's own Cache-Control replaces this one; a Response a handler built itself gets them after.
  app.use(async (c, next) => {
    const isPrivate = PRIVATE_PATHS.test(c.req.path);
    c.header('X-Content-Type-Options', 'nosniff');
    if (isPrivate) c.header('Cache-Control', 'no-store');
    await next();
    const headers = c.res.headers;
    if (!headers.has('X-Content-Type-Options')) c.header('X-Content-Type-Options', 'nosniff');
    if (isPrivate && !headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: 'No such route.' } }, errorStatus.not_found),
  );
  app.get('/', (c) => c.redirect('/chat'));
  app.get('/healthz', async (c) => {
    try {
      await deps.db.read((q) => q.execute('SELECT 1'));
      return c.json({ status: 'ok', time: deps.clock().toISOString() });
    } catch {
      return c.json({ status: 'unavailable', error: 'database did not answer' }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    const token = options.metricsToken;
    if (token === undefined) return c.json({ error: { code: 'not_found', message: 'No such route.' } }, 404);
    const given = c.req.header('authorization') ?? '';
    if (!(await timingSafeEqual(given, `Bearer ${token}`))) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      return c.json({ error: { code: 'unauthorized', message: 'A metrics token is required.' } }, 401);
    }
    c.header('Cache-Control', 'no-store');
    return c.body(await renderMetrics(deps, deps.metrics), 200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    });
  });
  app.get('/illustrations/:course/:file', (c) => {
    const file = c.req.param('file');
    const svg = file.endsWith('.svg')
      ? options.illustrations?.(`${c.req.param('course')}/${file.slice(0, -4)}`)
      : undefined;
    if (svg === undefined)
      return c.json({ error: { code: 'not_found', message: 'No such illustration.' } }, 404);
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml' });
  });
  // The web chat is a pull channel (the page reads the transcript): its turns leave nothing to deliver.
  app.route('/', webChatRoutes(deps, { embedOrigins: options.chatEmbedOrigins }));
  app.route('/', smsTwilioRoutes(deps, options.sms, options.onActivity ?? (() => {})));
  app.route('/', botFrameworkRoutes(deps, options.botframework, options.onActivity ?? (() => {})));
  app.route('/', workspaceRoutes(deps, options.workspace));
  return app;
}
