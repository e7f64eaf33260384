import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ACCESS_CODE_ALPHABET } from '../../src/domain/access-code.ts';
import {
  listAccessCodes,
  listClientAddresses,
  reissueAccessCode,
  revokeAccessCode,
  UNLINKED,
  unlinkAddress,
} from '../../src/service/access-codes.ts';
import { createClient } from '../../src/service/clients.ts';
import { CODE_ATTEMPT_RULES } from '../../src/service/code-attempts.ts';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import type { OutboundMessage } from '../../src/service/deps.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound, type Inbound, type InboundOutcome } from '../../src/service/handle-inbound.ts';
import { KeyedLock } from '../../src/service/keyed-lock.ts';
import { conversationSince } from '../../src/service/transcript.ts';
import { findAccessCode, markAccessCodeUsed } from '../../src/storage/access-codes.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { findClient } from '../../src/storage/clients.ts';
import { clientEvents } from '../../src/storage/events.ts';
import { outboxForAddress } from '../../src/storage/outbox.ts';
import { addressTranscript } from '../../src/storage/transcript.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { typed } from '../support/inbound.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const PHONE = '+4791234567';
const CRISIS = 'jeg skal ta livet mitt i kveld';

let h: Harness;
/** What the fake SMS provider was asked to send, by number. */
let sent: { to: string; text: string }[];

beforeEach(async () => {
  sent = [];
  h = await makeHarness({
    senders: {
      sms: {
        mode: 'push',
        send: async ({ address, message }: { address: string; message: OutboundMessage }) => {
          sent.push({ to: address, text: message.text });
          return { ok: true, providerId: `SM${sent.length}` };
        },
      },
    },
  });
});
afterEach(() => h.close());

const t = (key: string, vars?: Record<string, string | number>) => h.deps.catalog.text('nb', key, vars);

async function newClient(course = 'intro') {
  const created = await createClient(h.deps, { course, locale: 'nb' });
  if (!created.ok) throw new Error('no client');
  return created;
}

/** Sends as one conversation: a terminal chat by default, or SMS from a phone number. */
function from(address: string, extra: Partial<Inbound> = {}) {
  return (text: string) =>
    handleInbound(h.deps, {
      channel: 'terminal',
      address,
      createAddress: true,
      content: typed(text, { keywords: extra.channel === 'sms' }),
      ...extra,
    });
}

const texts = (outcome: InboundOutcome) =>
  outcome.kind === 'handled' ? outcome.replies.map((r) => r.text) : [];
const linkedClientOf = async (channel: string, address: string) =>
  (await h.deps.db.read((q) => findAddress(q, channel, address)))?.clientId;

/** Wrong codes that look like codes: seven letters from the code alphabet, never issued here. */
const wrongCode = (i: number) => `ZZZZZ${ACCESS_CODE_ALPHABET[i % 32]}${ACCESS_CODE_ALPHABET[(i >> 5) % 32]}`;

describe('issuing a code', () => {
  it('stores the code with its expiry when a client is created, and keeps it on the client', async () => {
    const created = await newClient();
    const stored = await h.deps.db.read((q) => findAccessCode(q, created.accessCode));
    expect(stored).toEqual({
      code: created.accessCode,
      clientId: created.clientId,
      createdAt: h.clock.now.toISOString(),
      expiresAt: new Date(h.clock.now.getTime() + 30 * DAY).toISOString(),
    });
    expect(created.accessCodeExpiresAt).toBe(stored?.expiresAt);
    const client = await h.deps.db.read((q) => findClient(q, created.clientId));
    expect(client?.accessCode).toBe(created.accessCode);
  });

  it('takes the time to live from ACCESS_CODE_TTL_DAYS (30 by default, 1 to 365)', async () => {
    expect(loadConfig({}).ACCESS_CODE_TTL_DAYS).toBe(30);
    expect(loadConfig({ ACCESS_CODE_TTL_DAYS: '7' }).ACCESS_CODE_TTL_DAYS).toBe(7);
    expect(() => loadConfig({ ACCESS_CODE_TTL_DAYS: '0' })).toThrow(/ACCESS_CODE_TTL_DAYS/);
    expect(() => loadConfig({ ACCESS_CODE_TTL_DAYS: 'a week' })).toThrow(/ACCESS_CODE_TTL_DAYS/);
    h.deps.defaults.accessCodeTtlDays = 7;
    const created = await newClient();
    expect(created.accessCodeExpiresAt).toBe(new Date(h.clock.now.getTime() + 7 * DAY).toISOString());
  });
});

