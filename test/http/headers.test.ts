import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMediaType } from '../../src/channels/media-type.ts';
import { createApp } from '../../src/http/app.ts';
import { makeHarness, startTestServer } from '../support/harness.ts';

/**
 * Headers on every answer (issue 16): nothing is sniffed; the chat page cannot be framed except by the
 * sites CHAT_EMBED_ORIGINS names; nothing with a client's data is stored by a browser or proxy; and the
 * JSON endpoint takes exactly application/json, not a header that merely contains the words.
 */

let server: Awaited<ReturnType<typeof startTestServer>>;
let embedding: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  server = await startTestServer();
  embedding = await startTestServer({ CHAT_EMBED_ORIGINS: 'https://www.klinikk.no,https://kommune.no' });
});
afterAll(async () => {
  await server.close();
  await embedding.close();
});

const post = (body: unknown, contentType: string) =>
  fetch(`${server.url}/channels/web/messages`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });

describe('response headers', () => {
  it('the chat page: not framed by default, not sniffed', async () => {
    const res = await fetch(`${server.url}/chat`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('the chat page: framed only by the sites CHAT_EMBED_ORIGINS names', async () => {
    const res = await fetch(`${embedding.url}/chat`);
    expect(res.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://www.klinikk.no https://kommune.no',
    );
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it("a client's messages and transcript: never stored, never sniffed", async () => {
    const started = await post({ locale: 'nb' }, 'application/json');
    expect(started.headers.get('cache-control')).toBe('no-store');
    expect(started.headers.get('x-content-type-options')).toBe('nosniff');
    const { conversationId } = (await started.json()) as { conversationId: string };
    const transcript = await fetch(
      `${server.url}/channels/web/messages?conversationId=${encodeURIComponent(conversationId)}&after=0`,
    );
    expect(transcript.status).toBe(200);
    expect(transcript.headers.get('cache-control')).toBe('no-store');
    expect(transcript.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('errors too: a 404, a 400 and a 415 carry the same headers', async () => {
    for (const res of [
      await fetch(`${server.url}/no/such/route`),
      await post({ text: 5 }, 'application/json'),
      await post({}, 'text/plain'),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await post({}, 'text/plain')).headers.get('cache-control')).toBe('no-store');
  });

  it("a Response a route built itself, and a route's own Cache-Control, keep the same rules", async () => {
    // The app sets these headers before the handler runs (see app.ts): this pins the cases where the
    // handler's answer does not take them from the context.
    const harness = await makeHarness();
    try {
      const app = createApp(harness.deps);
      app.get(
        '/channels/own-response',
        () => new Response('{}', { headers: { 'content-type': 'application/json' } }),
      );
      app.get('/channels/own-cache', (c) => {
        c.header('Cache-Control', 'private, max-age=5');
        return c.json({});
      });
      app.get('/public/own-response', () => new Response('x'));
      const own = await app.request('/channels/own-response', { headers: { 'x-request-id': 'req-1' } });
      expect(own.headers.get('x-content-type-options')).toBe('nosniff');
      expect(own.headers.get('cache-control')).toBe('no-store');
      expect(own.headers.get('x-request-id')).toBe('req-1');
      expect((await app.request('/channels/own-cache')).headers.get('cache-control')).toBe(
        'private, max-age=5',
      );
      const open = await app.request('/public/own-response');
      expect(open.headers.get('x-content-type-options')).toBe('nosniff');
      expect(open.headers.get('cache-control')).toBeNull();
      expect(open.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      harness.close();
    }
  });

  it('takes exactly application/json, with any parameters and in any case', async () => {
    expect((await post({ locale: 'en' }, 'Application/JSON; charset=utf-8')).status).toBe(200);
    for (const type of ['text/plain; application/json', 'application/jsonx', 'application/json-patch+json']) {
      const res = await post({ locale: 'en' }, type);
      expect(res.status, type).toBe(415);
    }
  });
});

describe('isMediaType', () => {
  it('compares the media type before its parameters, without case', () => {
    expect(isMediaType('application/json', 'application/json')).toBe(true);
    expect(isMediaType(' APPLICATION/json ;charset=UTF-8', 'application/json')).toBe(true);
    expect(isMediaType(undefined, 'application/json')).toBe(false);
    expect(isMediaType('text/html; x=application/json', 'application/json')).toBe(false);
  });
});
