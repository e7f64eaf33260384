import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { ServiceDeps } from '../service/deps.ts';
import {
  actorOf,
  authenticateApiToken,
  authenticateSession,
  checkSetPasswordLink,
  SESSION_ABSOLUTE_MS,
  setPasswordWithLink,
  signIn,
  signOut,
} from '../service/staff.ts';
import type { StaffActor } from '../service/staff-actor.ts';
import type { WorkspaceEnv, WorkspaceOptions } from './context.ts';
import { translator } from './context.ts';
import { Notice, Page } from './layout.tsx';

export const SESSION_COOKIE = 'selvhjelp_staff';

/**
 * The one seam for signing staff in. Local passwords are the method now; an OIDC provider (HelseID)
 * becomes a second implementation whose routes run the provider's flow and end in `startSession` — the
 * pages, the API and the session cookie do not change.
 */
export interface StaffAuth {
  /** Mounts the sign-in and sign-out routes (GET/POST /staff/login, POST /staff/logout, …). */
  mount(app: Hono<WorkspaceEnv>): void;
  /**
   * The signed-in staff member of a request (session cookie or bearer token), or undefined. A request
   * that is not `activity` (background polling by the page's script) must not keep an idle session alive.
   */
  identify(
    c: Context,
    options?: { activity: boolean },
  ): Promise<{ actor: StaffActor; session?: string } | undefined>;
}

const secureRequest = (c: Context) => new URL(c.req.url).protocol === 'https:';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure on https, for at most the session's life. */
export function startSession(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureRequest(c),
    path: '/',
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
}

/** Where to go after signing in: only a path inside the workspace (never another site). */
export function safeNext(next: string | undefined): string {
  return next && /^\/staff(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&_%.-]*)?$/.test(next) && !next.startsWith('//')
    ? next
    : '/staff';
}

const loginForm = z.object({
  email: z.string().trim().max(320),
  password: z.string().max(4096),
  next: z.string().max(500).optional(),
});

const setPasswordForm = z.object({
  token: z.string().max(200),
  password: z.string().max(4096),
  confirm: z.string().max(4096),
});

/** Email and password, checked by the service (scrypt, lockout, per-address limits). */
export function passwordAuth(deps: ServiceDeps, options: WorkspaceOptions): StaffAuth {
  return {
    async identify(c, check = { activity: true }) {
      const authorization = c.req.header('Authorization');
      const api = new URL(c.req.url).pathname.startsWith('/api/');
      if (authorization !== undefined) {
        // A personal token is for the JSON API only; the pages need a signed-in browser. A request that
        // carries one never falls back to the cookie either (the same-origin check skips token requests).
        if (!api) return undefined;
        const match = /^Bearer\s+(\S+)$/i.exec(authorization);
        const staff = match ? await authenticateApiToken(deps, match[1]!) : undefined;
        return staff ? { actor: actorOf(staff, 'api') } : undefined;
      }
      const session = getCookie(c, SESSION_COOKIE);
      if (!session) return undefined;
      const staff = await authenticateSession(deps, session, check);
      return staff ? { actor: actorOf(staff, api ? 'api' : 'page'), session } : undefined;
    },

    mount(app) {
      const locale = deps.defaults.locale;
      const t = translator(deps, locale);
      const loginPage = (
        c: Context,
        status: 200 | 400 | 401 | 429,
        message?: string,
        email = '',
        next = '',
      ) =>
        c.html(
          <Page t={t} locale={locale} title={t('login.title')}>
            {message ? <Notice kind="error">{message}</Notice> : null}
            <form method="post" action="/staff/login" class="stack narrow">
              <input type="hidden" name="next" value={next} />
              <label for="email">{t('login.email')}</label>
              <input id="email" name="email" type="email" autocomplete="username" required value={email} />
              <label for="password">{t('login.password')}</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required />
              <button type="submit">{t('login.submit')}</button>
            </form>
          </Page>,
          status,
        );

      app.get('/staff/login', (c) => loginPage(c, 200, undefined, '', c.req.query('next') ?? ''));

      app.post('/staff/login', async (c) => {
        const parsed = loginForm.safeParse(await c.req.parseBody());
        if (!parsed.success) return loginPage(c, 400, t('login.invalid'));
        const { email, password, next } = parsed.data;
        const outcome = await signIn(deps, { email, password, networkAddress: options.networkAddress?.(c) });
        if (!outcome.ok) {
          if (outcome.error === 'invalid') return loginPage(c, 401, t('login.invalid'), email, next);
          c.header('Retry-After', String(outcome.retryAfterSeconds));
          return loginPage(
            c,
            429,
            t('login.locked', { minutes: Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60)) }),
            email,
            next,
          );
        }
        startSession(c, outcome.token);
        return c.redirect(safeNext(next), 303);
      });

      app.post('/staff/logout', async (c) => {
        const session = getCookie(c, SESSION_COOKIE);
        if (session) await signOut(deps, session);
        deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureRequest(c) });
        return c.redirect('/staff/login', 303);
      });

      const setPasswordPage = (c: Context, status: 200 | 400 | 404, token: string, message?: string) =>
        c.html(
          <Page t={t} locale={locale} title={t('set_password.title')}>
            {message ? <Notice kind="error">{message}</Notice> : null}
            {status === 404 ? null : (
              <form method="post" action="/staff/set-password" class="stack narrow">
                <input type="hidden" name="token" value={token} />
                <p id="password-rule">{t('set_password.rule')}</p>
                <label for="password">{t('set_password.password')}</label>
                <input
                  id="password"
                  name="password"
                  type="password"
                  autocomplete="new-password"
                  minlength={12}
                  required
                  aria-describedby="password-rule"
                />
                <label for="confirm">{t('set_password.confirm')}</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
                <button type="submit">{t('set_password.submit')}</button>
              </form>
            )}
          </Page>,
          status,
        );

      app.get('/staff/set-password', async (c) => {
        const token = c.req.query('token') ?? '';
        const staff = token.length <= 200 ? await checkSetPasswordLink(deps, token) : undefined;
        return staff
          ? setPasswordPage(c, 200, token)
          : setPasswordPage(c, 404, '', t('set_password.invalid_link'));
      });

      app.post('/staff/set-password', async (c) => {
        const parsed = setPasswordForm.safeParse(await c.req.parseBody());
        if (!parsed.success) return setPasswordPage(c, 404, '', t('set_password.invalid_link'));
        const { token, password, confirm } = parsed.data;
        if (password !== confirm) return setPasswordPage(c, 400, token, t('set_password.mismatch'));
        const outcome = await setPasswordWithLink(deps, token, password);
        if (!outcome.ok) {
          if (outcome.error === 'invalid_link')
            return setPasswordPage(c, 404, '', t('set_password.invalid_link'));
          return setPasswordPage(c, 400, token, t(`set_password.${outcome.error}`));
        }
        return c.redirect('/staff/login?next=/staff', 303);
      });
    },
  };
}
