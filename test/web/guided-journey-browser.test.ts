import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import { tick } from '../../src/service/scheduler.ts';
import { FakeClock } from '../support/harness.ts';
import { startSmsServer } from '../support/sms.ts';
import { addStaff, PASSWORD } from '../support/staff.ts';

/**
 * Issue 13's journey in real browsers against the real server, with the fake Twilio and a fake clock: a
 * therapist creates a client, drafts and signs the guidance contract; the client links in the web chat,
 * accepts it, and adds a phone number from the chat menu; the plan appears on the client's page (the
 * contacts, a questionnaire before each, the pace); the day before the first contact the client gets the
 * reminder and the questionnaire by SMS, having left the chat (discreetly: a neutral line, then the
 * content after JA); the therapist opens the review, writes the
 * contact note and sends a message, which reaches the client's phone; the client's SMS reply lands in the
 * therapist's inbox.
 */

const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runBrowser) console.warn(`Skipping the guided journey browser test: no ${CHROMIUM}.`);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const SLOW = 120_000;
const DAY = 24 * 60 * 60 * 1000;
const PHONE = '+4748123456';
const THERAPIST = { email: 'tor@klinikk.no', name: 'Tor Terapeut', role: 'therapist' as const };

// Monday 09:00 in Oslo.
const clock = new FakeClock(new Date('2026-11-23T08:00:00.000Z'));
let sms: Awaited<ReturnType<typeof startSmsServer>>;
let server: Awaited<ReturnType<typeof startSmsServer>>['server'];
let twilio: Awaited<ReturnType<typeof startSmsServer>>['twilio'];
let browser: Browser;

beforeAll(async () => {
  if (!runBrowser) return;
  sms = await startSmsServer({ overrides: { clock: clock.read } });
  ({ server, twilio } = sms);
  await addStaff(server, THERAPIST);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await sms?.close();
});

/** What a part of a page says. */
const textOf = async (locator: Locator) => (await locator.textContent()) ?? '';

/** Sends what is due in the outbox, and answers the texts the phone got since `from`. */
async function smsSince(from: number): Promise<string[]> {
  await deliverOutbox(server.deps);
  return twilio.messages
    .slice(from)
    .filter((m) => m.to === PHONE)
    .map((m) => m.body);
}

async function textFromPhone(body: string, sid: string): Promise<number> {
  return (await sms.textFrom(PHONE, body, sid)).status;
}

