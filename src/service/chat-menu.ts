import {
  activeMenuPrompt,
  isCancel,
  type MenuChoice,
  type MenuPrompt,
  PHONE_CODE_ATTEMPTS,
  PHONE_CODE_DIGITS,
  typedPhoneCode,
} from '../domain/chat-menu.ts';
import { maskPhone, normalisePhone } from '../domain/phone.ts';
import type { DomainEvent, Locale, Reply } from '../engine/types.ts';
import {
  type AddressRecord,
  findAddress,
  insertAddress,
  linkAddress,
  linkedAddresses,
  setMenuPrompt,
} from '../storage/addresses.ts';
import { attachAlertsToClient } from '../storage/alerts.ts';
import type { ClientRecord } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import { sha256Hex } from './code-attempts.ts';
import type { ServiceDeps } from './deps.ts';
import { storeClientMessage } from './messages.ts';
import { type TurnWrite, type WrittenTurn, writeTurn } from './write-turn.ts';

/*
 * The chat menu's side of a linked conversation (src/domain/chat-menu.ts for the rules). It runs after
 * the safety check and the keywords, like every other way in: a crisis message while the menu waits is
 * answered by the safety protocol, and is still kept for the therapist when it was meant for them.
 */

export interface MenuTurn {
  now: Date;
  address: AddressRecord;
  isNewAddress: boolean;
  client: ClientRecord;
  locale: Locale;
  inbound: NonNullable<TurnWrite['inbound']>;
  /** The question the course waits on, asked again when the menu is done with. */
  waiting?: Reply;
}

/** The menu prompt this conversation waits on now, if any. */
export const waitingMenuPrompt = (address: AddressRecord, now: Date): MenuPrompt | undefined =>
  activeMenuPrompt(address.menuPrompt, now);

/** A pull channel (the web chat) has no phone; the other channels reach the client by themselves. */
const offersPhone = (channel: string) => channel === 'web';

/** Phone numbers already linked to the client that still take messages. */
async function reachableNumbers(q: Queryable, clientId: string): Promise<AddressRecord[]> {
  return (await linkedAddresses(q, clientId)).filter(
    (a) => a.channel === 'sms' && !a.optedOutAt && !a.undeliverableAt,
  );
}

/** The client chose from the menu: ask for the message, or the number. */
export async function menuChoiceTurn(
  deps: ServiceDeps,
  turn: MenuTurn,
  choice: MenuChoice,
): Promise<WrittenTurn> {
  const at = turn.now.toISOString();
  return deps.db.write(async (tx) => {
    let replies: Reply[];
    let prompt: MenuPrompt | undefined;
    if (choice === 'therapist') {
      replies = [{ key: 'menu.therapist_ask' }];
      prompt = { kind: 'therapist', at };
    } else if (!offersPhone(turn.address.channel)) {
      replies = [{ key: 'menu.phone_not_here' }];
    } else {
      const [number] = await reachableNumbers(tx, turn.client.id);
      if (number) {
        replies = [{ key: 'menu.phone_have', vars: { phone: maskPhone(number.address) } }];
      } else {
        replies = [{ key: 'menu.phone_ask' }];
        prompt = { kind: 'phone', at };
      }
    }
    return write(deps, tx, turn, { prompt, replies });
  });
}

/** The client's message while the menu waits for it (not a button: a button leaves the menu). */
export async function menuAnswerTurn(
  deps: ServiceDeps,
  turn: MenuTurn,
  prompt: MenuPrompt,
  text: string,
): Promise<WrittenTurn> {
  const words = text.trim();
  if (isCancel(words)) {
    return deps.db.write((tx) => write(deps, tx, turn, { replies: [{ key: 'menu.cancelled' }] }));
  }
  if (prompt.kind === 'therapist') return messageForTherapist(deps, turn, words);
  if (prompt.kind === 'phone') return phoneGiven(deps, turn, words);
  return codeTyped(deps, turn, prompt, words);
}

async function messageForTherapist(deps: ServiceDeps, turn: MenuTurn, words: string): Promise<WrittenTurn> {
  return deps.db.write(async (tx) => {
    if (words === '') {
      return write(deps, tx, turn, {
        prompt: turn.address.menuPrompt,
        replies: [{ key: 'menu.therapist_ask' }],
      });
    }
    await storeClientMessage(deps, tx, {
      clientId: turn.client.id,
      text: words,
      channel: turn.address.channel,
      now: turn.now,
    });
    return write(deps, tx, turn, { replies: [{ key: 'messages.sent' }] });
  });
}

/**
 * A phone number for reminders: a code goes to it by SMS, and the number is added only when the code
 * comes back in this chat, so a mistyped number never receives a client's reminders. A number another
 * client uses gets the same answer as any number we cannot use: nothing about it is revealed.
 */
