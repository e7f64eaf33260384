import { z } from 'zod';
import type { Locale } from '../../engine/types.ts';

/**
 * An optional field read leniently: null, a wrong type or a value out of bounds counts as absent. A
 * channel that sends `"locale": null` or a string where an object belongs must not lose the message
 * the activity carries (a crisis text among them).
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/**
 * The longest `text` read, in UTF-16 units. Teams allows messages of about 28 KB, but counts its HTML, so
 * the `text` of a message the client could send runs past 28 000 characters; one refused would be a 400 no
 * one sees, its crisis phrase unread. So the limit is what the body limit (MAX_ACTIVITY_BYTES in routes.ts)
 * holds of three-byte characters with room for the rest of the activity, well past anything Teams sends;
 * a longer text is refused whole, never cut.
 */
export const MAX_TEXT_LENGTH = 60_000;

/**
 * The fields of a Bot Framework Activity this channel reads. Activities carry many more; they are
 * ignored, not refused, because channels add their own (Teams' channelData, entities, attachments).
 * What the channel needs (type, id of a message, serviceUrl, channelId, from.id, recipient.id,
 * conversation.id) is required and its absence is a 400; everything else is lenient.
 */
const account = z.object({ id: z.string().min(1).max(512), name: lenient(z.string().max(512)) });

export const activitySchema = z.object({
  type: z.string().min(1).max(64),
  // Required of a message only (parseActivity says so with a 400); other activities may lack it.
  id: lenient(z.string().min(1).max(512)),
  // Kept exactly as sent (z.url would trim it): the route compares this very string with the token's
  // claim, and it is what replies go to.
  serviceUrl: z
    .string()
    .max(2048)
    .refine((url) => /^https?:$/.test(URL.parse(url)?.protocol ?? ''), 'must be an http(s) URL'),
  channelId: z.string().min(1).max(64),
  from: account,
  recipient: account,
  conversation: z.object({
    id: z.string().min(1).max(1024),
    tenantId: lenient(z.string().min(1).max(128)),
    conversationType: lenient(z.string().max(64)),
  }),
  text: z.string().max(MAX_TEXT_LENGTH).nullish(),
  value: z.unknown().optional(),
  // Only whether there are any: a picture or file alone gets a reply that only text is read here.
  attachments: lenient(z.array(z.unknown()).max(100)),
  locale: lenient(z.string().max(32)),
  membersAdded: lenient(z.array(z.object({ id: z.string() }).loose()).max(100)),
  channelData: lenient(
    z.object({ tenant: lenient(z.object({ id: z.string().min(1).max(128) }).loose()) }).loose(),
  ),
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
      content:
        | { kind: 'message'; text: string }
        | { kind: 'button'; value: string; text?: string }
        | { kind: 'unreadable'; what: 'attachment' };
    }
  | { kind: 'bot_added'; address: string; reference: ConversationReference; locale?: Locale };

/** The key the value of a button carries in a card's data or a suggested action's value. */
export const CHOICE_KEY = 'choice';

/** The channel id of Microsoft Teams. */
export const TEAMS_CHANNEL = 'msteams';

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

/**
 * The named entities Teams puts in a message's HTML text (`&nbsp;` is read as a plain space), and the
 * invisible ones a text can carry inside a word (a soft hyphen, zero-width characters): decoded, the
 * safety detector deletes them (normaliseForMatching), so "selv&shy;mord" reads as "selvmord".
 */
const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  shy: '\u00AD',
  zwsp: '\u200B',
  zerowidthspace: '\u200B',
  zwnj: '\u200C',
  zwj: '\u200D',
  nobreak: '\u2060',
  lrm: '\u200E',
  rlm: '\u200F',
};

/** Tags after which Teams' HTML starts a new line: a line break, and the end of a paragraph or block. */
const LINE_TAG = /<(?:br\b[^>]*|\/(?:p|div|li|h[1-6]|blockquote|pre|tr))>/gi;
const TAG = /<\/?[a-z][^>]*>/gi;
/** An HTML comment, dropped whole: "selv<!-- -->mord" shows as one word. */
const COMMENT = /<!--[\s\S]*?-->/g;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/gi;

/**
 * The plain text of a Teams message's `text`, which is HTML: comments are dropped, and tags with their
 * inner text kept (a mention `<at>selvhjelp</at>` reads as "selvhjelp"; a line break or a paragraph's
 * end as a line break), then `&nbsp;` (as a space), `&amp; &lt; &gt; &quot; &apos;`, the invisible
 * `&shy;` and zero-width entities, and numeric entities are decoded, so the
 * safety detector and the flows read what the client saw. Tags are dropped before entities are decoded,
 * so an escaped `&lt;b&gt;` the client typed stays text. An entity naming no character (`&#0;`, a
 * surrogate, beyond U+10FFFF) becomes U+FFFD; unknown names stay as written.
 */
export function teamsPlainText(html: string): string {
  return html
    .replace(COMMENT, '')
    .replace(LINE_TAG, '\n')
    .replace(TAG, '')
    .replace(
      ENTITY,
      (entity, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
        if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
        const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
        const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
        return valid ? String.fromCodePoint(code) : '\uFFFD';
      },
    );
}

/** An activity's text as the client wrote it: Teams sends HTML, the other channels plain text. */
function plainText(activity: Activity): string {
  const text = activity.text ?? '';
  return (activity.channelId === TEAMS_CHANNEL ? teamsPlainText(text) : text).trim();
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

  const text = plainText(activity);
  const value = buttonValue(activity.value);
  const content = value
    ? { kind: 'button' as const, value, ...(text ? { text } : {}) }
    : text
      ? { kind: 'message' as const, text }
      : activity.attachments?.length
        ? { kind: 'unreadable' as const, what: 'attachment' as const }
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
