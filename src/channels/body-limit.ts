import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiError } from './http-errors.ts';

/**
 * What a Twilio webhook may weigh at most (an SMS body has at most 1 600 characters). The web chat and the
 * Bot Framework channel read longer texts and pass their own limit.
 */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Refuses bodies over `maxSize` bytes with a 413 `payload_too_large`.
 *
 * Hono's `bodyLimit` asks for the request's body stream even when a `Content-Length` settles the
 * question, which on Node makes @hono/node-server build a whole WHATWG `Request` (AbortController, web
 * stream) that the handler's `c.req.json()` then reads slowly: measured at about 60 µs of a web chat
 * turn. With a `Content-Length` and no `Transfer-Encoding`, Node's parser never hands over more bytes
 * than it says, so the header is enough; only a chunked body goes through Hono's counting stream.
 */
export function limitBody(maxSize = MAX_BODY_BYTES): MiddlewareHandler {
  const streaming = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > maxSize) throw tooLarge(maxSize);
      return next();
    }
    return streaming(c, next);
  };
}

const tooLarge = (maxSize: number) =>
  apiError('payload_too_large', `The body must be at most ${maxSize} bytes.`);
