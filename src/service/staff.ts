import {
  clearRateLimit,
  hitRateLimit,
  isRateLimited,
  type RateLimitRule,
  restartRateLimitWindow,
} from '../storage/rate-limits.ts';
import {
  disableStaffRow,
  endCredential,
  endCredentialsOf,
  findCredential,
  findStaffByEmail,
  insertCredential,
  insertStaff,
  listStaff,
  type StaffRecord,
  type StaffRole,
  setStaffLocale,
  setStaffPassword,
  touchCredential,
} from '../storage/staff.ts';
import type { ServiceDeps } from './deps.ts';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  UNUSABLE_HASH,
  verifyPassword,
} from './passwords.ts';
import type { StaffActor } from './staff-actor.ts';

/** Session lifetimes (OWASP session management): 30 minutes idle, 10 hours at most. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 10 * 60 * 60_000;
/** A set-password link is valid for 72 hours and once. */
export const SET_PASSWORD_TTL_MS = 72 * 60 * 60_000;
/**
 * Five failed sign-ins lock the email address for 15 minutes. They are counted by the normalised email,
 * whether or not an account has it, so the lockout cannot tell which addresses have accounts. The fifth
 * failure restarts the window, so the lock lasts 15 minutes from it.
 */
export const LOGIN_EMAIL_RULE: RateLimitRule = {
  bucket: 'login_email',
  limit: 5,
  windowMs: 15 * 60_000,
};
/** Failed sign-ins from one network address, whichever accounts they name. */
export const LOGIN_ADDRESS_RULE: RateLimitRule = {
  bucket: 'login_address',
  limit: 20,
  windowMs: 15 * 60_000,
};
/** A session's last use is written at most this often, so reading pages does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** A random 256-bit secret, base64url, and the SHA-256 under which it is stored. */
export async function newSecret(deps: ServiceDeps): Promise<{ token: string; hash: string }> {
  const token = Buffer.from(deps.ids.randomBytes(32)).toString('base64url');
  return { token, hash: await secretHash(token) };
}

export async function secretHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Buffer.from(digest).toString('hex');
}

export const actorOf = (staff: StaffRecord, via: StaffActor['via']): StaffActor => ({
  staffId: staff.id,
  email: staff.email,
  name: staff.name,
  role: staff.role,
  locale: staff.locale,
  via,
});

export type PasswordProblem = 'too_short' | 'too_long';

export function passwordProblem(password: string): PasswordProblem | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too_long';
  return undefined;
}

export type CreateStaffOutcome =
  | { ok: true; staff: StaffRecord; setPasswordToken?: string; setPasswordExpiresAt?: string }
  | { ok: false; error: 'email_taken' | PasswordProblem };

/**
 * Adds a staff member. With a password it is set at once; without one a set-password link (valid 72 h,
 * once) is made, and its secret returned to be shown to the person creating the account, once.
 */
export async function createStaff(
  deps: ServiceDeps,
  input: { email: string; name: string; role: StaffRole; locale?: 'nb' | 'en'; password?: string },
): Promise<CreateStaffOutcome> {
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) return { ok: false, error: problem };
  }
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const now = deps.clock();
  const link = input.password === undefined ? await newSecret(deps) : undefined;
  const expiresAt = new Date(now.getTime() + SET_PASSWORD_TTL_MS).toISOString();
  return deps.db.write(async (tx) => {
    const email = normaliseEmail(input.email);
    if (await findStaffByEmail(tx, email)) return { ok: false, error: 'email_taken' } as const;
    const staff: StaffRecord = {
      id: deps.ids.id(),
      email,
      name: input.name.trim(),
      role: input.role,
      locale: input.locale ?? deps.defaults.locale,
      passwordHash,
      createdAt: now.toISOString(),
    };
    await insertStaff(tx, staff);
    if (!link) return { ok: true, staff } as const;
    await insertCredential(tx, {
      tokenHash: link.hash,
      staffId: staff.id,
      kind: 'set_password',
      createdAt: staff.createdAt,
      expiresAt,
    });
    return { ok: true, staff, setPasswordToken: link.token, setPasswordExpiresAt: expiresAt } as const;
  });
}

export function listStaffMembers(deps: ServiceDeps): Promise<StaffRecord[]> {
  return deps.db.read((q) => listStaff(q));
}

export function findStaff(deps: ServiceDeps, email: string): Promise<StaffRecord | undefined> {
  return deps.db.read((q) => findStaffByEmail(q, normaliseEmail(email)));
}

/** Disables an account and ends its sessions, tokens and links at once. */
export async function disableStaff(deps: ServiceDeps, email: string): Promise<StaffRecord | undefined> {
  const now = deps.clock().toISOString();
  return deps.db.write(async (tx) => {
    const staff = await findStaffByEmail(tx, normaliseEmail(email));
    if (!staff) return undefined;
    await disableStaffRow(tx, staff.id, now);
    await endCredentialsOf(tx, staff.id, ['session', 'api_token', 'set_password'], now);
    return { ...staff, disabledAt: staff.disabledAt ?? now };
  });
}

