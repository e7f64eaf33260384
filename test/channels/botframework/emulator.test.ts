import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../../src/content/default.ts';
import { createClient } from '../../../src/service/clients.ts';
import { deliverOutbox } from '../../../src/service/deliver-outbox.ts';
import { sendTherapistMessage } from '../../../src/service/messages.ts';
import { tick } from '../../../src/service/scheduler.ts';
import type { StaffActor } from '../../../src/service/staff-actor.ts';
import { type ConnectorActivity, FakeBotFramework } from '../../fakes/botframework.ts';
import { FakeClock, startTestServer } from '../../support/harness.ts';
import { settleOutbox } from '../../support/outbox.ts';

/**
 * The Bot Framework Emulator's way of talking to a bot with no app id: activities in to POST /api/messages
 * with no token, every reply out to the serviceUrl the activity named (here the fake connector), with no
 * token either. Replies thread under the activity they answer; reminders and therapist messages are
 * proactive (no replyToId) and come from the stored conversation reference.
 */

const NOW = new Date('2026-11-23T09:00:00.000Z');
const bf = new FakeBotFramework();
const clock = new FakeClock(NOW);
let server: Awaited<ReturnType<typeof startTestServer>>;
let next = 0;
const en = (key: string, vars?: Record<string, string | number>) => catalog.text('en', key, vars);

const therapist: StaffActor = {
  staffId: 'ther-bf',
  email: 'bf@clinic.test',
  name: 'Tove',
  role: 'therapist',
  locale: 'en',
  via: 'api',
};

beforeAll(async () => {
  await bf.start();
  server = await startTestServer({ SCHEDULER_INTERVAL_MS: '3600000' }, { clock: clock.read });
  await server.deps.db.write((tx) =>
    tx.execute({
      sql: `INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, 'therapist', ?)`,
      args: [therapist.staffId, therapist.email, therapist.name, NOW.toISOString()],
    }),
  );
});
afterAll(async () => {
  await server?.close();
  await bf.stop();
});

function activity(conversation: string, fields: Record<string, unknown>) {
  return {
    id: `emu-${++next}`,
    timestamp: clock.now.toISOString(),
    serviceUrl: bf.serviceUrl,
    channelId: 'emulator',
    from: { id: `user-${conversation}`, name: 'User', role: 'user' },
    recipient: { id: 'bot-1', name: 'Bot', role: 'bot' },
    conversation: { id: conversation },
    locale: 'en-US',
    ...fields,
  };
}

