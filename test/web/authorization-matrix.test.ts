import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reissueAccessCode } from '../../src/service/access-codes.ts';
import { createClient } from '../../src/service/clients.ts';
import { disableStaff } from '../../src/service/staff.ts';
import { findAlert, insertAlert } from '../../src/storage/alerts.ts';
import { insertProposal } from '../../src/storage/sleep-windows.ts';
import { workspaceRoutes } from '../../src/web/app.tsx';
import { FakeClock, startTestServer } from '../support/harness.ts';
import {
  addStaff,
  apiToken,
  auditAfter,
  browser,
  lastAuditSeq,
  type Server,
  webChat,
} from '../support/staff.ts';

/*
 * Every staff route and API operation × every kind of caller, on one data set: client A1 (therapist A),
 * B1 (therapist B), U (nobody's), an alert on each, and an alert of a conversation linked to nobody (X).
 *
 * The rules (src/service/staff-actor.ts): a therapist reads their own clients, and the alerts of their
 * own clients, of nobody's clients and of unlinked conversations; an admin reads everything. Anything
 * else answers 404 — the same answer as an id that does not exist — and a caller without a live
 * credential gets 401 (API) or the sign-in page (pages). Every answer is searched for data its caller
 * may not see; every allowed request must leave exactly the audit rows listed, a refused one none.
 *
 * A new route is one line in `routes`; the last test fails while a route of the app has no line.
 */

type StaffKey = 'A' | 'B' | 'admin';
type SubjectKey = 'A1' | 'B1' | 'U' | 'X';

interface Actor {
  /** Whom the request acts as, while its credential is alive; none for a dead or missing one. */
  as?: StaffKey;
  credential: 'none' | 'cookie' | 'bearer';
}

const actors = {
  anonymous: { credential: 'none' },
  'therapist A': { as: 'A', credential: 'cookie' },
  'therapist B': { as: 'B', credential: 'cookie' },
  admin: { as: 'admin', credential: 'cookie' },
  'disabled account (session)': { credential: 'cookie' },
  'disabled account (token)': { credential: 'bearer' },
  'expired session': { credential: 'cookie' },
  'bearer token of A': { as: 'A', credential: 'bearer' },
  'revoked bearer token': { credential: 'bearer' },
} as const satisfies Record<string, Actor>;
type ActorName = keyof typeof actors;

/** The people in the data set: who is responsible for whom decides the expected answers. */
const people: { key: SubjectKey; name?: string; marker: string; therapist?: 'A' | 'B' }[] = [
  { key: 'A1', name: 'Alma Aasen', marker: 'kiwifruit', therapist: 'A' },
  { key: 'B1', name: 'Bernt Berg', marker: 'mangosteen', therapist: 'B' },
  { key: 'U', name: 'Una Udal', marker: 'papayawhip' },
  { key: 'X', marker: 'quincejam' }, // a conversation in which nobody typed an access code
];

interface Subject {
  key: SubjectKey;
  name?: string;
  /** A word only in what this person wrote: their alert and their transcript. */
  marker: string;
  therapist?: 'A' | 'B';
  clientId?: string;
  alertId?: string;
}

interface Data {
  staff: Record<StaffKey, string>;
  subjects: Record<SubjectKey, Subject>;
  locale: string;
  unique(): string;
}

interface AuditRow {
  action: string;
  /** The client in the path, a client the request made, or none. */
  client?: 'target' | 'new';
}

interface Route {
  method: 'GET' | 'POST';
  /**
   * `:client` makes one case per client (A1, B1, U), as do `:device` and `:window` (one of that client's,
   * made for each request); `:alert` one per alert (A1, B1, U, X: a copy made for each request, so that
   * acknowledging it is repeatable).
   */
  path: string;
  /** The status when the caller may. */
  ok: number;
  adminOnly?: true;
  /** The form (pages) or JSON (API) to send. */
  body?: (d: Data, target: Subject | undefined) => Record<string, string | number>;
  /** The audit rows an allowed request leaves, in order; none when left out. */
  audit?: AuditRow[];
  /** What an allowed answer must show: the target's name or words, or every alert or client the caller may see. */
  shows?: ('name' | 'words' | 'alerts' | 'caseload')[];
  /** No credential needed (no client data in it). */
  public?: true;
  /** Polled by the page's script: without a live session it answers 401, like the API, not the sign-in page. */
  poll?: true;
}

