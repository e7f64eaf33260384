import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { createClient, type NewClient } from '../../src/service/clients.ts';
import { waiveContract } from '../../src/service/contracts.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { createStaff, setStaffLanguage } from '../../src/service/staff.ts';
import { insertProposal } from '../../src/storage/sleep-windows.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { pressed, typed } from '../support/inbound.ts';
import { addStaff, PASSWORD } from '../support/staff.ts';

/**
 * The therapist workspace in a real browser against the real server: a therapist signs in, reads the
 * alert that came in, opens the client by keyboard, acknowledges with a note and approves a sleep
 * window, in both languages; every page passes axe (WCAG 2.1 A and AA) at 390 and 1280 px, nothing
 * scrolls sideways on a phone, every form on a client's page works from the keyboard, and what a client
 * wrote is text wherever it shows.
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
const SLOW = 90_000;
/** The axe sweep: 28 scans of about half a second each on an idle machine, several times that on a busy one. */
const SWEEP = 150_000;
const MINUTE_MS = 60_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Locale = 'nb' | 'en';
const t = (locale: Locale, key: string, vars?: Record<string, string | number>) =>
  catalog.text(locale, `workspace.${key}`, vars);

/** Debian's Chromium drives these tests; CI must run them, elsewhere they are skipped with a note. */
const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runBrowser) console.warn(`Skipping the workspace browser tests: no ${CHROMIUM}.`);

const CRISIS = 'jeg skal ta livet mitt i kveld';
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
];
/** Markup in everything a client controls: their name, a crisis message, two activity-diary entries. */
const HOSTILE = {
  name: PAYLOADS.join(' '),
  message: `${CRISIS} ${PAYLOADS.join(' ')}`,
  // An activity is at most 100 characters: the payloads are split over two diary entries.
  activities: [PAYLOADS.slice(0, 2).join(' '), PAYLOADS.slice(2).join(' ')],
};

const staff = {
  therapist: { email: 'kari@klinikk.no', name: 'Kari Terapeut', role: 'therapist' as const, id: '' },
  admin: { email: 'ada@klinikk.no', name: 'Ada Admin', role: 'admin' as const, id: '' },
};
type Role = keyof typeof staff;

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
const clock = new FakeClock();
const contexts: BrowserContext[] = [];

interface Person {
  clientId: string;
  send(input: string | { value: string }): Promise<void>;
}
let nora: Person;
let hostile: Person;
/** A set-password link of a staff member who has not chosen a password yet. */
let setPasswordToken: string;

/** A client created as the workspace does, linked to a conversation by typing the access code. */
async function person(input: NewClient & { displayName: string }): Promise<Person> {
  const created = await createClient(server.deps, { locale: 'nb', ...input });
  if (!created.ok) throw new Error(`client not created: ${created.error}`);
  if (input.therapistId) {
    // The course waits for a signed guidance contract; these clients start at once, as recorded.
    const { email, name } = staff.therapist;
    const waived = await waiveContract(
      server.deps,
      { staffId: input.therapistId, email, name, role: 'therapist', locale: 'nb', via: 'page' },
      created.clientId,
      'Kontrakten er avtalt muntlig',
    );
    if (!waived.ok) throw new Error('contract not waived');
  }
  const address = `terminal-${created.clientId}`;
  const send = async (message: string | { value: string }) => {
    const outcome = await handleInbound(server.deps, {
      channel: 'terminal',
      address,
      createAddress: true,
      content: typeof message === 'string' ? typed(message) : pressed(message.value),
    });
    if (outcome.kind !== 'handled') throw new Error(`"${JSON.stringify(message)}" was not handled`);
  };
  await send(created.accessCode);
  return { clientId: created.clientId, send };
}

/**
 * Part 1 of the depression course: PHQ-9 (item 9 answered `item9`; above 0 runs the safety questions,
 * answered "no"), GAD-7, a mood rating and one activity-diary entry per activity.
 */
