import { describe, expect, it } from 'vitest';
import { localeOf, parseActivity } from '../../../src/channels/botframework/activity.ts';

const base = {
  type: 'message',
  id: 'a1',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  channelId: 'msteams',
  from: { id: '29:user', name: 'Kari' },
  recipient: { id: '28:bot', name: 'selvhjelp' },
  conversation: { id: 'a:conv', tenantId: 'tenant-1' },
  locale: 'nb-NO',
};

describe('parseActivity', () => {
  it('reads typed text as a message, with the conversation reference and the locale', () => {
    expect(parseActivity({ ...base, text: '  hei  ' })).toEqual({
      kind: 'message',
      address: 'msteams:a:conv',
      activityId: 'a1',
      locale: 'nb',
      content: { kind: 'message', text: 'hei' },
      reference: {
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        channelId: 'msteams',
        conversationId: 'a:conv',
        bot: { id: '28:bot', name: 'selvhjelp' },
        user: { id: '29:user' },
        tenantId: 'tenant-1',
      },
    });
  });

  it('reads a card or suggested action value as a button, a plain string value too', () => {
    expect(parseActivity({ ...base, text: 'Ja', value: { choice: 'yes', msteams: {} } })).toMatchObject({
      kind: 'message',
      content: { kind: 'button', value: 'yes', text: 'Ja' },
    });
    expect(parseActivity({ ...base, value: 'more' })).toMatchObject({
      content: { kind: 'button', value: 'more' },
    });
    expect(parseActivity({ ...base, text: 'hei', value: { other: 1 } })).toMatchObject({
      content: { kind: 'message', text: 'hei' },
    });
  });

  it('sees the bot being added, and ignores other members and other activity types', () => {
    const update = { ...base, type: 'conversationUpdate', id: undefined };
    expect(parseActivity({ ...update, membersAdded: [{ id: '28:bot' }] })).toMatchObject({
      kind: 'bot_added',
      address: 'msteams:a:conv',
    });
    expect(parseActivity({ ...update, membersAdded: [{ id: '29:user' }] })).toMatchObject({
      kind: 'ignored',
    });
    expect(parseActivity({ ...base, type: 'typing' })).toMatchObject({ kind: 'ignored' });
    expect(parseActivity({ ...base, text: '   ' })).toMatchObject({ kind: 'ignored' });
  });

  it('never throws: anything that is not an activity is invalid, with the field named', () => {
    expect(parseActivity(null)).toMatchObject({ kind: 'invalid' });
    expect(parseActivity('text')).toMatchObject({ kind: 'invalid' });
    expect(parseActivity({ ...base, serviceUrl: 'javascript:alert(1)' })).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('serviceUrl'),
    });
    expect(parseActivity({ ...base, conversation: undefined })).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('conversation'),
    });
    expect(parseActivity({ ...base, id: undefined, text: 'hei' })).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('id'),
    });
    expect(parseActivity({ ...base, text: 'x'.repeat(4001) })).toMatchObject({ kind: 'invalid' });
  });

  it('takes nb, nn and no as Bokmål and en as English; other languages give none', () => {
    expect(['nb-NO', 'nn-NO', 'no', 'en-US', 'en', 'sv-SE', undefined, ''].map(localeOf)).toEqual([
      'nb',
      'nb',
      'nb',
      'en',
      'en',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
