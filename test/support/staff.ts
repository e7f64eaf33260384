import { createStaff, issueApiToken } from '../../src/service/staff.ts';
import type { AuditEntry } from '../../src/storage/audit.ts';
import type { startTestServer } from './harness.ts';

export type Server = Awaited<ReturnType<typeof startTestServer>>;

export const PASSWORD = 'a long enough passphrase';

/** Adds a staff member with a password (about 0.35 s of hashing: do it once per file). */
export async function addStaff(
  server: Server,
  input: { email: string; name: string; role: 'admin' | 'therapist' },
): Promise<string> {
  const created = await createStaff(server.deps, { ...input, password: PASSWORD });
  if (!created.ok) throw new Error(`staff ${input.email} not created: ${created.error}`);
  return created.staff.id;
}

export async function apiToken(server: Server, email: string): Promise<string> {
  const issued = await issueApiToken(server.deps, email);
  if (!issued.ok) throw new Error(`no token for ${email}: ${issued.error}`);
  return issued.token;
}

/** A browser-like client: keeps the session cookie, sends same-origin form posts, follows nothing. */
export function browser(server: Server) {
  let cookie: string | undefined;
  const request = async (path: string, init: RequestInit & { form?: Record<string, string> } = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('Cookie', cookie);
    let body = init.body;
    if (init.form) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
      if (!headers.has('Origin')) headers.set('Origin', server.url);
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      method: init.form ? 'POST' : (init.method ?? 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      const [pair] = set.split(';');
      cookie = pair!.endsWith('=') ? undefined : pair;
    }
    return res;
  };
  return {
    request,
    get cookie() {
      return cookie;
    },
    /** Puts a cookie back (an old session, to show it no longer works). */
    set cookie(value: string | undefined) {
      cookie = value;
    },
    /** Posts the sign-in form and answers what the server said, whatever it was. */
    attemptSignIn: (email: string, password = PASSWORD) =>
      request('/staff/login', { form: { email, password } }),
    async signIn(email: string, password = PASSWORD) {
      const res = await request('/staff/login', { form: { email, password } });
      if (res.status !== 303) throw new Error(`${email} could not sign in: ${res.status}`);
      return res;
    },
  };
}

/** A client in the web chat: starts a conversation and sends texts, as the chat page does. */
export function webChat(server: Server, locale: 'nb' | 'en' = 'en') {
  let conversationId: string | undefined;
  const post = async (body: Record<string, string>) => {
    const res = await fetch(`${server.url}/channels/web/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...body, ...(conversationId ? { conversationId } : { locale }) }),
    });
    if (res.status !== 200) throw new Error(`web chat answered ${res.status}: ${await res.text()}`);
    const answer = (await res.json()) as { conversationId: string; replies: { text: string }[] };
    conversationId = answer.conversationId;
    return answer.replies.map((r) => r.text);
  };
  return {
    start: () => post({}),
    say: (text: string) => post({ text }),
    get conversationId() {
      return conversationId;
    },
  };
}

/** The audit log's rows after sequence number `after`, oldest first. */
export async function auditAfter(server: Server, after: number): Promise<AuditEntry[]> {
  const rows = await server.deps.db.read(
    async (q) =>
      (await q.execute({ sql: 'SELECT * FROM audit_log WHERE seq > ? ORDER BY seq', args: [after] })).rows,
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: String(row.at),
    staffId: row.staff_id === null ? undefined : String(row.staff_id),
    staffEmail: String(row.staff_email),
    via: String(row.via) as AuditEntry['via'],
    clientId: row.client_id === null ? undefined : String(row.client_id),
    action: String(row.action),
    detail: row.detail === null ? undefined : String(row.detail),
  }));
}

/** The newest audit sequence number (0 on an empty log). */
export async function lastAuditSeq(server: Server): Promise<number> {
  const row = await server.deps.db.read(
    async (q) => (await q.execute('SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_log')).rows[0],
  );
  return Number(row?.seq ?? 0);
}
