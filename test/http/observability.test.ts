import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/service/deps.ts';
import { startTestServer } from '../support/harness.ts';

/**
 * Operability (issue 16): one JSON log line per request with a request id, route pattern, status,
 * duration and outcome, and never a phone number or a message's text; GET /metrics in Prometheus text
 * format behind METRICS_TOKEN; a client that disconnects mid-request is not an error.
 */

const TOKEN = 'metrics-token-0123456789abcdef';
const PHONE = '+4791234567';
const SECRET_TEXT = 'mitt hemmelige ord er blåbærsyltetøy';

interface Line {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}
const lines: Line[] = [];
const capture: Logger = {
  info: (message, fields) => lines.push({ level: 'info', message, fields }),
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
};

let server: Awaited<ReturnType<typeof startTestServer>>;
let bare: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  server = await startTestServer({ METRICS_TOKEN: TOKEN }, {}, capture);
  bare = await startTestServer();
});
afterAll(async () => {
  await server.close();
  await bare.close();
});

const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/channels/web/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const scrape = async () => {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.text();
};

/** The value of one series in an exposition, or undefined. */
const sampleOf = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('request logs', () => {
  it('one line per request: id, route pattern, status, duration, outcome; no phone number, no text', async () => {
    lines.length = 0;
    const started = await chat({ locale: 'nb' }, { 'x-request-id': 'proxy-req-42' });
    expect(started.headers.get('x-request-id')).toBe('proxy-req-42');
    const { conversationId } = (await started.json()) as { conversationId: string };
    const res = await chat({ conversationId, text: `${SECRET_TEXT} ring meg på ${PHONE}` });
    expect(res.status).toBe(200);
    const ours = res.headers.get('x-request-id');
    expect(ours).toMatch(/^[0-9a-f-]{36}$/);

    const requests = lines.filter((l) => l.message === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[1]!.fields).toMatchObject({
      requestId: ours,
      method: 'POST',
      route: '/channels/web/messages',
      status: 200,
      outcome: 'ok',
    });
    expect(typeof requests[1]!.fields!.durationMs).toBe('number');
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(PHONE);
    expect(logged).not.toContain('91234567');
    expect(logged).not.toContain('blåbærsyltetøy');
    expect(logged).not.toContain(conversationId);
  });

  it('names the route pattern, not the path with its ids', async () => {
    lines.length = 0;
    await fetch(`${server.url}/illustrations/depression/secret-id-123.svg`);
    expect(lines.find((l) => l.message === 'request')?.fields).toMatchObject({
      route: '/illustrations/:course/:file',
      status: 404,
      outcome: 'client_error',
    });
  });

  it('a client that goes away mid-request is no error', async () => {
    lines.length = 0;
    const { port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        // A chunked body (read through the size limit's stream), cut off in its first chunk.
        socket.write(
          'POST /channels/web/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{"locale":"nb","te',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    await expect.poll(() => lines.filter((l) => l.message === 'request').length).toBe(1);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.find((l) => l.message === 'request')?.fields).toMatchObject({ outcome: 'aborted' });
  });
});

describe('GET /metrics', () => {
  it('is not there without METRICS_TOKEN, and needs the token with it', async () => {
    expect((await fetch(`${bare.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('selvhjelp_');
  });

  it('counts turns and requests, and reports open alerts and the outbox', async () => {
    const before = await scrape();
    const turnsBefore = sampleOf(before, 'selvhjelp_turns_total{channel="web",outcome="ok"}') ?? 0;
    const started = (await (await chat({ locale: 'nb' })).json()) as { conversationId: string };
    await chat({ conversationId: started.conversationId, text: 'jeg skal ta livet mitt i kveld' });
    const after = await scrape();
    expect(sampleOf(after, 'selvhjelp_turns_total{channel="web",outcome="ok"}')).toBe(turnsBefore + 2);
    expect(sampleOf(after, 'selvhjelp_alerts_open')).toBeGreaterThanOrEqual(1);
    expect(sampleOf(after, 'selvhjelp_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(sampleOf(after, 'selvhjelp_scheduler_lag_seconds')).toBeGreaterThanOrEqual(0);
    const count = sampleOf(
      after,
      'selvhjelp_http_request_duration_seconds_count{route="/channels/web/messages"}',
    );
    const inf = sampleOf(
      after,
      'selvhjelp_http_request_duration_seconds_bucket{route="/channels/web/messages",le="+Inf"}',
    );
    expect(count).toBeGreaterThanOrEqual(2);
    expect(inf).toBe(count);
  });

  it('follows the Prometheus text format and naming conventions', async () => {
    const text = await scrape();
    const types = new Map<string, string>();
    const helps = new Set<string>();
    const series = new Set<string>();
    for (const line of text.trimEnd().split('\n')) {
      const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
      if (meta) {
        if (meta[1] === 'TYPE') types.set(meta[2]!, meta[3]!);
        else helps.add(meta[2]!);
        continue;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/.exec(line);
      expect(sample, line).not.toBeNull();
      expect(series.has(`${sample![1]}${sample![2] ?? ''}`), `duplicate ${line}`).toBe(false);
      series.add(`${sample![1]}${sample![2] ?? ''}`);
      const family = sample![1]!.replace(/_(bucket|sum|count)$/, '');
      const type = types.get(sample![1]!) ?? types.get(family);
      expect(type, `no TYPE for ${line}`).toBeDefined();
      if (type !== 'histogram') expect(types.has(sample![1]!)).toBe(true);
    }
    for (const [name, type] of types) {
      expect(name).toMatch(/^selvhjelp_[a-z][a-z0-9_]*$/);
      expect(helps.has(name)).toBe(true);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });
});
