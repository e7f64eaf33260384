import { afterEach, describe, expect, it } from 'vitest';
import { buildFlow } from '../../flows/kit/build.ts';
import { askChoice, end, recordEvent } from '../../flows/kit/steps.ts';
import { createRegistry } from '../../flows/registry.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { decide, listProposals } from '../../src/service/sleep-windows.ts';
import { clientSleepWindows, currentSleepWindow } from '../../src/storage/sleep-windows.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

/** A stand-in for the sleep course's weekly step: each answer proposes a window. */
const proposing = buildFlow({
  id: 'proposing',
  version: 1,
  steps: [
    askChoice('week', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }]),
    recordEvent('proposed', 'sleep.window_proposed', () => ({
      week: 1,
      window: { bedTime: '00:30', riseTime: '06:30', minutes: 360 },
      reason: 'initial',
    })),
    askChoice('again', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }]),
    recordEvent('proposed_again', 'sleep.window_proposed', () => ({
      week: 2,
      window: { bedTime: '00:15', riseTime: '06:30', minutes: 375 },
      reason: 'extend',
    })),
    end('done'),
  ],
});

let h: Harness;
afterEach(() => h.close());

describe('sleep-window proposals', () => {
  it("wait for the therapist: only an approved window is the client's, and the client is told", async () => {
    h = await makeHarness({ flows: createRegistry([proposing]) });
    const created = await createClient(h.deps, { course: 'proposing', locale: 'nb' });
    if (!created.ok) throw new Error();
    const send = (text: string) =>
      handleInbound(h.deps, {
        channel: 'terminal',
        address: 's',
        content: { kind: 'message', text },
        createAddress: true,
      });
    await send(created.accessCode);
    await send('1');
    const [first] = await listProposals(h.deps);
    expect(first).toMatchObject({
      bedTime: '00:30',
      riseTime: '06:30',
      minutes: 360,
      status: 'awaiting_approval',
    });
    expect(await h.deps.db.read((q) => currentSleepWindow(q, created.clientId))).toBeUndefined();

    // A newer week's proposal replaces the one still waiting.
    await send('1');
    const waiting = await listProposals(h.deps);
    expect(waiting.map((w) => w.bedTime)).toEqual(['00:15']);
    expect(await decide(h.deps, first!.id, 'approved', 'Kari')).toEqual({
      ok: false,
      error: 'not_awaiting_approval',
    });

    const approved = await decide(h.deps, waiting[0]!.id, 'approved', 'Kari');
    expect(approved.ok).toBe(true);
    expect(await h.deps.db.read((q) => currentSleepWindow(q, created.clientId))).toMatchObject({
      bedTime: '00:15',
      decidedBy: 'Kari',
    });
    const all = await h.deps.db.read((q) => clientSleepWindows(q, created.clientId));
    expect(all.map((w) => w.status)).toEqual(['superseded', 'approved']);
    const told = await h.deps.db.read(
      async (q) =>
        (
          await q.execute({
            sql: "SELECT text FROM transcript WHERE direction = 'out' ORDER BY seq DESC LIMIT 1",
            args: [],
          })
        ).rows[0]!.text,
    );
    expect(told).toBe(
      h.deps.catalog.text('nb', 'course.sleep_window_approved', {
        bedTime: '00:15',
        riseTime: '06:30',
        hours: 6,
        minutes: 15,
      }),
    );
    expect(await decide(h.deps, 'nope', 'approved', 'Kari')).toEqual({ ok: false, error: 'not_found' });
  });
});