const row = (action: string, client?: AuditRow['client']): AuditRow => ({ action, client });
const sameTherapist = (d: Data, t: Subject | undefined) => ({
  therapistId: t?.therapist ? d.staff[t.therapist] : '',
});

// biome-ignore format: one route a line
const routes: Route[] = [
  { method: 'GET', path: '/staff', ok: 200, audit: [row('dashboard.view')], shows: ['alerts', 'caseload'] },
  { method: 'GET', path: '/staff/alerts', ok: 200, audit: [row('alerts.list')], shows: ['alerts'] },
  { method: 'GET', path: '/staff/alerts/count', ok: 200, poll: true },
  { method: 'POST', path: '/staff/alerts/:alert/ack', ok: 303, body: () => ({ note: 'Called.' }), audit: [row('alert.ack', 'target')] },
  { method: 'GET', path: '/staff/clients/:client', ok: 200, audit: [row('client.view', 'target')], shows: ['name', 'words'] },
  { method: 'POST', path: '/staff/clients/:client/access-code', ok: 200, body: () => ({ action: 'reissue' }), audit: [row('client.access_code', 'target'), row('client.view', 'target')], shows: ['name'] },
  { method: 'POST', path: '/staff/clients/:client/devices/:device/unlink', ok: 200, audit: [row('client.unlink_device', 'target'), row('client.view', 'target')], shows: ['name'] },
  { method: 'POST', path: '/staff/clients/:client/contract', ok: 303, body: () => ({ action: 'draft' }), audit: [row('contract.draft', 'target')] },
  { method: 'POST', path: '/staff/clients/:client/therapist', ok: 303, adminOnly: true, body: sameTherapist, audit: [row('client.assign', 'target')] },
  { method: 'GET', path: '/staff/clients/new', ok: 200 },
  { method: 'POST', path: '/staff/clients/new', ok: 200, body: (d) => ({ displayName: d.unique(), course: 'intro', locale: 'en' }), audit: [row('client.create', 'new')] },
  { method: 'POST', path: '/staff/sleep-windows/:window/approve', ok: 303, audit: [row('sleep_window.approved', 'target')] },
  { method: 'POST', path: '/staff/sleep-windows/:window/reject', ok: 303, audit: [row('sleep_window.rejected', 'target')] },
  { method: 'POST', path: '/staff/language', ok: 303, body: (d) => ({ locale: d.locale }) },
  { method: 'GET', path: '/staff/admin/staff', ok: 200, adminOnly: true },
  { method: 'POST', path: '/staff/admin/staff', ok: 200, adminOnly: true, body: (d) => ({ name: 'Nora Ny', email: `${d.unique()}@clinic.no`, role: 'therapist' }) },
  { method: 'POST', path: '/staff/admin/staff/reset', ok: 200, adminOnly: true, body: () => ({ email: 'spare@clinic.no' }) },
  { method: 'POST', path: '/staff/admin/staff/disable', ok: 303, adminOnly: true, body: () => ({ email: 'leaver@clinic.no' }) },
  { method: 'GET', path: '/staff/admin/assignments', ok: 200, adminOnly: true, audit: [row('assignments.list')], shows: ['caseload'] },
  { method: 'GET', path: '/staff/admin/audit', ok: 200, adminOnly: true },
  { method: 'GET', path: '/api/staff/v1/clients', ok: 200, audit: [row('dashboard.view')], shows: ['caseload'] },
  { method: 'POST', path: '/api/staff/v1/clients', ok: 201, body: (d) => ({ displayName: d.unique() }), audit: [row('client.create', 'new')] },
  { method: 'GET', path: '/api/staff/v1/clients/:client', ok: 200, audit: [row('client.view', 'target')], shows: ['name', 'words'] },
  { method: 'GET', path: '/api/staff/v1/clients/:client/transcript', ok: 200, audit: [row('client.transcript', 'target')], shows: ['words'] },
  { method: 'POST', path: '/api/staff/v1/clients/:client/access-code', ok: 200, body: () => ({ action: 'reissue' }), audit: [row('client.access_code', 'target')] },
  { method: 'POST', path: '/api/staff/v1/clients/:client/contract', ok: 200, body: () => ({ action: 'draft' }), audit: [row('contract.draft', 'target')] },
  { method: 'GET', path: '/api/staff/v1/clients/:client/contract', ok: 200, audit: [row('contract.view', 'target')] },
  { method: 'GET', path: '/api/staff/v1/alerts', ok: 200, audit: [row('alerts.list')], shows: ['alerts'] },
  { method: 'POST', path: '/api/staff/v1/alerts/:alert/ack', ok: 200, body: () => ({ note: 'Called.' }), audit: [row('alert.ack', 'target')] },
  { method: 'GET', path: '/staff/clients/:client/review', ok: 200, audit: [row('client.review', 'target')], shows: ['name', 'words'] },
  { method: 'POST', path: '/staff/clients/:client/contacts', ok: 303, body: () => ({ action: 'add', date: '2026-12-01', time: '10:00', minutes: '20', mode: 'phone' }), audit: [row('contact.add', 'target')] },
  { method: 'GET', path: '/api/staff/v1/clients/:client/contacts', ok: 200, audit: [row('client.contacts', 'target')] },
  { method: 'POST', path: '/api/staff/v1/clients/:client/contacts', ok: 200, body: () => ({ action: 'add', date: '2026-12-01', time: '10:00', minutes: 20, mode: 'phone' }), audit: [row('contact.add', 'target')] },
  { method: 'GET', path: '/api/staff/v1/clients/:client/review', ok: 200, audit: [row('client.review', 'target')], shows: ['name', 'words'] },
  { method: 'POST', path: '/staff/clients/:client/messages', ok: 303, body: () => ({ text: 'Hei fra veilederen.' }), audit: [row('message.send', 'target')] },
  { method: 'GET', path: '/api/staff/v1/clients/:client/messages', ok: 200, audit: [row('message.list', 'target')] },
  { method: 'POST', path: '/api/staff/v1/clients/:client/messages', ok: 200, body: () => ({ text: 'Hei fra veilederen.' }), audit: [row('message.send', 'target')] },
  { method: 'GET', path: '/api/staff/v1/openapi.json', ok: 200, public: true },
];

