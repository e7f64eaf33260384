import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseForGsm7 } from '../../../src/channels/sms/gsm7.ts';
import { catalog } from '../../../src/content/default.ts';
import { createClient } from '../../../src/service/clients.ts';
import { tick } from '../../../src/service/scheduler.ts';
import { clientResponses } from '../../../src/storage/responses.ts';
import { FakeBotFramework } from '../../fakes/botframework.ts';
import { FakeClock } from '../../support/harness.ts';
import { settleOutbox } from '../../support/outbox.ts';
import { startSmsServer } from '../../support/sms.ts';

/**
 * One conversation played over every channel, each through its real wire format: the web chat's JSON, a
 * signed Twilio webhook out to the fake Twilio, and Bot Framework activities out to the fake connector.
 * The intro with a button and a typed number, a reminder after a day's wait, a crisis message, and a PHQ-9
 * answered with buttons and typed numbers: every channel must show the same questions and choices, reach
 * the same score, and answer the crisis at once.
 */

const DAY = 86_400_000;

const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
const bf = new FakeBotFramework();
let sms: Awaited<ReturnType<typeof startSmsServer>>;
let server: Awaited<ReturnType<typeof startSmsServer>>['server'];
let twilio: Awaited<ReturnType<typeof startSmsServer>>['twilio'];
const en = (key: string) => catalog.text('en', key);

beforeAll(async () => {
  await bf.start();
  sms = await startSmsServer({
    env: { DEFAULT_LOCALE: 'en' },
    overrides: { clock: clock.read },
    twilio: { now: clock.read },
  });
  ({ server, twilio } = sms);
});
afterAll(async () => {
  await sms?.close();
  await bf.stop();
});

/** What reached the client: a message's text and the labels of the choices it offered. */
interface Seen {
  text: string;
  choices: string[];
}

/** A choice as each channel takes it: a button value, or what to type by SMS (the number shown). */
interface Choice {
  value: string;
  typed: string;
}

interface Driver {
  channel: string;
  /** Starts a conversation (the web chat's first request, Bot Framework's conversationUpdate). */
  open(): Promise<Seen[]>;
  send(text: string): Promise<Seen[]>;
  press(choice: Choice): Promise<Seen[]>;
  /** What reached the client since the last call, unasked (reminders). */
  later(): Promise<Seen[]>;
}

/** Sends what is due, until nothing new is waiting (the scheduler's kick may send some of it too). */
const settle = () => settleOutbox(server.deps, clock.now);

function webDriver(): Driver {
  let conversationId: string | undefined;
  let cursor = 0;
  type WebReply = { text: string; choices?: { label: string }[] };
  const seen = (replies: WebReply[]) =>
    replies.map((r) => ({ text: r.text, choices: (r.choices ?? []).map((c) => c.label) }));
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/channels/web/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, ...(conversationId ? { conversationId } : { locale: 'en' }) }),
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { conversationId: string; replies: WebReply[]; cursor: number };
    conversationId = json.conversationId;
    cursor = json.cursor;
    return seen(json.replies);
  };
  return {
    channel: 'web',
    open: () => post({}),
    send: (text) => post({ text }),
    press: (choice) => post({ value: choice.value }),
    async later() {
      const response = await fetch(
        `${server.url}/channels/web/messages?conversationId=${conversationId}&after=${cursor}`,
      );
      const json = (await response.json()) as {
        messages: (WebReply & { direction: string })[];
        cursor: number;
      };
      cursor = json.cursor;
      return seen(json.messages.filter((m) => m.direction === 'out'));
    },
  };
}

let smsCount = 0;
function smsDriver(): Driver {
  const number = `+479100${String(++smsCount).padStart(4, '0')}`;
  let mark = twilio.messages.length;
  const received = (): Seen[] => {
    const bodies = twilio.messages.slice(mark).filter((m) => m.to === number);
    mark = twilio.messages.length;
    return bodies.map((m) => {
      // Choices are numbered lines after the text: "1 Yes, let's start".
      const choices = [...m.body.matchAll(/^\d+ (.+)$/gm)].map((match) => match[1]!);
      return { text: m.body, choices };
    });
  };
  const send = async (text: string) => {
    mark = twilio.messages.length;
    const response = await sms.textFrom(number, text);
    expect(response.status).toBe(200);
    await settle();
    return received();
  };
  return {
    channel: 'sms',
    open: async () => [],
    send,
    press: (choice) => send(choice.typed),
    async later() {
      return received();
    },
  };
}

