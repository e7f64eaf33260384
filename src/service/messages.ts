import { faithfulText } from '../domain/text.ts';
import { preferredAddress } from '../storage/addresses.ts';
import type { Queryable } from '../storage/db.ts';
import { currentEnrollment } from '../storage/enrollments.ts';
import {
  clientMessages,
  insertStaffMessage,
  markMessagesRead,
  type StaffMessageRow,
} from '../storage/messages.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { runTurn } from './run-turn.ts';
import type { StaffActor } from './staff-actor.ts';
import { visibleClient } from './visible-client.ts';

/*
 * Messages between a therapist and their client (issue 13 item 6), over the client's own channel.
 *
 * Out: a therapist's message is a `therapist_message` turn (run-turn.ts) to the channel the client used
 * last: a transcript row, and on a push channel (SMS) an outbox row whose text the channel's formatter
 * keeps GSM-7 safe. It is held to the send window like reminders and check-ins: it is not a reply to
 * anything the client just wrote, and a text at 02:00 from the clinic is what quiet hours exist to
 * prevent. The engine does not run, so a course step or a questionnaire waiting for an answer keeps
 * waiting for it.
 *
 * In: a client's message with the reply word (VEILEDER / THERAPIST, src/domain/keywords.ts) is stored
 * here by handle-inbound.ts, after the safety check, and stays unread until a therapist lists it.
 */

export const MAX_MESSAGE_LENGTH = 1000;

export interface StaffMessageView {
  id: string;
  direction: 'in' | 'out';
  text: string;
  /** The therapist who wrote it (out). */
  staff?: { id: string; name?: string };
  /** The channel it came from or went to; none when the client had no channel to send it to. */
  channel?: string;
  createdAt: string;
  /** When a therapist first listed it (in). */
  readAt?: string;
}

const viewOf = (m: StaffMessageRow): StaffMessageView => ({
  id: m.id,
  direction: m.direction,
  text: m.text,
  staff: m.staffId ? { id: m.staffId, name: m.staffName } : undefined,
  channel: m.channel,
  createdAt: m.createdAt,
  readAt: m.readAt,
});

/**
 * A client's messages in both directions, newest first. No audit row and nothing marked read: call it
 * inside a read that records one (listMessages, the client page's read).
 */
export async function readMessages(q: Queryable, clientId: string): Promise<StaffMessageView[]> {
  return (await clientMessages(q, clientId)).map(viewOf);
}

export interface MessageList {
  clientId: string;
  /** How many of the client's messages were unread before this listing marked them read. */
  unread: number;
  messages: StaffMessageView[];
}

/**
 * The inbox of one client, for a therapist who may see them: both directions, newest first. Listing
 * marks the client's messages read, with one `message.list` audit row, in one write.
 */
export async function listMessages(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
): Promise<MessageList | undefined> {
  const now = deps.clock();
  return deps.db.write(async (tx) => {
    const client = await visibleClient(tx, actor, clientId);
    if (!client) return undefined;
    const messages = await readMessages(tx, clientId);
    const unread = await markMessagesRead(tx, clientId, now.toISOString());
    await audit(tx, actor, now, { action: 'message.list', clientId });
    return { clientId, unread, messages };
  });
}

export type SendMessageOutcome =
  | { ok: true; message: StaffMessageView; delivered: boolean }
  | { ok: false; error: 'not_found' };

/**
 * A therapist writes to a client they may see: stored, audited (`message.send`) and delivered in one
 * write, as a `therapist_message` turn to the client's preferred address. A client with no channel yet
 * keeps the message in the inbox (`delivered: false`); it is not sent later.
 */
export async function sendTherapistMessage(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  written: string,
): Promise<SendMessageOutcome> {
  const client = await deps.db.read((q) => visibleClient(q, actor, clientId));
  if (!client) return { ok: false, error: 'not_found' };
  const text = faithfulText(written);
  return deps.locks.run(`client:${client.id}`, async () => {
    const now = deps.clock();
    const { address, enrollment } = await deps.db.read(async (q) => ({
      address: await preferredAddress(q, client.id, now),
      enrollment: await currentEnrollment(q, client.id),
    }));
    const message: StaffMessageRow = {
      id: deps.ids.id(),
      clientId: client.id,
      direction: 'out',
      text,
      staffId: actor.staffId,
      staffName: actor.name,
      channel: address?.channel,
      createdAt: now.toISOString(),
    };
    const record = async (tx: Queryable) => {
      await insertStaffMessage(tx, message);
      await audit(tx, actor, now, { action: 'message.send', clientId: client.id, detail: message.id });
    };
    if (address) {
      await runTurn(
        deps,
        { now, client, enrollment, address, locale: client.locale },
        { kind: 'therapist_message', name: actor.name, text },
        { alongside: record, scheduledFor: { timeZone: client.timeZone } },
      );
    } else {
      await deps.db.write(record);
    }
    return { ok: true, message: viewOf(message), delivered: address !== undefined };
  });
}

/** Stores a client's message to their therapist, unread, inside the caller's turn write. */
export async function storeClientMessage(
  deps: ServiceDeps,
  tx: Queryable,
  message: { clientId: string; text: string; channel: string; now: Date },
): Promise<void> {
  await insertStaffMessage(tx, {
    id: deps.ids.id(),
    clientId: message.clientId,
    direction: 'in',
    text: message.text,
    channel: message.channel,
    createdAt: message.now.toISOString(),
  });
}
