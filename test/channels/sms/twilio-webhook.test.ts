import { describe, expect, it } from 'vitest';
import {
  isFinalStatus,
  parseTwilioInbound,
  parseTwilioStatusCallback,
  parseTwilioWebhook,
  type TwilioMessageStatus,
} from '../../../src/channels/sms/twilio-webhook.ts';

const accountSid = `AC${'1'.repeat(32)}`;
const messageSid = `SM${'ab12'.repeat(8)}`;

/** An inbound SMS as Twilio posts it (field set from Twilio's incoming-message webhook). */
const inbound: Record<string, string> = {
  ToCountry: 'NO',
  ToState: '',
  SmsMessageSid: messageSid,
  NumMedia: '0',
  ToCity: '',
  FromZip: '',
  SmsSid: messageSid,
  FromState: '',
  SmsStatus: 'received',
  FromCity: '',
  Body: 'Jeg har sovet dårlig 😴',
  FromCountry: 'NO',
  To: '+4759440000',
  ToZip: '',
  NumSegments: '1',
  MessageSid: messageSid,
  AccountSid: accountSid,
  From: '+4791234567',
  ApiVersion: '2010-04-01',
};

/** A delivery status callback as Twilio posts it. */
const status: Record<string, string> = {
  SmsSid: messageSid,
  SmsStatus: 'delivered',
  MessageStatus: 'delivered',
  To: '+4791234567',
  MessageSid: messageSid,
  AccountSid: accountSid,
  From: '+4759440000',
  ApiVersion: '2010-04-01',
  RawDlrDoneDate: '2406111234',
};

describe('parseTwilioInbound', () => {
  it('parses an inbound SMS into a text value', () => {
    expect(parseTwilioInbound(inbound)).toEqual({
      kind: 'text',
      messageSid,
      accountSid,
      from: '+4791234567',
      to: '+4759440000',
      body: 'Jeg har sovet dårlig 😴',
      numMedia: 0,
      numSegments: 1,
    });
  });

  it('accepts URLSearchParams, as from a raw form body', () => {
    const form = new URLSearchParams(inbound);
    expect(parseTwilioInbound(form)).toMatchObject({ kind: 'text', body: 'Jeg har sovet dårlig 😴' });
  });

  it('keeps the body exactly as sent, and defaults missing counts', () => {
    const { NumMedia: _m, NumSegments: _s, ...minimal } = inbound;
    expect(parseTwilioInbound({ ...minimal, Body: '  2. ' })).toMatchObject({
      kind: 'text',
      body: '  2. ',
      numMedia: 0,
    });
    expect(parseTwilioInbound({ ...minimal, Body: 'x' })).not.toHaveProperty('numSegments');
  });

  it('passes on the messaging service and a known opt-out type', () => {
    const parsed = parseTwilioInbound({
      ...inbound,
      Body: 'STOP',
      MessagingServiceSid: `MG${'2'.repeat(32)}`,
      OptOutType: 'STOP',
    });
    expect(parsed).toMatchObject({
      kind: 'text',
      messagingServiceSid: `MG${'2'.repeat(32)}`,
      optOutType: 'STOP',
    });
    expect(parseTwilioInbound({ ...inbound, OptOutType: 'SOMETHING_NEW' })).not.toHaveProperty('optOutType');
  });

  it('reads text with media as the text, and media alone as media from the sender', () => {
    expect(
      parseTwilioInbound({ ...inbound, NumMedia: '1', MediaUrl0: 'https://api.twilio.com/x' }),
    ).toMatchObject({
      kind: 'text',
      numMedia: 1,
    });
    expect(parseTwilioInbound({ ...inbound, Body: ' ', NumMedia: '2' })).toEqual({
      kind: 'media',
      messageSid: inbound.MessageSid,
      accountSid: inbound.AccountSid,
      from: inbound.From,
      to: inbound.To,
      numMedia: 2,
    });
  });

  it('reads a message of no text and no media as blank, from the sender, so it can be answered', () => {
    const blank = {
      kind: 'blank',
      messageSid: inbound.MessageSid,
      accountSid: inbound.AccountSid,
      from: inbound.From,
      to: inbound.To,
    };
    expect(parseTwilioInbound({ ...inbound, Body: '' })).toEqual(blank);
    expect(parseTwilioInbound({ ...inbound, Body: ' \n ' })).toEqual(blank);
    expect(parseTwilioInbound({ ...inbound, Body: '   ', NumMedia: '0' })).toEqual(blank);
  });

  it('reports WhatsApp and other channels as not SMS', () => {
    expect(parseTwilioInbound({ ...inbound, From: 'whatsapp:+4791234567' })).toEqual({
      kind: 'unsupported',
      reason: 'not-sms',
      detail: 'whatsapp',
    });
  });

  it('names missing or malformed fields without their values', () => {
    const { From: _from, ...noFrom } = inbound;
    expect(parseTwilioInbound(noFrom)).toEqual({ kind: 'unsupported', reason: 'invalid', detail: 'From' });
    const bad = parseTwilioInbound({ ...inbound, MessageSid: 'SM-not-a-sid', NumMedia: 'many' });
    expect(bad).toEqual({ kind: 'unsupported', reason: 'invalid', detail: 'MessageSid, NumMedia' });
    expect(parseTwilioInbound({ ...inbound, From: '91234567' })).toEqual({
      kind: 'unsupported',
      reason: 'invalid',
      detail: 'From',
    });
    expect(parseTwilioInbound({})).toMatchObject({ kind: 'unsupported', reason: 'invalid' });
  });

  it('reports a webhook for another account', () => {
    expect(parseTwilioInbound(inbound, { accountSid })).toMatchObject({ kind: 'text' });
    expect(parseTwilioInbound(inbound, { accountSid: `AC${'9'.repeat(32)}` })).toEqual({
      kind: 'unsupported',
      reason: 'other-account',
    });
  });

  it('does not throw on values of the wrong type', () => {
    expect(parseTwilioInbound({ ...inbound, Body: ['a', 'b'] })).toMatchObject({
      reason: 'invalid',
      detail: 'Body',
    });
    expect(parseTwilioInbound({ ...inbound, Body: new Blob(['x']) })).toMatchObject({ reason: 'invalid' });
  });
});

