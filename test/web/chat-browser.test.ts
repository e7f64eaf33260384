import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import type { Locale } from '../../src/engine/types.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';

/**
 * The web chat page in a real browser against the real server: a person types the access code, answers
 * with the mouse and the keyboard, and gets a reminder through the page's polling.
 */

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const HOUR_MS = 60 * 60 * 1000;
const SLOW = 60_000;

const t = (locale: Locale, key: string) => catalog.text(locale, key);

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
const clock = new FakeClock();
const contexts: BrowserContext[] = [];

/**
 * Debian's Chromium drives these tests. CI installs it (.ci/run) and must run them; on a machine without
 * it they are skipped with a note, so `npm test` still passes on a fresh checkout.
 */
const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runBrowser) console.warn(`Skipping the browser tests: no ${CHROMIUM} (apt-get install -y chromium).`);

beforeAll(async () => {
  if (!runBrowser) return;
  server = await startTestServer({}, { clock: clock.read });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

interface ChatPage {
  page: Page;
  /** Script errors, CSP violations and dialogs (an `alert` means injected markup ran). */
  problems: string[];
}

/** A fresh browser profile (no stored conversation) on the chat page, once the welcome is shown. */
async function openChat(locale: Locale): Promise<ChatPage> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: locale === 'nb' ? 'nb-NO' : 'en-GB',
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${server.url}${locale === 'en' ? '/chat?lang=en' : '/chat'}`);
  await waitForLastReply(page, t(locale, 'service.welcome'));
  return { page, problems };
}

async function newAccessCode(locale: Locale): Promise<string> {
  const created = await createClient(server.deps, { course: 'intro', locale });
  if (!created.ok) throw new Error(created.error);
  return created.accessCode;
}

/** Waits until the newest message in the log is from the service and contains `text`. */
async function waitForLastReply(page: Page, text: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const last = document.querySelector('#log > li:last-child');
      return (
        !!last &&
        last.classList.contains('from-service') &&
        (last.querySelector('.bubble')?.textContent ?? '').includes(expected)
      );
    },
    text,
    { timeout },
  );
}

async function lastClientText(page: Page): Promise<string> {
  return (await page.locator('#log .from-client .bubble').last().textContent()) ?? '';
}

/** Types into the message box like a person and presses Enter. */
async function typeAndSend(page: Page, locale: Locale, text: string): Promise<void> {
  const input = page.getByLabel(t(locale, 'ui.input_label'), { exact: true });
  await input.click();
  await input.pressSequentially(text);
  await input.press('Enter');
  expect(await lastClientText(page)).toContain(text);
  expect(await input.inputValue()).toBe('');
}

/** Clicks the choice with this label in the newest set of choices; the whole set is disabled at once. */
async function choose(page: Page, locale: Locale, key: string): Promise<void> {
  const label = t(locale, key);
  const sets = page.locator('#log fieldset.choices');
  const set = sets.nth((await sets.count()) - 1);
  await set.getByRole('button', { name: label, exact: true }).click();
  await expectSetDisabled(set);
  expect(await lastClientText(page)).toContain(label);
}

async function expectSetDisabled(set: Locator): Promise<void> {
  const buttons = await set.getByRole('button').all();
  expect(buttons.length).toBeGreaterThan(0);
  for (const button of buttons) expect(await button.isDisabled()).toBe(true);
}

/** Waits until the first button of the newest choices has the keyboard focus. */
async function waitForFocusOnFirstChoice(page: Page): Promise<string> {
  await page.waitForFunction(() => {
    const sets = document.querySelectorAll('#log fieldset.choices');
    const first = sets[sets.length - 1]?.querySelector('button');
    return !!first && document.activeElement === first;
  });
  return page.evaluate(() => document.activeElement?.textContent ?? '');
}

/** Answers the newest choices from the keyboard: focus is already on the first option. */
async function answerFirstChoiceWithKey(page: Page, locale: Locale, key: string, press: 'Enter' | 'Space') {
  expect(await waitForFocusOnFirstChoice(page)).toBe(t(locale, key));
  const sets = page.locator('#log fieldset.choices');
  const set = sets.nth((await sets.count()) - 1);
  await page.keyboard.press(press);
  await expectSetDisabled(set);
  expect(await lastClientText(page)).toContain(t(locale, key));
}

describe.skipIf(!runBrowser)('web chat page in a browser', () => {
  for (const locale of ['nb', 'en'] as const) {
    it(
      `plays the intro from the access code to the end (${locale})`,
      async () => {
        const { page, problems } = await openChat(locale);

        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        expect(await page.title()).toBe(t(locale, 'ui.title'));
        expect(await page.getByRole('log').count()).toBe(1);
        expect(await page.getByRole('log').getAttribute('aria-label')).toBe(t(locale, 'ui.log_label'));
        const label = page.locator('label[for="message"]');
        expect((await label.textContent())?.trim()).toBe(t(locale, 'ui.input_label'));
        expect(await page.getByLabel(t(locale, 'ui.input_label'), { exact: true }).count()).toBe(1);
        // The inline stylesheet arrives intact (quotes in a <style> element must not be HTML-escaped).
        expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('system-ui');
        const current = page.locator('nav a[aria-current="true"]');
        expect(await current.getAttribute('lang')).toBe(locale);
        expect(await current.evaluate((a) => getComputedStyle(a).fontWeight)).toBe('700');

        const code = await newAccessCode(locale);
        await typeAndSend(page, locale, code);
        await waitForLastReply(page, t(locale, 'intro.ask_ready'));
        for (const key of ['service.code_linked', 'intro.welcome', 'intro.what']) {
          expect(await page.locator('#log .from-service', { hasText: t(locale, key) }).count()).toBe(1);
        }
        expect(await waitForFocusOnFirstChoice(page)).toBe(t(locale, 'intro.choice_ready_yes'));

        await choose(page, locale, 'intro.choice_ready_more');
        await waitForLastReply(page, t(locale, 'intro.ask_ready'));
        expect(await page.locator('#log .from-service', { hasText: t(locale, 'intro.more') }).count()).toBe(
          1,
        );

        await answerFirstChoiceWithKey(page, locale, 'intro.choice_ready_yes', 'Enter');
        await waitForLastReply(page, t(locale, 'intro.ask_area'));
        await answerFirstChoiceWithKey(page, locale, 'intro.area_depression', 'Space');
        await waitForLastReply(page, t(locale, 'intro.ask_impact'));
        await choose(page, locale, 'intro.impact_some');
        await waitForLastReply(page, t(locale, 'intro.ask_acute'));
        await choose(page, locale, 'intro.acute_no');
        await waitForLastReply(page, t(locale, 'intro.ask_occupation'));
        await choose(page, locale, 'intro.occupation_yes');
        await waitForLastReply(page, t(locale, 'intro.ask_motivation'));
        await choose(page, locale, 'intro.motivation_yes');
        await waitForLastReply(page, t(locale, 'intro.ask_goal'));

        // A question without choices gives the keyboard back to the message box.
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('message');
        const goal = locale === 'nb' ? 'Gå en tur tre ganger i uka' : 'Go for a walk three times a week';
        await typeAndSend(page, locale, goal);
        await waitForLastReply(page, t(locale, 'intro.ask_time'));
        await typeAndSend(page, locale, '18:30');
        await waitForLastReply(page, t(locale, 'intro.done'));

        for (const key of ['intro.thanks', 'intro.next_suitable']) {
          expect(await page.locator('#log .from-service', { hasText: t(locale, key) }).count()).toBe(1);
        }
        expect(await page.locator('#log fieldset.choices:not([disabled])').count()).toBe(0);
        expect(await page.locator('#log .from-client').count()).toBe(10);
        expect(await page.locator('#status').textContent()).toBe('');
        expect(problems).toEqual([]);
      },
      SLOW,
    );
  }

  it(
    'shows markup a client typed as text, also after a reload',
    async () => {
      const { page, problems } = await openChat('nb');
      const markup = '<img src=x onerror=alert(1)><b>fet</b>';
      await typeAndSend(page, 'nb', markup);
      await waitForLastReply(page, t('nb', 'service.code_unknown'));

      const check = async () => {
        const bubble = page.locator('#log .from-client .bubble').last();
        expect(await bubble.textContent()).toContain(markup);
        expect(await bubble.locator('img, b').count()).toBe(0);
        expect(await page.locator('#log img, #log b').count()).toBe(0);
      };
      await check();

      // The stored conversation comes back from the server's transcript on reload.
      await page.reload();
      await waitForLastReply(page, t('nb', 'service.code_unknown'));
      expect(await page.locator('#log .from-client').count()).toBe(1);
      await check();
      expect(problems).toEqual([]);
    },
    SLOW,
  );

  it(
    'gives a message that did not get through back, to be sent again',
    async () => {
      const { page } = await openChat('nb');
      await typeAndSend(page, 'nb', await newAccessCode('nb'));
      await waitForLastReply(page, t('nb', 'intro.ask_ready'));
      const clientMessages = page.locator('#log .from-client');

      let refused = 0;
      await page.route('**/channels/web/messages', async (route) => {
        if (route.request().method() === 'POST' && refused++ === 0) return route.abort('connectionfailed');
        return route.continue();
      });
      const sets = page.locator('#log fieldset.choices');
      const set = sets.nth((await sets.count()) - 1);
      await set.getByRole('button', { name: t('nb', 'intro.choice_ready_yes'), exact: true }).click();
      await page.getByText(t('nb', 'ui.error')).waitFor();
      expect(await page.locator('#status').getAttribute('role')).toBe('status');
      expect(await clientMessages.count()).toBe(1);
      expect(await set.getByRole('button').first().isDisabled()).toBe(false);

      await choose(page, 'nb', 'intro.choice_ready_yes');
      await waitForLastReply(page, t('nb', 'intro.ask_area'));
      expect(await page.locator('#status').textContent()).toBe('');
      expect(await clientMessages.count()).toBe(2);
      expect(refused).toBe(2);
    },
    SLOW,
  );

  it(
    'keeps a typed message in the box, as written, and shows the error on any refused send',
    async () => {
      const { page, problems } = await openChat('nb');
      const input = page.getByLabel(t('nb', 'ui.input_label'), { exact: true });
      const status = page.locator('#status');
      const clientMessages = page.locator('#log .from-client');
      // The server's refusals as the page can meet them, one per send: a 400 without a limit named (a
      // stored conversation id the schema refuses), a body too large, too many messages, a failure.
      const refusals = [
        { status: 400, body: { error: { code: 'invalid_request', message: 'conversationId: too long' } } },
        { status: 413, body: { error: { code: 'payload_too_large', message: 'Too large.' } } },
        { status: 429, body: { error: { code: 'rate_limited', message: 'Too many messages.' } } },
        { status: 500, body: { error: { code: 'internal', message: 'Something went wrong.' } } },
        { status: 503, body: { error: { code: 'unavailable', message: 'Unavailable.' } } },
      ];
      let refusal: (typeof refusals)[number] | undefined;
      let release: () => void = () => undefined;
      let held: Promise<void> | undefined;
      await page.route('**/channels/web/messages', async (route) => {
        if (route.request().method() !== 'POST' || !refusal) return route.continue();
        await held;
        return route.fulfill({
          status: refusal.status,
          headers: { 'content-type': 'application/json', 'retry-after': '60' },
          body: JSON.stringify(refusal.body),
        });
      });
      const expected: Record<number, string> = {
        400: t('nb', 'ui.error'),
        413: catalog.text('nb', 'ui.too_long', { max: (28_000).toLocaleString('nb-NO') }),
        429: t('nb', 'ui.slow_down'),
        500: t('nb', 'ui.error'),
        503: t('nb', 'ui.error'),
      };
      // Spaces around the words are the client's too: the box gets back exactly what it held.
      const written = '  Jeg har hatt en tung uke, og vil fortelle om den  ';
      for (const next of refusals) {
        refusal = next;
        await status.evaluate((element) => {
          element.textContent = '';
        });
        await input.fill(written);
        await input.press('Enter');
        await page.getByText(expected[next.status]!, { exact: true }).waitFor();
        expect(await status.getAttribute('class'), `${next.status}`).toBe('error');
        expect(await input.inputValue(), `${next.status}`).toBe(written);
        expect(await clientMessages.count(), `${next.status}`).toBe(0);
      }

      // Typed on while the refused message was on its way: both are kept, the refused one first.
      refusal = refusals[0];
      held = new Promise((resolve) => {
        release = resolve;
      });
      await input.fill('Første melding');
      await input.press('Enter');
      await page.getByText(t('nb', 'ui.sending'), { exact: true }).waitFor();
      expect(await input.inputValue()).toBe('');
      await input.pressSequentially('og mer');
      release();
      await page.getByText(t('nb', 'ui.error'), { exact: true }).waitFor();
      expect(await input.inputValue()).toBe('Første melding og mer');

      // Taken once the server answers: the box is empty, and nothing is said about an error.
      refusal = undefined;
      held = undefined;
      await input.fill('ZZZZ999');
      await input.press('Enter');
      await waitForLastReply(page, t('nb', 'service.code_unknown'));
      expect(await input.inputValue()).toBe('');
      expect(await status.textContent()).toBe('');
      expect(await status.getAttribute('class')).not.toBe('error');
      // The browser reports each refused request; nothing else went wrong.
      expect(problems.filter((p) => !/status of (400|413|429|500|503)/.test(p))).toEqual([]);
    },
    SLOW,
  );

  it(
    'says to slow down when the server refuses a message as one too many, and keeps it to send again',
    async () => {
      const { page } = await openChat('en');
      await typeAndSend(page, 'en', await newAccessCode('en'));
      await waitForLastReply(page, t('en', 'intro.ask_ready'));
      let refused = 0;
      // The server's answer over MESSAGE_LIMIT (test/http/message-limits.test.ts), once.
      await page.route('**/channels/web/messages', async (route) => {
        if (route.request().method() === 'POST' && refused++ === 0) {
          return route.fulfill({
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after': '120' },
            body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many messages.' } }),
          });
        }
        return route.continue();
      });
      const sets = page.locator('#log fieldset.choices');
      const set = sets.nth((await sets.count()) - 1);
      await set.getByRole('button', { name: t('en', 'intro.choice_ready_yes'), exact: true }).click();
      await page.getByText(t('en', 'ui.slow_down')).waitFor();
      // Not taken: the message is not shown as sent, and its buttons are open again.
      expect(await page.locator('#log .from-client').count()).toBe(1);
      expect(await set.getByRole('button').first().isDisabled()).toBe(false);

      await choose(page, 'en', 'intro.choice_ready_yes');
      await waitForLastReply(page, t('en', 'intro.ask_area'));
      expect(await page.locator('#status').textContent()).toBe('');
    },
    SLOW,
  );

  it(
    'sends a long pasted message whole, and keeps one over the limit with a message saying so',
    async () => {
      const { page, problems } = await openChat('nb');
      const input = page.getByLabel(t('nb', 'ui.input_label'), { exact: true });
      const crisis = 'jeg vil ta livet mitt i kveld';
      const story = (length: number) =>
        `${'Jeg har hatt en lang uke og vil fortelle om den. '.repeat(600).slice(0, length - crisis.length - 1)} ${crisis}`;
      const paste = async (text: string) => {
        await input.click();
        // As a paste: inserted at once, and cut by the browser if the box had a maxlength.
        await page.keyboard.insertText(text);
        expect((await input.inputValue()).length).toBe(text.length);
        await input.press('Enter');
      };

      const long = story(5_000);
      await paste(long);
      await page.locator('#log .from-service', { hasText: t('nb', 'safety.crisis_ack') }).waitFor();
      expect(await lastClientText(page)).toContain(long);
      expect(await page.locator('#status').textContent()).toBe('');
      const sent = await page.locator('#log .from-client').count();

      const tooLong = story(28_001);
      await paste(tooLong);
      const refusal = catalog.text('nb', 'ui.too_long', { max: (28_000).toLocaleString('nb-NO') });
      await page.getByText(refusal).waitFor();
      expect(await page.locator('#status').getAttribute('class')).toBe('error');
      // Not taken: not shown as sent, and back in the box to be shortened or split.
      expect(await page.locator('#log .from-client').count()).toBe(sent);
      expect(await input.inputValue()).toBe(tooLong);
      // The browser reports the refused request; nothing else went wrong.
      expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'shows a reminder that arrives later in the open page, without taking the focus',
    async () => {
      const { page, problems } = await openChat('en');
      await typeAndSend(page, 'en', await newAccessCode('en'));
      await waitForLastReply(page, t('en', 'intro.ask_ready'));
      await choose(page, 'en', 'intro.choice_ready_yes');
      await waitForLastReply(page, t('en', 'intro.ask_area'));
      const choiceSets = page.locator('#log fieldset.choices');
      const setsBefore = await choiceSets.count();

      // The person has started typing when the reminder comes.
      const input = page.getByLabel(t('en', 'ui.input_label'), { exact: true });
      await input.click();
      await input.pressSequentially('hmm');

      clock.advance(25 * HOUR_MS);
      // The server's own scheduler may fire it first; either way it is written exactly once.
      await fireDueTimers(server.deps);
      await waitForLastReply(page, t('en', 'intro.ask_area'), 10_000);
      await page.locator('#log .from-service', { hasText: t('en', 'intro.reminder') }).waitFor();
      expect(await page.locator('#log .from-service', { hasText: t('en', 'intro.reminder') }).count()).toBe(
        1,
      );

      expect(await page.evaluate(() => document.activeElement?.id)).toBe('message');
      expect(await input.inputValue()).toBe('hmm');
      expect(await choiceSets.count()).toBe(setsBefore + 1);
      await expectSetDisabled(choiceSets.nth(setsBefore - 1));

      await input.fill('');
      await choose(page, 'en', 'intro.area_sleep');
      await waitForLastReply(page, t('en', 'intro.ask_impact'));
      expect(problems).toEqual([]);
    },
    SLOW,
  );
});
