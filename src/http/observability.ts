import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ServiceDeps } from '../service/deps.ts';
import type { Metrics } from '../service/metrics.ts';

/** The routes where a client's message comes in, by channel: each answered request is one turn. */
const INBOUND_ROUTES: Record<string, string> = {
  '/channels/web/messages': 'web',
  '/channels/sms/twilio': 'sms',
  '/api/messages': 'botframework',
};

/** A request id we accept from a proxy; anything else is replaced by our own. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Whether the client went away before the answer: a disconnect, not a failure of ours. */
export function clientWentAway(c: Context, error?: unknown): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  return (
    e?.name === 'AbortError' ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    /^(aborted|request aborted|premature close)$/i.test(e?.message ?? '')
  );
}

type Outcome = 'ok' | 'client_error' | 'server_error' | 'aborted';

/**
 * One JSON log line per request (request id, method, route pattern, status, duration, outcome) and the
 * request metrics. Never the path's ids, a query, a body, a phone number or a text: the route pattern
 * stands for the path.
 */
export function observe(deps: ServiceDeps, metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    // Before the handler, as in app.ts; after it only on a Response the handler built itself.
    c.header('X-Request-Id', requestId);
    await next();
    if (c.res.headers.get('X-Request-Id') !== requestId) c.header('X-Request-Id', requestId);
    const seconds = (performance.now() - started) / 1000;
    const matched = routePath(c);
    const route = matched === '' || matched === '*' || matched === '/*' ? 'unmatched' : matched;
    const status = c.res.status;
    const outcome: Outcome = clientWentAway(c, c.error)
      ? 'aborted'
      : status >= 500
        ? 'server_error'
        : status >= 400
          ? 'client_error'
          : 'ok';
    metrics.request(route, c.req.method, status, seconds);
    const channel = c.req.method === 'POST' ? INBOUND_ROUTES[route] : undefined;
    if (channel) metrics.turn(channel, outcome);
    deps.log.info('request', {
      requestId,
      method: c.req.method,
      route,
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      outcome,
    });
  };
}
