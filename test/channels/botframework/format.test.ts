import { describe, expect, it } from 'vitest';
import type { ConversationReference } from '../../../src/channels/botframework/activity.ts';
import { activitiesUrl, retryAfterMs } from '../../../src/channels/botframework/connector.ts';
import {
  formatBotFramework,
  markdownLineBreaks,
  messageActivity,
} from '../../../src/channels/botframework/format.ts';

const reference = (channelId: string): ConversationReference => ({
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  channelId,
  conversationId: 'a:1/x',
  bot: { id: '28:bot', name: 'selvhjelp' },
  user: { id: '29:user' },
  tenantId: 't1',
});

const question = {
  text: 'Hvordan har du det?',
  choices: [
    { label: 'Bra', value: 'good' },
    { label: 'Dårlig', value: 'bad' },
  ],
};

describe('Bot Framework formatting', () => {
  it('stores a reply channel-neutral, with the activity it answers', () => {
    expect(formatBotFramework(question, { inReplyTo: 'act-9' })).toEqual([{ ...question, replyTo: 'act-9' }]);
    expect(formatBotFramework({ text: 'Hei' }, {})).toEqual([{ text: 'Hei' }]);
  });

  it('shows choices as suggested actions in Web Chat and the Emulator', () => {
    const activity = messageActivity(question, reference('webchat'));
    expect(activity).toMatchObject({
      type: 'message',
      text: 'Hvordan har du det?',
      textFormat: 'markdown',
      from: { id: '28:bot' },
      recipient: { id: '29:user' },
      conversation: { id: 'a:1/x', tenantId: 't1' },
      suggestedActions: {
        to: ['29:user'],
        actions: [
          { type: 'messageBack', title: 'Bra', value: { choice: 'good' } },
          { type: 'messageBack', title: 'Dårlig', value: { choice: 'bad' } },
        ],
      },
    });
    expect(activity.attachments).toBeUndefined();
  });

  it('shows choices as an Adaptive Card with Submit buttons in Teams', () => {
    const activity = messageActivity(question, reference('msteams'));
    expect(activity.suggestedActions).toBeUndefined();
    expect(activity.attachments).toEqual([
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: expect.objectContaining({
          type: 'AdaptiveCard',
          actions: [
            {
              type: 'Action.Submit',
              title: 'Bra',
              data: { choice: 'good', msteams: { type: 'messageBack', displayText: 'Bra', text: 'Bra' } },
            },
            expect.objectContaining({ title: 'Dårlig', data: expect.objectContaining({ choice: 'bad' }) }),
          ],
        }),
      },
    ]);
  });

  it('lists the numbers in the text where a channel may not show buttons; by value for questionnaires', () => {
    expect(messageActivity(question, reference('slack')).text).toBe(
      'Hvordan har du det?\n\n1. Bra  \n2. Dårlig',
    );
    const phq = {
      text: 'Lite interesse?',
      numbering: 'value' as const,
      choices: [
        { label: 'Ikke i det hele tatt', value: '0' },
        { label: 'Noen dager', value: '1' },
      ],
    };
    expect(messageActivity(phq, reference('telegram')).text).toBe(
      'Lite interesse?\n\n0. Ikke i det hele tatt  \n1. Noen dager',
    );
  });

  it('keeps the text’s line breaks as markdown hard breaks, and blank lines as paragraphs', () => {
    for (const channel of ['webchat', 'msteams', 'emulator']) {
      expect(messageActivity({ text: 'Melding fra Tove:\nHei' }, reference(channel)).text).toBe(
        'Melding fra Tove:  \nHei',
      );
    }
    expect(markdownLineBreaks('a\nb\n\nc\r\nd \ne')).toBe('a  \nb\n\nc  \nd  \ne');
    expect(markdownLineBreaks('one line')).toBe('one line');
    expect(markdownLineBreaks('a\n\n\nb')).toBe('a\n\n\nb');
  });

  it('attaches an illustration by its public address, and leaves it out without one and in Teams', () => {
    const message = { text: 'Se her', image: { src: '/illustrations/sleep/bed.svg', alt: 'En seng' } };
    expect(
      messageActivity(message, reference('webchat'), { publicBaseUrl: 'https://app.example/' }),
    ).toMatchObject({
      attachments: [
        {
          contentType: 'image/svg+xml',
          contentUrl: 'https://app.example/illustrations/sleep/bed.svg',
          name: 'En seng',
        },
      ],
    });
    expect(messageActivity(message, reference('webchat')).attachments).toBeUndefined();
    // Teams does not show SVG attachments.
    expect(
      messageActivity(message, reference('msteams'), { publicBaseUrl: 'https://app.example' }).attachments,
    ).toBeUndefined();
  });

  it('threads a reply under its activity and sends anything else to the conversation', () => {
    expect(activitiesUrl(reference('msteams'), 'act 1')).toBe(
      'https://smba.trafficmanager.net/emea/v3/conversations/a%3A1%2Fx/activities/act%201',
    );
    expect(activitiesUrl(reference('msteams'))).toBe(
      'https://smba.trafficmanager.net/emea/v3/conversations/a%3A1%2Fx/activities',
    );
    expect(messageActivity({ text: 'x', replyTo: 'act-1' }, reference('webchat')).replyToId).toBe('act-1');
  });

  it('reads Retry-After in seconds or as a date against the response date, and caps it at an hour', () => {
    const response = (headers: Record<string, string>) => new Response(null, { status: 429, headers });
    expect(retryAfterMs(response({ 'Retry-After': '12' }))).toBe(12_000);
    expect(
      retryAfterMs(
        response({ 'Retry-After': 'Mon, 23 Nov 2026 09:01:00 GMT', Date: 'Mon, 23 Nov 2026 09:00:30 GMT' }),
      ),
    ).toBe(30_000);
    expect(retryAfterMs(response({ 'Retry-After': '86400' }))).toBe(3_600_000);
    expect(retryAfterMs(response({}))).toBeUndefined();
    expect(retryAfterMs(response({ 'Retry-After': 'soon' }))).toBeUndefined();
  });
});
