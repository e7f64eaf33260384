import { type MenuPrompt, parseMenuPrompt } from '../domain/chat-menu.ts';
import type { Locale } from '../engine/types.ts';
import type { InStatement, Queryable } from './db.ts';
import { optStr, str } from './rows.ts';

/** Where a person talks to us: a web chat conversation, a phone number, a Bot Framework conversation. */
export interface AddressRecord {
  id: string;
  channel: string;
  address: string;
  clientId?: string;
  locale: Locale;
  createdAt: string;
  /** SMS: the number sent STOP; nothing but safety replies goes to it until START. */
  optedOutAt?: string;
  /** SMS: the provider refused the number for good (invalid, not a mobile, blocked). */
  undeliverableAt?: string;
  /** What the chat menu asked this conversation for, if anything (src/domain/chat-menu.ts). */
  menuPrompt?: MenuPrompt;
  /** When the client last wrote from here. */
  lastInboundAt?: string;
}

export const toAddress = (row: Record<string, unknown>): AddressRecord => ({
  id: str(row, 'id'),
  channel: str(row, 'channel'),
  address: str(row, 'address'),
  clientId: optStr(row, 'client_id'),
  locale: str(row, 'locale') as Locale,
  createdAt: str(row, 'created_at'),
  optedOutAt: optStr(row, 'opted_out_at'),
  undeliverableAt: optStr(row, 'undeliverable_at'),
  menuPrompt: parseMenuPrompt(optStr(row, 'menu_prompt')),
  lastInboundAt: optStr(row, 'last_inbound_at'),
});

export const insertAddressStatement = (address: AddressRecord): InStatement => ({
  sql: `INSERT INTO channel_addresses (id, channel, address, client_id, locale, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`,
  args: [
    address.id,
    address.channel,
    address.address,
    address.clientId ?? null,
    address.locale,
    address.createdAt,
  ],
});

export async function insertAddress(q: Queryable, address: AddressRecord): Promise<void> {
  await q.execute(insertAddressStatement(address));
}

export async function findAddress(
  q: Queryable,
  channel: string,
  address: string,
): Promise<AddressRecord | undefined> {
  const row = (
    await q.execute({
      sql: 'SELECT * FROM channel_addresses WHERE channel = ? AND address = ?',
      args: [channel, address],
    })
  ).rows[0];
  return row ? toAddress(row) : undefined;
}

export async function linkAddress(
  q: Queryable,
  addressId: string,
  clientId: string,
  now: string,
): Promise<void> {
  await q.execute(linkAddressStatement(addressId, clientId, now));
}

export const linkAddressStatement = (addressId: string, clientId: string, now: string): InStatement => ({
  sql: 'UPDATE channel_addresses SET client_id = ?, linked_at = ? WHERE id = ?',
  args: [clientId, now, addressId],
});

/**
 * A message came in on the address: its time, and the conversation works again if a send to it had
 * failed for good (a Bot Framework conversation answering 403 or 404 after the bot was blocked, an SMS
 * number reported unreachable), so this turn's replies, the crisis protocol's first, are sent.
 */
export const touchAddressStatement = (addressId: string, now: string): InStatement => ({
  sql: 'UPDATE channel_addresses SET last_inbound_at = ?, undeliverable_at = NULL WHERE id = ?',
  args: [now, addressId],
});

/** The address a client last wrote from: where messages they did not ask for (reminders) go. */
/**
 * How long after the client's last message a web chat still counts as where they are. A web chat is read
 * only while the page is open: after this, a message nobody asked for goes to their SMS number instead,
 * when they added one (with consent, in the chat menu or by texting their code).
 */
export const WEB_CHAT_PRESENCE_MS = 15 * 60_000;

/**
 * Where a message to the client goes that is not a reply (a reminder, a check-in, a part opening, a
 * therapist's message): the conversation they last wrote from (a number added in the chat menu, never
 * written from, comes after those), unless that is a web chat they left more
 * than WEB_CHAT_PRESENCE_MS ago and an SMS number that still takes messages is linked.
 */
export async function preferredAddress(
  q: Queryable,
  clientId: string,
  now: Date,
): Promise<AddressRecord | undefined> {
  const rows = (
    await q.execute({
      sql: `SELECT * FROM channel_addresses WHERE client_id = ? ${PREFERRED_ORDER}`,
      args: [clientId],
    })
  ).rows.map(toAddress);
  return choosePreferred(rows, now);
}

