// Development: a fake Twilio Messages API on 127.0.0.1 that prints every SMS the service sends.
// `npm run fake-twilio` (port from FAKE_TWILIO_PORT, default 8788); credentials from the TWILIO_ variables.
import { FakeTwilio } from './fake-twilio.ts';

const fake = new FakeTwilio({
  accountSid: process.env.TWILIO_ACCOUNT_SID,
  authToken: process.env.TWILIO_AUTH_TOKEN,
  onMessage: (m) => process.stdout.write(`\n-> ${m.to} (${m.numSegments} segment(s)):\n${m.body}\n`),
});
const url = await fake.start(Number(process.env.FAKE_TWILIO_PORT ?? 8788));
process.stdout.write(
  `Fake Twilio at ${url} (account ${fake.accountSid}). Start the server with TWILIO_API_BASE_URL=${url}.\n`,
);
process.once('SIGINT', () => void fake.stop().then(() => process.exit(0)));
