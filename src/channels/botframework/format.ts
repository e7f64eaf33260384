import type { OutboundMessage } from '../../service/deps.ts';
import type { RenderedReply } from '../../service/render.ts';
import { CHOICE_KEY, type ConversationReference, TEAMS_CHANNEL as TEAMS } from './activity.ts';

/**
 * A reply as the outbox stores it for Bot Framework: channel-neutral (text, choices, illustration, the
 * activity it answers). Which of suggested actions or a card it becomes depends on the conversation's
 * channel, known from its stored reference when it is sent.
 */
export function formatBotFramework(reply: RenderedReply, context: { inReplyTo?: string }): OutboundMessage[] {
  return [
    {
      text: reply.text,
      ...(reply.choices?.length ? { choices: reply.choices } : {}),
      ...(reply.numbering ? { numbering: reply.numbering } : {}),
      ...(reply.image ? { image: reply.image } : {}),
      ...(context.inReplyTo ? { replyTo: context.inReplyTo } : {}),
    },
  ];
}

/** Channels whose clients show suggested actions as buttons; elsewhere the numbered list is in the text. */
const SUGGESTED_ACTION_CHANNELS = new Set(['emulator', 'webchat', 'directline', 'directlinespeech', 'test']);

/**
 * The text's own line breaks kept under `textFormat: 'markdown'`, where a lone `\n` is a soft break that
 * renders as a space. A line break becomes a markdown hard break, two spaces before the newline: it is
 * CommonMark's, which Web Chat's markdown follows (microsoft/BotFramework-WebChat#1429 made its soft breaks
 * CommonMark's), and it is the Bot Framework team's answer for a line break in Teams
 * (microsoft/botframework-sdk#5575). `<br>` would depend on each client letting HTML through its markdown.
 * A blank line (`\n\n`) already starts a new paragraph in both and stays as it is.
 */
export function markdownLineBreaks(text: string): string {
  return text.replace(/(?<![\r\n]) *\r?\n(?![\r\n])/g, '  \n');
}

export interface ActivityOptions {
  /** PUBLIC_BASE_URL: illustrations are attached by their public address; without it they are left out. */
  publicBaseUrl?: string;
}

/** The Activity JSON a message becomes in the conversation of `reference`. */
export function messageActivity(
  message: OutboundMessage,
  reference: ConversationReference,
  options: ActivityOptions = {},
): Record<string, unknown> {
  const choices = message.choices ?? [];
  const buttons = reference.channelId === TEAMS || SUGGESTED_ACTION_CHANNELS.has(reference.channelId);
  // The typed-number fallback: a number always picks a choice (the engine reads it), and channels that
  // cannot show buttons list the numbers in the text.
  const numbered = choices.map(
    (choice, index) => `${message.numbering === 'value' ? choice.value : index + 1}. ${choice.label}`,
  );
  const text = choices.length && !buttons ? `${message.text}\n\n${numbered.join('\n')}` : message.text;
  const attachments: Record<string, unknown>[] = [];
  if (choices.length && reference.channelId === TEAMS) attachments.push(choiceCard(choices));
  // Teams shows PNG, JPEG and GIF attachments only; our illustrations are SVG, so Teams gets none.
  const svg = message.image?.src.endsWith('.svg') ?? false;
  if (message.image && options.publicBaseUrl && !(svg && reference.channelId === TEAMS)) {
    attachments.push({
      contentType: svg ? 'image/svg+xml' : 'image/png',
      contentUrl: `${options.publicBaseUrl.replace(/\/+$/, '')}${message.image.src}`,
      name: message.image.alt,
    });
  }
  return {
    type: 'message',
    from: reference.bot,
    recipient: reference.user,
    conversation: {
      id: reference.conversationId,
      ...(reference.tenantId ? { tenantId: reference.tenantId } : {}),
    },
    ...(message.replyTo ? { replyToId: message.replyTo } : {}),
    text: markdownLineBreaks(text),
    textFormat: 'markdown',
    ...(attachments.length ? { attachmentLayout: 'list', attachments } : {}),
    ...(choices.length && reference.channelId !== TEAMS
      ? {
          suggestedActions: {
            to: [reference.user.id],
            actions: choices.map((choice) => ({
              type: 'messageBack',
              title: choice.label,
              text: choice.label,
              displayText: choice.label,
              value: { [CHOICE_KEY]: choice.value },
            })),
          },
        }
      : {}),
  };
}

/**
 * Teams shows suggested actions only as imBack (the label comes back as text), so in Teams the choices
 * are an Adaptive Card's Submit buttons: the value comes back as `value.choice` and the label is shown in
 * the chat as the client's answer (messageBack).
 */
function choiceCard(choices: readonly { label: string; value: string }[]): Record<string, unknown> {
  return {
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      body: [],
      actions: choices.map((choice) => ({
        type: 'Action.Submit',
        title: choice.label,
        data: {
          [CHOICE_KEY]: choice.value,
          msteams: { type: 'messageBack', displayText: choice.label, text: choice.label },
        },
      })),
    },
  };
}
