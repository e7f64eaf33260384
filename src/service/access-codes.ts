import {
  type AccessCodeState,
  accessCodeExpiry,
  accessCodeFrom,
  accessCodeState,
} from '../domain/access-code.ts';
import {
  accessCodeTaken,
  clientAccessCodes,
  insertAccessCode,
  revokeOpenAccessCodes,
} from '../storage/access-codes.ts';
import { findAddressById, linkedAddresses, unlinkAddressFromClient } from '../storage/addresses.ts';
import { findClient, setClientAccessCode } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import { appendEvent } from '../storage/events.ts';
import { dropHeldStatement } from '../storage/held-messages.ts';
import { cancelPendingOutbox } from '../storage/outbox.ts';
import type { ServiceDeps } from './deps.ts';

/*
 * Access codes with a life cycle (DESIGN.md, "Access codes"): a code links exactly one conversation; an
 * unused code expires after ACCESS_CODE_TTL_DAYS; a therapist can revoke it, issue a new one, and unlink a
 * device. A further device always needs a new code. The workspace calls these after it has checked that
 * the staff member may see the client; linking itself happens in handle-inbound.ts.
 */

export interface NewAccessCode {
  code: string;
  createdAt: string;
  expiresAt: string;
}

/** Draws a code no client was ever given, valid unused for the configured time from `now`. Writes nothing. */
export async function drawAccessCode(deps: ServiceDeps, q: Queryable, now: Date): Promise<NewAccessCode> {
  let code = accessCodeFrom(deps.ids.randomBytes);
  while (await accessCodeTaken(q, code)) code = accessCodeFrom(deps.ids.randomBytes);
  return {
    code,
    createdAt: now.toISOString(),
    expiresAt: accessCodeExpiry(now, deps.defaults.accessCodeTtlDays).toISOString(),
  };
}

export type UnknownClient = { ok: false; error: 'unknown_client' };

export type ReissueOutcome =
  | { ok: true; code: string; expiresAt: string /** Open codes revoked on the way. */; revoked: number }
  | UnknownClient;

/**
 * A new code for the client, to link another device or replace one that was lost or expired: every open
 * code of the client is revoked, and the new one becomes the code shown for the client. Devices linked
 * already stay linked (see `unlinkAddress`).
 */
export function reissueAccessCode(deps: ServiceDeps, clientId: string): Promise<ReissueOutcome> {
  const now = deps.clock();
  return deps.db.write(async (tx): Promise<ReissueOutcome> => {
    if (!(await findClient(tx, clientId))) return { ok: false, error: 'unknown_client' };
    const revoked = await revokeOpenAccessCodes(tx, clientId, now.toISOString());
    const issued = await drawAccessCode(deps, tx, now);
    await insertAccessCode(tx, { ...issued, clientId });
    await setClientAccessCode(tx, clientId, issued.code);
    return { ok: true, code: issued.code, expiresAt: issued.expiresAt, revoked };
  });
}

export type RevokeOutcome = { ok: true; revoked: number } | UnknownClient;

/** Revokes every code of the client nobody has used yet (a code given to the wrong person, say). */
export function revokeAccessCode(deps: ServiceDeps, clientId: string): Promise<RevokeOutcome> {
  const now = deps.clock();
  return deps.db.write(async (tx): Promise<RevokeOutcome> => {
    if (!(await findClient(tx, clientId))) return { ok: false, error: 'unknown_client' };
    return { ok: true, revoked: await revokeOpenAccessCodes(tx, clientId, now.toISOString()) };
  });
}

export type UnlinkOutcome =
  | { ok: true /** Messages not yet sent to the device, now given up. */; cancelled: number }
  | { ok: false; error: 'not_found' };

/** Why an unlinked device's unsent messages failed, as the outbox records it. */
export const UNLINKED = 'address unlinked from its client';

/**
 * Ends a device's link to the client: it receives nothing more of the client's (no replies, reminders or
 * check-ins; its unsent messages are given up, but for safety messages, which answer what that device
 * itself wrote), and what it writes next is a stranger's message asking for an access code. Its old code
 * stays spent: linking it again needs a new code. `not_found` when the address is not linked to this
 * client, so that the answer says nothing about other clients' devices.
 */
export async function unlinkAddress(
  deps: ServiceDeps,
  clientId: string,
  addressId: string,
): Promise<UnlinkOutcome> {
  const address = await deps.db.read((q) => findAddressById(q, addressId));
  if (!address || address.clientId !== clientId) return { ok: false, error: 'not_found' };
  // The same locks as a message from the device, in the same order: no turn of it runs meanwhile.
  return deps.locks.run(`address:${address.channel}:${address.address}`, () =>
    deps.locks.run(`client:${clientId}`, () =>
      deps.db.write(async (tx): Promise<UnlinkOutcome> => {
        const current = await findAddressById(tx, addressId);
        if (current?.clientId !== clientId) return { ok: false, error: 'not_found' };
        const now = deps.clock().toISOString();
        await unlinkAddressFromClient(tx, addressId);
        const cancelled = await cancelPendingOutbox(tx, addressId, now, UNLINKED);
        await tx.execute(dropHeldStatement(addressId));
        await appendEvent(tx, {
          clientId,
          event: { type: 'address.unlinked', data: { addressId, channel: current.channel } },
          now,
        });
        return { ok: true, cancelled };
      }),
    ),
  );
}

/** A device linked to a client, as the workspace shows it. */
export interface ClientAddress {
  addressId: string;
  channel: string;
  /**
   * The last characters of a push channel's address (a phone number's last digits), enough to tell two
   * phones apart. Never given for a pull channel: a web chat's address is the key that reads its transcript.
   */
  ending?: string;
  linkedAt?: string;
  lastMessageAt?: string;
  optedOut: boolean;
  undeliverable: boolean;
}

/** The devices (conversations) linked to the client, the one it last wrote from first. */
export async function listClientAddresses(deps: ServiceDeps, clientId: string): Promise<ClientAddress[]> {
  const addresses = await deps.db.read((q) => linkedAddresses(q, clientId));
  return addresses.map((a) => ({
    addressId: a.id,
    channel: a.channel,
    ...(deps.senders[a.channel]?.mode === 'push' ? { ending: a.address.slice(-3) } : {}),
    linkedAt: a.linkedAt,
    lastMessageAt: a.lastInboundAt,
    optedOut: a.optedOutAt !== undefined,
    undeliverable: a.undeliverableAt !== undefined,
  }));
}

/** A code the client was given, with where it stands now. */
export interface ClientAccessCode {
  code: string;
  state: AccessCodeState;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
  usedByAddressId?: string;
  revokedAt?: string;
}

/** Every code the client was given, newest first. */
export async function listAccessCodes(deps: ServiceDeps, clientId: string): Promise<ClientAccessCode[]> {
  const now = deps.clock();
  const codes = await deps.db.read((q) => clientAccessCodes(q, clientId));
  return codes.map((c) => ({
    code: c.code,
    state: accessCodeState(c, now),
    createdAt: c.createdAt,
    expiresAt: c.expiresAt,
    usedAt: c.usedAt,
    usedByAddressId: c.usedByAddressId,
    revokedAt: c.revokedAt,
  }));
}
