import { describe, expect, it, vi } from 'vitest';
import { contentFiles } from '../../content/index.ts';
import worker from '../../src/entry/worker.ts';
import { CATALOG_ASSET } from '../../src/entry/worker-assets.ts';

/**
 * The Worker's start when its texts cannot be read (they are a static asset it reads through the ASSETS
 * binding, worker.ts `catalogFor`): every request answers 503 with the reason, nothing reaches the
 * database, and the next request tries again. The entry's module in Node, with a stand-in binding: the
 * happy path runs in workerd (worker.test.ts).
 */
describe('the Worker without its content catalogue', () => {
  const ctx = { waitUntil: () => {} };
  const env = (assets: { fetch(request: Request): Promise<Response> } | undefined) => ({
    DATABASE_URL: 'http://127.0.0.1:9/no-database',
    ...(assets ? { ASSETS: assets } : {}),
  });

  it('answers 503 (reason content) and reads the catalogue again on the next request', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => {
      logged.push(JSON.parse(line).reason);
    });
    const asked: string[] = [];
    let available = false;
    const assets = {
      fetch: async (request: Request) => {
        asked.push(new URL(request.url).pathname);
        return available ? Response.json(contentFiles) : new Response('missing', { status: 404 });
      },
    };
    const health = await worker.fetch(new Request('http://worker.test/healthz'), env(assets), ctx);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', reason: 'content' });
    // The chat page needs the texts too: it is not drawn without them.
    const page = await worker.fetch(new Request('http://worker.test/chat'), env(assets), ctx);
    expect(page.status).toBe(503);
    expect(asked).toEqual([CATALOG_ASSET, CATALOG_ASSET]);
    // Logged once, not per request.
    expect(logged).toEqual(['content']);

    // Once the asset is there, the next request reads it and gets past the texts: to the database,
    // which here is not there (503, reason database).
    available = true;
    const next = await worker.fetch(new Request('http://worker.test/healthz'), env(assets), ctx);
    expect(await next.json()).toEqual({ status: 'unavailable', reason: 'database' });
    expect(asked).toHaveLength(3);
    // Read once per isolate.
    await worker.fetch(new Request('http://worker.test/healthz'), env(assets), ctx);
    expect(asked).toHaveLength(3);
    vi.restoreAllMocks();
  });
});
