import type { ChannelSender, LookupResult, OutboundMessage, SendResult } from '../../service/deps.ts';
import type { RenderedReply } from '../../service/render.ts';
import { countSegments } from './gsm7.ts';
import { renderForSms } from './render.ts';
import { findSentMessages, type PermanentReason, sendSms } from './twilio-rest.ts';

export interface TwilioSettings {
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  /** Where Twilio posts delivery statuses: PUBLIC_BASE_URL + /channels/sms/twilio/status. */
  statusCallbackUrl?: string;
  /** How long a send or a lookup waits for Twilio unless the outbox asks for less; default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Permanent errors that say the number itself cannot be used, as opposed to our own configuration. */
const ADDRESS_PROBLEMS: Partial<Record<PermanentReason, 'opted_out' | 'undeliverable'>> = {
  'opted-out': 'opted_out',
  'invalid-number': 'undeliverable',
  'not-mobile': 'undeliverable',
  unreachable: 'undeliverable',
  blocked: 'undeliverable',
};

/** Formats a reply as SMS: GSM-7, numbered options, split into messages of at most 3 segments. */
export function formatSms(reply: RenderedReply): OutboundMessage[] {
  return renderForSms(reply).map((text) => {
    const { segments, encoding } = countSegments(text);
    return { text, segments, encoding };
  });
}

/**
 * The SMS channel's way out: Twilio's Messages REST API. A send whose answer never came is looked up in
 * Twilio's Messages list before it goes again. Never logs the number, the text or the token.
 */
export function twilioSender(settings: TwilioSettings): ChannelSender {
  const callOptions = (timeoutMs: number | undefined) => ({
    ...(settings.fetch && { fetch: settings.fetch }),
    ...((timeoutMs ?? settings.timeoutMs) !== undefined && { timeoutMs: timeoutMs ?? settings.timeoutMs }),
  });
  /** The account, our number, the client's number and the text: what a send and its lookup share. */
  const messageTo = (address: string, text: string) => ({
    baseUrl: settings.apiBaseUrl,
    accountSid: settings.accountSid,
    authToken: settings.authToken,
    from: settings.from,
    to: address,
    body: text,
  });
  return {
    mode: 'push',
    format: formatSms,
    async send({ address, message, timeoutMs }): Promise<SendResult> {
      const result = await sendSms(
        {
          ...messageTo(address, message.text),
          ...(settings.statusCallbackUrl ? { statusCallback: settings.statusCallbackUrl } : {}),
        },
        callOptions(timeoutMs),
      );
      if (result.ok) return { ok: true, providerId: result.sid };
      const error = describe(result);
      if (result.retryable) {
        return {
          ok: false,
          retryable: true,
          error,
          ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
          ...(result.uncertain && { uncertain: true }),
        };
      }
      const problem = ADDRESS_PROBLEMS[result.permanent];
      return { ok: false, retryable: false, error, ...(problem ? { address: problem } : {}) };
    },
    async lookup({ address, message, since, timeoutMs }): Promise<LookupResult> {
      const result = await findSentMessages(
        { ...messageTo(address, message.text), since },
        callOptions(timeoutMs),
      );
      if (result.ok) return { ok: true, providerIds: result.sids };
      return {
        ok: false,
        error: describe(result),
        ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
      };
    },
  };
}

function describe(result: { status?: number; code?: number; message: string }): string {
  return `${result.status ? `HTTP ${result.status} ` : ''}${result.code ? `Twilio ${result.code}: ` : ''}${result.message}`;
}
