import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { addStaff, PASSWORD, type Server } from '../support/staff.ts';

/**
 * An unattended workspace in a real browser: the page's script polls the open-alert count, which is not
 * activity, so 30 minutes after the last thing the person did the poll answers 401 and the script sends
 * the page to sign-in (client data leaves the screen).
 */

const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runBrowser) console.warn(`Skipping the idle workspace browser test: no ${CHROMIUM}.`);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const SLOW = 90_000;
const MINUTE_MS = 60_000;
const EMAIL = 'tina@klinikk.no';

const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let server: Server;
let browser: Browser;

beforeAll(async () => {
  if (!runBrowser) return;
  server = await startTestServer({}, { clock: clock.read });
  await addStaff(server, { email: EMAIL, name: 'Tina Terapeut', role: 'therapist' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs the script's poll now (it polls when the tab becomes visible) and waits for the count's answer. */
async function pollNow(page: Page): Promise<number> {
  const answered = page.waitForResponse((res) => res.url().endsWith('/staff/alerts/count'));
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  return (await answered).status();
}

describe.runIf(runBrowser)('an unattended workspace in Chromium', () => {
  it(
    'goes to sign-in once the polled session has been idle 30 minutes',
    async () => {
      const context = await browser.newContext({ locale: 'nb-NO' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(10_000);
        await page.goto(`${server.url}/staff/login`);
        await page.getByLabel(catalog.text('nb', 'workspace.login.email'), { exact: true }).fill(EMAIL);
        const password = page.getByLabel(catalog.text('nb', 'workspace.login.password'), { exact: true });
        await password.fill(PASSWORD);
        await password.press('Enter');
        await page.waitForURL(`${server.url}/staff`);

        clock.advance(2 * MINUTE_MS);
        await page.goto(`${server.url}/staff/alerts`); // the last thing the person does
        clock.advance(29 * MINUTE_MS);
        expect(await pollNow(page)).toBe(200);
        expect(page.url()).toBe(`${server.url}/staff/alerts`);

        clock.advance(MINUTE_MS);
        expect(await pollNow(page)).toBe(401);
        await page.waitForURL(`${server.url}/staff/login?next=%2Fstaff%2Falerts`);
        await expect
          .poll(() =>
            page.getByLabel(catalog.text('nb', 'workspace.login.password'), { exact: true }).count(),
          )
          .toBe(1);
      } finally {
        await context.close();
      }
    },
    SLOW,
  );
});
