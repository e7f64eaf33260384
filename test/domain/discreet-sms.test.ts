import { describe, expect, it } from 'vitest';
import { holdsContent, isOpenWord, releasesHeld } from '../../src/domain/discreet-sms.ts';

describe('discreet SMS rules', () => {
  const push = { channel: 'sms', scheduled: true, kind: 'normal' };

  it('holds a scheduled SMS unless a signed contract chose full SMS; no contract is discreet', () => {
    expect(holdsContent({ ...push, contract: undefined })).toBe(true);
    expect(holdsContent({ ...push, contract: { channels: { discreetSms: true } } })).toBe(true);
    expect(holdsContent({ ...push, contract: { channels: { discreetSms: false } } })).toBe(false);
  });

  it('never holds a reply, a safety or consent message, or another channel', () => {
    expect(holdsContent({ ...push, scheduled: false, contract: undefined })).toBe(false);
    expect(holdsContent({ ...push, kind: 'safety', contract: undefined })).toBe(false);
    expect(holdsContent({ ...push, kind: 'consent', contract: undefined })).toBe(false);
    expect(holdsContent({ ...push, channel: 'botframework', contract: undefined })).toBe(false);
    expect(holdsContent({ ...push, channel: 'web', contract: undefined })).toBe(false);
  });

  it('releases on an ordinary SMS turn, not on a safety or consent one', () => {
    expect(releasesHeld({ channel: 'sms', kind: 'normal' })).toBe(true);
    expect(releasesHeld({ channel: 'sms', kind: 'safety' })).toBe(false);
    expect(releasesHeld({ channel: 'sms', kind: 'consent' })).toBe(false);
    expect(releasesHeld({ channel: 'web', kind: 'normal' })).toBe(false);
  });

  it('reads JA / YES alone as asking to see the message, in any case and with punctuation', () => {
    for (const text of ['JA', 'ja', ' Ja! ', 'yes', 'YES.', 'Yes 👍']) expect(isOpenWord(text)).toBe(true);
    for (const text of ['ja takk, det gikk bra', 'jaa', 'nei', '1', 'yes please', '']) {
      expect(isOpenWord(text)).toBe(false);
    }
  });
});
