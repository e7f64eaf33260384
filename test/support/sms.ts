import { computeTwilioSignature } from '../../src/channels/sms/twilio-signature.ts';
import { FakeTwilio, type FakeTwilioOptions } from '../fakes/fake-twilio.ts';
import { freePort, startTestServer } from './harness.ts';

export const TWILIO_ACCOUNT = `AC${'a1'.repeat(16)}`;
export const TWILIO_TOKEN = 'test-auth-token-0123456789';
/** The service's own number. */
export const OUR_NUMBER = '+4759440000';

let sids = 0;
/** A MessageSid no other test message has (34 characters, as Twilio's). */
export const nextMessageSid = () => `SM${String(++sids).padStart(32, '0')}`;

/**
 * The real server on 127.0.0.1 with the fake Twilio as its SMS provider: signed webhooks over its public
 * URL, replies through the fake's REST API, the scheduler left to the test (an hour between passes).
 */
export async function startSmsServer(
  options: {
    env?: Record<string, string>;
    overrides?: Parameters<typeof startTestServer>[1];
    twilio?: Pick<FakeTwilioOptions, 'now'>;
  } = {},
) {
  const twilio = new FakeTwilio({ accountSid: TWILIO_ACCOUNT, authToken: TWILIO_TOKEN, ...options.twilio });
  const apiBase = await twilio.start();
  const port = await freePort();
  const server = await startTestServer(
    {
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TWILIO_ACCOUNT_SID: TWILIO_ACCOUNT,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM: OUR_NUMBER,
      TWILIO_API_BASE_URL: apiBase,
      SCHEDULER_INTERVAL_MS: '3600000',
      // Fast enough that no test waits for the pace (test/service/send-rate.test.ts tests the pace itself).
      SMS_SEND_RATE: '1000',
      ...options.env,
    },
    options.overrides,
  );
  return {
    server,
    twilio,
    /** Posts Twilio's signed webhook for an SMS from `from`; answers the server's response. */
    async textFrom(from: string, body: string, sid = nextMessageSid()): Promise<Response> {
      const url = `${server.url}/channels/sms/twilio`;
      const params = {
        MessageSid: sid,
        AccountSid: TWILIO_ACCOUNT,
        From: from,
        To: OUR_NUMBER,
        Body: body,
        NumMedia: '0',
      };
      return fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': await computeTwilioSignature(TWILIO_TOKEN, url, params),
        },
        body: new URLSearchParams(params).toString(),
      });
    },
    async close() {
      await server.close();
      await twilio.stop();
    },
  };
}