/** The chat's last message from the service, once it contains `text`. */
async function chatSays(chat: Page, text: string | RegExp): Promise<void> {
  await expect
    .poll(async () => (await chat.locator('#log .from-service .bubble').allInnerTexts()).join('\n'), {
      timeout: 15_000,
    })
    .toMatch(text instanceof RegExp ? text : new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
}

/** Types and sends a message; the page keeps the text while an earlier message is still on its way. */
async function type(chat: Page, text: string): Promise<void> {
  const input = chat.locator('#message');
  await input.fill(text);
  await expect
    .poll(async () => {
      if ((await input.inputValue()) !== '') await input.press('Enter');
      return input.inputValue();
    })
    .toBe('');
}

async function signIn(desk: Page): Promise<void> {
  await desk.goto(`${server.url}/staff/login`);
  await desk.locator('input[name=email]').fill(THERAPIST.email);
  await desk.locator('input[name=password]').fill(PASSWORD);
  await desk.locator('input[name=password]').press('Enter');
  await desk.waitForURL(`${server.url}/staff`);
}

describe.runIf(runBrowser)('a guided course from contract to follow-up, in the browser', () => {
  it(
    'runs the contract, the plan, the reminders, the review, the note and the messages',
    async () => {
      // The therapist signs in and creates the client.
      const staff = await browser.newContext();
      const desk = await staff.newPage();
      await signIn(desk);
      await desk.goto(`${server.url}/staff/clients/new`);
      await desk.locator('input[name=displayName]').fill('Ola Nordmann');
      await desk.locator('select[name=course]').selectOption('depression');
      await desk.locator('form[action="/staff/clients/new"] button[type=submit]').click();
      const code = await desk.locator('code[data-code]').getAttribute('data-code');
      expect(code).toMatch(/^[A-Z0-9]{6,}$/);
      await desk.locator('main a[href^="/staff/clients/"]').first().click();
      await desk.waitForURL(/\/staff\/clients\/[^/]+$/);
      const clientUrl = desk.url();
      const clientId = decodeURIComponent(new URL(clientUrl).pathname.split('/').at(-1)!);

      // The contract: drafted from the clinic's defaults, the client's focus and goals, then signed.
      await desk.locator('form[action$="/contract"] input[value=draft] ~ button[type=submit]').click();
      await desk.locator('textarea[name=focus]').fill('Tunge morgener og lite energi');
      await desk.locator('textarea[name=goals]').fill('Gå tur tre ganger i uka\nRinge en venn hver uke');
      await desk.locator('input[name=paceDays]').fill('7');
      await desk.locator('form[action$="/contract"] input[value=draft] ~ button[type=submit]').click();
      await desk.locator('form[action$="/contract"] input[value=sign] ~ button[type=submit]').click();
      await expect.poll(() => textOf(desk.locator('#contract'))).toMatch(/Sendt|Sent/);

      // The client links in the web chat, reads the contract and accepts it: part 1 opens.
      const home = await browser.newContext();
      const chat = await home.newPage();
      await chat.goto(`${server.url}/chat?lang=nb`);
      await chatSays(chat, 'tilgangskoden');
      await type(chat, code!);
      await chatSays(chat, 'Gå tur tre ganger i uka');
      await chat.getByRole('button', { name: 'Jeg godtar' }).click();
      await chatSays(chat, 'Takk! Avtalen er nå signert av deg og veilederen din.');
      await chatSays(chat, 'Del 1');

      // From the chat menu: a phone number for reminders, confirmed with the code sent to it.
      let seen = twilio.messages.length;
      await chat.getByRole('button', { name: 'Påminnelser på SMS' }).click();
      await chatSays(chat, 'Skriv mobilnummeret ditt');
      await type(chat, '481 23 456');
      await chatSays(chat, 'Vi har sendt en kode på SMS');
      const [codeSms] = await smsSince(seen);
      const phoneCode = /\b(\d{6})\b/.exec(codeSms ?? '')?.[1];
      expect(phoneCode).toBeDefined();
      await type(chat, phoneCode!);
      await chatSays(chat, 'Nå får du påminnelser og meldinger på SMS');
      // The chat with its menu, on a phone's width: no WCAG 2.1 A/AA violations.
      await chat.setViewportSize({ width: 390, height: 844 });
      const axe = await new AxeBuilder({ page: chat })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
      await home.close();

      // The plan on the client's page: the pace, the contacts, a questionnaire before each.
      await desk.goto(clientUrl);
      const plan = await textOf(desk.locator('main'));
      expect(plan).toMatch(/Signert|Signed/);
      expect(plan).toContain('Gå tur tre ganger i uka');
      const contacts = await textOf(desk.locator('#contacts'));
      expect(contacts).toMatch(/Påminnelse til klienten|Reminder to the client/);
      expect(contacts).toMatch(/Skjema før samtalen|Questionnaire before/);

      // The day before the first contact (a week after the start): the reminder and the questionnaire,
      // by SMS: the client left the chat.
      seen = twilio.messages.length;
      clock.advance(6 * DAY + 10 * 60 * 60 * 1000);
      await tick(server.deps);
      // Discreet by default: one neutral line, and the content when the client answers JA.
      const notice = await smsSince(seen);
      expect(notice).toEqual(['Du har en ny melding fra klinikken. Svar JA for å se den.']);
      seen = twilio.messages.length;
      expect(await textFromPhone('JA', `SM${'1'.repeat(32)}`)).toBe(200);
      await expect.poll(async () => (await smsSince(seen)).join('\n---\n')).toMatch(/påminnelse/i);
      const dayBefore = (await smsSince(seen)).join('\n---\n');
      expect(dayBefore).toContain('Liten interesse for eller glede av å gjøre ting');

      // The contact: the review first, then the note (a new day, a new sign-in).
      clock.advance(DAY);
      await signIn(desk);
      await desk.goto(`${clientUrl}/review`);
      const review = await textOf(desk.locator('main'));
      expect(review).toContain('Gå tur tre ganger i uka');
      await desk.goto(clientUrl);
      const contact = desk.locator('#contacts article').first();
      await contact.locator('summary').click();
      await contact.locator('textarea[name=learned]').fill('At små aktiviteter teller');
      await contact.locator('textarea[name=helped]').fill('Turen med hunden');
      await contact.locator('textarea[name=hard]').fill('Morgenene');
      await contact.locator('textarea[name=next]').fill('Del 2, og én tur til');
      await contact.locator('button[type=submit]').click();
      await expect.poll(() => textOf(desk.locator('#contacts'))).toContain('At små aktiviteter teller');

      // A message from the therapist reaches the phone; the client's SMS reply reaches the inbox.
      seen = twilio.messages.length;
      const box = desk.locator(`form[action="/staff/clients/${encodeURIComponent(clientId)}/messages"]`);
      await box.locator('textarea[name=text]').fill('Fint å snakke med deg i dag. Lykke til med del 2!');
      await box.locator('button[type=submit]').click();
      await expect.poll(async () => (await smsSince(seen)).join('\n')).toContain('Svar JA for å se den.');
      expect(await textFromPhone('JA', `SM${'2'.repeat(32)}`)).toBe(200);
      await expect.poll(async () => (await smsSince(seen)).join('\n')).toContain('Lykke til med del 2!');

      expect(await textFromPhone('VEILEDER Takk! Det gikk fint med turen.', `SM${'9'.repeat(32)}`)).toBe(200);
      await desk.goto(`${server.url}/staff`);
      expect(await textOf(desk.locator('main'))).toMatch(/ulest|unread/i);
      await desk.goto(clientUrl);
      await expect.poll(() => textOf(desk.locator('main'))).toContain('Takk! Det gikk fint med turen.');
      await staff.close();
    },
    SLOW,
  );
});