async function playDepressionPart1(who: Person, item9: number, activities: string[]) {
  await who.send({ value: 'start' });
  for (const answer of ['1', '2', '1', '2', '1', '2', '1', '0']) await who.send(answer);
  await who.send(String(item9));
  if (item9 > 0) await who.send({ value: 'thoughts_no' });
  await who.send('1'); // how difficult
  for (const answer of ['1', '2', '1', '1', '0', '1', '0']) await who.send(answer);
  await who.send('ja');
  await who.send('4');
  for (const [index, activity] of activities.entries()) {
    if (index > 0) await who.send({ value: 'yes' });
    await who.send('kveld');
    await who.send(activity);
    await who.send('3');
    await who.send({ value: 'alone' });
  }
  await who.send('nei');
}

async function proposeSleepWindow(clientId: string, bedTime: string, minutes: number): Promise<void> {
  await server.deps.db.write((tx) =>
    insertProposal(tx, {
      id: server.deps.ids.id(),
      clientId,
      bedTime,
      riseTime: '06:30',
      minutes,
      proposal: { week: 1, reason: 'initial' },
      createdAt: clock.now.toISOString(),
    }),
  );
}

beforeAll(async () => {
  if (!runBrowser) return;
  server = await startTestServer({}, { clock: clock.read, senders: { terminal: { mode: 'pull' } } });
  const launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    await seed();
  } finally {
    browser = await launching;
  }
}, SLOW);

/** Three staff members and two clients who have done part 1 of the depression course. */
async function seed(): Promise<void> {
  staff.therapist.id = await addStaff(server, staff.therapist);
  staff.admin.id = await addStaff(server, staff.admin);
  const newcomer = await createStaff(server.deps, {
    email: 'ny@klinikk.no',
    name: 'Nina Ny',
    role: 'therapist',
  });
  if (!newcomer.ok || !newcomer.setPasswordToken) throw new Error('no set-password link');
  setPasswordToken = newcomer.setPasswordToken;

  // The hostile client's alert first, so Nora's is the newest high-priority one on the dashboard.
  hostile = await person({
    course: 'depression',
    displayName: HOSTILE.name,
    therapistId: staff.therapist.id,
  });
  await playDepressionPart1(hostile, 0, HOSTILE.activities);
  await hostile.send(HOSTILE.message);
  await proposeSleepWindow(hostile.clientId, '23:45', 405);
  clock.advance(MINUTE_MS);

  nora = await person({
    course: 'depression',
    displayName: 'Nora Nordmann',
    therapistId: staff.therapist.id,
  });
  await playDepressionPart1(nora, 1, ['Gikk tur med hunden']);
  await proposeSleepWindow(nora.clientId, '00:30', 360);
  clock.advance(MINUTE_MS);
}

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

interface OpenPage {
  page: Page;
  /** Script errors, console errors (CSP violations among them) and dialogs (an `alert` means injected markup ran). */
  problems: string[];
}

/** Records what must never happen on a page: script errors, console errors, dialogs. */
function watch(page: Page, problems: string[]): Page {
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

/** A fresh browser profile at 390 px. */
async function openPage(viewport = PHONE): Promise<OpenPage> {
  const context = await browser.newContext({ viewport, locale: 'nb-NO' });
  contexts.push(context);
  const problems: string[] = [];
  return { page: watch(await context.newPage(), problems), problems };
}

/** Signs in on the sign-in page as a person would: types email and password, presses Enter. */
async function signIn(page: Page, role: Role): Promise<void> {
  const { email } = staff[role];
  await page.goto(`${server.url}/staff/login`);
  await page.getByLabel(t('nb', 'login.email'), { exact: true }).pressSequentially(email);
  const password = page.getByLabel(t('nb', 'login.password'), { exact: true });
  await password.pressSequentially(PASSWORD);
  await password.press('Enter');
  await page.waitForURL(`${server.url}/staff`);
}

/** Signed in as `role`, with the workspace in Norwegian whatever an earlier test left it in. */
async function signedIn(role: Role): Promise<OpenPage> {
  await setStaffLanguage(server.deps, staff[role].id, 'nb');
  const opened = await openPage();
  await signIn(opened.page, role);
  return opened;
}

/** Presses Tab until `target` has the focus: proves it can be reached from the keyboard. */
async function tabTo(page: Page, target: Locator, limit = 200): Promise<number> {
  const element = await target.elementHandle();
  if (!element) throw new Error('no such element');
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    if (await element.evaluate((el) => el === document.activeElement)) return presses;
  }
  throw new Error(`not reached in ${limit} Tab presses`);
}

