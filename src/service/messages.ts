import { faithfulText } from '../domain/text.ts';
import { preferredAddress } from '../storage/addresses.ts';
import type { Queryable } from '../storage/db.ts';
import { currentEnrollment } from '../storage/enrollments.ts';
import {
  clientMessages,
  findMessage,
  insertStaffMessage,
  linkMessageToTranscriptStatement,
  markMessagesRead,
  type StaffMessageRecord,
  type StaffMessageRow,
  unreadMessageCount,
} from '../storage/messages.ts';
import { audit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { runTurn } from './run-turn.ts';
import { mayReadClient, type StaffActor } from './staff-actor.ts';
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
 * Each message out names the transcript row its turn wrote (`transcript_seq`, set last in the turn's
 * batch), and the rows that send that transcript row say where it is: `delivery` (deliveryOf).
 *
 * In: a client's message with the reply word (VEILEDER / THERAPIST, src/domain/keywords.ts) is stored
 * here by handle-inbound.ts, after the safety check, and stays unread until the therapist responsible
 * for the client reads it (readsForClinic): on the client's page or by listing it in the API.
 */

export const MAX_MESSAGE_LENGTH = 1000;

/**
 * Where a therapist's message is, as the therapist should see it:
 * - `no_channel`: the client had no channel when it was written; it is kept, never sent;
 * - `waiting`: not out yet: held for the client's send window, behind a discreet SMS notice the client
 *   has not answered, or waiting for a retry after a passing error;
 * - `sent`: handed to the channel (by SMS: accepted by the provider, or reported delivered); on the web
 *   chat, a pull channel, once it is in the conversation's transcript;
 * - `failed`: it will not reach the client this way: the provider refused it (an invalid number), the
 *   retries ran out, the client sent STOP or the device was unlinked before it went.
 */
export type MessageDelivery = 'no_channel' | 'waiting' | 'sent' | 'failed';

export interface StaffMessageView {
  id: string;
  direction: 'in' | 'out';
  text: string;
  /** The therapist who wrote it (out). */
  staff?: { id: string; name?: string };
  /** The channel it came from or went to; none when the client had no channel to send it to. */
  channel?: string;
  createdAt: string;
  /** When a therapist first read it (in). */
  readAt?: string;
  /**
   * Where it is (out). None for a message written before deliveries were recorded whose transcript row
   * could not be found.
   */
  delivery?: MessageDelivery;
}

/**
 * `delivery` of a message from its outbox facts (storage/messages.ts) and whether its channel pushes
 * (SMS, Bot Framework: outbox rows) or is pulled (the web chat: the transcript is the delivery).
 */
export function deliveryOf(
  row: StaffMessageRow,
  mode: 'push' | 'pull' | undefined,
): MessageDelivery | undefined {
  if (row.direction !== 'out') return undefined;
  if (!row.channel) return 'no_channel';
  if (row.transcriptSeq === undefined) return undefined;
  const o = row.outbox;
  if (o.failed > 0) return 'failed';
  // Held behind a discreet notice: it waits for the client's answer, which cannot come once the number
  // is refused or opted out.
  if (o.held > 0) return o.addressClosed ? 'failed' : 'waiting';
  if (o.pending > 0) return 'waiting';
  if (o.outbox > 0) return 'sent';
  // Nothing sends it: read from the transcript (pull), or dropped before it went (push: STOP, unlinked).
  return mode === 'push' ? 'failed' : 'sent';
}

const viewOf = (deps: Pick<ServiceDeps, 'senders'>, m: StaffMessageRow): StaffMessageView => ({
  id: m.id,
  direction: m.direction,
  text: m.text,
  staff: m.staffId ? { id: m.staffId, name: m.staffName } : undefined,
  channel: m.channel,
  createdAt: m.createdAt,
  readAt: m.readAt,
  delivery: deliveryOf(m, m.channel === undefined ? undefined : deps.senders[m.channel]?.mode),
});

/**
 * A client's messages in both directions, newest first. No audit row and nothing marked read: call it
 * inside a read that records one (listMessages, the client page's read) and marks them read when
 * `readsForClinic` says so.
 */
export async function readMessages(
  deps: Pick<ServiceDeps, 'senders'>,
  q: Queryable,
  clientId: string,
): Promise<StaffMessageView[]> {
  return (await clientMessages(q, clientId)).map((m) => viewOf(deps, m));
}

/**
 * Whether `actor` reading a client's messages reads them for the clinic, so they stop counting as
 * unread: the therapist responsible for the client, or, for a client nobody is responsible for, a
 * therapist who may see them. An admin's look (or anyone else's) leaves them unread for that therapist.
 */
export function readsForClinic(actor: StaffActor, client: { therapistId?: string }): boolean {
  if (client.therapistId !== undefined) return client.therapistId === actor.staffId;
  return actor.role === 'therapist' && mayReadClient(actor, client);
}

/**
 * The client's messages as `readMessages` reads them, and how many from the client were unread, marked
 * read when `actor` reads for the clinic (readsForClinic). Inside the caller's write, which records the
 * read's one audit row.
 */
export async function readAndMarkMessages(
  deps: Pick<ServiceDeps, 'senders'>,
  tx: Queryable,
  actor: StaffActor,
  client: { id: string; therapistId?: string },
  now: Date,
): Promise<{ messages: StaffMessageView[]; unread: number; markedRead: boolean }> {
  const messages = await readMessages(deps, tx, client.id);
  const markedRead = readsForClinic(actor, client);
  const unread = markedRead
    ? await markMessagesRead(tx, client.id, now.toISOString())
    : await unreadMessageCount(tx, client.id);
  return { messages, unread, markedRead };
}

export interface MessageList {
  clientId: string;
  /** How many of the client's messages were unread before this listing. */
  unread: number;
  /** Whether this listing marked them read: only the responsible therapist's does (readsForClinic). */
  markedRead: boolean;
  messages: StaffMessageView[];
}

/**
 * The inbox of one client, for staff who may see them: both directions, newest first. The responsible
 * therapist's listing marks the client's messages read (readsForClinic); one `message.list` audit row;
 * one write.
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
    const { messages, unread, markedRead } = await readAndMarkMessages(deps, tx, actor, client, now);
    await audit(tx, actor, now, { action: 'message.list', clientId });
    return { clientId, unread, markedRead, messages };
  });
}

export type SendMessageOutcome =
  | {
      ok: true;
      /** As stored, with its `delivery` right after the write (`waiting` on a push channel). */
      message: StaffMessageView;
      /**
       * Whether the client had a channel to send it to (kept for the API's compatibility): not whether
       * it reached them, which `message.delivery` says and the message list follows.
       */
      delivered: boolean;
    }
  | { ok: false; error: 'not_found' };

/**
 * A therapist writes to a client they may see: stored, audited (`message.send`) and queued in one
 * write, as a `therapist_message` turn to the client's preferred address, the message linked to the
 * transcript row the turn wrote. A client with no channel yet keeps the message in the inbox
 * (`delivered: false`, delivery `no_channel`); it is not sent later.
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
    const message: StaffMessageRecord = {
      id: deps.ids.id(),
      clientId: client.id,
      direction: 'out',
      text,
      staffId: actor.staffId,
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
        {
          alongside: record,
          closing: [linkMessageToTranscriptStatement(message.id, address.id)],
          scheduledFor: { timeZone: client.timeZone },
        },
      );
    } else {
      await deps.db.write(record);
    }
    const stored = await deps.db.read((q) => findMessage(q, message.id));
    if (!stored) throw new Error('the message just written is not there');
    return { ok: true, message: viewOf(deps, stored), delivered: address !== undefined };
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
