import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reissueAccessCode } from '../../src/service/access-codes.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound, type Inbound } from '../../src/service/handle-inbound.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { currentEnrollment } from '../../src/storage/enrollments.ts';
import { clientEvents } from '../../src/storage/events.ts';
import { listTimers } from '../../src/storage/timers.ts';
import { addressTranscript } from '../../src/storage/transcript.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const HOUR = 60 * 60 * 1000;
let h: Harness;
let code: string;
let clientId: string;

const send = (text: string, extra: Partial<Inbound> = {}) =>
  handleInbound(h.deps, {
    channel: 'terminal',
    address: 'tty-1',
    content: { kind: 'message', text },
    createAddress: true,
    ...extra,
  });

async function outbound(): Promise<string[]> {
  const address = await h.deps.db.read((q) => findAddress(q, 'terminal', 'tty-1'));
  const entries = await h.deps.db.read((q) => addressTranscript(q, address!.id));
  return entries
    .filter((e) => e.direction === 'out')
    .map((e) => (e.payload as { reply: { key: string } }).reply.key);
}

beforeEach(async () => {
  h = await makeHarness();
  const created = await createClient(h.deps, { course: 'intro', locale: 'nb' });
  if (!created.ok) throw new Error('no client');
  code = created.accessCode;
  clientId = created.clientId;
});
afterEach(() => h.close());

describe('linking by access code', () => {
  it('asks an unknown address for its code, and links it when the code is typed', async () => {
    const first = await send('hei');
    expect(first.kind === 'handled' && first.replies.map((r) => r.text)).toEqual([
      h.deps.catalog.text('nb', 'service.welcome'),
    ]);
    const wrong = await send('ZZZZZZZ');
    expect(wrong.kind === 'handled' && wrong.replies[0]!.text).toBe(
      h.deps.catalog.text('nb', 'service.code_unknown'),
    );
    const linked = await send(` ${code.slice(0, 3).toLowerCase()}-${code.slice(3)} `);
    expect(linked.kind).toBe('handled');
    expect(await outbound()).toEqual([
      'service.welcome',
      'service.code_unknown',
      'service.code_linked',
      'intro.welcome',
      'intro.what',
      'intro.what_not',
      'intro.ask_ready',
    ]);
    const enrollment = await h.deps.db.read((q) => currentEnrollment(q, clientId));
    expect(enrollment?.status).toBe('active');
  });

  it('resumes at the waiting question when a new code is typed on a second channel', async () => {
    await send(code);
    await send('1');
    // A code links one conversation: a second channel needs a new one from the therapist.
    const second = await reissueAccessCode(h.deps, clientId);
    if (!second.ok) throw new Error('no code');
    const other = await handleInbound(h.deps, {
      channel: 'terminal',
      address: 'tty-2',
      content: { kind: 'message', text: second.code },
      createAddress: true,
    });
    expect(other.kind === 'handled' && other.replies.map((r) => r.text)).toEqual([
      h.deps.catalog.text('nb', 'service.code_linked'),
      h.deps.catalog.text('nb', 'service.resumed'),
      h.deps.catalog.text('nb', 'intro.ask_area'),
    ]);
  });

  it('uses the language the client chose in the channel', async () => {
    const linked = await send(code, { locale: 'en' });
    expect(linked.kind === 'handled' && linked.replies[0]!.text).toBe(
      h.deps.catalog.text('en', 'service.code_linked'),
    );
  });
});

describe('the intro reminder timer', () => {
  it('fires after 24 hours of silence, not before, and only once', async () => {
    await send(code);
    h.clock.advance(24 * HOUR - 1);
    expect(await fireDueTimers(h.deps)).toBe(0);
    expect((await outbound()).at(-1)).toBe('intro.ask_ready');
    h.clock.advance(1);
    expect(await fireDueTimers(h.deps)).toBe(1);
    expect((await outbound()).slice(-2)).toEqual(['intro.reminder', 'intro.ask_ready']);
    h.clock.advance(72 * HOUR);
    expect(await fireDueTimers(h.deps)).toBe(0);
    expect((await outbound()).filter((k) => k === 'intro.reminder')).toHaveLength(1);
  });

  it('never fires when the client answered in time, and the next question gets its own', async () => {
    await send(code);
    h.clock.advance(23 * HOUR);
    await send('1');
    const enrollment = await h.deps.db.read((q) => currentEnrollment(q, clientId));
    const timers = await h.deps.db.read((q) => listTimers(q, enrollment!.id));
    expect(timers).toEqual([
      { key: 'xstate.after.remind.area.intro.area.waiting', dueAt: '2026-11-25T08:00:00.000Z' },
    ]);
    h.clock.advance(2 * HOUR);
    expect(await fireDueTimers(h.deps)).toBe(0);
    expect(await outbound()).not.toContain('intro.reminder');
  });
});

describe('domain events', () => {
  it('records the enrollment start, the answers and the suitability assessment', async () => {
    await send(code);
    for (const answer of ['1', '4', '2', '2', '1', '1', 'Bli mindre stresset på jobb', '18:00'])
      await send(answer);
    const events = await h.deps.db.read((q) => clientEvents(q, clientId));
    expect(events.map((e) => e.type)).toEqual([
      'enrollment.started',
      'intro.area_chosen',
      'intro.impact_reported',
      'intro.acute_reported',
      'intro.occupation_reported',
      'intro.motivation_reported',
      'intro.goal_set',
      'intro.reminder_time_chosen',
      'intro.suitability_assessed',
      'enrollment.completed',
    ]);
    expect(events.find((e) => e.type === 'intro.suitability_assessed')?.data).toEqual({
      area: 'stress',
      suitable: true,
      reasons: [],
    });
  });
});
