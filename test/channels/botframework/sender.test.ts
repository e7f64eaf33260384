import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationReference } from '../../../src/channels/botframework/activity.ts';
import { clientCredentialsTokenSource } from '../../../src/channels/botframework/bot-token.ts';
import { botFrameworkSender } from '../../../src/channels/botframework/sender.ts';
import type { ChannelSender } from '../../../src/service/deps.ts';
import { FakeBotFramework } from '../../fakes/botframework.ts';
import { FakeClock } from '../../support/harness.ts';

const APP_ID = '5f0c8a52-7d4e-4a4b-9c1e-2b7e3d9f6a10';
const PASSWORD = 'fake-app-password-0123456789';
const bf = new FakeBotFramework({ appId: APP_ID, appPassword: PASSWORD });
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let references: Record<string, ConversationReference>;

beforeAll(async () => {
  await bf.start();
  references = {
    'webchat:c1': {
      serviceUrl: bf.serviceUrl,
      channelId: 'webchat',
      conversationId: 'c1',
      bot: { id: 'bot' },
      user: { id: 'u1' },
    },
  };
});
afterAll(() => bf.stop());

function sender(password = PASSWORD): ChannelSender & { mode: 'push' } {
  const s = botFrameworkSender({
    reference: async (address) => references[address],
    tokens: clientCredentialsTokenSource({
      tokenUrl: `${bf.baseUrl}/botframework.com/oauth2/v2.0/token`,
      appId: APP_ID,
      appPassword: password,
      now: clock.read,
    }),
  });
  if (s.mode !== 'push') throw new Error('push sender expected');
  return s;
}

describe('the Bot Framework sender', () => {
  it('gets a token once, keeps it until five minutes before it expires, and sends with it', async () => {
    const s = sender();
    const requests = bf.tokenRequests;
    expect(await s.send({ address: 'webchat:c1', message: { text: 'a' }, outboxId: 1 })).toEqual({
      ok: true,
      providerId: expect.stringMatching(/^sent-/),
    });
    expect(await s.send({ address: 'webchat:c1', message: { text: 'b' }, outboxId: 2 })).toMatchObject({
      ok: true,
    });
    expect(bf.tokenRequests).toBe(requests + 1);
    clock.advance(3599_000 - 5 * 60_000);
    await s.send({ address: 'webchat:c1', message: { text: 'c' }, outboxId: 3 });
    expect(bf.tokenRequests).toBe(requests + 2);
  });

  it('drops a token the connector refuses, so the retry asks for a new one', async () => {
    const s = sender();
    await s.send({ address: 'webchat:c1', message: { text: 'a' }, outboxId: 1 });
    bf.revokeTokens();
    expect(await s.send({ address: 'webchat:c1', message: { text: 'b' }, outboxId: 2 })).toMatchObject({
      ok: false,
      retryable: true,
      error: 'Bot Connector HTTP 401',
    });
    const requests = bf.tokenRequests;
    expect(await s.send({ address: 'webchat:c1', message: { text: 'b' }, outboxId: 2 })).toMatchObject({
      ok: true,
    });
    expect(bf.tokenRequests).toBe(requests + 1);
  });

  it('retries when no token can be had, and reports what the connector says', async () => {
    expect(
      await sender('wrong-password').send({ address: 'webchat:c1', message: { text: 'a' }, outboxId: 1 }),
    ).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('HTTP 401') });
    const s = sender();
    bf.failNext(1, 404);
    expect(await s.send({ address: 'webchat:c1', message: { text: 'a' }, outboxId: 1 })).toMatchObject({
      ok: false,
      retryable: false,
      address: 'undeliverable',
    });
    bf.failNext(1, 503, '7');
    expect(await s.send({ address: 'webchat:c1', message: { text: 'a' }, outboxId: 1 })).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 7000,
    });
    bf.failNext(1, 400);
    expect(await s.send({ address: 'webchat:c1', message: { text: 'a' }, outboxId: 1 })).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(await s.send({ address: 'webchat:unknown', message: { text: 'a' }, outboxId: 1 })).toEqual({
      ok: false,
      retryable: false,
      error: 'no conversation reference for the address',
    });
  });
});
