import { describe, expect, it } from 'vitest';
import { localeOf, parseActivity, teamsPlainText } from '../../../src/channels/botframework/activity.ts';
import { safetyRules } from '../../../src/content/safety-phrases.ts';
import { detectRisk } from '../../../src/domain/safety/detect.ts';

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
    expect(parseActivity({ ...update, id: null, membersAdded: [{ id: '28:bot' }] })).toMatchObject({
      kind: 'bot_added',
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
    // Teams' limit of about 28 KB counts its HTML, so a text past 28 000 characters is read; past 60 000 not.
    expect(parseActivity({ ...base, text: 'x'.repeat(28_001) })).toMatchObject({
      kind: 'message',
      content: { kind: 'message', text: 'x'.repeat(28_001) },
    });
    expect(parseActivity({ ...base, text: 'x'.repeat(60_001) })).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('text'),
    });
    for (const field of ['type', 'serviceUrl', 'channelId'] as const) {
      expect(parseActivity({ ...base, [field]: null, text: 'hei' }), field).toMatchObject({
        kind: 'invalid',
        detail: expect.stringContaining(field),
      });
    }
    expect(parseActivity({ ...base, from: { name: 'Kari' }, text: 'hei' })).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('from.id'),
    });
    expect(parseActivity({ ...base, conversation: { id: null }, text: 'hei' })).toMatchObject({
      kind: 'invalid',
      detail: expect.stringContaining('conversation.id'),
    });
    expect(parseActivity({ ...base, id: null, text: 'hei' })).toMatchObject({ kind: 'invalid' });
  });

  it('reads a text of up to 28 000 characters whole', () => {
    const text = `${'a'.repeat(27_990)} slutten`;
    expect(parseActivity({ ...base, channelId: 'webchat', text })).toMatchObject({
      kind: 'message',
      content: { kind: 'message', text },
    });
  });

  it('takes null or odd optional fields as absent, and keeps the message', () => {
    const odd: [string, Record<string, unknown>][] = [
      ['a null locale', { locale: null }],
      ['a locale over 32 characters', { locale: `nb-${'x'.repeat(40)}` }],
      ['a locale that is not a string', { locale: 47 }],
      ['a null from.name', { from: { id: '29:user', name: null } }],
      ['a null conversation.tenantId', { conversation: { id: 'a:conv', tenantId: null } }],
      ['a null conversationType', { conversation: { id: 'a:conv', conversationType: null } }],
      ['channelData.tenant as a string', { conversation: { id: 'a:conv' }, channelData: { tenant: 't' } }],
      ['channelData as a string', { conversation: { id: 'a:conv' }, channelData: 'x' }],
      ['membersAdded as an object', { membersAdded: { id: 'x' } }],
      ['a null recipient.name', { recipient: { id: '28:bot', name: null } }],
      ['a null text beside a button', { text: null, value: { choice: 'yes' } }],
    ];
    for (const [what, fields] of odd) {
      const parsed = parseActivity({ ...base, text: 'hei', ...fields });
      expect(parsed, what).toMatchObject({ kind: 'message', address: 'msteams:a:conv' });
    }
    const nullLocale = parseActivity({ ...base, text: 'hei', locale: null });
    expect(nullLocale).not.toHaveProperty('locale');
    const stringTenant = parseActivity({
      ...base,
      text: 'hei',
      conversation: { id: 'a:conv' },
      channelData: { tenant: 'tenant-1' },
    });
    expect(stringTenant).toMatchObject({ kind: 'message' });
    expect(stringTenant.kind === 'message' && stringTenant.reference).not.toHaveProperty('tenantId');
    expect(
      parseActivity({
        ...base,
        text: 'hei',
        conversation: { id: 'a:conv' },
        channelData: { tenant: { id: 't2' } },
      }),
    ).toMatchObject({ reference: { tenantId: 't2' } });
  });

  it('reads a Teams message’s HTML as plain text: tags dropped, entities decoded', () => {
    expect(parseActivity({ ...base, text: 'Fish &amp; chips' })).toMatchObject({
      content: { kind: 'message', text: 'Fish & chips' },
    });
    expect(
      parseActivity({ ...base, text: 'jeg&nbsp;vil&nbsp;ta&nbsp;livet&nbsp;mitt&nbsp;i&nbsp;kveld' }),
    ).toMatchObject({ content: { kind: 'message', text: 'jeg vil ta livet mitt i kveld' } });
    expect(parseActivity({ ...base, text: '<at>selvhjelp</at> 3' })).toMatchObject({
      content: { kind: 'message', text: 'selvhjelp 3' },
    });
    // Only Teams sends HTML: elsewhere the text is what the client typed.
    expect(parseActivity({ ...base, channelId: 'webchat', text: 'Fish &amp; <b>chips</b>' })).toMatchObject({
      content: { kind: 'message', text: 'Fish &amp; <b>chips</b>' },
    });
  });

  it('decodes the entities Teams uses, and numeric ones, after dropping tags', () => {
    expect(teamsPlainText('<p>Hei</p><p>du</p>')).toBe('Hei\ndu\n');
    expect(teamsPlainText('a<br>b<br/>c<BR />d')).toBe('a\nb\nc\nd');
    expect(teamsPlainText('<div><span style="x">søvn</span></div>')).toBe('søvn\n');
    expect(teamsPlainText('&lt;b&gt; &quot;x&quot; &#39;y&#39; &apos;z&apos; &AMP;')).toBe(
      `<b> "x" 'y' 'z' &`,
    );
    expect(teamsPlainText('&#229;&#xE6;&#xf8; &#128512; &#x1F600;')).toBe('åæø 😀 😀');
    expect(teamsPlainText('&#0; &#xD800; &#x110000; &copy; & ;')).toBe('\uFFFD \uFFFD \uFFFD &copy; & ;');
    expect(teamsPlainText('&amp;lt;')).toBe('&lt;');
    expect(teamsPlainText('a < b > c')).toBe('a < b > c');
  });

  it('drops comments and decodes the invisible entities, so a word split by them is one word again', () => {
    expect(teamsPlainText('selv<!-- x -->mord')).toBe('selvmord');
    expect(teamsPlainText('a<!---->b <!-- <b>c</b> -->d')).toBe('ab d');
    expect(teamsPlainText('li&shy;vet&ZeroWidthSpace;x&zwj;y&zwnj;z')).toBe(
      'li\u00ADvet\u200Bx\u200Dy\u200Cz',
    );
  });

  it('reads a crisis message that hides its words behind comments or soft hyphens as a crisis', () => {
    for (const html of [
      '<p>I want to kill my&shy;self tonight</p>',
      '<p>I want to kill my<!-- -->self tonight</p>',
      '<p>jeg vil ta li<!---->vet mitt i natt</p>',
    ]) {
      const parsed = parseActivity({ ...base, channelId: 'msteams', text: html });
      if (!('content' in parsed) || parsed.content.kind !== 'message') throw new Error(html);
      expect(detectRisk(parsed.content.text, safetyRules).tier, html).toBe('crisis');
    }
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
