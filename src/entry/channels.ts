import type { SmsWebhookSettings } from '../channels/sms/routes.ts';
import { twilioSender } from '../channels/sms/twilio-sender.ts';
import type { Config } from '../config/config.ts';
import type { ServiceDeps } from '../service/deps.ts';

/** The channels the configuration turns on: the web chat always, SMS when Twilio is configured. */
export function channelsFromConfig(config: Config): {
  senders: ServiceDeps['senders'];
  sms?: SmsWebhookSettings;
} {
  const senders: ServiceDeps['senders'] = { web: { mode: 'pull' } };
  if (
    !config.TWILIO_ACCOUNT_SID ||
    !config.TWILIO_AUTH_TOKEN ||
    !config.TWILIO_FROM ||
    !config.PUBLIC_BASE_URL
  ) {
    return { senders };
  }
  const publicBaseUrl = config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  senders.sms = twilioSender({
    apiBaseUrl: config.TWILIO_API_BASE_URL,
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    from: config.TWILIO_FROM,
    statusCallbackUrl: `${publicBaseUrl}/channels/sms/twilio/status`,
  });
  return {
    senders,
    sms: {
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      publicBaseUrl,
      defaultRegion: config.SMS_DEFAULT_REGION,
    },
  };
}
