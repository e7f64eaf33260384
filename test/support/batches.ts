import { afterEach } from 'vitest';
import type { Locale } from '../../src/engine/types.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import type { Database } from '../../src/storage/db.ts';
import { type Harness, makeHarness } from './harness.ts';
import { typed } from './inbound.ts';

/*
 * What the tests of the scheduler's batches (check-ins, timers) share: harnesses with an SMS channel that
 * takes every message, texts from a phone as the SMS channel reads them, and the rows of the tables a
 * batch writes, to compare a batched pass with one that goes one by one.
 */

/** A function that makes harnesses with a push SMS channel; each is closed after its test. */
export function smsHarnesses(): () => Promise<Harness> {
  const open: Harness[] = [];
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  return async () => {
    const h = await makeHarness({ senders: { sms: { mode: 'push', send: async () => ({ ok: true }) } } });
    open.push(h);
    return h;
  };
}

/** An SMS from `phone`, keywords read as keywords; it must be handled. */
export async function textFrom(h: Harness, phone: string, body: string): Promise<void> {
  const outcome = await handleInbound(h.deps, {
    channel: 'sms',
    address: phone,
    content: typed(body, { keywords: true }),
    createAddress: true,
  });
  if (outcome.kind !== 'handled') throw new Error(outcome.kind);
}

/** Every row of `tables`, in insertion order. */
export async function dumpTables(
  db: Database,
  tables: readonly string[],
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    out[table] = (await db.read((q) => q.execute(`SELECT * FROM ${table} ORDER BY rowid`))).rows;
  }
  return out;
}

/** Clients in the intro, one per locale, each linked by SMS from +47900000N0 (N from 0); their ids. */
export async function linkSmsClients(h: Harness, locales: readonly Locale[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [n, locale] of locales.entries()) {
    const created = await createClient(h.deps, { course: 'intro', locale, timeZone: 'Europe/Oslo' });
    if (!created.ok) throw new Error('no client');
    ids.push(created.clientId);
    await textFrom(h, `+47900000${n}0`, created.accessCode);
  }
  return ids;
}