/** A new personal API token (shown once); the previous one stops working. */
export async function issueApiToken(
  deps: ServiceDeps,
  email: string,
): Promise<{ ok: true; token: string; staff: StaffRecord } | { ok: false; error: 'not_found' | 'disabled' }> {
  const now = deps.clock().toISOString();
  const secret = await newSecret(deps);
  return deps.db.write(async (tx) => {
    const staff = await findStaffByEmail(tx, normaliseEmail(email));
    if (!staff) return { ok: false, error: 'not_found' } as const;
    if (staff.disabledAt) return { ok: false, error: 'disabled' } as const;
    await endCredentialsOf(tx, staff.id, ['api_token'], now);
    await insertCredential(tx, {
      tokenHash: secret.hash,
      staffId: staff.id,
      kind: 'api_token',
      createdAt: now,
    });
    return { ok: true, token: `sh_${secret.token}`, staff } as const;
  });
}

/** A new set-password link for an existing account (an admin resets a forgotten password). */
export async function issueSetPasswordLink(
  deps: ServiceDeps,
  email: string,
): Promise<{ ok: true; token: string; expiresAt: string } | { ok: false; error: 'not_found' | 'disabled' }> {
  const now = deps.clock();
  const secret = await newSecret(deps);
  const expiresAt = new Date(now.getTime() + SET_PASSWORD_TTL_MS).toISOString();
  return deps.db.write(async (tx) => {
    const staff = await findStaffByEmail(tx, normaliseEmail(email));
    if (!staff) return { ok: false, error: 'not_found' } as const;
    if (staff.disabledAt) return { ok: false, error: 'disabled' } as const;
    await endCredentialsOf(tx, staff.id, ['set_password'], now.toISOString());
    await insertCredential(tx, {
      tokenHash: secret.hash,
      staffId: staff.id,
      kind: 'set_password',
      createdAt: now.toISOString(),
      expiresAt,
    });
    return { ok: true, token: secret.token, expiresAt } as const;
  });
}

/** Whether a set-password link is usable now (for showing the form). */
export async function checkSetPasswordLink(
  deps: ServiceDeps,
  token: string,
): Promise<StaffRecord | undefined> {
  const found = await deps.db.read(async (q) => findCredential(q, await secretHash(token), 'set_password'));
  return found && usable(found.credential, found.staff, deps.clock()) ? found.staff : undefined;
}

/** Sets the password through a one-time link; every session of the account ends. */
export async function setPasswordWithLink(
  deps: ServiceDeps,
  token: string,
  password: string,
): Promise<{ ok: true; staff: StaffRecord } | { ok: false; error: 'invalid_link' | PasswordProblem }> {
  const problem = passwordProblem(password);
  if (problem) return { ok: false, error: problem };
  const hash = await secretHash(token);
  const passwordHash = await hashPassword(password);
  const now = deps.clock();
  return deps.db.write(async (tx) => {
    const found = await findCredential(tx, hash, 'set_password');
    if (!found || !usable(found.credential, found.staff, now))
      return { ok: false, error: 'invalid_link' } as const;
    await endCredential(tx, hash, now.toISOString());
    await setStaffPassword(tx, found.staff.id, passwordHash);
    // A new password from a valid link lifts a lockout of the account's email.
    await clearRateLimit(tx, LOGIN_EMAIL_RULE.bucket, await emailKey(found.staff.email));
    await endCredentialsOf(tx, found.staff.id, ['session'], now.toISOString());
    return { ok: true, staff: found.staff } as const;
  });
}

function usable(
  credential: { expiresAt?: string; endedAt?: string },
  staff: StaffRecord,
  now: Date,
): boolean {
  if (credential.endedAt || staff.disabledAt) return false;
  return credential.expiresAt === undefined || now.getTime() < Date.parse(credential.expiresAt);
}

export type SignInOutcome =
  | { ok: true; token: string; actor: StaffActor }
  | { ok: false; error: 'invalid' }
  | { ok: false; error: 'locked' | 'rate_limited'; retryAfterSeconds: number };

/** The rate-limit keys of sign-in failures: hashed, so no typed email or address is stored as typed. */
const emailKey = (email: string) => secretHash(`email:${normaliseEmail(email)}`);
const addressKeyOf = (address: string) => secretHash(`ip:${address}`);

/**
 * Checks an email and password. Five failures for one email lock it for 15 minutes (the right password
 * included); failures from one network address are limited too. Unknown, disabled and password-less
 * accounts answer exactly like a wrong password: the same counting and lockout (by the normalised email,
 * in `rate_limits`), the same writes, and as long (a dummy hash with the same parameters is checked).
 * Success starts a session and returns its secret for the cookie.
 */
