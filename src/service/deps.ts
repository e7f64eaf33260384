import type { FlowRegistry } from '../../flows/registry.ts';
import type { Catalog } from '../content/catalog.ts';
import type { ClinicHours } from '../domain/clinic-hours.ts';
import type { ContractDefaults } from '../domain/contract.ts';
import type { Locale } from '../engine/types.ts';
import type { Database } from '../storage/db.ts';
import type { KeyedLock } from './keyed-lock.ts';
import type { Metrics } from './metrics.ts';
import type { RenderedReply } from './render.ts';
import type { SendRate } from './send-rate.ts';

export type SendResult =
  | { ok: true; providerId?: string }
  | {
      ok: false;
      retryable: boolean;
      error: string;
      /** The address itself is the problem: it opted out at the provider, or cannot receive at all. */
      address?: 'opted_out' | 'undeliverable';
      /** The provider said when to try again (HTTP Retry-After): the next attempt waits this long. */
      retryAfterMs?: number;
      /**
       * The request may have reached the provider: the outcome is unknown (a timeout, or a connection lost
       * after the request went out). A channel with a `lookup` is asked before the message goes again.
       */
      uncertain?: boolean;
    };

/**
 * What a channel found when asked whether it sent a message already: the provider's ids of the matching
 * messages it took, oldest first (none: the message never arrived), or why it could not tell.
 */
export type LookupResult =
  | { ok: true; providerIds: string[] }
  | { ok: false; error: string; retryAfterMs?: number };

/** One message as a push channel will send it (an SMS may split a long reply into several). */
export interface OutboundMessage {
  text: string;
  choices?: { label: string; value: string }[];
  image?: { src: string; alt: string };
  /** Whether a typed number means the choice's value (questionnaires: 0-3) rather than its position. */
  numbering?: 'value';
  /** Bot Framework: the id of the client's activity this message answers (replies thread under it). */
  replyTo?: string;
  /** SMS: the segment count and encoding, recorded for every message. */
  segments?: number;
  encoding?: string;
}

/**
 * A channel's way out. `pull` channels (the built-in web chat) read their messages from the transcript,
 * so nothing is queued for them; `push` channels (SMS, Bot Framework) are sent through the outbox.
 */
export type ChannelSender =
  | { mode: 'pull' }
  | {
      mode: 'push';
      /**
       * Formats a reply for the channel: one or more messages; defaults to the reply as it is. `inReplyTo`
       * is the provider id of the client's message the reply answers, when there is one.
       */
      format?(reply: RenderedReply, context: { inReplyTo?: string }): OutboundMessage[];
      /**
       * Sends one message. `timeoutMs` is how long to wait for the provider before answering with a
       * retryable failure; without it the channel's own default applies (safety sends pass a short one).
       */
      send(message: {
        address: string;
        message: OutboundMessage;
        outboxId: number;
        timeoutMs?: number;
      }): Promise<SendResult>;
      /**
       * Asks the provider whether it took this message to `address` at `since` or later: what an uncertain
       * send is checked against before it goes again. Channels without it send again (a duplicate is then
       * possible). `timeoutMs` as for `send`.
       */
      lookup?(query: {
        address: string;
        message: OutboundMessage;
        since: Date;
        timeoutMs?: number;
      }): Promise<LookupResult>;
    };

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface IdSource {
  /** A unique opaque id for a row or a conversation. */
  id(): string;
  /** Random bytes, for access codes. */
  randomBytes(n: number): Uint8Array;
}

export const randomIds: IdSource = {
  id: () => crypto.randomUUID(),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
};

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
}

/** Everything the service needs, built once in the composition root (src/entry). */
export interface ServiceDeps {
  db: Database;
  flows: FlowRegistry;
  catalog: Catalog;
  clock: () => Date;
  ids: IdSource;
  defaults: {
    locale: Locale;
    timeZone: string;
    flowId: string;
    clinicContact?: string;
    /** The clinic's name (CLINIC_NAME), in the neutral line that opens a discreet SMS. */
    clinicName?: string;
    /** When a person at the clinic reads messages (CLINIC_HOURS), for honest automatic replies. */
    clinicHours?: ClinicHours;
    /** ALERT_SMS_TO: the clinic's duty phone, told without content of every new alert. */
    alertSmsTo?: string;
    /** How long a new access code stays valid unused (ACCESS_CODE_TTL_DAYS). */
    accessCodeTtlDays: number;
    /** How long a web conversation nobody linked is kept after its last message (UNLINKED_RETENTION_DAYS). */
    unlinkedRetentionDays: number;
    /** New web conversations one network address may start per 10 minutes (WEB_START_LIMIT). */
    webStartLimit: number;
    /** Messages per 10 minutes: from one conversation (MESSAGE_LIMIT), from one network (NETWORK_MESSAGE_LIMIT). */
    messageLimits: { conversation: number; network: number };
    /** The clinic's defaults for a new guidance contract (CONTRACT_*); the built-in ones when left out. */
    contract?: ContractDefaults;
  };
  senders: Record<string, ChannelSender>;
  locks: KeyedLock;
  log: Logger;
  /** This process's counters for GET /metrics. */
  metrics: Metrics;
  retry: RetryPolicy;
  /** Check-ins that start when a client links a channel, per channel (SMS: weekly screen, 14-day full). */
  checkins: Record<string, { screenEveryDays: number; fullEveryDays: number }>;
  /** The pace of each rate-limited channel's sender (SMS: SMS_SEND_RATE); a channel without one is not paced. */
  sendRates?: Record<string, SendRate>;
}
