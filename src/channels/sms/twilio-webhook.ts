import { z } from 'zod';

/**
 * Twilio's form-encoded webhooks, parsed into a tagged union: an inbound text, an inbound picture or
 * file without text, an inbound message with no text at all, a delivery status, or something this
 * service does not handle. Parsing never
 * throws; verify the signature first (twilio-signature.ts), then parse. Twilio adds parameters without
 * notice, so unknown ones are ignored.
 */

const messageSid = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/, 'not a message SID');
const accountSid = z.string().regex(/^AC[0-9a-f]{32}$/, 'not an account SID');
const count = z
  .string()
  .regex(/^\d{1,4}$/, 'not a count')
  .transform(Number);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const twilioMessageStatuses = [
  'accepted',
  'scheduled',
  'canceled',
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'read',
  'partially_delivered',
] as const;

export type TwilioMessageStatus = (typeof twilioMessageStatuses)[number];

/** Statuses after which Twilio sends no further update for an outbound message. */
const FINAL_STATUSES: ReadonlySet<TwilioMessageStatus> = new Set([
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'read',
]);

export function isFinalStatus(status: TwilioMessageStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** The request Twilio sends to the incoming-message URL of a number or Messaging Service. */
export const twilioInboundMessageSchema = z.object({
  MessageSid: messageSid,
  AccountSid: accountSid,
  MessagingServiceSid: optional(z.string()),
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().default(''),
  NumMedia: optional(count),
  NumSegments: optional(count),
  /** Set by Advanced Opt-Out when Twilio itself recognised a keyword. */
  OptOutType: optional(z.string()),
});

/** The request Twilio sends to a message's StatusCallback URL. */
export const twilioStatusCallbackSchema = z.object({
  MessageSid: messageSid,
  AccountSid: accountSid,
  MessageStatus: z.string().min(1),
  ErrorCode: optional(
    z
      .string()
      .regex(/^\d{1,6}$/, 'not an error code')
      .transform(Number),
  ),
  From: optional(z.string()),
  To: optional(z.string()),
});

export interface TwilioInboundText {
  kind: 'text';
  messageSid: string;
  accountSid: string;
  messagingServiceSid?: string;
  /** The sender, in E.164. */
  from: string;
  /** Our number (or short code) the message was sent to. */
  to: string;
  /** The text exactly as received, never blank (see TwilioInboundMedia and TwilioInboundBlank). */
  body: string;
  /** Pictures and other media sent along with the text; this service reads text only. */
  numMedia: number;
  numSegments?: number;
  optOutType?: 'STOP' | 'START' | 'HELP';
}

/**
 * An MMS with pictures or files and no text. This service reads text only; the client still gets an
 * answer saying so, so the message is a value of its own rather than unsupported.
 */
export interface TwilioInboundMedia {
  kind: 'media';
  messageSid: string;
  accountSid: string;
  messagingServiceSid?: string;
  /** The sender, in E.164. */
  from: string;
  /** Our number (or short code) the message was sent to. */
  to: string;
  numMedia: number;
}

/**
 * A message with no text and no media: an empty Body or one of only spaces and line breaks. Nothing to
 * read, but a person sent it; the client gets an answer asking for words, so it is a value of its own.
 */
export interface TwilioInboundBlank {
  kind: 'blank';
  messageSid: string;
  accountSid: string;
  messagingServiceSid?: string;
  /** The sender, in E.164. */
  from: string;
  /** Our number (or short code) the message was sent to. */
  to: string;
}

export interface TwilioStatusUpdate {
  kind: 'status';
  messageSid: string;
  accountSid: string;
  status: TwilioMessageStatus;
  errorCode?: number;
  from?: string;
  to?: string;
}

export type UnsupportedReason =
  /** Required fields missing or malformed; `detail` names the fields, never their values. */
  | 'invalid'
  /** Signed by our token but for another account SID than the one configured. */
  | 'other-account'
  /** WhatsApp, RCS, Messenger and other channel addresses ("whatsapp:+47..."). */
  | 'not-sms'
  /** A MessageStatus this code does not know. */
  | 'unknown-status'
  /** Neither an inbound message nor a status callback. */
  | 'unrecognised';

export interface TwilioUnsupported {
  kind: 'unsupported';
  reason: UnsupportedReason;
  detail?: string;
}

export type TwilioWebhook =
  | TwilioInboundText
  | TwilioInboundMedia
  | TwilioInboundBlank
  | TwilioStatusUpdate
  | TwilioUnsupported;

/** Form fields as a plain object (e.g. Hono's `parseBody()`) or as `URLSearchParams`. */
export type TwilioForm = Readonly<Record<string, unknown>> | URLSearchParams;

export interface ParseOptions {
  /** When set, a webhook for another account is `unsupported` with reason 'other-account'. */
  accountSid?: string;
}

function isOptOutType(value: string | undefined): value is 'STOP' | 'START' | 'HELP' {
  return value === 'STOP' || value === 'START' || value === 'HELP';
}

const E164 = /^\+[1-9]\d{1,14}$/;
const CHANNEL_ADDRESS = /^[a-z][a-z0-9-]*:/i;

function fieldsOf(form: TwilioForm): Readonly<Record<string, unknown>> {
  return form instanceof URLSearchParams ? Object.fromEntries(form) : form;
}

function invalid(error: z.ZodError): TwilioUnsupported {
  const fields = [...new Set(error.issues.map((issue) => issue.path.join('.') || '(form)'))];
  return { kind: 'unsupported', reason: 'invalid', detail: fields.join(', ') };
}

function otherAccount(sid: string, opts: ParseOptions): TwilioUnsupported | undefined {
  if (opts.accountSid === undefined || opts.accountSid === sid) return undefined;
  return { kind: 'unsupported', reason: 'other-account' };
}

/** Parses the incoming-message webhook (`POST /channels/sms/twilio`). */
export function parseTwilioInbound(form: TwilioForm, opts: ParseOptions = {}): TwilioWebhook {
  const parsed = twilioInboundMessageSchema.safeParse(fieldsOf(form));
  if (!parsed.success) return invalid(parsed.error);
  const message = parsed.data;
  const foreign = otherAccount(message.AccountSid, opts);
  if (foreign) return foreign;
  if (!E164.test(message.From)) {
    return CHANNEL_ADDRESS.test(message.From)
      ? {
          kind: 'unsupported',
          reason: 'not-sms',
          detail: message.From.slice(0, message.From.indexOf(':')).slice(0, 32),
        }
      : { kind: 'unsupported', reason: 'invalid', detail: 'From' };
  }
  const sender = {
    messageSid: message.MessageSid,
    accountSid: message.AccountSid,
    ...(message.MessagingServiceSid !== undefined && { messagingServiceSid: message.MessagingServiceSid }),
    from: message.From,
    to: message.To,
  };
  if (message.Body.trim() === '') {
    return (message.NumMedia ?? 0) > 0
      ? { kind: 'media', ...sender, numMedia: message.NumMedia! }
      : { kind: 'blank', ...sender };
  }
  return {
    kind: 'text',
    ...sender,
    body: message.Body,
    numMedia: message.NumMedia ?? 0,
    ...(message.NumSegments !== undefined && { numSegments: message.NumSegments }),
    ...(isOptOutType(message.OptOutType) && { optOutType: message.OptOutType }),
  };
}

/** Parses a delivery status callback (`POST /channels/sms/twilio/status`). */
export function parseTwilioStatusCallback(form: TwilioForm, opts: ParseOptions = {}): TwilioWebhook {
  const parsed = twilioStatusCallbackSchema.safeParse(fieldsOf(form));
  if (!parsed.success) return invalid(parsed.error);
  const callback = parsed.data;
  const foreign = otherAccount(callback.AccountSid, opts);
  if (foreign) return foreign;
  const status = twilioMessageStatuses.find((known) => known === callback.MessageStatus);
  if (!status)
    return { kind: 'unsupported', reason: 'unknown-status', detail: callback.MessageStatus.slice(0, 32) };
  return {
    kind: 'status',
    messageSid: callback.MessageSid,
    accountSid: callback.AccountSid,
    status,
    ...(callback.ErrorCode !== undefined && { errorCode: callback.ErrorCode }),
    ...(callback.From !== undefined && { from: callback.From }),
    ...(callback.To !== undefined && { to: callback.To }),
  };
}

/**
 * Parses either webhook when the caller does not know which one it got: a form with a
 * MessageStatus other than received/receiving is a status callback, one with a Body an
 * inbound message.
 */
export function parseTwilioWebhook(form: TwilioForm, opts: ParseOptions = {}): TwilioWebhook {
  const fields = fieldsOf(form);
  const status = fields.MessageStatus;
  if (typeof status === 'string' && status !== 'received' && status !== 'receiving') {
    return parseTwilioStatusCallback(fields, opts);
  }
  if (typeof fields.Body === 'string' || typeof fields.From === 'string')
    return parseTwilioInbound(fields, opts);
  return { kind: 'unsupported', reason: 'unrecognised' };
}