describe('expiry', () => {
  it('links until the code expires unused, and after that asks for a new code without linking', async () => {
    const early = await newClient();
    const late = await newClient();
    h.clock.advance(30 * DAY - 1);
    expect(texts(await from('early')(early.accessCode))[0]).toBe(t('service.code_linked'));
    h.clock.advance(1);
    const refused = await from('late')(late.accessCode);
    expect(texts(refused)).toEqual([t('service.code_spent')]);
    expect(t('service.code_spent')).not.toBe(t('service.code_unknown'));
    expect(await linkedClientOf('terminal', 'late')).toBeUndefined();
    expect(await linkedClientOf('terminal', 'early')).toBe(early.clientId);
    expect((await listAccessCodes(h.deps, late.clientId)).map((c) => c.state)).toEqual(['expired']);
  });

  it('leaves a code that was used alone when its expiry passes: the linked device keeps working', async () => {
    const created = await newClient();
    const phone = from('phone');
    await phone(created.accessCode);
    h.clock.advance(60 * DAY);
    expect(texts(await phone('1'))[0]).toBe(t('intro.ask_area'));
    expect((await listAccessCodes(h.deps, created.clientId))[0]?.state).toBe('used');
  });
});

describe('one code, one conversation', () => {
  it('links the first device, refuses the code on a second one, and the first keeps working', async () => {
    const created = await newClient();
    const first = from('first');
    const linked = await first(created.accessCode);
    expect(texts(linked)[0]).toBe(t('service.code_linked'));
    const firstAddress = await h.deps.db.read((q) => findAddress(q, 'terminal', 'first'));
    expect(await h.deps.db.read((q) => findAccessCode(q, created.accessCode))).toMatchObject({
      usedAt: h.clock.now.toISOString(),
      usedByAddressId: firstAddress?.id,
    });

    const second = await from('second')(created.accessCode);
    expect(texts(second)).toEqual([t('service.code_spent')]);
    expect(await linkedClientOf('terminal', 'second')).toBeUndefined();
    // Nothing of the client's reached the second device.
    const secondAddress = await h.deps.db.read((q) => findAddress(q, 'terminal', 'second'));
    const secondRows = await h.deps.db.read((q) => addressTranscript(q, secondAddress!.id));
    expect(secondRows.every((row) => row.clientId === undefined)).toBe(true);

    expect(texts(await first('1'))[0]).toBe(t('intro.ask_area'));
    expect((await listClientAddresses(h.deps, created.clientId)).map((a) => a.addressId)).toEqual([
      firstAddress?.id,
    ]);
  });

  it('lets a linked conversation type its own spent code again: the flow reads it, as before', async () => {
    const created = await newClient();
    const phone = from('phone');
    await phone(created.accessCode);
    const again = await phone(created.accessCode);
    expect(texts(again)).not.toContain(t('service.code_spent'));
    expect(texts(again)).not.toContain(t('service.code_linked'));
    expect(texts(again).at(-1)).toBe(t('intro.ask_ready'));
    expect(await linkedClientOf('terminal', 'phone')).toBe(created.clientId);
  });

  it('links exactly one of two devices typing the code at once, even in two processes', async () => {
    const created = await newClient();
    // Another process: the same database, its own locks.
    const other = { ...h.deps, locks: new KeyedLock() };
    const send = (deps: typeof h.deps, address: string) =>
      handleInbound(deps, {
        channel: 'terminal',
        address,
        createAddress: true,
        content: typed(created.accessCode),
      });
    const [a, b] = await Promise.all([send(h.deps, 'a'), send(other, 'b')]);
    const firsts = [texts(a)[0], texts(b)[0]].sort();
    expect(firsts).toEqual([t('service.code_linked'), t('service.code_spent')].sort());
    const linked = [await linkedClientOf('terminal', 'a'), await linkedClientOf('terminal', 'b')];
    expect(linked.filter((id) => id === created.clientId)).toHaveLength(1);
  });

  it('does not link with a code revoked after it was checked and before the link was written', async () => {
    const created = await newClient();
    const db = h.deps.db;
    let revoked = false;
    h.deps.db = {
      ...db,
      write: async (fn) => {
        if (!revoked) {
          revoked = true;
          await revokeAccessCode({ ...h.deps, db }, created.clientId);
        }
        return db.write(fn);
      },
    };
    expect(texts(await from('late')(created.accessCode))).toEqual([t('service.code_spent')]);
    expect(await linkedClientOf('terminal', 'late')).toBeUndefined();
  });

  it('spends a code once, and never a revoked or expired one (the compare-and-set)', async () => {
    const created = await newClient();
    const address = await from('a')('hei');
    const addressId = address.kind === 'handled' ? address.addressId : '';
    const at = (ms: number) => new Date(h.clock.now.getTime() + ms).toISOString();
    const spend = (code: string, when: string) =>
      h.deps.db.write((tx) => markAccessCodeUsed(tx, code, addressId, when));
    const expired = await newClient();
    expect(await spend(expired.accessCode, at(30 * DAY))).toBe(false);
    const revoked = await newClient();
    await revokeAccessCode(h.deps, revoked.clientId);
    expect(await spend(revoked.accessCode, at(0))).toBe(false);
    expect(await spend(created.accessCode, at(0))).toBe(true);
    expect(await spend(created.accessCode, at(1))).toBe(false);
    expect(await spend('NOSUCH2', at(0))).toBe(false);
  });
});

