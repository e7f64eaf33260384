import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import type { StaffAuth } from './auth.tsx';
import type { WorkspaceEnv } from './context.ts';

/**
 * Same-origin check for unsafe methods that carry the session cookie (hono/csrf: Sec-Fetch-Site or
 * Origin). A bearer-token request carries no ambient credential, so it needs none. Behind a proxy the
 * public origin is accepted as well as the request's own.
 */
export function sameOrigin(publicBaseUrl: string | undefined): MiddlewareHandler {
  const publicOrigin = publicBaseUrl ? new URL(publicBaseUrl).origin : undefined;
  const check = csrf({
    origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin,
  });
  return async (c, next) => {
    if (c.req.header('Authorization') !== undefined) return next();
    return check(c, next);
  };
}

/**
 * Lets a signed-in staff member through; others go to sign-in (pages) or get 401 (API). `poll` is for
 * what a page's script fetches on a timer: it needs a live session but is not activity (it does not move
 * the session's idle clock), and without one it answers 401 (JSON), so the script can send the page
 * to sign-in.
 */
export function requireStaff(
  auth: StaffAuth,
  kind: 'page' | 'api' | 'poll',
): MiddlewareHandler<WorkspaceEnv> {
  return async (c, next) => {
    const who = await auth.identify(c, { activity: kind !== 'poll' });
    if (!who) {
      if (kind === 'api') {
        c.header('WWW-Authenticate', 'Bearer realm="selvhjelp"');
        return c.json(
          { error: { code: 'unauthorized', message: 'Sign in or send a personal API token.' } },
          401,
        );
      }
      // A personal token does not open the pages, so a poll's 401 offers no Bearer challenge.
      if (kind === 'poll') return c.json({ error: { code: 'unauthorized', message: 'Sign in.' } }, 401);
      if (c.req.method === 'GET') {
        const url = new URL(c.req.url);
        return c.redirect(`/staff/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      return c.redirect('/staff/login', 303);
    }
    c.set('actor', who.actor);
    if (who.session) c.set('session', who.session);
    await next();
  };
}

/**
 * Admin-only routes: anyone else gets exactly the answer of a route that does not exist (`notFound`:
 * the workspace's own 404 page, or the API's JSON 404).
 */
export function requireAdmin(
  notFound: (c: Context<WorkspaceEnv>) => Response | Promise<Response>,
): MiddlewareHandler<WorkspaceEnv> {
  return async (c, next) => {
    if (c.get('actor').role !== 'admin') return notFound(c);
    await next();
  };
}