/** Routes anyone may use by design: signing in and out, setting a password, the assets. */
const OPEN_ROUTES = [
  'GET /staff/login',
  'POST /staff/login',
  'POST /staff/logout',
  'GET /staff/set-password',
  'POST /staff/set-password',
  'GET /staff/assets/workspace.css',
  'GET /staff/assets/workspace.js',
];

interface Case extends Route {
  name: string;
  target?: SubjectKey;
}

const PLACEHOLDER = /:(client|alert|device|window)\b/g;
const aboutAlert = (c: Route) => c.path.includes(':alert');

const cases: Case[] = routes.flatMap((route): Case[] => {
  const targets: SubjectKey[] = aboutAlert(route)
    ? ['A1', 'B1', 'U', 'X']
    : route.path.match(PLACEHOLDER)
      ? ['A1', 'B1', 'U']
      : [];
  if (targets.length === 0) return [{ ...route, name: `${route.method} ${route.path}` }];
  return targets.map((target) => ({
    ...route,
    target,
    name: `${route.method} ${route.path.replace(PLACEHOLDER, (_, kind) => `{${kind} of ${target}}`)}`,
  }));
});

const isApi = (c: Route) => c.path.startsWith('/api/');
const ownerOf = (key: SubjectKey) => people.find((p) => p.key === key)?.therapist;

/** Whether a signed-in staff member may do what the case does. */
function permits(who: StaffKey, c: Case): boolean {
  if (who === 'admin') return true;
  if (c.adminOnly) return false;
  if (!c.target) return true;
  const therapist = ownerOf(c.target);
  return aboutAlert(c) ? therapist === undefined || therapist === who : therapist === who;
}