describe('revoking and reissuing', () => {
  it('refuses a revoked code, and says so only once per code', async () => {
    const created = await newClient();
    expect(await revokeAccessCode(h.deps, created.clientId)).toEqual({ ok: true, revoked: 1 });
    expect(await revokeAccessCode(h.deps, created.clientId)).toEqual({ ok: true, revoked: 0 });
    expect(texts(await from('phone')(created.accessCode))).toEqual([t('service.code_spent')]);
    expect(await linkedClientOf('terminal', 'phone')).toBeUndefined();
    expect(await revokeAccessCode(h.deps, 'nobody')).toEqual({ ok: false, error: 'unknown_client' });
  });

  it('issues a new code that links, revokes the unused old one, and shows the new one on the client', async () => {
    const created = await newClient();
    h.clock.advance(DAY);
    const reissued = await reissueAccessCode(h.deps, created.clientId);
    if (!reissued.ok) throw new Error();
    expect(reissued).toMatchObject({
      revoked: 1,
      expiresAt: new Date(h.clock.now.getTime() + 30 * DAY).toISOString(),
    });
    expect(reissued.code).not.toBe(created.accessCode);
    expect((await h.deps.db.read((q) => findClient(q, created.clientId)))?.accessCode).toBe(reissued.code);
    expect((await listAccessCodes(h.deps, created.clientId)).map((c) => [c.code, c.state])).toEqual([
      [reissued.code, 'open'],
      [created.accessCode, 'revoked'],
    ]);
    expect(texts(await from('old')(created.accessCode))).toEqual([t('service.code_spent')]);
    expect(texts(await from('new')(reissued.code))[0]).toBe(t('service.code_linked'));
    expect(await reissueAccessCode(h.deps, 'nobody')).toEqual({ ok: false, error: 'unknown_client' });
  });

  it('links a second device only with a new code; both devices then belong to the client', async () => {
    const created = await newClient();
    await from('phone')(created.accessCode);
    const reissued = await reissueAccessCode(h.deps, created.clientId);
    if (!reissued.ok) throw new Error();
    expect(reissued.revoked).toBe(0);
    expect(texts(await from('laptop')(reissued.code))[0]).toBe(t('service.code_linked'));
    // The first code stays spent: it never links a third device.
    expect(texts(await from('tablet')(created.accessCode))).toEqual([t('service.code_spent')]);
    expect((await listClientAddresses(h.deps, created.clientId)).map((a) => a.channel)).toEqual([
      'terminal',
      'terminal',
    ]);
    expect(await linkedClientOf('terminal', 'tablet')).toBeUndefined();
  });
});

