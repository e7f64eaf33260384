import { parseArgs } from 'node:util';
import { computeTwilioSignature } from '../channels/sms/twilio-signature.ts';
import type { Config } from '../config/config.ts';
import { normalisePhone } from '../domain/phone.ts';
import { CommandError, UsageError } from './usage-error.ts';

/**
 * `selvhjelp sms send --from +47… "text"`: posts a correctly signed Twilio webhook to the running server,
 * so a developer can play the SMS channel without a phone. Replies go out through the configured Twilio
 * API (point TWILIO_API_BASE_URL at the fake in test/fakes to see them locally).
 */
/** A development server answers a webhook at once; longer means it is not there. */
const SEND_TIMEOUT_MS = 10_000;

export async function smsCommand(config: Config, args: string[]): Promise<number> {
  if (args[0] !== 'send') throw new UsageError(`unknown command: sms ${args[0] ?? ''}`.trim());
  const { values, positionals } = parseArgs({
    args: args.slice(1),
    options: { from: { type: 'string' }, url: { type: 'string' } },
    allowPositionals: true,
  });
  const from = values.from ? normalisePhone(values.from, config.SMS_DEFAULT_REGION as never) : undefined;
  if (!from) throw new UsageError('sms send needs --from with a phone number, e.g. --from +4791234567');
  if (positionals.length !== 1)
    throw new UsageError('sms send needs the message text as one argument (quote it)');
  if (
    !config.TWILIO_ACCOUNT_SID ||
    !config.TWILIO_AUTH_TOKEN ||
    !config.TWILIO_FROM ||
    !config.PUBLIC_BASE_URL
  ) {
    throw new UsageError(
      'sms send needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and PUBLIC_BASE_URL, as the server has',
    );
  }
  const path = '/channels/sms/twilio';
  const sid = `SM${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  const params = {
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: config.TWILIO_ACCOUNT_SID,
    From: from,
    To: config.TWILIO_FROM,
    Body: positionals[0]!,
    NumMedia: '0',
    NumSegments: '1',
  };
  const publicUrl = `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}${path}`;
  const signature = await computeTwilioSignature(config.TWILIO_AUTH_TOKEN, publicUrl, params);
  const base = values.url ?? `http://${config.HOST}:${config.PORT}`;
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
    throw new UsageError(`--url must be an http(s) address such as http://127.0.0.1:8787 (got "${base}")`);
  }
  const target = `${base.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CommandError(
      `cannot reach the server at ${target} (${reason}); is "selvhjelp serve" running there? Set the address with --url`,
    );
  }
  process.stdout.write(`${response.status} ${sid}\n`);
  return response.ok ? 0 : 1;
}