async function phoneGiven(deps: ServiceDeps, turn: MenuTurn, words: string): Promise<WrittenTurn> {
  const phone = normalisePhone(words);
  const at = turn.now.toISOString();
  return deps.db.write(async (tx) => {
    if (!phone) {
      return write(deps, tx, turn, {
        prompt: turn.address.menuPrompt,
        replies: [{ key: 'menu.phone_invalid' }],
      });
    }
    let number = await findAddress(tx, 'sms', phone);
    if (number?.clientId === turn.client.id && !number.optedOutAt) {
      return write(deps, tx, turn, {
        replies: [{ key: 'menu.phone_have', vars: { phone: maskPhone(phone) } }],
      });
    }
    if ((number?.clientId !== undefined && number.clientId !== turn.client.id) || number?.undeliverableAt) {
      return write(deps, tx, turn, { replies: [{ key: 'menu.phone_unavailable' }] });
    }
    if (!number) {
      number = { id: deps.ids.id(), channel: 'sms', address: phone, locale: turn.locale, createdAt: at };
      await insertAddress(tx, number);
    }
    const code = drawCode(deps);
    const codeHash = await sha256Hex(`${turn.address.id}:${code}`);
    // The code goes out at once: the client is waiting for it in the chat. A number that sent STOP gets
    // nothing until it sends START, and the chat says so.
    await writeTurn(deps, tx, {
      now: turn.now,
      address: number,
      locale: turn.locale,
      events: [],
      replies: [{ key: 'menu.phone_code_sms', vars: { code } }],
    });
    return write(deps, tx, turn, {
      prompt: { kind: 'phone_code', at, phone, codeHash, attempts: 0 },
      replies: [
        {
          key: number.optedOutAt ? 'menu.phone_opted_out' : 'menu.phone_code_ask',
          vars: { phone: maskPhone(phone) },
        },
      ],
    });
  });
}

async function codeTyped(
  deps: ServiceDeps,
  turn: MenuTurn,
  prompt: Extract<MenuPrompt, { kind: 'phone_code' }>,
  words: string,
): Promise<WrittenTurn> {
  const code = typedPhoneCode(words);
  const right = code !== undefined && (await sha256Hex(`${turn.address.id}:${code}`)) === prompt.codeHash;
  return deps.db.write(async (tx) => {
    if (!right) {
      const attempts = prompt.attempts + 1;
      if (attempts >= PHONE_CODE_ATTEMPTS) {
        return write(deps, tx, turn, { replies: [{ key: 'menu.phone_code_failed' }] });
      }
      return write(deps, tx, turn, {
        prompt: { ...prompt, attempts },
        replies: [{ key: 'menu.phone_code_wrong', vars: { digits: PHONE_CODE_DIGITS } }],
      });
    }
    const number = await findAddress(tx, 'sms', prompt.phone);
    // Taken by another client since the code went out: as unusable as any other number.
    if (!number || (number.clientId !== undefined && number.clientId !== turn.client.id)) {
      return write(deps, tx, turn, { replies: [{ key: 'menu.phone_unavailable' }] });
    }
    const at = turn.now.toISOString();
    if (number.clientId === undefined) {
      await linkAddress(tx, number.id, turn.client.id, at);
      await attachAlertsToClient(tx, number.id, turn.client.id);
    }
    return write(deps, tx, turn, {
      replies: [{ key: 'menu.phone_added', vars: { phone: maskPhone(prompt.phone) } }],
      events: [{ type: 'consent.sms_granted', data: { addressId: number.id, via: turn.address.channel } }],
    });
  });
}

/** A uniform code of PHONE_CODE_DIGITS digits (the bias of 2^32 mod 10^6 is below one in 4 000). */
function drawCode(deps: ServiceDeps): string {
  const bytes = deps.ids.randomBytes(4);
  const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return String(value % 10 ** PHONE_CODE_DIGITS).padStart(PHONE_CODE_DIGITS, '0');
}

/** The turn's write in the conversation: the prompt it leaves (none by default), transcript and replies. */
async function write(
  deps: ServiceDeps,
  tx: Queryable,
  turn: MenuTurn,
  w: { prompt?: MenuPrompt; replies: Reply[]; events?: DomainEvent[] },
): Promise<WrittenTurn> {
  if (turn.isNewAddress) await insertAddress(tx, turn.address);
  // Done with the menu: back to where the course was, with its question (and its buttons) again.
  const replies = w.prompt || !turn.waiting ? w.replies : [...w.replies, turn.waiting];
  await setMenuPrompt(tx, turn.address.id, w.prompt);
  return writeTurn(deps, tx, {
    now: turn.now,
    address: turn.address,
    clientId: turn.client.id,
    locale: turn.locale,
    inbound: turn.inbound,
    events: w.events ?? [],
    replies,
  });
}

/** Another kind of input while the menu waited (a course button, a contract answer): the menu lets go. */
export async function leaveMenu(deps: ServiceDeps, address: AddressRecord): Promise<void> {
  if (address.menuPrompt) await deps.db.write((tx) => setMenuPrompt(tx, address.id, undefined));
}