export async function signIn(
  deps: ServiceDeps,
  input: { email: string; password: string; networkAddress?: string },
): Promise<SignInOutcome> {
  const email = normaliseEmail(input.email);
  const emailCounter = await emailKey(email);
  const addressKey = input.networkAddress ? await addressKeyOf(input.networkAddress) : undefined;
  const now = deps.clock();
  const before = await deps.db.read(async (q) => ({
    staff: await findStaffByEmail(q, email),
    email: await isRateLimited(q, LOGIN_EMAIL_RULE, emailCounter, now),
    address: addressKey ? await isRateLimited(q, LOGIN_ADDRESS_RULE, addressKey, now) : undefined,
  }));
  if (before.address && !before.address.allowed) {
    return { ok: false, error: 'rate_limited', retryAfterSeconds: before.address.retryAfterSeconds };
  }
  if (!before.email.allowed) {
    return { ok: false, error: 'locked', retryAfterSeconds: before.email.retryAfterSeconds };
  }
  const staff = before.staff;
  const password = input.password.length > MAX_PASSWORD_LENGTH ? '' : input.password;
  const matches = await verifyPassword(password, staff?.passwordHash ?? UNUSABLE_HASH);
  const ok = matches && staff !== undefined && !staff.disabledAt && password !== '';
  if (!ok) {
    await deps.db.write(async (tx) => {
      if (addressKey) await hitRateLimit(tx, LOGIN_ADDRESS_RULE, addressKey, now);
      const failures = await hitRateLimit(tx, LOGIN_EMAIL_RULE, emailCounter, now);
      if (!failures.allowed || failures.count >= LOGIN_EMAIL_RULE.limit) {
        await restartRateLimitWindow(tx, LOGIN_EMAIL_RULE.bucket, emailCounter, now);
      }
    });
    return { ok: false, error: 'invalid' };
  }
  const session = await newSecret(deps);
  await deps.db.write(async (tx) => {
    await clearRateLimit(tx, LOGIN_EMAIL_RULE.bucket, emailCounter);
    if (addressKey) await clearRateLimit(tx, LOGIN_ADDRESS_RULE.bucket, addressKey);
    await insertCredential(tx, {
      tokenHash: session.hash,
      staffId: staff.id,
      kind: 'session',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
    });
  });
  return { ok: true, token: session.token, actor: actorOf(staff, 'page') };
}

/**
 * The staff member of a live session: not ended, not idle 30 minutes, not older than 10 hours. A request
 * that is `activity` (a person opened a page, sent a form, called the API) keeps the session alive; a
 * background one (the page script's polling) is let through without moving the idle clock, so an
 * unattended workspace still signs out after 30 minutes.
 */
export async function authenticateSession(
  deps: ServiceDeps,
  token: string,
  options: { activity: boolean } = { activity: true },
): Promise<StaffRecord | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const hash = await secretHash(token);
  const now = deps.clock();
  const found = await deps.db.read((q) => findCredential(q, hash, 'session'));
  if (!found || !usable(found.credential, found.staff, now)) return undefined;
  const lastUsed = Date.parse(found.credential.lastUsedAt ?? found.credential.createdAt);
  if (now.getTime() - lastUsed >= SESSION_IDLE_MS) return undefined;
  if (options.activity && now.getTime() - lastUsed >= TOUCH_EVERY_MS) {
    await deps.db.write((tx) => touchCredential(tx, hash, now.toISOString()));
  }
  return found.staff;
}

/** The staff member of a personal API token (`sh_…`), unless it was replaced or the account disabled. */
export async function authenticateApiToken(
  deps: ServiceDeps,
  token: string,
): Promise<StaffRecord | undefined> {
  if (!/^sh_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const hash = await secretHash(token.slice(3));
  const now = deps.clock();
  const found = await deps.db.read((q) => findCredential(q, hash, 'api_token'));
  if (!found || !usable(found.credential, found.staff, now)) return undefined;
  if (
    now.getTime() - Date.parse(found.credential.lastUsedAt ?? found.credential.createdAt) >=
    TOUCH_EVERY_MS
  ) {
    await deps.db.write((tx) => touchCredential(tx, hash, now.toISOString()));
  }
  return found.staff;
}

export async function signOut(deps: ServiceDeps, token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  const hash = await secretHash(token);
  await deps.db.write((tx) => endCredential(tx, hash, deps.clock().toISOString()));
}

export async function setStaffLanguage(
  deps: ServiceDeps,
  staffId: string,
  locale: 'nb' | 'en',
): Promise<void> {
  await deps.db.write((tx) => setStaffLocale(tx, staffId, locale));
}

export type { StaffRecord, StaffRole };