let bfCount = 0;
function botFrameworkDriver(): Driver {
  const conversation = `contract-${++bfCount}`;
  let mark = bf.activities.length;
  let id = 0;
  const received = (): Seen[] => {
    const sent = bf.activities.slice(mark).filter((a) => a.conversationId === conversation);
    mark = bf.activities.length;
    return sent.map(({ activity }) => ({
      text: String(activity.text),
      choices: (
        (activity.suggestedActions as { actions: { title: string }[] } | undefined)?.actions ?? []
      ).map((a) => a.title),
    }));
  };
  const post = async (fields: Record<string, unknown>) => {
    mark = bf.activities.length;
    const response = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: `${conversation}-${++id}`,
        serviceUrl: bf.serviceUrl,
        channelId: 'emulator',
        from: { id: `user-${conversation}` },
        recipient: { id: 'bot' },
        conversation: { id: conversation },
        locale: 'en-US',
        ...fields,
      }),
    });
    expect(response.status).toBe(200);
    await settle();
    return received();
  };
  return {
    channel: 'botframework',
    open: () => post({ type: 'conversationUpdate', membersAdded: [{ id: 'bot' }] }),
    send: (text) => post({ type: 'message', text }),
    press: (choice) => post({ type: 'message', value: { choice: choice.value } }),
    async later() {
      return received();
    },
  };
}

/** Texts compared as SMS shows them (GSM-7, single spaces), so one check fits every channel. */
const comparable = (text: string) => normaliseForGsm7(text).replace(/\s+/g, ' ').trim();

/** The message among `seen` that says `key`'s text, with its choices. */
function find(seen: Seen[], key: string): Seen {
  const expected = comparable(en(key));
  const found = seen.find((s) => comparable(s.text).includes(expected));
  if (!found) throw new Error(`no message with ${key} among: ${seen.map((s) => s.text).join(' | ')}`);
  return found;
}

const labels = (...keys: string[]) => keys.map((key) => comparable(en(key)));

describe.each([
  ['web', webDriver],
  ['sms', smsDriver],
  ['botframework', botFrameworkDriver],
])('the same conversation over %s', (channel, driver) => {
  it('plays the intro with a button and a typed number, reminds after a day, and answers a crisis at once', async () => {
    const client = await createClient(server.deps, { course: 'intro', locale: 'en' });
    if (!client.ok) throw new Error('no client');
    const chat = driver();
    await chat.open();

    const linked = await chat.send(client.accessCode);
    expect(find(linked, 'intro.ask_ready').choices.map(comparable)).toEqual(
      labels('intro.choice_ready_yes', 'intro.choice_ready_more'),
    );
    const area = await chat.press({ value: 'yes', typed: '1' });
    expect(find(area, 'intro.ask_area').choices.map(comparable)).toEqual(
      labels(
        'intro.area_depression',
        'intro.area_anxiety',
        'intro.area_sleep',
        'intro.area_stress',
        'intro.area_unsure',
      ),
    );
    const impact = await chat.send('3');
    expect(find(impact, 'intro.ask_impact').choices).toHaveLength(3);

    // "/wait 1d": the intro's reminder reaches the client unasked. By SMS it is discreet (CLINICAL.md §7):
    // one neutral line, and the reminder itself once the client answers YES.
    clock.advance(DAY + 60_000);
    await tick(server.deps);
    await settle();
    const unasked = await chat.later();
    if (channel === 'sms') {
      const notice = catalog.text('en', 'sms.discreet_notice', { clinic: en('sms.discreet_clinic') });
      expect(unasked.map((s) => comparable(s.text))).toEqual([comparable(notice)]);
      find(await chat.send('YES'), 'intro.reminder');
    } else find(unasked, 'intro.reminder');

    // A crisis message is answered in the same turn, with the crisis numbers and the direct question.
    const crisis = await chat.send('I want to end my life tonight');
    expect(crisis.map((s) => s.text).join('\n')).toContain('113');
    const alerts = await server.deps.db.read((q) =>
      q.execute({ sql: 'SELECT count(*) AS n FROM alerts WHERE client_id = ?', args: [client.clientId] }),
    );
    expect(Number(alerts.rows[0]!.n)).toBe(1);
  });

  it('takes a PHQ-9 with buttons and typed numbers and scores it the same', async () => {
    const client = await createClient(server.deps, { course: 'phq9', locale: 'en' });
    if (!client.ok) throw new Error('no client');
    const chat = driver();
    await chat.open();
    const first = await chat.send(client.accessCode);
    expect(find(first, 'phq9.item1').choices).toHaveLength(4);
    for (const value of ['1', '2', '1', '0']) await chat.press({ value, typed: value });
    for (const value of ['1', '0', '2', '1', '0']) await chat.send(value);
    await chat.press({ value: '1', typed: '1' });

    const [score] = await server.deps.db.read((q) => clientResponses(q, client.clientId));
    expect(score).toMatchObject({
      instrument: 'phq9',
      items: [1, 2, 1, 0, 1, 0, 2, 1, 0],
      difficulty: 1,
      total: 8,
      channel,
    });
  });
});
