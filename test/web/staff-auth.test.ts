import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStaff } from '../../src/service/staff.ts';
import { FakeClock, startTestServer } from '../support/harness.ts';
import { browser, PASSWORD } from '../support/staff.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe('staff sign-in', () => {
  let server: Server;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(new Date('2026-11-23T09:00:00.000Z'));
    server = await startTestServer({}, { clock: clock.read });
    await createStaff(server.deps, {
      email: 'Tina@Clinic.no',
      name: 'Tina',
      role: 'therapist',
      password: PASSWORD,
    });
  });
  afterEach(() => server.close());

  it('sends an anonymous visitor to the sign-in page and back where they were going', async () => {
    const b = browser(server);
    const res = await b.request('/staff/alerts');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/staff/login?next=%2Fstaff%2Falerts');
    const login = await b.request('/staff/login?next=/staff/alerts');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="password"');
    const signed = await b.request('/staff/login', {
      form: { email: 'tina@clinic.no', password: PASSWORD, next: '/staff/alerts' },
    });
    expect(signed.status).toBe(303);
    expect(signed.headers.get('location')).toBe('/staff/alerts');
    expect((await b.request('/staff/alerts')).status).toBe(200);
  });

  it('never redirects to another site after sign-in', async () => {
    const b = browser(server);
    for (const next of [
      'https://evil.example/',
      '//evil.example/staff',
      '/staff/../../x',
      'javascript:alert(1)',
    ]) {
      const res = await b.request('/staff/login', {
        form: { email: 'tina@clinic.no', password: PASSWORD, next },
      });
      expect(res.headers.get('location')).toBe('/staff');
    }
  });

  it('sets an HttpOnly, SameSite=Lax session cookie holding a 256-bit random token', async () => {
    const res = await browser(server).attemptSignIn('tina@clinic.no');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^selvhjelp_staff=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // plain http on loopback; https adds Secure
  });

  it('answers a wrong password and an unknown account alike', async () => {
    const b = browser(server);
    const wrong = await b.attemptSignIn('tina@clinic.no', 'not the password at all');
    const unknown = await b.attemptSignIn('nobody@clinic.no', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const text = (await wrong.text()).replace(/value="[^"]*"/g, '');
    expect(text).toBe((await unknown.text()).replace(/value="[^"]*"/g, ''));
    expect(b.cookie).toBeUndefined();
  });

  it('counts failures and locks alike for an existing and an unknown email', async () => {
    const statuses = async (email: string) => {
      const b = browser(server);
      const seen: number[] = [];
      for (let i = 0; i < 7; i++) seen.push((await b.attemptSignIn(email, `wrong password ${i}`)).status);
      return seen;
    };
    const existing = await statuses('Tina@Clinic.no ');
    const unknown = await statuses(' Nobody@Clinic.no');
    expect(existing).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(unknown).toEqual(existing);

    // The lockout page and its Retry-After are the same too, and the right password is refused during it.
    const b = browser(server);
    const locked = await b.attemptSignIn('tina@clinic.no');
    const lockedUnknown = await b.attemptSignIn('nobody@clinic.no', PASSWORD);
    expect(locked.status).toBe(429);
    expect(lockedUnknown.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(lockedUnknown.headers.get('retry-after')).toBe('900');
    const page = (res: Response) => res.text().then((text) => text.replace(/value="[^"]*"/g, ''));
    expect(await page(locked)).toBe(await page(lockedUnknown));
    expect(b.cookie).toBeUndefined();

    // The lock lasts 15 minutes from the fifth failure, not from the first.
    clock.advance(15 * 60_000);
    expect((await b.attemptSignIn('tina@clinic.no')).status).toBe(303);
    expect((await b.attemptSignIn('nobody@clinic.no', 'wrong password again')).status).toBe(401);
  }, 120_000); // 16 deliberate scrypt checks

  it('starts the lock at the fifth failure, however the failures were spread', async () => {
    const b = browser(server);
    for (let i = 0; i < 4; i++) {
      expect((await b.attemptSignIn('tina@clinic.no', `wrong password ${i}`)).status).toBe(401);
      clock.advance(3 * 60_000);
    }
    expect((await b.attemptSignIn('tina@clinic.no', 'wrong password 4')).status).toBe(401);
    clock.advance(14 * 60_000);
    const locked = await b.attemptSignIn('tina@clinic.no');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    clock.advance(60_000);
    expect((await b.attemptSignIn('tina@clinic.no')).status).toBe(303);
  }, 60_000);

  it('locks the account for 15 minutes after five failed sign-ins, even for the right password', async () => {
    const b = browser(server);
    for (let i = 0; i < 5; i++)
      expect((await b.attemptSignIn('tina@clinic.no', `wrong password ${i}`)).status).toBe(401);
    const locked = await b.attemptSignIn('tina@clinic.no');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBe(900);
    expect(b.cookie).toBeUndefined();
    clock.advance(14 * 60_000);
    expect((await b.attemptSignIn('tina@clinic.no')).status).toBe(429);
    clock.advance(60_000);
    expect((await b.attemptSignIn('tina@clinic.no')).status).toBe(303);
  });

  it('limits failed sign-ins from one network address across accounts', async () => {
    const b = browser(server);
    for (let i = 0; i < 20; i++)
      expect((await b.attemptSignIn(`guess${i}@clinic.no`, 'wrong password')).status).toBe(401);
    const limited = await b.attemptSignIn('tina@clinic.no');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 120_000); // 21 deliberate scrypt checks (~0.35 s each alone, slower beside other suites)

  it('ends a session after 30 idle minutes and after 10 hours in all', async () => {
    const b = browser(server);
    await b.attemptSignIn('tina@clinic.no');
    clock.advance(29 * 60_000);
    expect((await b.request('/staff/alerts')).status).toBe(200);
    clock.advance(30 * 60_000);
    expect((await b.request('/staff/alerts')).status).toBe(303);

    await b.attemptSignIn('tina@clinic.no');
    for (let minutes = 0; minutes < 10 * 60 - 20; minutes += 20) {
      clock.advance(20 * 60_000);
      expect((await b.request('/staff/alerts')).status).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await b.request('/staff/alerts')).status).toBe(303);
  });

  /** Polls the live alert count every 15 s for `minutes`, as the page's script does; the statuses seen. */
  const poll = async (b: ReturnType<typeof browser>, minutes: number) => {
    const seen: { at: number; status: number }[] = [];
    for (let step = 1; step <= minutes * 4; step++) {
      clock.advance(15_000);
      seen.push({ at: step * 15, status: (await b.request('/staff/alerts/count')).status });
    }
    return seen;
  };

  it('does not count the alert-count polling as activity: an unattended workspace signs out', async () => {
    const b = browser(server);
    await b.signIn('tina@clinic.no');
    clock.advance(2 * 60_000);
    expect((await b.request('/staff')).status).toBe(200); // the last thing the person did
    const seen = await poll(b, 31);
    // Alive for 30 minutes after the page view, then 401 (the script sends the page to sign-in).
    expect(seen.filter((s) => s.status === 200).map((s) => s.at)).toEqual(
      seen.filter((s) => s.at < 30 * 60).map((s) => s.at),
    );
    expect(new Set(seen.filter((s) => s.at >= 30 * 60).map((s) => s.status))).toEqual(new Set([401]));
    const ended = await b.request('/staff/alerts/count');
    expect(ended.status).toBe(401);
    expect(await ended.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(ended.headers.get('cache-control')).toBe('no-store');
    const page = await b.request('/staff');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/staff/login?next=%2Fstaff');
  });

  it('keeps a polled session alive while the person opens pages in between', async () => {
    const b = browser(server);
    await b.signIn('tina@clinic.no');
    const first = await poll(b, 20);
    expect((await b.request('/staff/alerts')).status).toBe(200); // a page view at minute 20
    const second = await poll(b, 11);
    expect([...first, ...second].every((s) => s.status === 200)).toBe(true); // 31 minutes, still in
    const rest = await poll(b, 20); // minutes 31 to 51
    // 30 minutes after the page view, at minute 50 (19 minutes into these polls), the session has ended.
    const ended = rest.filter((s) => s.status !== 200);
    expect(ended[0]!.at).toBe(19 * 60);
    expect(new Set(ended.map((s) => s.status))).toEqual(new Set([401]));
    expect(ended).toHaveLength(rest.length - (19 * 60) / 15 + 1);
  });

  it('answers a poll without a session with 401, not the sign-in page', async () => {
    const res = await browser(server).request('/staff/alerts/count');
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
  });

  it('signs out for good: the old cookie no longer works', async () => {
    const b = browser(server);
    await b.attemptSignIn('tina@clinic.no');
    const old = b.cookie;
    const out = await b.request('/staff/logout', { form: {} });
    expect(out.status).toBe(303);
    b.cookie = old;
    expect((await b.request('/staff/alerts')).status).toBe(303);
  });

  it('refuses a cross-site form post that carries the session cookie', async () => {
    const b = browser(server);
    await b.attemptSignIn('tina@clinic.no');
    const res = await b.request('/staff/logout', { form: {}, headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    const noOrigin = await fetch(`${server.url}/staff/language`, {
      method: 'POST',
      headers: { Cookie: b.cookie!, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'locale=en',
      redirect: 'manual',
    });
    expect(noOrigin.status).toBe(403);
    expect((await b.request('/staff/alerts')).status).toBe(200);
  });

  it('sends strict headers on every staff page: no-store, CSP without inline script, no framing', async () => {
    const b = browser(server);
    const pages = [await b.request('/staff/login')];
    await b.attemptSignIn('tina@clinic.no');
    pages.push(await b.request('/staff/alerts'), await b.request('/staff/alerts/count'));
    for (const res of pages) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('sets a password through a one-time link that expires after 72 hours', async () => {
    const created = await createStaff(server.deps, {
      email: 'ola@clinic.no',
      name: 'Ola',
      role: 'therapist',
    });
    if (!created.ok) throw new Error('not created');
    const token = created.setPasswordToken!;
    const b = browser(server);
    expect((await b.request(`/staff/set-password?token=${token}`)).status).toBe(200);
    const short = await b.request('/staff/set-password', {
      form: { token, password: 'too short', confirm: 'too short' },
    });
    expect(short.status).toBe(400);
    const mismatch = await b.request('/staff/set-password', {
      form: { token, password: PASSWORD, confirm: `${PASSWORD}!` },
    });
    expect(mismatch.status).toBe(400);
    const ok = await b.request('/staff/set-password', {
      form: { token, password: PASSWORD, confirm: PASSWORD },
    });
    expect(ok.status).toBe(303);
    expect((await b.request(`/staff/set-password?token=${token}`)).status).toBe(404);
    expect((await b.attemptSignIn('ola@clinic.no')).status).toBe(303);

    const late = await createStaff(server.deps, { email: 'kari@clinic.no', name: 'Kari', role: 'therapist' });
    if (!late.ok) throw new Error('not created');
    clock.advance(72 * 60 * 60_000);
    const expired = await b.request('/staff/set-password', {
      form: { token: late.setPasswordToken!, password: PASSWORD, confirm: PASSWORD },
    });
    expect(expired.status).toBe(404);
  });
});
