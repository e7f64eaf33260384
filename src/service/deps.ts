import type { FlowRegistry } from '../../flows/registry.ts';
import type { Catalog } from '../content/catalog.ts';
import type { Locale } from '../engine/types.ts';
import type { Database } from '../storage/db.ts';
import type { KeyedLock } from './keyed-lock.ts';
import type { RenderedReply } from './render.ts';

export type SendResult = { ok: true; providerId?: string } | { ok: false; retryable: boolean; error: string };

/**
 * A channel's way out. `pull` channels (the built-in web chat) read their messages from the transcript,
 * so nothing is queued for them; `push` channels (SMS, Bot Framework) are sent through the outbox.
 */
export type ChannelSender =
  | { mode: 'pull' }
  | {
      mode: 'push';
      send(message: { address: string; reply: RenderedReply; outboxId: number }): Promise<SendResult>;
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
  defaults: { locale: Locale; timeZone: string; flowId: string };
  senders: Record<string, ChannelSender>;
  locks: KeyedLock;
  log: Logger;
  retry: RetryPolicy;
}