describe('parseTwilioStatusCallback', () => {
  it('parses a delivery status', () => {
    expect(parseTwilioStatusCallback(status)).toEqual({
      kind: 'status',
      messageSid,
      accountSid,
      status: 'delivered',
      from: '+4759440000',
      to: '+4791234567',
    });
  });

  it.each([
    'queued',
    'sending',
    'sent',
    'delivered',
    'undelivered',
    'failed',
    'accepted',
    'read',
    'canceled',
  ])('accepts %s', (value) => {
    expect(parseTwilioStatusCallback({ ...status, MessageStatus: value })).toMatchObject({
      kind: 'status',
      status: value,
    });
  });

  it('reads the error code of a failed message', () => {
    expect(
      parseTwilioStatusCallback({ ...status, MessageStatus: 'undelivered', ErrorCode: '30003' }),
    ).toMatchObject({
      kind: 'status',
      status: 'undelivered',
      errorCode: 30003,
    });
    expect(parseTwilioStatusCallback({ ...status, ErrorCode: '' })).not.toHaveProperty('errorCode');
    expect(parseTwilioStatusCallback({ ...status, ErrorCode: 'x' })).toEqual({
      kind: 'unsupported',
      reason: 'invalid',
      detail: 'ErrorCode',
    });
  });

  it('reports an unknown status as unsupported', () => {
    expect(parseTwilioStatusCallback({ ...status, MessageStatus: 'teleported' })).toEqual({
      kind: 'unsupported',
      reason: 'unknown-status',
      detail: 'teleported',
    });
  });

  it('reports an inbound message posted to the status URL as invalid', () => {
    expect(parseTwilioStatusCallback(inbound)).toEqual({
      kind: 'unsupported',
      reason: 'invalid',
      detail: 'MessageStatus',
    });
  });

  it('reports a callback for another account', () => {
    expect(parseTwilioStatusCallback(status, { accountSid: `AC${'9'.repeat(32)}` })).toEqual({
      kind: 'unsupported',
      reason: 'other-account',
    });
  });
});

describe('parseTwilioWebhook', () => {
  it('tells an inbound message from a status callback', () => {
    expect(parseTwilioWebhook(inbound).kind).toBe('text');
    expect(parseTwilioWebhook({ ...inbound, MessageStatus: 'received' }).kind).toBe('text');
    expect(parseTwilioWebhook(status).kind).toBe('status');
    expect(parseTwilioWebhook({ Foo: 'bar' })).toEqual({ kind: 'unsupported', reason: 'unrecognised' });
  });
});

describe('isFinalStatus', () => {
  it('knows which statuses end a message', () => {
    const finals: TwilioMessageStatus[] = ['delivered', 'undelivered', 'failed', 'canceled', 'read'];
    const pending: TwilioMessageStatus[] = ['queued', 'sending', 'sent', 'accepted', 'scheduled'];
    expect(finals.every(isFinalStatus)).toBe(true);
    expect(pending.some(isFinalStatus)).toBe(false);
  });
});
