import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { createClient } from '../../src/service/clients.ts';
import { setStaffLanguage } from '../../src/service/staff.ts';
import { draftAndSign } from '../support/contracts.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { addStaff, PASSWORD, type Server, webChat } from '../support/staff.ts';

/*
 * What an admin sees in Chromium: no "Disable" on their own row of the staff page (one on everyone
 * else's), and the client page's dates, the score chart's table among them, in the one English form.
 */

const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runBrowser) console.warn(`Skipping the workspace QA browser tests: no ${CHROMIUM}.`);
const SLOW = 90_000;

let server: Server;
let browser: Browser;
const clock = new FakeClock(new Date('2026-12-05T13:03:00.000Z'));
let clientId = '';
const t = (key: string) => catalog.text('en', `workspace.${key}`);

beforeAll(async () => {
  if (!runBrowser) return;
  server = await startTestServer({}, { clock: clock.read });
  const launching = chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
  try {
    const ada = await addStaff(server, { email: 'ada@clinic.no', name: 'Ada', role: 'admin' });
    await setStaffLanguage(server.deps, ada, 'en');
    const tina = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
    const created = await createClient(server.deps, {
      course: 'stress',
      locale: 'en',
      therapistId: tina,
      displayName: 'Eli',
    });
    if (!created.ok) throw new Error('no client');
    clientId = created.clientId;
    const chat = webChat(server, 'en');
    await chat.start();
    await chat.say(created.accessCode);
    const therapist = { staffId: tina, email: 'tina@clinic.no', name: 'Tina', role: 'therapist' as const };
    await draftAndSign(server.deps, { ...therapist, locale: 'nb', via: 'page' }, clientId, {
      focus: 'Work',
      goals: ['Rest'],
    });
    await chat.say('yes');
    for (const answer of [...'11111111', '0', ...'11111111']) await chat.say(answer);
  } finally {
    browser = await launching;
  }
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.runIf(runBrowser)('the workspace as an admin sees it', () => {
  it('has no Disable on their own account, and shows dates in one form', { timeout: SLOW }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${server.url}/staff/login`);
      await page.locator('input[name="email"]').fill('ada@clinic.no');
      await page.locator('input[name="password"]').fill(PASSWORD);
      await Promise.all([
        page.waitForURL(`${server.url}/staff`),
        page.locator('input[name="password"]').press('Enter'),
      ]);
      await page.goto(`${server.url}/staff/admin/staff`);
      const row = (name: string) =>
        page.locator('main tbody tr', { has: page.locator(`th:text-is("${name}")`) });
      const disable = (name: string) =>
        row(name).getByRole('button', { name: new RegExp(`^${t('admin.disable')}`) });
      const reset = row('Ada').getByRole('button', { name: new RegExp(`^${t('admin.reset_link')}`) });
      expect(await reset.count()).toBe(1);
      expect(await disable('Ada').count()).toBe(0);
      expect(await disable('Tina').count()).toBe(1);
      expect(await disable('Tina').isVisible()).toBe(true);

      await page.goto(`${server.url}/staff/clients/${clientId}`);
      const tableDates = await page.locator('table.score-chart-table tbody td:first-child').allInnerTexts();
      expect(tableDates).toEqual(['5 Dec 2026', '5 Dec 2026']);
      // biome-ignore lint/performance/useDomNodeTextContent: what is rendered is the point here
      const signature = await page.locator('#contract li').first().innerText();
      expect(signature).toBe('Signed by the therapist: Tina, 5 Dec 2026, 14:03');
    } finally {
      await context.close();
    }
  });
});
