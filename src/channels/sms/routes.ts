import { Hono } from 'hono';
import { parseKeyword } from '../../domain/keywords.ts';
import { normalisePhone } from '../../domain/phone.ts';
import { recordDeliveryReport } from '../../service/delivery-status.ts';
import type { ServiceDeps } from '../../service/deps.ts';
import { handleInbound, type InboundContent } from '../../service/handle-inbound.ts';
import { limitBody } from '../body-limit.ts';
import { apiError } from '../http-errors.ts';
import { classifyTwilioErrorCode } from './twilio-rest.ts';
import { type TwilioParams, verifyTwilioSignature } from './twilio-signature.ts';
import {
  parseTwilioInbound,
  parseTwilioStatusCallback,
  type TwilioInboundBlank,
  type TwilioInboundMedia,
  type TwilioInboundText,
} from './twilio-webhook.ts';

export const SMS_CHANNEL = 'sms';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export interface SmsWebhookSettings {
  accountSid: string;
  authToken: string;
  /** The public URL Twilio calls, which the signature covers (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  defaultRegion: string;
}

/** Form fields as Twilio's signature sees them: every value of a repeated key. */
function formParams(body: string): TwilioParams {
  const search = new URLSearchParams(body);
  const params: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    params[key] = values.length === 1 ? values[0]! : values;
  }
  return params;
}

/**
 * An SMS is words, or one of the keywords alone (STOP, START, HELP and their Norwegian forms). An MMS
 * with text is its text; pictures or files alone, and a message of only spaces, are unreadable here,
 * which the client is told.
 */
function smsContent(message: TwilioInboundText | TwilioInboundMedia | TwilioInboundBlank): InboundContent {
  if (message.kind === 'media') return { kind: 'unreadable', what: 'attachment' };
  if (message.kind === 'blank') return { kind: 'unreadable', what: 'blank' };
  const body = message.body;
  const keyword = parseKeyword(body);
  return keyword ? { kind: 'keyword', keyword, text: body } : { kind: 'message', text: body };
}

/**
 * Twilio's webhooks: inbound SMS and delivery statuses. Both are signed (X-Twilio-Signature over the
 * public URL and the form); anything unsigned is refused with 403 before it is read further.
 */
export function smsTwilioRoutes(
  deps: ServiceDeps,
  settings: SmsWebhookSettings | undefined,
  onActivity: () => void,
) {
  const verified = async (c: {
    req: { text(): Promise<string>; url: string; path: string; header(name: string): string | undefined };
  }) => {
    if (!settings) throw apiError('not_found', 'The SMS channel is not configured.');
    const params = formParams(await c.req.text());
    const url = `${settings.publicBaseUrl.replace(/\/+$/, '')}${c.req.path}${new URL(c.req.url).search}`;
    if (!(await verifyTwilioSignature(settings.authToken, url, params, c.req.header('X-Twilio-Signature')))) {
      throw apiError('forbidden', 'Missing or invalid X-Twilio-Signature.');
    }
    return params;
  };
  const limit = limitBody();

  return new Hono()
    .post('/channels/sms/twilio', limit, async (c) => {
      const params = await verified(c);
      const message = parseTwilioInbound(params as Record<string, unknown>, {
        accountSid: settings!.accountSid,
      });
      if (message.kind === 'unsupported' && message.reason === 'invalid') {
        throw apiError(
          'invalid_request',
          `Not a Twilio message webhook: ${message.detail ?? 'missing fields'}.`,
        );
      }
      const sent =
        message.kind === 'text' || message.kind === 'media' || message.kind === 'blank' ? message : undefined;
      const from = sent && normalisePhone(sent.from, settings!.defaultRegion as never);
      if (sent && from) {
        await handleInbound(deps, {
          channel: SMS_CHANNEL,
          address: from,
          providerId: sent.messageSid,
          content: smsContent(sent),
          createAddress: true,
        });
        onActivity();
      }
      // Twilio only needs to know we have it; replies go out through the outbox.
      return c.body(EMPTY_TWIML, 200, { 'Content-Type': 'text/xml; charset=utf-8' });
    })
    .post('/channels/sms/twilio/status', limit, async (c) => {
      const params = await verified(c);
      const update = parseTwilioStatusCallback(params as Record<string, unknown>, {
        accountSid: settings!.accountSid,
      });
      if (update.kind === 'unsupported' && update.reason === 'invalid') {
        throw apiError(
          'invalid_request',
          `Not a Twilio status callback: ${update.detail ?? 'missing fields'}.`,
        );
      }
      if (update.kind === 'status') {
        const final =
          update.status === 'delivered'
            ? 'delivered'
            : update.status === 'failed' || update.status === 'undelivered'
              ? 'failed'
              : undefined;
        const disposition =
          update.errorCode === undefined ? undefined : classifyTwilioErrorCode(update.errorCode);
        await recordDeliveryReport(deps, {
          providerId: update.messageSid,
          status: update.status,
          final,
          errorCode: update.errorCode,
          permanent: disposition !== undefined && !disposition.retryable,
        });
      }
      return c.body(EMPTY_TWIML, 200, { 'Content-Type': 'text/xml; charset=utf-8' });
    });
}
