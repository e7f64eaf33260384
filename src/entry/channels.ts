import {
  type ActivityAuthenticator,
  type BotAuthSettings,
  emulatorAuthenticator,
} from '../channels/botframework/auth.ts';
import { clientCredentialsTokenSource, noBotToken } from '../channels/botframework/bot-token.ts';
import type { BotFrameworkRouteSettings } from '../channels/botframework/routes.ts';
import { BOTFRAMEWORK_CHANNEL, botFrameworkSender } from '../channels/botframework/sender.ts';
import type { SmsWebhookSettings } from '../channels/sms/routes.ts';
import { twilioSender } from '../channels/sms/twilio-sender.ts';
import type { Config } from '../config/config.ts';
import type { ServiceDeps } from '../service/deps.ts';

/** What a channel needs from the running service: the Bot Framework sender reads stored references. */
export interface ChannelWiring {
  /** The stored conversation reference of a Bot Framework address. */
  reference?: (address: string) => Promise<unknown>;
  clock?: () => Date;
  /**
   * Strict authentication of activities: `sdkAuthenticator` (over @microsoft/agents-hosting) from the Node
   * entry, `joseAuthenticator` (the same checks with jose) from the Worker, which cannot bundle the SDK.
   * The entry passes it so each bundle holds only its own; without it, a configured app id leaves the
   * route off, never open.
   */
  authenticator?: (settings: BotAuthSettings) => ActivityAuthenticator;
}

/**
 * The channels the configuration turns on: the web chat always, SMS when Twilio is configured, Bot
 * Framework with an app id, or without one (unauthenticated, for the Emulator) except in production.
 */
export function channelsFromConfig(
  config: Config,
  wiring: ChannelWiring = {},
): {
  senders: ServiceDeps['senders'];
  sms?: SmsWebhookSettings;
  botframework?: BotFrameworkRouteSettings;
} {
  const senders: ServiceDeps['senders'] = { web: { mode: 'pull' } };
  const botframework = botFrameworkFromConfig(config, wiring, senders);
  if (
    !config.TWILIO_ACCOUNT_SID ||
    !config.TWILIO_AUTH_TOKEN ||
    !config.TWILIO_FROM ||
    !config.PUBLIC_BASE_URL
  ) {
    return { senders, ...(botframework && { botframework }) };
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
    ...(botframework && { botframework }),
  };
}

/**
 * Bot Framework: strict with MICROSOFT_APP_ID; without it unauthenticated for the Emulator, which is
 * refused in production: there the channel stays off (POST /api/messages answers 404). The sender is
 * there whenever the channel is configured, so messages already queued still go out.
 */
function botFrameworkFromConfig(
  config: Config,
  wiring: ChannelWiring,
  senders: ServiceDeps['senders'],
): BotFrameworkRouteSettings | undefined {
  const appId = config.MICROSOFT_APP_ID;
  if (!appId && config.NODE_ENV === 'production') return undefined;
  const authority = config.BOTFRAMEWORK_AUTHORITY_URL.replace(/\/+$/, '');
  const tenant = config.MICROSOFT_APP_TENANT_ID;
  senders[BOTFRAMEWORK_CHANNEL] = botFrameworkSender({
    reference: wiring.reference ?? (async () => undefined),
    tokens:
      appId && config.MICROSOFT_APP_PASSWORD
        ? clientCredentialsTokenSource({
            tokenUrl:
              config.BOTFRAMEWORK_TOKEN_URL ??
              `${authority}/${tenant ?? 'botframework.com'}/oauth2/v2.0/token`,
            appId,
            appPassword: config.MICROSOFT_APP_PASSWORD,
            ...(wiring.clock && { now: wiring.clock }),
          })
        : noBotToken,
    ...(config.PUBLIC_BASE_URL && { publicBaseUrl: config.PUBLIC_BASE_URL }),
  });
  if (!appId) return { auth: emulatorAuthenticator };
  const auth = wiring.authenticator?.({
    appId,
    authorityUrl: authority,
    ...(tenant && { tenantId: tenant }),
  });
  return auth ? { auth } : undefined;
}
