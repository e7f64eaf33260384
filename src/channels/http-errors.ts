import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../service/deps.ts';

/** Every expected failure of a request, mapped to its status in one place. */
export const errorStatus = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

/** A failure as JSON `{ error: { code, message }, ...more }`, with its status and any headers. */
export function apiError(
  code: ErrorCode,
  message: string,
  headers?: Record<string, string>,
  more?: Record<string, unknown>,
): HTTPException {
  return new HTTPException(errorStatus[code], {
    res: Response.json({ error: { code, message }, ...more }, { status: errorStatus[code], headers }),
  });
}

export function onError(log: Logger, wentAway: (c: Context, error: unknown) => boolean = () => false) {
  return (error: Error, c: Context): Response => {
    if (error instanceof HTTPException) {
      return error.res ?? c.json({ error: { code: 'http_error', message: error.message } }, error.status);
    }
    // A client that closed the connection mid-request is not a failure of ours: no stack, no error line.
    if (wentAway(c, error)) {
      return c.json({ error: { code: 'invalid_request', message: 'The request was not complete.' } }, 400);
    }
    log.error('unhandled error', { path: c.req.path, error: error.stack ?? String(error) });
    return c.json({ error: { code: 'internal', message: 'Something went wrong on our side.' } }, 500);
  };
}