/** What the caller should get: the route's status, 404, 401 (API) or the sign-in page. */
function expectation(actor: Actor, c: Case): 'ok' | '404' | '401' | 'sign-in' {
  if (c.public) return 'ok';
  const refused = isApi(c) || c.poll ? '401' : 'sign-in';
  if (actor.as === undefined) return refused;
  // A personal API token opens the JSON API, never the pages.
  if (actor.credential === 'bearer' && !isApi(c)) return refused;
  return permits(actor.as, c) ? 'ok' : '404';
}

let server: Server;
const clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
let counter = 0;
const data: Data = {
  staff: {} as Data['staff'],
  subjects: {} as Data['subjects'],
  locale: 'nb',
  unique: () => `matrix${++counter}`,
};
const credentials = {} as Record<ActorName, { cookie?: string; bearer?: string }>;

beforeAll(async () => {
  server = await startTestServer({ WEB_START_LIMIT: '1000' }, { clock: clock.read });
  data.locale = server.deps.defaults.locale;
  data.staff.A = await addStaff(server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  data.staff.B = await addStaff(server, { email: 'bo@clinic.no', name: 'Bo', role: 'therapist' });
  data.staff.admin = await addStaff(server, { email: 'ada@clinic.no', name: 'Ada', role: 'admin' });
  await addStaff(server, { email: 'dina@clinic.no', name: 'Dina', role: 'therapist' });
  for (const email of ['spare@clinic.no', 'leaver@clinic.no']) {
    await addStaff(server, { email, name: email, role: 'therapist' });
  }

  // A session of A's left idle past 30 minutes; every other credential is made after it.
  const idle = browser(server);
  await idle.signIn('tina@clinic.no');
  clock.advance(31 * 60_000);
  credentials['expired session'] = { cookie: idle.cookie };

  const session = async (email: string) => {
    const b = browser(server);
    await b.signIn(email);
    return { cookie: b.cookie };
  };
  credentials.anonymous = {};
  credentials['therapist A'] = await session('tina@clinic.no');
  credentials['therapist B'] = await session('bo@clinic.no');
  credentials.admin = await session('ada@clinic.no');
  credentials['disabled account (session)'] = await session('dina@clinic.no');
  credentials['disabled account (token)'] = { bearer: await apiToken(server, 'dina@clinic.no') };
  await disableStaff(server.deps, 'dina@clinic.no');
  credentials['revoked bearer token'] = { bearer: await apiToken(server, 'tina@clinic.no') };
  // A new token replaces the one before, which stops working.
  credentials['bearer token of A'] = { bearer: await apiToken(server, 'tina@clinic.no') };

  for (const person of people) {
    const chat = webChat(server, 'en');
    await chat.start();
    let clientId: string | undefined;
    if (person.name) {
      const created = await createClient(server.deps, {
        displayName: person.name,
        locale: 'en',
        therapistId: person.therapist && data.staff[person.therapist],
      });
      if (!created.ok) throw new Error(`client ${person.key} not created`);
      clientId = created.clientId;
      await chat.say(created.accessCode);
    }
    await chat.say(`i want to end my life tonight, ${person.marker}`);
    const alertId = await server.deps.db.read(async (q) => {
      const { rows } = await q.execute({
        sql: 'SELECT id, client_id FROM alerts WHERE trigger_text LIKE ?',
        args: [`%${person.marker}%`],
      });
      if (rows.length !== 1 || (rows[0]!.client_id ?? undefined) !== clientId)
        throw new Error(`${person.key}: no alert`);
      return String(rows[0]!.id);
    });
    data.subjects[person.key] = { ...person, clientId, alertId };
  }
});

afterAll(() => server.close());

/** What each placeholder stands for in one request: made anew where the request uses it up. */
const make = {
  client: async (s: Subject) => s.clientId!,
  /** A new open alert like the subject's: same client, same words. */
  alert: async (s: Subject) => {
    const id = randomUUID();
    await server.deps.db.write(async (tx) => {
      const alert = await findAlert(tx, s.alertId!);
      if (!alert) throw new Error(`no alert ${s.alertId}`);
      await insertAlert(tx, { ...alert, id, safetyStep: undefined, createdAt: clock.now.toISOString() });
    });
    return id;
  },
  /** A new web chat linked to the client with a new code. */
  device: async (s: Subject) => {
    const code = await reissueAccessCode(server.deps, s.clientId!);
    if (!code.ok) throw new Error(`no code for ${s.key}`);
    const chat = webChat(server, 'en');
    await chat.start();
    await chat.say(code.code);
    return server.deps.db.read(async (q) =>
      String(
        (
          await q.execute({
            sql: "SELECT id FROM channel_addresses WHERE channel = 'web' AND address = ? AND client_id = ?",
            args: [chat.conversationId!, s.clientId!],
          })
        ).rows[0]?.id,
      ),
    );
  },
  /** A new sleep-window proposal awaiting the therapist. */
  window: async (s: Subject) => {
    const id = randomUUID();
    await server.deps.db.write((tx) =>
      insertProposal(tx, {
        id,
        clientId: s.clientId!,
        bedTime: '23:30',
        riseTime: '06:00',
        minutes: 390,
        proposal: { week: 2, reason: 'se_high' },
        createdAt: clock.now.toISOString(),
      }),
    );
    return id;
  },
} satisfies Record<string, (s: Subject) => Promise<string>>;

async function fill(c: Case, subject: Subject | undefined): Promise<string> {
  let path = c.path;
  for (const [, kind] of c.path.matchAll(PLACEHOLDER)) {
    path = path.replace(`:${kind}`, await make[kind as keyof typeof make](subject!));
  }
  return path;
}

const nowhere = (c: Case) => c.path.replace(PLACEHOLDER, 'no-such-id');

async function send(actor: ActorName, c: Case, path: string, target: Subject | undefined) {
  const { cookie, bearer } = credentials[actor];
  const headers = new Headers();
  if (cookie) headers.set('Cookie', cookie);
  if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
  let body: string | undefined;
  if (c.method === 'POST') {
    // As the workspace's own page sends it (same origin), or a script with a token (no Origin).
    if (actors[actor].credential !== 'bearer') headers.set('Origin', server.url);
    const fields = c.body?.(data, target) ?? {};
    headers.set('Content-Type', isApi(c) ? 'application/json' : 'application/x-www-form-urlencoded');
    body = isApi(c)
      ? JSON.stringify(fields)
      : new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
  }
  const res = await fetch(`${server.url}${path}`, { method: c.method, headers, body, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** A subject's data as it would show in a body: name, words, ids (but an id the request itself named). */
const traces = (subject: Subject, path: string) =>
  [subject.name, subject.marker, subject.clientId, subject.alertId].filter(
    (s): s is string => s !== undefined && !path.includes(s),
  );

function expectNothingOf(subjects: Subject[], text: string, path: string, where: string) {
  for (const subject of subjects) {
    for (const trace of traces(subject, path)) {
      expect(text.includes(trace), `${where} leaks ${subject.key}: "${trace}"`).toBe(false);
    }
  }
}

describe('authorisation matrix', () => {
  for (const c of cases) {
    describe(c.name, () => {
      for (const [name, actor] of Object.entries(actors) as [ActorName, Actor][]) {
        const expected = expectation(actor, c);

        it(`${name} → ${expected === 'ok' ? c.ok : expected}`, async () => {
          const who = actor.as;
          const target = c.target ? data.subjects[c.target] : undefined;
          const path = await fill(c, target);
          const where = `${name} ${c.method} ${path}`;
          const before = await lastAuditSeq(server);
          const res = await send(name, c, path, target);
          const rows = await auditAfter(server, before);

          if (expected === '401') {
            expect(res.status, where).toBe(401);
            expect(JSON.parse(res.text), where).toEqual({
              error: { code: 'unauthorized', message: expect.any(String) },
            });
          } else if (expected === 'sign-in') {
            expect(res.status, where).toBe(303);
            expect(res.location, where).toMatch(/^\/staff\/login(\?|$)/);
          } else {
            expect(res.status, `${where}: ${res.text.slice(0, 200)}`).toBe(expected === 'ok' ? c.ok : 404);
          }

          // No leaks: nothing of anyone without a live credential, nothing of another therapist's
          // clients to a therapist, nothing of the target in a refusal.
          const hidden = Object.values(data.subjects).filter((s) =>
            who === undefined
              ? !c.public
              : who !== 'admin' && s.therapist !== undefined && s.therapist !== who,
          );
          expectNothingOf(hidden, res.text, path, where);

          if (expected === '404' && target) {
            expectNothingOf([target], res.text, path, where);
            // The refusal is the answer for ids that do not exist: there is nothing to probe.
            const missing = await send(name, c, nowhere(c), target);
            expect(missing.status, where).toBe(404);
            expect(missing.text.replaceAll(nowhere(c), path), where).toBe(res.text);
          }

          if (expected !== 'ok' || who === undefined) {
            expect(rows, `${where}: a refused request reads nothing`).toEqual([]);
            return;
          }
          for (const what of c.shows ?? []) {
            if (what === 'name') expect(res.text, where).toContain(target!.name);
            else if (what === 'words') expect(res.text, where).toContain(target!.marker);
            else {
              for (const s of Object.values(data.subjects)) {
                const sees =
                  what === 'alerts'
                    ? who === 'admin' || s.therapist === undefined || s.therapist === who
                    : s.clientId !== undefined && (who === 'admin' || s.therapist === who);
                const shown = what === 'alerts' ? s.marker : s.name!;
                if (sees) expect(res.text, `${where}: ${what} without ${s.key}`).toContain(shown);
              }
            }
          }
          const via = isApi(c) ? 'api' : 'page';
          expect(
            rows.map((r) => ({ action: r.action, staffId: r.staffId, via: r.via })),
            `${where}: audit rows`,
          ).toEqual((c.audit ?? []).map((a) => ({ action: a.action, staffId: data.staff[who], via })));
          (c.audit ?? []).forEach((a, i) => {
            const clientId = rows[i]!.clientId;
            if (a.client === 'target') expect(clientId, where).toBe(target!.clientId);
            else if (a.client === 'new') {
              expect(clientId, where).toBeDefined();
              expect(
                Object.values(data.subjects).map((s) => s.clientId),
                where,
              ).not.toContain(clientId);
            } else expect(clientId, where).toBeUndefined();
          });
        });
      }
    });
  }

  it('has a line for every route the workspace serves', () => {
    // A served path as a pattern (`:id`, `:id{regex}`): some line of the matrix must fall under it.
    const pattern = (path: string) =>
      new RegExp(
        `^${path.replace(/:\w+(?:\{([^}]*)\})?|[^:]+/g, (part, re?: string) =>
          part.startsWith(':') ? `(?:${re ?? '[^/]+'})` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )}$`,
      );
    const listed = [
      ...routes.map((r) => `${r.method} ${r.path.replace(PLACEHOLDER, 'some-id')}`),
      ...OPEN_ROUTES,
    ];
    const unlisted = workspaceRoutes(server.deps)
      .routes.filter((r) => r.method !== 'ALL')
      .filter((r) => {
        const served = pattern(r.path);
        return !listed.some((line) => {
          const [method, path] = line.split(' ') as [string, string];
          return method === r.method && served.test(path);
        });
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(unlisted, 'routes with no line in the matrix').toEqual([]);
  });
});

describe('links to a client page', () => {
  it('are offered only where the caller may open the page: a therapist is sent to the alert of a client nobody is responsible for', async () => {
    const unassigned = data.subjects.U!;
    const own = data.subjects.A1!;
    const page = async (actor: ActorName, path: string) =>
      (await send(actor, { method: 'GET', path, ok: 200 } as Case, path, undefined)).text;
    for (const path of ['/staff', '/staff/alerts']) {
      const seen = await page('therapist A', path);
      // The alert of nobody's client is there, with the client's name, but never a link to its page.
      expect(seen, path).toContain(unassigned.name!);
      expect(seen, path).not.toContain(`href="/staff/clients/${unassigned.clientId}`);
      expect(seen, path).toContain(`href="/staff/clients/${own.clientId}`);
      expect(await page('admin', path), path).toContain(`href="/staff/clients/${unassigned.clientId}`);
    }
    expect(await page('therapist A', '/staff')).toContain(`href="/staff/alerts#alert-${unassigned.alertId}"`);
  });
});