async function post(body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Posts an activity and returns what reached the connector for it (the scheduler sends at once). */
async function send(conversation: string, fields: Record<string, unknown>, expected: number) {
  const before = bf.activities.length;
  const body = activity(conversation, { type: 'message', ...fields });
  const response = await post(body);
  expect(response.status).toBe(200);
  await bf.waitFor(before + expected);
  // Everything the turn queued, sent in order (the server's own pass may still be sending it).
  await settleOutbox(server.deps, clock.now);
  return { id: body.id, sent: bf.activities.slice(before) };
}

const texts = (sent: ConnectorActivity[]) => sent.map((s) => s.activity.text);
const actions = (sent: ConnectorActivity) =>
  (
    sent.activity.suggestedActions as
      | { actions: { title: string; value: unknown; type: string }[] }
      | undefined
  )?.actions;

describe('the Emulator (no app id)', () => {
  let clientId = '';

  it('welcomes a new conversation, links it with the access code and plays the intro with buttons', async () => {
    const added = await post(
      activity('conv-a', {
        type: 'conversationUpdate',
        membersAdded: [{ id: 'bot-1' }, { id: 'user-conv-a' }],
      }),
    );
    expect(added.status).toBe(200);
    const [welcome] = await bf.waitFor(1);
    expect(welcome).toEqual({
      conversationId: 'conv-a',
      activity: expect.objectContaining({ text: en('service.welcome'), recipient: { id: 'user-conv-a' } }),
    });
    expect(welcome!.authorization).toBeUndefined();

    const created = await createClient(server.deps, {
      course: 'intro',
      locale: 'nb',
      therapistId: therapist.staffId,
    });
    if (!created.ok) throw new Error('no client');
    clientId = created.clientId;

    const linked = await send('conv-a', { text: created.accessCode }, 5);
    expect(texts(linked.sent)).toEqual([
      en('service.code_linked'),
      en('intro.welcome'),
      en('intro.what'),
      en('intro.what_not'),
      en('intro.ask_ready'),
    ]);
    expect(linked.sent.every((s) => s.replyToId === linked.id && s.activity.replyToId === linked.id)).toBe(
      true,
    );
    expect(actions(linked.sent[4]!)).toEqual([
      {
        type: 'messageBack',
        title: en('intro.choice_ready_yes'),
        text: en('intro.choice_ready_yes'),
        displayText: en('intro.choice_ready_yes'),
        value: { choice: 'yes' },
      },
      expect.objectContaining({ title: en('intro.choice_ready_more'), value: { choice: 'more' } }),
    ]);

    // A pressed button comes back as the action's value (and its label as text).
    const pressed = await send('conv-a', { text: en('intro.choice_ready_yes'), value: { choice: 'yes' } }, 1);
    expect(texts(pressed.sent)).toEqual([en('intro.ask_area')]);
    expect(actions(pressed.sent[0]!)?.map((a) => a.value)).toEqual([
      { choice: 'depression' },
      { choice: 'anxiety' },
      { choice: 'sleep' },
      { choice: 'stress' },
      { choice: 'unsure' },
    ]);

    // The typed-number fallback: "3" is the third choice.
    const typed = await send('conv-a', { text: '3' }, 1);
    expect(texts(typed.sent)).toEqual([en('intro.ask_impact')]);
    const answers = await server.deps.db.read((q) =>
      q.execute({
        sql: "SELECT data FROM domain_events WHERE client_id = ? AND type = 'intro.area_chosen'",
        args: [clientId],
      }),
    );
    expect(String(answers.rows[0]?.data)).toContain('sleep');

    // A picture alone: only text is read here, and the question waiting for an answer comes again,
    // with its buttons; the flow has not moved.
    const picture = await send(
      'conv-a',
      { attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/p.png' }] },
      2,
    );
    expect(texts(picture.sent)).toEqual([en('service.text_only'), en('intro.ask_impact')]);
    expect(actions(picture.sent[1]!)?.length).toBeGreaterThan(0);
  });

  it('sends nothing twice for a repeated activity id, nor a second welcome when the bot is added again', async () => {
    const first = activity('conv-a', { type: 'message', text: 'hello?' });
    expect((await post(first)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = bf.activities.length;
    expect((await post(first)).status).toBe(200);
    const again = activity('conv-a', { type: 'conversationUpdate', membersAdded: [{ id: 'bot-1' }] });
    expect((await post(again)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bf.activities.length).toBe(count);
  });

  it('answers a picture alone that only text is read here, once, threaded under it', async () => {
    const picture = {
      attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/p.png' }],
    };
    // A conversation the bot was never added to: the welcome follows, since the code is what it waits for.
    const first = await send('conv-photo', picture, 2);
    expect(texts(first.sent)).toEqual([en('service.text_only'), en('service.welcome')]);
    expect(first.sent[0]!.replyToId).toBe(first.id);
    const repeated = activity('conv-photo', { type: 'message', ...picture });
    const again = { ...repeated, id: first.id };
    const count = bf.activities.length;
    expect((await post(again)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bf.activities.length).toBe(count);
  });

  it('sends a reminder proactively, again after a 429 when Retry-After says', async () => {
    clock.advance(24 * 3600_000 + 60_000);
    const before = bf.activities.length;
    bf.failNext(1, 429, '30');
    const first = await tick(server.deps);
    expect(first.fired).toBeGreaterThanOrEqual(1);
    // The reminder met the 429, and what came after it (the question again) waits behind it: the
    // conversation's messages go out in their order.
    expect(bf.activities.slice(before)).toEqual([]);
    const afterFirst = bf.activities.length;
    const row = await server.deps.db.read((q) =>
      q.execute(
        "SELECT attempts, next_attempt_at FROM outbox WHERE channel = 'botframework' AND status = 'pending' ORDER BY id LIMIT 1",
      ),
    );
    expect(row.rows[0]).toMatchObject({
      attempts: 1,
      next_attempt_at: new Date(clock.now.getTime() + 30_000).toISOString(),
    });
    clock.advance(29_000);
    await deliverOutbox(server.deps);
    expect(bf.activities.length).toBe(afterFirst);
    clock.advance(1_000);
    await deliverOutbox(server.deps);
    expect(bf.activities.slice(afterFirst)[0]).toEqual(
      expect.objectContaining({
        conversationId: 'conv-a',
        activity: expect.objectContaining({ text: en('intro.reminder') }),
      }),
    );
    expect(bf.activities.length).toBeGreaterThan(afterFirst + 1);
    const sent = bf.activities.slice(before);
    expect(sent.every((s) => s.replyToId === undefined && s.activity.replyToId === undefined)).toBe(true);
  });

  it('tries a crisis reply the connector refused once (403) again, and sends the rest after it, in order', async () => {
    bf.failNext(1, 403);
    const before = bf.activities.length;
    const body = activity('conv-403', { type: 'message', text: 'I want to kill myself tonight' });
    expect((await post(body)).status).toBe(200);
    await settleOutbox(server.deps, clock.now);
    // The first was refused; the others wait behind it rather than overtake it.
    expect(bf.activities.slice(before)).toEqual([]);
    clock.advance(60_000);
    await settleOutbox(server.deps, clock.now);
    const sent = texts(bf.activities.slice(before));
    expect(sent[0]).toBe(en('safety.crisis_ack'));
    expect(sent.join('\n')).toContain('113');
    expect(sent.at(-1)).toBe(en('safety.ask_thoughts'));
  });

  it('delivers a therapist message proactively, again after a 429 when Retry-After says', async () => {
    const before = bf.activities.length;
    const outcome = await sendTherapistMessage(server.deps, therapist, clientId, 'How is the week going?');
    expect(outcome).toMatchObject({ ok: true, delivered: true });
    bf.failNext(1, 429, '5');
    await tick(server.deps);
    expect(bf.activities.length).toBe(before);
    clock.advance(5_000);
    await tick(server.deps);
    const sent = bf.activities.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ conversationId: 'conv-a' });
    expect(sent[0]!.replyToId).toBeUndefined();
    expect(String(sent[0]!.activity.text)).toContain('How is the week going?');
  });

  it('refuses what is not an activity with a 4xx and changes nothing', async () => {
    const count = async () =>
      server.deps.db.read(async (q) =>
        Number(
          (
            await q.execute(
              'SELECT (SELECT count(*) FROM transcript) + (SELECT count(*) FROM channel_addresses) + (SELECT count(*) FROM conversation_references) AS n',
            )
          ).rows[0]!.n,
        ),
      );
    const before = await count();
    const sent = bf.activities.length;
    expect((await post({ type: 'message', text: 'hei' })).status).toBe(400);
    expect(
      (await post(activity('conv-x', { type: 'message', text: 'hei', serviceUrl: 'file:///etc' }))).status,
    ).toBe(400);
    // Without a token the serviceUrl must still be a plain URL in its normal form (replies go there).
    for (const serviceUrl of [`${bf.serviceUrl}?x=1`, `${bf.serviceUrl}a/../`, `${bf.serviceUrl}\t`]) {
      const response = await post(activity('conv-x', { type: 'message', text: 'hei', serviceUrl }));
      expect(response.status, serviceUrl).toBe(400);
    }
    const huge = await post(
      activity('conv-x', { type: 'message', text: 'hei', padding: 'x'.repeat(263_000) }),
    );
    expect(huge.status).toBe(413);
    const garbled = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"message",',
    });
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect(await count()).toBe(before);
    expect(bf.activities.length).toBe(sent);
  });

  it('keeps activity ids apart per conversation: the same id elsewhere is a new message', async () => {
    const before = bf.activities.length;
    const first = activity('conv-c', { type: 'message', id: 'same-id', text: 'hei' });
    const second = activity('conv-d', { type: 'message', id: 'same-id', text: 'hei' });
    expect((await post(first)).status).toBe(200);
    expect((await post(second)).status).toBe(200);
    await bf.waitFor(before + 2);
    expect(
      bf.activities
        .slice(before)
        .map((s) => [s.conversationId, s.replyToId])
        .sort(),
    ).toEqual([
      ['conv-c', 'same-id'],
      ['conv-d', 'same-id'],
    ]);
  });

  it('answers a crisis message in the same turn, before any access code', async () => {
    const crisis = await send('conv-b', { text: 'I want to end my life tonight' }, 1);
    await bf.waitFor(bf.activities.length);
    const replies = crisis.sent;
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies.every((s) => s.replyToId === crisis.id)).toBe(true);
    expect(replies.map((s) => s.activity.text).join('\n')).toContain('113');
  });
});

/** Rows an inbound activity could add: none may appear for a refused request. */
async function footprint(): Promise<number> {
  return server.deps.db.read(async (q) =>
    Number(
      (
        await q.execute(
          'SELECT (SELECT count(*) FROM transcript) + (SELECT count(*) FROM channel_addresses) + (SELECT count(*) FROM conversation_references) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM processed_inbound) AS n',
        )
      ).rows[0]!.n,
    ),
  );
}

/** Sends a message activity and returns the text of every reply it got in the same turn. */
async function replyTexts(conversation: string, fields: Record<string, unknown>): Promise<string> {
  const { id, sent } = await send(conversation, fields, 1);
  expect(sent.every((s) => s.conversationId === conversation && s.replyToId === id)).toBe(true);
  return texts(sent).join('\n');
}

describe('what a channel may send that must not lose a message', () => {
  it('reads a long message whole: a crisis at the end of 5 000 characters gets the crisis replies', async () => {
    const text = `${'Jeg har hatt en lang uke og vil fortelle om den. '.repeat(110)}I want to end my life tonight`;
    expect(text.length).toBeGreaterThan(5_000);
    expect(await replyTexts('conv-long', { text })).toContain('113');
    const stored = await server.deps.db.read((q) =>
      q.execute({
        sql: `SELECT t.text FROM transcript t JOIN channel_addresses a ON a.id = t.address_id
               WHERE a.address = ? AND t.direction = 'in'`,
        args: ['emulator:conv-long'],
      }),
    );
    expect(stored.rows.map((row) => row.text)).toEqual([text]);
  });

  it('accepts a 28 000-character Teams message of three-byte characters (about 84 kB)', async () => {
    const text = `${'語'.repeat(27_990)} slutt`;
    expect(text.length).toBeLessThanOrEqual(28_000);
    await replyTexts('conv-cjk', { text, channelId: 'msteams' });
  });

  it('reads a Teams text past 28 000 characters (its HTML counted) whole, up to 60 000', async () => {
    const crisis = 'jeg&nbsp;vil ta livet mitt i kveld';
    for (const [conversation, length] of [
      ['conv-html-1', 28_001],
      ['conv-html-2', 60_000],
    ] as const) {
      const paragraph = '<p>Jeg har hatt en lang uke og vil fortelle om den.</p>';
      const text = `${paragraph.repeat(Math.ceil(length / paragraph.length)).slice(0, length - crisis.length - 1)} ${crisis}`;
      expect(text).toHaveLength(length);
      const replies = await replyTexts(conversation, { text, channelId: 'msteams', locale: 'nb-NO' });
      expect(replies).toContain(catalog.text('nb', 'safety.crisis_ack'));
    }
  });

  it('accepts 60 000 three-byte characters (180 kB), and refuses 60 001 with a 400, changing nothing', async () => {
    const text = `${'語'.repeat(59_990)} slutt`;
    expect(text.length).toBeLessThanOrEqual(60_000);
    await replyTexts('conv-cjk-long', { text, channelId: 'msteams' });
    const before = await footprint();
    const sent = bf.activities.length;
    const over = await post(activity('conv-too-long', { type: 'message', text: 'x'.repeat(60_001) }));
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringContaining('text') },
    });
    expect(await footprint()).toBe(before);
    expect(bf.activities.length).toBe(sent);
  });

  const odd: [string, Record<string, unknown>][] = [
    ['a null locale', { locale: null }],
    ['a null from.name', { from: { id: 'user-odd', name: null } }],
    ['a null conversation.tenantId', { conversation: { id: 'conv-odd-3', tenantId: null } }],
    ['a locale over 32 characters', { locale: `en-US-${'x'.repeat(40)}` }],
    ['channelData.tenant as a string', { channelId: 'msteams', channelData: { tenant: 'tenant-1' } }],
    // A picture with a text: the text is the message.
    [
      'a picture attached',
      { attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/p.png' }] },
    ],
  ];
  odd.forEach(([what, fields], index) => {
    it(`answers a crisis text in an activity with ${what}`, async () => {
      const conversation = `conv-odd-${index + 1}`;
      const crisis = await replyTexts(conversation, {
        conversation: { id: conversation },
        ...fields,
        text: 'I want to end my life tonight',
      });
      expect(crisis).toContain('113');
    });
  });

  it('reads a Teams message’s HTML: a crisis written with &nbsp; gets the crisis replies', async () => {
    const crisis = await replyTexts('conv-nbsp', {
      channelId: 'msteams',
      locale: 'nb-NO',
      text: 'jeg&nbsp;vil&nbsp;ta&nbsp;livet&nbsp;mitt&nbsp;i&nbsp;kveld',
    });
    expect(crisis).toContain('113');
    const stored = await server.deps.db.read((q) =>
      q.execute({
        sql: `SELECT t.text FROM transcript t JOIN channel_addresses a ON a.id = t.address_id
               WHERE a.address = ? AND t.direction = 'in'`,
        args: ['msteams:conv-nbsp'],
      }),
    );
    expect(stored.rows.map((row) => row.text)).toEqual(['jeg vil ta livet mitt i kveld']);
  });

  it('answers 415 to anything but JSON, before reading the activity, and changes nothing', async () => {
    const before = await footprint();
    const sent = bf.activities.length;
    const body = JSON.stringify(
      activity('conv-type', { type: 'message', text: 'I want to end my life tonight' }),
    );
    const cases: [string, Record<string, string>, BodyInit][] = [
      ['text/plain', { 'Content-Type': 'text/plain;charset=UTF-8' }, body],
      ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ body })],
      ['no content type', {}, new Blob([body])],
      ['application/jsonx', { 'Content-Type': 'application/jsonx' }, body],
      ['JSON named after text/plain', { 'Content-Type': 'text/plain; application/json' }, body],
    ];
    for (const [what, headers, payload] of cases) {
      const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers, body: payload });
      expect(response.status, what).toBe(415);
      expect(await response.json(), what).toMatchObject({ error: { code: 'unsupported_media_type' } });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await footprint()).toBe(before);
    expect(bf.activities.length).toBe(sent);

    const withCharset = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
      body: JSON.stringify(activity('conv-type', { type: 'message', text: 'hei' })),
    });
    expect(withCharset.status).toBe(200);
  });
});
