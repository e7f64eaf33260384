import type { ChannelSender, SendResult } from '../../service/deps.ts';
import { conversationReferenceSchema } from './activity.ts';
import type { BotTokenSource } from './bot-token.ts';
import { activitiesUrl, postActivity } from './connector.ts';
import { formatBotFramework, messageActivity } from './format.ts';

export const BOTFRAMEWORK_CHANNEL = 'botframework';

/**
 * The id an activity is deduplicated by: its id within its conversation. Activity ids are unique only
 * per conversation (Teams numbers messages by their time), and a duplicate is dropped, so a bare id
 * shared by two conversations would lose the second client's message.
 */
export function providerIdOf(address: string, activityId: string): string {
  return `${address}/${activityId}`;
}

/** The activity id a reply threads under, from the provider id its turn recorded. */
function activityIdOf(address: string, providerId: string): string {
  const prefix = `${address}/`;
  return providerId.startsWith(prefix) ? providerId.slice(prefix.length) : providerId;
}

export interface BotFrameworkSenderSettings {
  /** The stored conversation reference of an address (the service's conversation_references). */
  reference(address: string): Promise<unknown>;
  tokens: BotTokenSource;
  /** PUBLIC_BASE_URL, for illustrations sent as image attachments. */
  publicBaseUrl?: string;
  fetch?: typeof fetch;
}

/**
 * The Bot Framework channel's way out: every message, reply or proactive, goes from the outbox to the
 * conversation's Bot Connector (the serviceUrl of its latest activity) with the bot's token. A reply
 * threads under the activity it answers. Never logs the text, the token or the conversation.
 */
export function botFrameworkSender(settings: BotFrameworkSenderSettings): ChannelSender {
  return {
    mode: 'push',
    format: formatBotFramework,
    async send({ address, message, timeoutMs }): Promise<SendResult> {
      const stored = conversationReferenceSchema.safeParse(await settings.reference(address));
      if (!stored.success) {
        return { ok: false, retryable: false, error: 'no conversation reference for the address' };
      }
      const reference = stored.data;
      let token: string | undefined;
      try {
        token = await settings.tokens.token(timeoutMs === undefined ? {} : { timeoutMs });
      } catch (error) {
        return { ok: false, retryable: true, error: `no bot token: ${(error as Error).message}` };
      }
      const replyTo = message.replyTo === undefined ? undefined : activityIdOf(address, message.replyTo);
      const activity = messageActivity({ ...message, ...(replyTo !== undefined && { replyTo }) }, reference, {
        publicBaseUrl: settings.publicBaseUrl,
      });
      const { status, ...result } = await postActivity(activitiesUrl(reference, replyTo), activity, token, {
        ...(settings.fetch && { fetch: settings.fetch }),
        ...(timeoutMs !== undefined && { timeoutMs }),
      });
      if (status === 401) settings.tokens.forget();
      return result;
    },
  };
}
