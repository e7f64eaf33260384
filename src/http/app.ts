import { Hono } from 'hono';
import { errorStatus, onError } from '../channels/http-errors.ts';
import { type SmsWebhookSettings, smsTwilioRoutes } from '../channels/sms/routes.ts';
import { webChatRoutes } from '../channels/web/routes.tsx';
import type { IllustrationSource } from '../content/illustrations.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { workspaceRoutes } from '../web/app.tsx';
import type { WorkspaceOptions } from '../web/context.ts';

export interface AppOptions {
  /** Called after an inbound SMS was handled, so the scheduler delivers its replies at once. */
  onActivity?: () => void;
  /** The course illustrations, by name. */
  illustrations?: IllustrationSource;
  /** Twilio's webhook settings; without them the SMS routes answer 404. */
  sms?: SmsWebhookSettings;
  /** The therapist workspace's settings (network address of a request, public base URL). */
  workspace?: WorkspaceOptions;
}

/** The one Hono app, the same on Node and Workers; runtimes differ only in src/entry. */
export function createApp(deps: ServiceDeps, options: AppOptions = {}) {
  const app = new Hono();
  app.onError(onError(deps.log));
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
  app.route('/', webChatRoutes(deps));
  app.route('/', smsTwilioRoutes(deps, options.sms, options.onActivity ?? (() => {})));
  app.route('/', workspaceRoutes(deps, options.workspace));
  return app;
}
