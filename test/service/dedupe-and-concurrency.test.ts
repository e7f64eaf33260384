import { afterEach, describe, expect, it } from 'vitest';
import { buildFlow } from '../../flows/kit/build.ts';
import { askText, end, say } from '../../flows/kit/steps.ts';
import { createRegistry } from '../../flows/registry.ts';
import { reissueAccessCode } from '../../src/service/access-codes.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { addressTranscript, clientTranscript } from '../../src/storage/transcript.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { typed } from '../support/inbound.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

/** A flow that answers every message, forever: each turn must see the one before it. */
const echo = buildFlow({
  id: 'echo',
  version: 1,
  steps: [
    askText('ask', 'intro.ask_goal', { next: 'ack', remind: false }),
    say('ack', 'intro.thanks', { next: 'ask' }),
    end('never'),
  ],
});

describe('deduplication', () => {
  it('applies a provider message id once: one turn, one reply, one transcript row', async () => {
    h = await makeHarness();
    const created = await createClient(h.deps, { course: 'intro' });
    if (!created.ok) throw new Error();
    const inbound = { channel: 'terminal', address: 'a', createAddress: true };
    await handleInbound(h.deps, {
      ...inbound,
      content: { kind: 'message', text: created.accessCode },
      providerId: 'm-1',
    });
    const first = await handleInbound(h.deps, {
      ...inbound,
      content: { kind: 'message', text: '1' },
      providerId: 'm-2',
    });
    const again = await handleInbound(h.deps, {
      ...inbound,
      content: { kind: 'message', text: '1' },
      providerId: 'm-2',
    });
    expect(first.kind).toBe('handled');
    expect(again.kind).toBe('duplicate');
    const rows = await h.deps.db.read((q) => clientTranscript(q, created.clientId));
    expect(rows.filter((r) => r.direction === 'in').map((r) => r.text)).toEqual([created.accessCode, '1']);
    expect(rows.filter((r) => r.text === h!.deps.catalog.text('nb', 'intro.ask_area'))).toHaveLength(1);
  });

  it('dedupes the same id arriving twice at the same moment', async () => {
    h = await makeHarness();
    const inbound = {
      channel: 'terminal',
      address: 'b',
      createAddress: true,
      content: typed('hei'),
      providerId: 'same',
    };
    const results = await Promise.all([handleInbound(h.deps, inbound), handleInbound(h.deps, inbound)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'handled']);
    const address = await h.deps.db.read((q) => findAddress(q, 'terminal', 'b'));
    const rows = await h.deps.db.read((q) => addressTranscript(q, address!.id));
    expect(rows).toHaveLength(2);
  });
});

describe('concurrency', () => {
  it('applies 50 simultaneous messages from one client one after another, none lost or doubled', async () => {
    h = await makeHarness({ file: true, flows: createRegistry([echo]) });
    const created = await createClient(h.deps, { course: 'echo' });
    if (!created.ok) throw new Error();
    const inbound = { channel: 'terminal', address: 'c', createAddress: true };
    await handleInbound(h.deps, { ...inbound, content: { kind: 'message', text: created.accessCode } });
    const texts = Array.from({ length: 50 }, (_, i) => `melding ${i}`);
    const results = await Promise.all(
      texts.map((text, i) =>
        handleInbound(h!.deps, { ...inbound, content: { kind: 'message', text }, providerId: `p-${i}` }),
      ),
    );
    expect(results.every((r) => r.kind === 'handled')).toBe(true);

    const rows = await h.deps.db.read((q) => clientTranscript(q, created.clientId));
    const inboundTexts = rows.filter((r) => r.direction === 'in').map((r) => r.text);
    expect(inboundTexts.slice(1).sort()).toEqual([...texts].sort());
    // Strictly one after another: every message is followed by its own two replies before the next.
    const afterLink = rows.slice(
      rows.findIndex((r) => r.text === 'melding 0' || r.text.startsWith('melding')),
    );
    for (let i = 0; i < afterLink.length; i += 3) {
      expect(afterLink[i]!.direction).toBe('in');
      expect(afterLink.slice(i + 1, i + 3).map((r) => r.direction)).toEqual(['out', 'out']);
    }
    expect(afterLink).toHaveLength(150);
  });

  it('takes one client writing on two channels at once turn by turn, each turn seeing the one before', async () => {
    h = await makeHarness({ file: true, flows: createRegistry([echo]) });
    const created = await createClient(h.deps, { course: 'echo' });
    if (!created.ok) throw new Error();
    const sms = { channel: 'terminal', address: 'phone', createAddress: true };
    const web = { channel: 'terminal', address: 'browser', createAddress: true };
    await handleInbound(h.deps, { ...sms, content: { kind: 'message', text: created.accessCode } });
    // A code links one conversation: the second channel gets a code of its own.
    const second = await reissueAccessCode(h.deps, created.clientId);
    if (!second.ok) throw new Error();
    await handleInbound(h.deps, { ...web, content: { kind: 'message', text: second.code } });
    // Count write transactions: a turn that used a context read before the other channel's turn
    // committed would fail its compare-and-set and be written again.
    const db = h.deps.db;
    let writes = 0;
    h.deps.db = {
      ...db,
      write: (fn) => {
        writes++;
        return db.write(fn);
      },
    };
    const texts = Array.from({ length: 20 }, (_, i) => `melding ${i}`);
    const results = await Promise.all(
      texts.map((text, i) =>
        handleInbound(h!.deps, {
          ...(i % 2 ? web : sms),
          content: { kind: 'message', text },
          providerId: `q-${i}`,
        }),
      ),
    );
    expect(results.every((r) => r.kind === 'handled')).toBe(true);
    expect(writes).toBe(texts.length);
    const rows = await db.read((q) => clientTranscript(q, created.clientId));
    const after = rows.slice(rows.findIndex((r) => r.text.startsWith('melding')));
    expect(
      after
        .filter((r) => r.direction === 'in')
        .map((r) => r.text)
        .sort(),
    ).toEqual([...texts].sort());
    for (let i = 0; i < after.length; i += 3) {
      expect([after[i]!.direction, after[i + 1]!.direction, after[i + 2]!.direction]).toEqual([
        'in',
        'out',
        'out',
      ]);
    }
  });

  it('serves 200 clients at once on a file database without SQLITE_BUSY', async () => {
    h = await makeHarness({ file: true });
    const codes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const created = await createClient(h.deps, { course: 'intro' });
      if (!created.ok) throw new Error();
      codes.push(created.accessCode);
    }
    const send = (i: number, text: string) =>
      handleInbound(h!.deps, {
        channel: 'terminal',
        address: `client-${i}`,
        content: { kind: 'message', text },
        createAddress: true,
      });
    const linked = await Promise.all(codes.map((code, i) => send(i, code)));
    const answered = await Promise.all(codes.map((_, i) => send(i, '1')));
    expect([...linked, ...answered].every((r) => r.kind === 'handled')).toBe(true);
    const count = await h.deps.db.read(
      async (q) =>
        (await q.execute("SELECT count(*) AS n FROM transcript WHERE direction = 'in'")).rows[0]!.n,
    );
    expect(Number(count)).toBe(400);
    const areaQuestions = await h.deps.db.read(async (q) =>
      Number(
        (
          await q.execute({
            sql: 'SELECT count(*) AS n FROM transcript WHERE text = ?',
            args: [h!.deps.catalog.text('nb', 'intro.ask_area')],
          })
        ).rows[0]!.n,
      ),
    );
    expect(areaQuestions).toBe(200);
  });
});