/** Presses Enter on what has the focus and waits for the page it leads to. */
async function enterAndWait(page: Page): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
}

const clientPath = (who: Person) => `/staff/clients/${who.clientId}`;
const main = (page: Page) => page.locator('main');
/** The text a person sees: rendered, hidden text left out. */
const shown = (locator: Locator): Promise<string> =>
  // biome-ignore lint/performance/useDomNodeTextContent: what is rendered is the point here
  locator.evaluate((el) => (el as HTMLElement).innerText);
const alertCard = (page: Page, kind: string) =>
  page.locator('#alerts article.alert-card', { hasText: t('nb', `alert.kind.${kind}`) });

interface WorkspacePage {
  name: string;
  as: Role | 'nobody';
  /** Opens the page; `path` unless the page is the answer to a form. */
  path?: string;
  open?: (page: Page) => Promise<void>;
  /** The page's main actions (besides the header's): each must be on screen and usable at 390 px. */
  actions?: (page: Page) => Locator[];
}

/** A page that answers 404 on purpose: Chromium logs the status of the document as a console error. */
const NOT_FOUND = '/staff/clients/no-such-client';
const unexpected = (problems: string[]) => problems.filter((p) => !p.endsWith(`${NOT_FOUND})`));

const button = (page: Page, name: string) => page.locator('main').getByRole('button', { name }).first();

/** Every workspace page, as the role that uses it; client pages in both states (undecided, decided). */
function workspacePages(): WorkspacePage[] {
  return [
    {
      name: 'sign-in',
      as: 'nobody',
      path: '/staff/login',
      actions: (p) => [button(p, t('nb', 'login.submit'))],
    },
    {
      name: 'set password',
      as: 'nobody',
      path: `/staff/set-password?token=${setPasswordToken}`,
      actions: (p) => [button(p, t('nb', 'set_password.submit'))],
    },
    {
      name: 'dashboard',
      as: 'therapist',
      path: '/staff',
      actions: (p) => [
        p.locator('section[aria-labelledby="open-alerts"] tbody a').first(),
        p.locator('section[aria-labelledby="caseload"] thead a').last(),
        p.locator('section[aria-labelledby="caseload"] tbody a').first(),
      ],
    },
    {
      name: 'dashboard sorted by flags',
      as: 'therapist',
      path: '/staff?sort=flags&dir=desc',
    },
    {
      name: 'alerts',
      as: 'therapist',
      path: '/staff/alerts',
      actions: (p) => [p.locator('main textarea').first(), button(p, t('nb', 'alert.ack'))],
    },
    {
      name: 'client page with an open alert and a proposal',
      as: 'therapist',
      path: clientPath(hostile),
      actions: (p) => [
        p.locator('main nav a').last(),
        p.locator('#alerts textarea').first(),
        button(p, t('nb', 'alert.ack')),
        button(p, t('nb', 'sleep_window.approve')),
        button(p, t('nb', 'sleep_window.reject')),
        button(p, t('nb', 'codes.reissue')),
        button(p, t('nb', 'devices.unlink')),
      ],
    },
    {
      name: 'client page, all decided',
      as: 'therapist',
      path: clientPath(nora),
      actions: (p) => [button(p, t('nb', 'codes.reissue'))],
    },
    {
      name: 'new client',
      as: 'therapist',
      path: '/staff/clients/new',
      actions: (p) => [
        p.locator('#nc-name'),
        p.locator('#nc-course'),
        button(p, t('nb', 'new_client.submit')),
      ],
    },
    {
      name: 'welcome card',
      as: 'therapist',
      async open(page) {
        await page.goto(`${server.url}/staff/clients/new`);
        await page.locator('#nc-name').fill('Vera Velkommen');
        await Promise.all([page.waitForEvent('load'), button(page, t('nb', 'new_client.submit')).click()]);
        await page.locator('.welcome-card').waitFor();
      },
      actions: (p) => [
        button(p, t('nb', 'new_client.print')),
        p.getByRole('link', { name: t('nb', 'new_client.open_client') }),
      ],
    },
    {
      name: 'not found',
      as: 'therapist',
      path: NOT_FOUND,
    },
    {
      name: 'client page as admin',
      as: 'admin',
      path: clientPath(hostile),
      actions: (p) => [p.locator('main select').first(), button(p, t('nb', 'client.assign'))],
    },
    {
      name: 'staff',
      as: 'admin',
      path: '/staff/admin/staff',
      actions: (p) => [
        button(p, t('nb', 'admin.reset_link')),
        button(p, t('nb', 'admin.disable')),
        p.locator('#new-email'),
        button(p, t('nb', 'admin.add_staff_submit')),
      ],
    },
    {
      name: 'assignments',
      as: 'admin',
      path: '/staff/admin/assignments',
      actions: (p) => [p.locator('main tbody a').first(), button(p, t('nb', 'client.assign'))],
    },
    {
      name: 'audit log',
      as: 'admin',
      path: '/staff/admin/audit',
      actions: (p) => [p.locator('#audit-client'), button(p, t('nb', 'audit.filter'))],
    },
  ];
}