describe('unlinking a device', () => {
  it('stops everything to the device: unsent messages, reminders; its next message is a stranger’s', async () => {
    const created = await newClient();
    const sms = from(PHONE, { channel: 'sms' });
    await from('browser')(created.accessCode);
    const second = await reissueAccessCode(h.deps, created.clientId);
    if (!second.ok) throw new Error();
    h.clock.advance(MINUTE);
    await sms(second.code);
    const phone = await h.deps.db.read((q) => findAddress(q, 'sms', PHONE));
    expect(await listClientAddresses(h.deps, created.clientId)).toEqual([
      expect.objectContaining({ addressId: phone!.id, channel: 'sms', ending: '567', optedOut: false }),
      expect.not.objectContaining({ ending: expect.anything() }),
    ]);
    const queued = (await h.deps.db.read((q) => outboxForAddress(q, phone!.id))).length;
    expect(queued).toBeGreaterThan(0);

    expect(await unlinkAddress(h.deps, created.clientId, phone!.id)).toEqual({ ok: true, cancelled: queued });
    const rows = await h.deps.db.read((q) => outboxForAddress(q, phone!.id));
    expect(rows.every((row) => row.status === 'failed' && row.lastError === UNLINKED)).toBe(true);
    await deliverOutbox(h.deps);
    expect(sent).toEqual([]);
    expect((await listClientAddresses(h.deps, created.clientId)).map((a) => a.channel)).toEqual(['terminal']);
    const events = await h.deps.db.read((q) => clientEvents(q, created.clientId));
    expect(events.at(-1)).toMatchObject({ type: 'address.unlinked', data: { addressId: phone!.id } });

    // The intro's reminder a day later goes to the device still linked, not to the phone.
    h.clock.advance(DAY);
    expect(await fireDueTimers(h.deps)).toBe(1);
    await deliverOutbox(h.deps);
    expect(sent).toEqual([]);

    // What the phone writes now is a stranger's, and its spent code does not link it again.
    expect(texts(await sms('hei'))).toEqual([t('service.code_unknown')]);
    expect(texts(await sms(second.code))).toEqual([t('service.code_spent')]);
    expect(await linkedClientOf('sms', PHONE)).toBeUndefined();
  });

  it('never shows a device the conversation of the client it belonged to before (a shared computer)', async () => {
    const first = await newClient();
    const browser = from('family-pc');
    await browser(first.accessCode);
    await browser('ja, jeg er klar');
    const before = (await conversationSince(h.deps, 'terminal', 'family-pc', 0)) ?? [];
    expect(before.some((entry) => entry.text === 'ja, jeg er klar')).toBe(true);
    const addressId = (await h.deps.db.read((q) => findAddress(q, 'terminal', 'family-pc')))!.id;
    expect((await unlinkAddress(h.deps, first.clientId, addressId)).ok).toBe(true);

    // Unlinked, and then linked to someone else with their own code: the first client's words are gone
    // from what the device reads, from the start and after any cursor.
    const unlinked = (await conversationSince(h.deps, 'terminal', 'family-pc', 0)) ?? [];
    expect(unlinked.map((entry) => entry.text)).not.toContain('ja, jeg er klar');
    const second = await newClient();
    h.clock.advance(MINUTE);
    await browser(second.accessCode);
    const shown = (await conversationSince(h.deps, 'terminal', 'family-pc', 0)) ?? [];
    expect(shown.map((entry) => entry.text)).not.toContain('ja, jeg er klar');
    expect(shown.some((entry) => entry.clientId === first.clientId)).toBe(false);
    expect(shown.some((entry) => entry.clientId === second.clientId)).toBe(true);
    const afterCursor = (await conversationSince(h.deps, 'terminal', 'family-pc', 1)) ?? [];
    expect(afterCursor.some((entry) => entry.clientId === first.clientId)).toBe(false);
    // The therapist still has the first client's whole transcript.
    const kept = await h.deps.db.read((q) => addressTranscript(q, addressId));
    expect(kept.some((entry) => entry.text === 'ja, jeg er klar')).toBe(true);
  });

  it('answers not_found for an address that is not linked to this client', async () => {
    const one = await newClient();
    const two = await newClient();
    const outcome = await from('phone')(one.accessCode);
    const addressId = outcome.kind === 'handled' ? outcome.addressId : '';
    expect(await unlinkAddress(h.deps, two.clientId, addressId)).toEqual({ ok: false, error: 'not_found' });
    expect(await unlinkAddress(h.deps, one.clientId, 'no-such-address')).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await linkedClientOf('terminal', 'phone')).toBe(one.clientId);
  });
});

