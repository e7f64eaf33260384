import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { registryWithBrokenFlow } from '../support/broken-flow.ts';
import { startTestServer } from '../support/harness.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer({}, { flows: registryWithBrokenFlow });
});
afterAll(async () => {
  await server.close();
});

const post = (body: string, contentType = 'application/json') =>
  fetch(`${server.url}/channels/web/messages`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    'channel_addresses',
    'transcript',
    'enrollments',
    'processed_inbound',
    'domain_events',
  ]) {
    counts[table] = await server.deps.db.read(async (q) =>
      Number((await q.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n),
    );
  }
  return counts;
}

describe('POST /channels/web/messages', () => {
  it('starts a conversation and plays the flow after the access code', async () => {
    const created = await createClient(server.deps, { course: 'intro', locale: 'en' });
    if (!created.ok) throw new Error();
    const started = await post(JSON.stringify({ locale: 'en' }));
    expect(started.status).toBe(200);
    const body = (await started.json()) as { conversationId: string; replies: { text: string }[] };
    expect(body.replies).toEqual([{ text: server.deps.catalog.text('en', 'service.welcome') }]);

    const linked = await post(
      JSON.stringify({ conversationId: body.conversationId, text: created.accessCode }),
    );
    const reply = (await linked.json()) as {
      replies: { text: string; choices?: { label: string; value: string }[] }[];
    };
    expect(reply.replies.at(-1)).toEqual({
      text: server.deps.catalog.text('en', 'intro.ask_ready'),
      choices: [
        { label: "Yes, let's start", value: 'yes' },
        { label: 'Tell me more first', value: 'more' },
      ],
    });
    const next = await post(
      JSON.stringify({ conversationId: body.conversationId, value: 'more', text: 'Tell me more first' }),
    );
    expect(((await next.json()) as { replies: { text: string }[] }).replies[0]!.text).toBe(
      server.deps.catalog.text('en', 'intro.more'),
    );
  });

  it.each([
    ['not JSON', '{"text": "hei"', 'application/json', 400, 'invalid_json'],
    [
      'over 192 KiB',
      JSON.stringify({ text: 'x'.repeat(193 * 1024) }),
      'application/json',
      413,
      'payload_too_large',
    ],
    ['text of the wrong type', JSON.stringify({ text: 42 }), 'application/json', 400, 'invalid_request'],
    ['locale not nb or en', JSON.stringify({ locale: 'sv' }), 'application/json', 400, 'invalid_request'],
    [
      'conversationId of the wrong type',
      JSON.stringify({ conversationId: 7, text: 'x' }),
      'application/json',
      400,
      'invalid_request',
    ],
    ['an array', '[]', 'application/json', 400, 'invalid_request'],
    [
      'no text in a conversation',
      JSON.stringify({ conversationId: 'abc' }),
      'application/json',
      400,
      'invalid_request',
    ],
    [
      'an unknown conversationId',
      JSON.stringify({ conversationId: 'no-such-conversation', text: 'hei' }),
      'application/json',
      404,
      'not_found',
    ],
    ['form data', 'text=hei', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
  ])('rejects %s with a 4xx JSON error and changes nothing', async (_, body, contentType, status, code) => {
    const before = await rowCounts();
    const response = await post(body, contentType);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(await rowCounts()).toEqual(before);
  });

  it('limits a chunked body (no Content-Length) as well, and reads a small one', async () => {
    const chunked = (text: string) =>
      fetch(`${server.url}/channels/web/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          start(controller) {
            const bytes = new TextEncoder().encode(text);
            // Several chunks, so the size is only known by counting them.
            for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.subarray(i, i + 4096));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const before = await rowCounts();
    const big = await chunked(JSON.stringify({ text: 'x'.repeat(193 * 1024) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(await rowCounts()).toEqual(before);
    const small = await chunked(JSON.stringify({ locale: 'en' }));
    expect(small.status).toBe(200);
    expect(((await small.json()) as { replies: unknown[] }).replies.length).toBeGreaterThan(0);
  });

  it('answers a retried message id once', async () => {
    const started = (await (await post(JSON.stringify({ locale: 'nb' }))).json()) as {
      conversationId: string;
    };
    const message = JSON.stringify({
      conversationId: started.conversationId,
      text: 'hei',
      messageId: 'web-1',
    });
    const first = (await (await post(message)).json()) as { replies: unknown[] };
    const second = (await (await post(message)).json()) as { replies: unknown[]; duplicate?: boolean };
    expect(first.replies).toHaveLength(1);
    expect(second).toMatchObject({ replies: [], duplicate: true });
  });

  it('lets the page fetch messages it has not seen, and 404s an unknown conversation', async () => {
    const started = (await (await post(JSON.stringify({ locale: 'nb' }))).json()) as {
      conversationId: string;
      cursor: number;
    };
    const poll = await fetch(
      `${server.url}/channels/web/messages?conversationId=${started.conversationId}&after=0`,
    );
    const body = (await poll.json()) as { messages: { direction: string; text: string }[]; cursor: number };
    expect(body.messages).toEqual([
      { seq: started.cursor, direction: 'out', text: server.deps.catalog.text('nb', 'service.welcome') },
    ]);
    const empty = await fetch(
      `${server.url}/channels/web/messages?conversationId=${started.conversationId}&after=${body.cursor}`,
    );
    expect(((await empty.json()) as { messages: unknown[] }).messages).toEqual([]);
    expect((await fetch(`${server.url}/channels/web/messages?conversationId=nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/channels/web/messages?conversationId=x&after=-1`)).status).toBe(400);
  });

  it('returns what a client typed as JSON data, never as markup', async () => {
    const started = (await (await post(JSON.stringify({ locale: 'nb' }))).json()) as {
      conversationId: string;
    };
    await post(JSON.stringify({ conversationId: started.conversationId, text: '<script>alert(1)</script>' }));
    const poll = await fetch(
      `${server.url}/channels/web/messages?conversationId=${started.conversationId}&after=0`,
    );
    expect(poll.headers.get('content-type')).toContain('application/json');
    const body = (await poll.json()) as { messages: { text: string }[] };
    expect(body.messages.map((m) => m.text)).toContain('<script>alert(1)</script>');
  });
});

describe('pages and health', () => {
  it('serves the chat page in both languages', async () => {
    for (const [lang, label] of [
      ['nb', 'Din melding'],
      ['en', 'Your message'],
    ]) {
      const response = await fetch(`${server.url}/chat?lang=${lang}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(label);
    }
  });

  it('serves the course illustrations as SVG, and nothing else under that path', async () => {
    const { readdirSync } = await import('node:fs');
    const [file] = readdirSync(new URL('../../content/illustrations/sleep/', import.meta.url));
    const response = await fetch(`${server.url}/illustrations/sleep/${file}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).toContain('<svg');
    expect((await fetch(`${server.url}/illustrations/sleep/nope.svg`)).status).toBe(404);
    expect((await fetch(`${server.url}/illustrations/sleep/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${server.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No such route.' } });
  });

  it('reports health 200 while the database answers', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});

describe('health when the database is gone', () => {
  it('reports 503', async () => {
    const broken = await startTestServer();
    try {
      broken.deps.db.close();
      const response = await fetch(`${broken.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable' });
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});

describe('safety mode in the web chat', () => {
  type Reply = { text: string; choices?: { label: string; value: string }[] };
  const send = async (body: object) =>
    (await (await post(JSON.stringify(body))).json()) as { conversationId: string; replies: Reply[] };
  const en = (key: string) => server.deps.catalog.text('en', key);

  it('asks directly with buttons before the access code, takes the button, and never reads "no" as a code', async () => {
    const { conversationId } = await send({ locale: 'en' });
    const opened = await send({ conversationId, text: 'i want to end my life tonight', messageId: 's1' });
    expect(opened.replies[0]?.text).toBe(en('safety.crisis_ack'));
    expect(opened.replies.at(-1)).toEqual({
      text: en('safety.ask_thoughts'),
      choices: [
        { label: 'Yes', value: 'thoughts_yes' },
        { label: 'No', value: 'thoughts_no' },
        { label: "I don't know", value: 'thoughts_unsure' },
      ],
    });
    const yes = await send({ conversationId, value: 'thoughts_yes', messageId: 's2' });
    expect(yes.replies.at(-1)?.text).toBe(en('safety.ask_danger'));
    const no = await send({ conversationId, text: 'No', messageId: 's3' });
    // Not linked yet: how to go on is the access code, after the protocol's own words.
    expect(no.replies.map((r) => r.text)).toEqual([en('safety.ended'), en('service.code_prompt')]);
    expect(no.replies.map((r) => r.text)).not.toContain(en('service.code_unknown'));
    // Safety mode has ended: the next message is an access code attempt again.
    const code = await send({ conversationId, text: 'ZZZZZZZ', messageId: 's4' });
    expect(code.replies.map((r) => r.text)).toEqual([en('service.code_unknown')]);
  });
});

describe('a long message in the web chat', () => {
  type Reply = { text: string; choices?: { label: string; value: string }[] };
  const crisis = 'jeg vil ta livet mitt i kveld';
  /** `length` characters of an ordinary long story, ending in the crisis phrase. */
  const story = (length: number) => {
    const filler = 'Jeg har hatt en lang uke og vil fortelle om den. '.repeat(Math.ceil(length / 40));
    return `${filler.slice(0, length - crisis.length - 1)} ${crisis}`;
  };
  const started = async () =>
    ((await (await post(JSON.stringify({ locale: 'nb' }))).json()) as { conversationId: string })
      .conversationId;
  const storedText = (conversationId: string) =>
    server.deps.db.read(async (q) =>
      (
        await q.execute({
          sql: `SELECT t.text FROM transcript t JOIN channel_addresses a ON a.id = t.address_id
                 WHERE a.address = ? AND t.direction = 'in'`,
          args: [conversationId],
        })
      ).rows.map((row) => row.text),
    );

  it.each([5_000, 27_000, 28_000])(
    'reads %i characters whole: the crisis phrase at the end gets the protocol in the same response',
    async (length) => {
      const conversationId = await started();
      const text = story(length);
      expect(text).toHaveLength(length);
      const response = await post(JSON.stringify({ conversationId, text, messageId: `long-${length}` }));
      expect(response.status).toBe(200);
      const { replies } = (await response.json()) as { replies: Reply[] };
      expect(replies[0]?.text).toBe(server.deps.catalog.text('nb', 'safety.crisis_ack'));
      expect(replies.at(-1)?.text).toBe(server.deps.catalog.text('nb', 'safety.ask_thoughts'));
      expect(await storedText(conversationId)).toEqual([text]);
    },
  );

  it('takes the longest text at its worst in JSON (6 bytes a character) as a message, not a 413', async () => {
    const conversationId = await started();
    const text = `${'\u0001'.repeat(28_000 - crisis.length - 1)} ${crisis}`;
    const body = JSON.stringify({ conversationId, text, messageId: 'escaped' });
    expect(body.length).toBeGreaterThan(165_000);
    const response = await post(body);
    expect(response.status).toBe(200);
    const { replies } = (await response.json()) as { replies: Reply[] };
    expect(replies[0]?.text).toBe(server.deps.catalog.text('nb', 'safety.crisis_ack'));
  });

  it('refuses 28 001 characters with a 400 that names the limit, and changes nothing', async () => {
    const conversationId = await started();
    const before = await rowCounts();
    const response = await post(JSON.stringify({ conversationId, text: story(28_001), messageId: 'over' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'text: must be at most 28000 characters; send a longer text in parts',
      },
      maxLength: 28_000,
    });
    expect(await rowCounts()).toEqual(before);
    // Another refusal names no limit: the page tells the two apart.
    const other = await post(JSON.stringify({ conversationId, text: 7 }));
    expect(other.status).toBe(400);
    expect(await other.json()).not.toHaveProperty('maxLength');
  });
});

describe('a flow that fails, in the web chat', () => {
  it('answers 200 with a polite reply, never a 500, and raises one flow_error alert', async () => {
    const created = await createClient(server.deps, { course: 'broken', locale: 'en' });
    if (!created.ok) throw new Error();
    const { conversationId } = (await (await post(JSON.stringify({ locale: 'en' }))).json()) as {
      conversationId: string;
    };
    await post(JSON.stringify({ conversationId, text: created.accessCode }));
    for (const messageId of ['b1', 'b2']) {
      const response = await post(JSON.stringify({ conversationId, text: '1', messageId }));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { replies: { text: string }[] };
      expect(body.replies).toEqual([{ text: server.deps.catalog.text('en', 'service.flow_error') }]);
    }
    const alerts = await server.deps.db.read(
      async (q) => (await q.execute("SELECT kind FROM alerts WHERE kind = 'flow_error'")).rows,
    );
    expect(alerts).toHaveLength(1);
  });
});
