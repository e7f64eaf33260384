import { z } from 'zod';
import type { Locale } from '../../engine/types.ts';

/**
 * The fields of a Bot Framework Activity this channel reads. Activities carry many more; they are
 * ignored, not refused, because channels add their own (Teams' channelData, entities, attachments).
 */
const account = z.object({ id: z.string().min(1).max(512), name: z.string().max(512).optional() });

export const activitySchema = z.object({
  type: z.string().min(1).max(64),
  id: z.string().min(1).max(512).optional(),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  channelId: z.string().min(1).max(64),
  from: account,
  recipient: account,
  conversation: z.object({
    id: z.string().min(1).max(1024),
    tenantId: z.string().max(128).optional(),
    conversationType: z.string().max(64).optional(),
  }),
  text: z.string().max(4000).optional(),
  value: z.unknown().optional(),
  locale: z.string().max(32).optional(),
  membersAdded: z.array(account).max(100).optional(),
  channelData: z
    .object({ tenant: z.object({ id: z.string().max(128) }).optional() })
    .loose()
    .optional(),
});

export type Activity = z.infer<typeof activitySchema>;

/** Where proactive messages to a conversation go later: what Bot Framework calls a conversation reference. */
export const conversationReferenceSchema = z.object({
  serviceUrl: z.url({ protocol: /^https?$/ }),
  channelId: z.string().min(1),
  conversationId: z.string().min(1),
  bot: z.object({ id: z.string().min(1), name: z.string().optional() }),
  user: z.object({ id: z.string().min(1) }),
  tenantId: z.string().optional(),
});

export type ConversationReference = z.infer<typeof conversationReferenceSchema>;

/** What an activity means to us. Parsing never throws: unsupported input is a value with a reason. */
export type ParsedActivity =
  | { kind: 'invalid'; detail: string }
  | { kind: 'ignored'; reason: string; serviceUrl: string }
  | {
      kind: 'message';
      address: string;
      activityId: string;
      reference: ConversationReference;
      locale?: Locale;
      content: { kind: 'message'; text: string } | { kind: 'button'; value: string; text?: string };
    }
  | { kind: 'bot_added'; address: string; reference: ConversationReference; locale?: Locale };

/** The key the value of a button carries in a card's data or a suggested action's value. */
export const CHOICE_KEY = 'choice';

/**
 * The address of a Bot Framework conversation: its channel and id. Conversation ids are unique within a
 * channel, and stay the same when the channel moves the conversation to another serviceUrl.
 */
export function addressOf(channelId: string, conversationId: string): string {
  return `${channelId}:${conversationId}`;
}

/** nb, nn and no read as Bokmål (there is no Nynorsk text yet), en-* as English; anything else: none. */
export function localeOf(tag: string | undefined): Locale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  if (language === 'nb' || language === 'nn' || language === 'no') return 'nb';
  if (language === 'en') return 'en';
  return undefined;
}

/** The pressed button: `{ choice: "..." }` from our cards and suggested actions, or a plain string value. */
function buttonValue(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  if (value && typeof value === 'object' && CHOICE_KEY in value) {
    const choice = (value as Record<string, unknown>)[CHOICE_KEY];
    if (typeof choice === 'string' && choice.trim() !== '') return choice.trim().slice(0, 200);
  }
  return undefined;
}

function referenceOf(activity: Activity): ConversationReference {
  const tenantId = activity.conversation.tenantId ?? activity.channelData?.tenant?.id;
  return {
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId,
    conversationId: activity.conversation.id,
    // Inbound, the bot is the recipient; our replies come from it and go to the sender.
    bot: { id: activity.recipient.id, ...(activity.recipient.name ? { name: activity.recipient.name } : {}) },
    user: { id: activity.from.id },
    ...(tenantId ? { tenantId } : {}),
  };
}

/** Reads an activity's JSON body into what the channel does with it. */
export function parseActivity(body: unknown): ParsedActivity {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: 'invalid', detail: `${issue.path.join('.') || 'body'}: ${issue.message}` };
  }
  const activity = parsed.data;
  const address = addressOf(activity.channelId, activity.conversation.id);
  const locale = localeOf(activity.locale);
  const reference = referenceOf(activity);
  const withLocale = locale ? { locale } : {};

  if (activity.type === 'conversationUpdate') {
    const botAdded = activity.membersAdded?.some((member) => member.id === activity.recipient.id);
    return botAdded
      ? { kind: 'bot_added', address, reference, ...withLocale }
      : {
          kind: 'ignored',
          reason: 'conversationUpdate without the bot added',
          serviceUrl: activity.serviceUrl,
        };
  }
  if (activity.type !== 'message') {
    return { kind: 'ignored', reason: `activity type ${activity.type}`, serviceUrl: activity.serviceUrl };
  }
  if (!activity.id) return { kind: 'invalid', detail: 'id: a message activity needs an id' };

  const text = activity.text?.trim() ?? '';
  const value = buttonValue(activity.value);
  const content = value
    ? { kind: 'button' as const, value, ...(text ? { text } : {}) }
    : text
      ? { kind: 'message' as const, text }
      : undefined;
  if (!content) {
    return {
      kind: 'ignored',
      reason: 'message without text or a button value',
      serviceUrl: activity.serviceUrl,
    };
  }
  return { kind: 'message', address, activityId: activity.id, reference, content, ...withLocale };
}