describe('limits on wrong codes', () => {
  const { conversation, network } = CODE_ATTEMPT_RULES;

  it('refuses every code, the right one too, after 5 wrong ones in a conversation, for 15 minutes', async () => {
    expect([conversation.limit, conversation.windowMs]).toEqual([5, 15 * MINUTE]);
    const created = await newClient();
    const spent = await newClient();
    await from('owner')(spent.accessCode);
    const send = from('guesser');
    // Unknown codes and spent ones count alike.
    for (let i = 0; i < 4; i++) expect(texts(await send(wrongCode(i)))).toEqual([t('service.code_unknown')]);
    expect(texts(await send(spent.accessCode))).toEqual([t('service.code_spent')]);
    h.clock.advance(5 * MINUTE);
    const locked = await send(created.accessCode);
    expect(texts(locked)).toEqual([t('service.code_locked', { minutes: 10 })]);
    expect(await linkedClientOf('terminal', 'guesser')).toBeUndefined();
    expect(texts(await send('hva nå?'))).toEqual([t('service.code_locked', { minutes: 10 })]);
    // Another conversation is not held back by this one.
    expect(texts(await from('neighbour')(wrongCode(9)))).toEqual([t('service.code_unknown')]);

    h.clock.advance(10 * MINUTE - 1);
    expect(texts(await send(created.accessCode))).toEqual([t('service.code_locked', { minutes: 1 })]);
    h.clock.advance(1);
    expect(texts(await send(created.accessCode))[0]).toBe(t('service.code_linked'));
  });

  it('counts an SMS conversation by its phone number, and keeps the number out of the counters', async () => {
    const created = await newClient();
    const sms = from(PHONE, { channel: 'sms' });
    for (let i = 0; i < 5; i++) await sms(wrongCode(i));
    expect(texts(await sms(created.accessCode))).toEqual([t('service.code_locked', { minutes: 15 })]);
    // STOP is a keyword, not a code: it still works.
    expect(texts(await sms('STOPP'))).toEqual([t('sms.stopped')]);
    const keys = await h.deps.db.read(
      async (q) =>
        (await q.execute("SELECT bucket, key FROM rate_limits WHERE bucket LIKE 'access_code_%'")).rows,
    );
    expect(keys).toEqual([{ bucket: conversation.bucket, key: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    // The message counters are keyed by the address row's id, never by the number either.
    const all = await h.deps.db.read(async (q) => (await q.execute('SELECT key FROM rate_limits')).rows);
    expect(JSON.stringify(all)).not.toContain('91234567');
    expect(JSON.stringify(keys)).not.toContain('91234567');
  });

  it('counts wrong codes per network address across conversations, an IPv6 /64 as one', async () => {
    expect([network.limit, network.windowMs]).toEqual([20, 60 * MINUTE]);
    const created = await newClient();
    const fromNetwork = (address: string, networkAddress: string) =>
      from(address, { origin: { networkAddress } });
    // 20 wrong codes in four conversations, five each, from addresses in one /64.
    for (let c = 0; c < 4; c++) {
      const send = fromNetwork(`chat-${c}`, `2001:db8:aa:bb::${c + 1}`);
      for (let i = 0; i < 5; i++) {
        expect(texts(await send(wrongCode(c * 5 + i)))).toEqual([t('service.code_unknown')]);
      }
    }
    const fresh = fromNetwork('chat-new', '2001:db8:aa:bb:ffff::9');
    expect(texts(await fresh(created.accessCode))).toEqual([t('service.code_locked', { minutes: 60 })]);
    // Another network is not held back.
    const elsewhere = fromNetwork('chat-elsewhere', '2001:db8:aa:cc::1');
    expect(texts(await elsewhere(created.accessCode))[0]).toBe(t('service.code_linked'));
    const stored = await h.deps.db.read(async (q) => (await q.execute('SELECT key FROM rate_limits')).rows);
    expect(JSON.stringify(stored)).not.toContain('2001');
  });

  it('still answers a crisis message while codes are refused, and raises the alert', async () => {
    const send = from('locked');
    for (let i = 0; i < 5; i++) await send(wrongCode(i));
    expect(texts(await send(wrongCode(5)))).toEqual([t('service.code_locked', { minutes: 15 })]);
    const crisis = await send(CRISIS);
    expect(texts(crisis)[0]).toBe(t('safety.crisis_ack'));
    expect(texts(crisis).join(' ')).toContain('113');
    expect(texts(crisis)).not.toContain(t('service.code_locked', { minutes: 15 }));
    const alerts = await h.deps.db.read(async (q) => (await q.execute('SELECT priority FROM alerts')).rows);
    expect(alerts).toEqual([{ priority: 'high' }]);
    // The safety answer is read by the protocol, not as a code attempt.
    expect(texts(await send('nei'))).not.toContain(t('service.code_locked', { minutes: 15 }));
  });
});