/** The header's actions on every page of a signed-in staff member. */
const headerActions = (page: Page): Locator[] => [
  page.locator('header nav a').first(),
  page.locator('header nav a').last(),
  page.locator('header').getByRole('button', { name: 'English' }),
  page.locator('header').getByRole('button', { name: t('nb', 'sign_out') }),
];

/**
 * Opens every workspace page, each in a new tab of its role's browser profile (signed in once), and
 * hands it to `check`; a few tabs at a time, since axe keeps a core busy. Returns the pages' problems.
 */
async function eachPage(check: (spec: WorkspacePage, page: Page) => Promise<void>): Promise<string[]> {
  const [nobody, therapist, admin] = await Promise.all([
    openPage(),
    signedIn('therapist'),
    signedIn('admin'),
  ]);
  const by = { nobody, therapist, admin };
  const queue = workspacePages();
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const { page: first, problems } = by[spec.as];
      const page = watch(await first.context().newPage(), problems);
      await visit(page, spec);
      await check(spec, page);
      await page.close();
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return unexpected([nobody, therapist, admin].flatMap((opened) => opened.problems));
}

async function visit(page: Page, spec: WorkspacePage): Promise<void> {
  if (spec.open) await spec.open(page);
  else await page.goto(`${server.url}${spec.path}`);
  await page.locator('main h1').waitFor();
}

