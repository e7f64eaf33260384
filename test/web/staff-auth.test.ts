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
      expect((await b.request('/staff/alerts/count')).status).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await b.request('/staff/alerts/count')).status).toBe(303);
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