/** The order `choosePreferred` expects a client's addresses in: the one they last wrote from first. */
const PREFERRED_ORDER =
  'ORDER BY last_inbound_at IS NULL, COALESCE(last_inbound_at, linked_at, created_at) DESC, rowid DESC';

/** The rule of `preferredAddress` over one client's addresses, in `PREFERRED_ORDER`. */
export function choosePreferred(rows: AddressRecord[], now: Date): AddressRecord | undefined {
  const [last] = rows;
  if (last?.channel !== 'web') return last;
  const seen = Date.parse(last.lastInboundAt ?? last.createdAt);
  if (now.getTime() - seen < WEB_CHAT_PRESENCE_MS) return last;
  return rows.find((a) => a.channel === 'sms' && !a.optedOutAt && !a.undeliverableAt) ?? last;
}

/**
 * `preferredAddress` for many clients: the statement reading all their addresses in the rule's order
 * (the ids as one JSON array), for a read batch; `preferredAddresses` applies the rule to its rows.
 */
export const clientsAddressesStatement = (clientIds: string[]): InStatement => ({
  sql: `SELECT * FROM channel_addresses WHERE client_id IN (SELECT value FROM json_each(?))
        ORDER BY client_id, ${PREFERRED_ORDER.slice('ORDER BY '.length)}`,
  args: [JSON.stringify(clientIds)],
});

export function preferredAddresses(rows: Record<string, unknown>[], now: Date): Map<string, AddressRecord> {
  const byClient = new Map<string, AddressRecord[]>();
  for (const address of rows.map(toAddress)) {
    const list = byClient.get(address.clientId!);
    if (list) list.push(address);
    else byClient.set(address.clientId!, [address]);
  }
  const preferred = new Map<string, AddressRecord>();
  for (const [clientId, list] of byClient) {
    const chosen = choosePreferred(list, now);
    if (chosen) preferred.set(clientId, chosen);
  }
  return preferred;
}

export async function findAddressById(q: Queryable, id: string): Promise<AddressRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM channel_addresses WHERE id = ?', args: [id] })).rows[0];
  return row ? toAddress(row) : undefined;
}

/** STOP sets it, START clears it (`null`). */
export async function setOptedOut(q: Queryable, addressId: string, at: string | null): Promise<void> {
  await q.execute({
    sql: 'UPDATE channel_addresses SET opted_out_at = ? WHERE id = ?',
    args: [at, addressId],
  });
}

export async function setUndeliverable(q: Queryable, addressId: string, at: string | null): Promise<void> {
  await q.execute({
    sql: 'UPDATE channel_addresses SET undeliverable_at = ? WHERE id = ?',
    args: [at, addressId],
  });
}

/** A conversation linked to a client, as the workspace lists it. */
export interface LinkedAddress extends AddressRecord {
  linkedAt?: string;
  lastInboundAt?: string;
}

/** The conversations linked to the client, the one it last wrote from first. */
export async function linkedAddresses(q: Queryable, clientId: string): Promise<LinkedAddress[]> {
  const rows = (
    await q.execute({
      sql: `SELECT * FROM channel_addresses WHERE client_id = ?
            ORDER BY COALESCE(last_inbound_at, linked_at, created_at) DESC, rowid DESC`,
      args: [clientId],
    })
  ).rows;
  return rows.map((row) => ({
    ...toAddress(row),
    linkedAt: optStr(row, 'linked_at'),
    lastInboundAt: optStr(row, 'last_inbound_at'),
  }));
}

/** Ends the link between a conversation and its client: it is a stranger's again and gets nothing more. */
export async function unlinkAddressFromClient(q: Queryable, addressId: string): Promise<void> {
  await q.execute({
    sql: 'UPDATE channel_addresses SET client_id = NULL, linked_at = NULL WHERE id = ?',
    args: [addressId],
  });
}

/** Sets or clears (`undefined`) what the chat menu waits for in this conversation. */
export async function setMenuPrompt(q: Queryable, addressId: string, prompt: MenuPrompt | undefined) {
  await q.execute({
    sql: 'UPDATE channel_addresses SET menu_prompt = ? WHERE id = ?',
    args: [prompt ? JSON.stringify(prompt) : null, addressId],
  });
}