describe.skipIf(!runBrowser)('therapist workspace in a browser', () => {
  it(
    'takes a therapist from sign-in to an acknowledged alert and an approved sleep window (nb, then en)',
    async () => {
      const { page, problems } = await openPage();
      await signIn(page, 'therapist');
      expect(await page.locator('html').getAttribute('lang')).toBe('nb');
      expect(await page.locator('h1').textContent()).toBe(t('nb', 'dashboard.title'));

      // The newest high-priority alert is Nora's item-9 answer, at the top of the open alerts.
      const firstAlert = page.locator('section[aria-labelledby="open-alerts"] tbody tr').first();
      expect(await firstAlert.textContent()).toContain('Nora Nordmann');
      expect(await firstAlert.textContent()).toContain(t('nb', 'alert.kind.phq9_item9'));
      const caseloadRow = page.locator('section[aria-labelledby="caseload"] tbody tr', { hasText: 'Nora' });
      expect(await caseloadRow.textContent()).toContain(t('nb', 'flag.item9'));

      await tabTo(page, firstAlert.getByRole('link', { name: 'Nora Nordmann' }));
      await enterAndWait(page);
      expect(new URL(page.url()).pathname).toBe(clientPath(nora));
      expect(await page.locator('h1').textContent()).toBe('Nora Nordmann');
      expect(await page.title()).toMatch(/Nora Nordmann – selvhjelp$/);

      // The chart: an image with a name, and the same figures in a table beside it.
      const chart = page.locator('#scores').getByRole('img', { name: t('nb', 'chart.title') });
      await chart.scrollIntoViewIfNeeded();
      expect(await chart.isVisible()).toBe(true);
      expect(await chart.evaluate((svg) => svg.tagName.toLowerCase())).toBe('svg');
      const chartTable = page.locator('#scores .chart table');
      expect(await chartTable.isVisible()).toBe(true);
      const chartText = (await shown(chartTable)).replace(/\s+/g, ' ');
      expect(chartText).toMatch(/PHQ-9.*\b11\b/);
      expect(chartText).toMatch(/GAD-7.*\b6\b/);

      // Each questionnaire lists its items; PHQ-9 item 9 (answered 1) is marked.
      const phq9 = page.locator('#scores details', { hasText: 'PHQ-9' }).first();
      expect(await phq9.getAttribute('open')).not.toBeNull();
      expect(await phq9.locator('summary').textContent()).toContain(t('nb', 'flag.item9'));
      const items = phq9.locator('tbody tr');
      expect(await items.count()).toBe(10); // nine items and the difficulty question
      const item9 = items.nth(8);
      expect(await item9.locator('th').textContent()).toContain(t('nb', 'client.item_n', { number: 9 }));
      expect(await item9.locator('th').textContent()).toContain(t('nb', 'client.risk_item'));
      expect(await item9.locator('td').textContent()).toBe('1');
      expect(await item9.getAttribute('class')).toContain('flag-high');
      expect(await items.nth(7).getAttribute('class')).toBeNull();
      const gad7 = page.locator('#scores details', { hasText: 'GAD-7' }).first();
      expect(await gad7.locator('tbody tr').count()).toBe(7);

      // Acknowledge the alert with a note.
      const card = alertCard(page, 'phq9_item9');
      const note = 'Ringte Nora kl. 10; ikke i fare, avtalt samtale i morgen.';
      await card.getByLabel(t('nb', 'alert.note')).fill(note);
      await Promise.all([
        page.waitForEvent('load'),
        card.getByRole('button', { name: t('nb', 'alert.ack') }).click(),
      ]);
      expect(new URL(page.url()).pathname).toBe(clientPath(nora));
      const acknowledged = alertCard(page, 'phq9_item9');
      expect(await acknowledged.getAttribute('class')).toContain('acknowledged');
      const ackText = await shown(acknowledged);
      expect(ackText).toContain(t('nb', 'alert.acknowledged'));
      expect(ackText).toContain('Kari Terapeut');
      expect(ackText).toContain(note);
      expect(await acknowledged.locator('form').count()).toBe(0);
      expect(await page.locator('.notice.error').count()).toBe(0);

      // Approve the sleep window.
      const windows = page.locator('#sleep-windows');
      expect(await shown(windows)).toContain(t('nb', 'sleep_window.awaiting_approval'));
      await Promise.all([
        page.waitForEvent('load'),
        windows.getByRole('button', { name: `${t('nb', 'sleep_window.approve')} 00:30–06:30` }).click(),
      ]);
      expect(new URL(page.url()).hash).toBe('#sleep-windows');
      const decided = await shown(page.locator('#sleep-windows'));
      expect(decided).toContain(t('nb', 'sleep_window.approved'));
      expect(decided).toContain('Kari Terapeut');
      expect(await page.locator('#sleep-windows button').count()).toBe(0);

      // A shorter pass in English: a new crisis message and a new proposal come in.
      await nora.send(CRISIS);
      await proposeSleepWindow(nora.clientId, '00:15', 375);
      clock.advance(MINUTE_MS);
      await Promise.all([
        page.waitForEvent('load'),
        page.locator('header').getByRole('button', { name: 'English' }).click(),
      ]);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.goto(`${server.url}/staff`);
      expect(await page.locator('h1').textContent()).toBe(t('en', 'dashboard.title'));
      const top = page.locator('section[aria-labelledby="open-alerts"] tbody tr').first();
      expect(await top.textContent()).toContain(t('en', 'alert.kind.crisis_text'));
      const link = top.getByRole('link', { name: 'Nora Nordmann' });
      await link.focus();
      await enterAndWait(page);
      expect(
        await page
          .locator('#scores')
          .getByRole('img', { name: t('en', 'chart.title') })
          .isVisible(),
      ).toBe(true);
      expect(await page.locator('#scores .chart table').isVisible()).toBe(true);
      const crisisCard = page.locator('#alerts article.alert-card', {
        hasText: t('en', 'alert.kind.crisis_text'),
      });
      expect(await crisisCard.locator('blockquote').textContent()).toBe(CRISIS);
      await crisisCard.getByLabel(t('en', 'alert.note')).fill('Called; safe, seeing her tomorrow.');
      await Promise.all([
        page.waitForEvent('load'),
        crisisCard.getByRole('button', { name: t('en', 'alert.ack') }).click(),
      ]);
      const crisisDone = page.locator('#alerts article.alert-card', {
        hasText: t('en', 'alert.kind.crisis_text'),
      });
      expect(await shown(crisisDone)).toContain(t('en', 'alert.acknowledged'));
      expect(await shown(crisisDone)).toContain('Called; safe, seeing her tomorrow.');
      await Promise.all([
        page.waitForEvent('load'),
        page
          .locator('#sleep-windows')
          .getByRole('button', { name: `${t('en', 'sleep_window.approve')} 00:15–06:30` })
          .click(),
      ]);
      const newest = page.locator('#sleep-windows li').first();
      expect(await shown(newest)).toContain('00:15–06:30');
      expect(await shown(newest)).toContain(t('en', 'sleep_window.approved'));
      expect(await page.locator('#alerts-title').textContent()).toBe(t('en', 'client.alerts'));

      // And back to Norwegian for the tests after this one.
      await Promise.all([
        page.waitForEvent('load'),
        page.locator('header').getByRole('button', { name: 'Norsk' }).click(),
      ]);
      expect(await page.locator('html').getAttribute('lang')).toBe('nb');
      expect(problems).toEqual([]);
    },
    SLOW,
  );

  it(
    'has no serious or critical axe violation on any page, at 390 and at 1280 px',
    async () => {
      const serious: string[] = [];
      const problems = await eachPage(async (spec, page) => {
        for (const viewport of [PHONE, DESKTOP]) {
          await page.setViewportSize(viewport);
          const { violations } = await new AxeBuilder({ page })
            .withTags(WCAG)
            .options({ resultTypes: ['violations'] }) // passes and the rest in summary only: faster
            .analyze();
          for (const v of violations) {
            if (v.impact !== 'serious' && v.impact !== 'critical') continue;
            const targets = v.nodes.map((n) => n.target.join(' ')).join(' | ');
            serious.push(`${spec.name} @ ${viewport.width}px: ${v.id} (${v.impact}) at ${targets}`);
          }
        }
      });
      expect(serious, serious.join('\n')).toEqual([]);
      expect(problems).toEqual([]);
    },
    SWEEP,
  );

  it(
    'never scrolls sideways at 390 px, and keeps the main actions on screen and usable',
    async () => {
      const wide: string[] = [];
      const unreachable: string[] = [];
      const problems = await eachPage(async (spec, page) => {
        const width = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          widest: [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
        }));
        if (width.scroll > width.inner) {
          wide.push(`${spec.name}: ${width.scroll} > ${width.inner} (${width.widest.join(', ')})`);
        }
        const actions = [
          ...(spec.actions?.(page) ?? []),
          ...(spec.as === 'nobody' ? [] : headerActions(page)),
        ];
        for (const [index, action] of actions.entries()) {
          const what = `${spec.name}, action ${index + 1}`;
          try {
            await action.scrollIntoViewIfNeeded({ timeout: 5_000 });
            const box = await action.boundingBox();
            if (!box || box.x < 0 || box.x + box.width > PHONE.width + 0.5 || box.width < 1) {
              unreachable.push(`${what}: box ${JSON.stringify(box)}`);
              continue;
            }
            // A trial click waits for the element to be visible, stable, enabled and not covered.
            await action.click({ trial: true, timeout: 5_000 });
          } catch (error) {
            unreachable.push(`${what}: ${(error as Error).message.split('\n')[0]}`);
          }
        }
      });
      expect(wide, wide.join('\n')).toEqual([]);
      expect(unreachable, unreachable.join('\n')).toEqual([]);
      expect(problems).toEqual([]);
    },
    SLOW,
  );

  it(
    'puts the skip link first, and every form of a client page submits from the keyboard alone',
    async () => {
      const kim = await person({
        course: 'depression',
        displayName: 'Kim Tastatur',
        therapistId: staff.therapist.id,
      });
      await kim.send(CRISIS);
      await proposeSleepWindow(kim.clientId, '23:30', 420);

      const expectSkipLinkFirst = async (page: Page) => {
        await page.keyboard.press('Tab');
        const skip = page.locator('a.skip');
        expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
        expect(await skip.textContent()).toBe(t('nb', 'skip_to_content'));
        const box = await skip.boundingBox();
        expect(box && box.x >= 0 && box.y >= 0).toBe(true); // visible once focused
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.id === 'main');
        expect(new URL(page.url()).hash).toBe('#main');
      };
      const anonymous = await openPage();
      await anonymous.page.goto(`${server.url}/staff/login`);
      await expectSkipLinkFirst(anonymous.page);

      const { page, problems } = await signedIn('therapist');
      for (const path of ['/staff', '/staff/alerts', clientPath(kim)]) {
        await page.goto(`${server.url}${path}`);
        await expectSkipLinkFirst(page);
      }
      const focused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

      // Acknowledge: type a note, Tab to the button, Enter.
      await page.goto(`${server.url}${clientPath(kim)}`);
      const card = page.locator('#alerts article.alert-card').first();
      await tabTo(page, card.getByLabel(t('nb', 'alert.note')));
      await page.keyboard.type('Snakket med Kim på telefon.');
      await page.keyboard.press('Tab');
      expect(await focused(card.getByRole('button', { name: t('nb', 'alert.ack') }))).toBe(true);
      await enterAndWait(page);
      const acknowledged = await shown(page.locator('#alerts article.alert-card').first());
      expect(acknowledged).toContain('Snakket med Kim på telefon.');
      expect(acknowledged).toContain('Kari Terapeut');

      // Approve one proposal, reject the next.
      await tabTo(page, button(page, t('nb', 'sleep_window.approve')));
      await enterAndWait(page);
      expect(await shown(page.locator('#sleep-windows li').first())).toContain(
        t('nb', 'sleep_window.approved'),
      );
      await proposeSleepWindow(kim.clientId, '23:45', 405);
      await page.reload();
      await tabTo(page, button(page, t('nb', 'sleep_window.reject')));
      await enterAndWait(page);
      expect(await shown(page.locator('#sleep-windows li').first())).toContain(
        t('nb', 'sleep_window.rejected'),
      );

      // A new access code, shown once; then revoke it.
      await tabTo(page, button(page, t('nb', 'codes.reissue')));
      await enterAndWait(page);
      expect(await page.locator('main .notice.success code.secret').textContent()).toMatch(/^\S{3} \S+$/);
      await tabTo(page, button(page, t('nb', 'codes.revoke')));
      await enterAndWait(page);
      expect(await page.locator('main .notice.success').textContent()).toContain(t('nb', 'codes.revoked'));

      // Unlink the device.
      await tabTo(page, button(page, t('nb', 'devices.unlink')));
      await enterAndWait(page);
      expect(await page.locator('main .notice.success').textContent()).toContain(t('nb', 'devices.unlinked'));
      expect(await shown(page.locator('#devices'))).toContain(t('nb', 'devices.none'));

      // The header's forms: the language and back, then signing out.
      await page.goto(`${server.url}${clientPath(kim)}`);
      await tabTo(page, page.locator('header').getByRole('button', { name: 'English' }));
      await enterAndWait(page);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      // The switch comes back to the page it was pressed on.
      expect(new URL(page.url()).pathname).toBe(clientPath(kim));
      await tabTo(page, page.locator('header').getByRole('button', { name: 'Norsk' }));
      await enterAndWait(page);
      expect(await page.locator('html').getAttribute('lang')).toBe('nb');
      await page.goto(`${server.url}${clientPath(kim)}`);
      await tabTo(page, page.locator('header').getByRole('button', { name: t('nb', 'sign_out') }));
      await enterAndWait(page);
      expect(new URL(page.url()).pathname).toBe('/staff/login');

      // An admin's extra form: the responsible therapist, chosen with the keyboard.
      const admin = await signedIn('admin');
      await admin.page.goto(`${server.url}${clientPath(kim)}`);
      const select = admin.page.locator(`#assign-${kim.clientId}`);
      await tabTo(admin.page, select);
      await admin.page.keyboard.type('Ada');
      expect(await select.inputValue()).toBe(staff.admin.id);
      await admin.page.keyboard.press('Tab');
      expect(await focused(button(admin.page, t('nb', 'client.assign')))).toBe(true);
      await enterAndWait(admin.page);
      expect(new URL(admin.page.url()).pathname).toBe(clientPath(kim));
      expect(await admin.page.locator(`#assign-${kim.clientId}`).inputValue()).toBe(staff.admin.id);

      expect(problems).toEqual([]);
      expect(anonymous.problems).toEqual([]);
      expect(admin.problems).toEqual([]);
    },
    SLOW,
  );

  it(
    'shows what a client wrote as text on every page and runs none of it; the alert count stays live',
    async () => {
      const therapist = await signedIn('therapist');
      const admin = await signedIn('admin');
      const expectLiteral = async (page: Page, where: string) => {
        const text = await shown(main(page));
        for (const payload of PAYLOADS) expect(text, `${where} shows ${payload}`).toContain(payload);
        const injected = await page.evaluate(
          () =>
            document.querySelectorAll(
              'main script, main img, main iframe, main object, main embed, [onerror], [onload], [href^="javascript:" i]',
            ).length,
        );
        expect(injected, `${where}: elements from a client's text`).toBe(0);
      };

      const { page } = therapist;
      await page.goto(`${server.url}/staff`);
      const openAlerts = page.locator('section[aria-labelledby="open-alerts"]');
      expect(await openAlerts.getByRole('link', { name: HOSTILE.name, exact: true }).isVisible()).toBe(true);
      expect(await openAlerts.locator('td.client-text', { hasText: CRISIS }).textContent()).toBe(
        HOSTILE.message,
      );
      const caseload = page.locator('section[aria-labelledby="caseload"]');
      expect(await caseload.getByRole('link', { name: HOSTILE.name, exact: true }).isVisible()).toBe(true);
      await expectLiteral(page, 'dashboard');

      await page.goto(`${server.url}/staff/alerts`);
      const card = page.locator('article.alert-card', { hasText: HOSTILE.message });
      expect(await card.getByRole('link', { name: HOSTILE.name, exact: true }).isVisible()).toBe(true);
      expect(await card.locator('blockquote').textContent()).toBe(HOSTILE.message);
      await expectLiteral(page, 'alerts');

      await page.goto(`${server.url}${clientPath(hostile)}`);
      expect(await page.locator('h1').textContent()).toBe(HOSTILE.name);
      expect(await page.title()).toContain(`${HOSTILE.name} – selvhjelp`);
      expect(await page.locator('#alerts blockquote').first().textContent()).toBe(HOSTILE.message);
      const homework = await shown(page.locator('#homework'));
      for (const activity of HOSTILE.activities) expect(homework).toContain(activity);
      const transcript = page.locator('#transcript li.in .client-text');
      const written = await transcript.allTextContents();
      expect(written).toContain(HOSTILE.message);
      for (const activity of HOSTILE.activities) expect(written).toContain(activity);
      await expectLiteral(page, 'client page');

      await admin.page.goto(`${server.url}/staff/admin/assignments`);
      expect(await admin.page.getByRole('link', { name: HOSTILE.name, exact: true }).isVisible()).toBe(true);
      await expectLiteral(admin.page, 'assignments');
      await admin.page.goto(`${server.url}/staff`);
      await expectLiteral(admin.page, 'dashboard (admin)');

      // The open-alert count follows a new alert without a reload (the page asks every 15 s).
      await page.clock.install();
      await page.goto(`${server.url}/staff`);
      const badge = page.locator('header [data-live-alerts]');
      const before = Number(await badge.getAttribute('data-live-alerts'));
      expect(before).toBeGreaterThan(0);
      const title = (n: number) => `(${n}) ${t('nb', 'dashboard.title')} – selvhjelp`;
      expect(await page.title()).toBe(title(before));
      const late = await person({
        course: 'depression',
        displayName: 'Lise Sen',
        therapistId: staff.therapist.id,
      });
      await late.send(CRISIS);
      await page.clock.runFor(15_000);
      await expect.poll(() => page.title()).toBe(title(before + 1));
      expect(await badge.locator('.count').textContent()).toBe(String(before + 1));
      expect(await badge.isVisible()).toBe(true);
      expect(await page.locator('body > [role="status"]').textContent()).toContain(String(before + 1));
      await page.reload();
      expect(await page.title()).toBe(title(before + 1));
      expect(await openAlerts.getByRole('link', { name: 'Lise Sen' }).count()).toBe(1);

      expect(therapist.problems).toEqual([]);
      expect(admin.problems).toEqual([]);
    },
    SLOW,
  );
});
