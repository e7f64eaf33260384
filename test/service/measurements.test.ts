import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { fireDueSchedules, scheduleMeasurement } from '../../src/service/measurements.ts';
import { conversationSince } from '../../src/service/transcript.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { clientResponses } from '../../src/storage/responses.ts';
import { clientSchedules } from '../../src/storage/schedules.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const DAY = 86_400_000;
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(() => h.close());

async function introClientAtTime(time: string) {
  const created = await createClient(h.deps, { course: 'intro', locale: 'en' });
  if (!created.ok) throw new Error();
  const send = (text: string) =>
    handleInbound(h.deps, {
      channel: 'terminal',
      address: 'm',
      content: { kind: 'message', text },
      createAddress: true,
    });
  await send(created.accessCode);
  for (const answer of ['1', '1', '1', '2', '1', '1', 'Feel calmer']) await send(answer);
  await send(time);
  return { ...created, send };
}

describe('measurement schedules', () => {
  it('start a check-in every 7 days at the time the client chose, and score it', async () => {
    const client = await introClientAtTime('19:30');
    const outcome = await scheduleMeasurement(h.deps, {
      clientId: client.clientId,
      flowId: 'screen',
      everyDays: 7,
    });
    expect(outcome.ok && outcome.schedule.nextDueAt).toBe('2026-11-30T18:30:00.000Z');
    h.clock.now = new Date('2026-11-30T18:29:00.000Z');
    expect(await fireDueSchedules(h.deps)).toBe(0);
    h.clock.now = new Date('2026-11-30T18:30:00.000Z');
    expect(await fireDueSchedules(h.deps)).toBe(1);
    const [schedule] = await h.deps.db.read((q) => clientSchedules(q, client.clientId));
    expect(schedule?.nextDueAt).toBe('2026-12-07T18:30:00.000Z');
    for (const answer of ['1', '1', '0', '1']) await client.send(answer);
    const responses = await h.deps.db.read((q) => clientResponses(q, client.clientId));
    expect(responses.map((r) => [r.instrument, r.total, r.screenPositive])).toEqual([
      ['phq2', 2, false],
      ['gad2', 1, false],
    ]);
  });

  /** An intro client in a terminal chat with a daily screen that has just started: its sender. */
  async function screenStartedInCourse(address: string) {
    const created = await createClient(h.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    const send = (text: string) =>
      handleInbound(h.deps, {
        channel: 'terminal',
        address,
        content: { kind: 'message', text },
        createAddress: true,
      });
    await send(created.accessCode);
    await scheduleMeasurement(h.deps, { clientId: created.clientId, flowId: 'screen', everyDays: 1 });
    h.clock.advance(2 * DAY);
    expect(await fireDueSchedules(h.deps)).toBe(1);
    return { created, send };
  }

  it('does not start a second check-in while one is still open, and resumes a course after it', async () => {
    const { created, send } = await screenStartedInCourse('x');
    h.clock.advance(1 * DAY);
    expect(await fireDueSchedules(h.deps)).toBe(0);
    const enrollments = await h.deps.db.read((q) => listEnrollments(q, created.clientId));
    expect(enrollments.map((e) => [e.flowId, e.status])).toEqual([
      ['intro', 'active'],
      ['screen', 'active'],
    ]);
    await send('0');
    await send('0');
    await send('0');
    const last = await send('0');
    expect(last.kind === 'handled' && last.replies.map((r) => r.text)).toEqual([
      h.deps.catalog.text('nb', 'questionnaire.thanks'),
      h.deps.catalog.text('nb', 'service.resumed'),
      h.deps.catalog.text('nb', 'intro.ask_ready'),
    ]);
  });

  it('hands the conversation back without a "welcome back" when a check-in runs out on its own', async () => {
    const { send } = await screenStartedInCourse('y');
    const answered = await send('0');
    const after = answered.kind === 'handled' ? answered.cursor : 0;
    // Nobody answers the rest: the check-in expires a day later, by its timer.
    h.clock.advance(2 * DAY);
    await fireDueTimers(h.deps);
    const said = ((await conversationSince(h.deps, 'terminal', 'y', after)) ?? [])
      .filter((entry) => entry.direction === 'out')
      .map((entry) => (entry.payload as { rendered?: { text: string } }).rendered?.text);
    const text = (key: string) => h.deps.catalog.text('nb', key);
    expect(said).toContain(text('questionnaire.expired'));
    expect(said).not.toContain(text('service.resumed'));
    const waits = said.indexOf(text('service.course_waits'));
    expect(waits).toBeGreaterThan(said.indexOf(text('questionnaire.expired')));
    expect(said[waits + 1]).toBe(text('intro.ask_ready'));
  });

  it('schedules one measurement at a given time, e.g. before a follow-up contact, and refuses the past', async () => {
    const created = await createClient(h.deps, { course: 'intro' });
    if (!created.ok) throw new Error();
    const at = new Date('2026-12-01T08:00:00.000Z');
    const once = await scheduleMeasurement(h.deps, { clientId: created.clientId, flowId: 'measures', at });
    expect(once.ok && once.schedule).toMatchObject({ once: true, nextDueAt: at.toISOString() });
    expect(
      await scheduleMeasurement(h.deps, { clientId: created.clientId, flowId: 'measures', at: new Date(0) }),
    ).toEqual({
      ok: false,
      error: 'in_the_past',
    });
    expect(
      await scheduleMeasurement(h.deps, { clientId: 'nobody', flowId: 'measures', everyDays: 7 }),
    ).toEqual({
      ok: false,
      error: 'unknown_client',
    });
  });

  it('start the SMS cadence when a phone links: the screen weekly, the full forms every 14 days, never both', async () => {
    const created = await createClient(h.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    await handleInbound(h.deps, {
      channel: 'sms',
      address: '+4791234567',
      content: { kind: 'message', text: created.accessCode },
      createAddress: true,
    });
    const schedules = await h.deps.db.read((q) => clientSchedules(q, created.clientId));
    expect(schedules.map((s) => [s.flowId, s.everyDays, s.nextDueAt])).toEqual([
      ['screen', 7, '2026-11-30T17:00:00.000Z'],
      ['measures', 14, '2026-12-07T17:00:00.000Z'],
    ]);
    const started: string[] = [];
    for (let day = 1; day <= 14; day++) {
      h.clock.now = new Date(Date.parse('2026-11-23T17:00:00.000Z') + day * DAY);
      if ((await fireDueSchedules(h.deps)) > 0) {
        const enrollments = await h.deps.db.read((q) => listEnrollments(q, created.clientId));
        started.push(`${day}:${enrollments.at(-1)!.flowId}`);
      }
    }
    expect(started).toEqual(['7:screen', '14:measures']);
  });

  it('keep a daily 09:00 check-in at 09:00 local across the change to summer time', async () => {
    h.clock.now = new Date('2026-03-26T12:00:00.000Z');
    const created = await createClient(h.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    await handleInbound(h.deps, {
      channel: 'terminal',
      address: 'dst',
      content: { kind: 'message', text: created.accessCode },
      createAddress: true,
    });
    await h.deps.db.write((q) =>
      q.execute({
        sql: 'UPDATE clients SET preferred_time = ? WHERE id = ?',
        args: ['09:00', created.clientId],
      }),
    );
    await scheduleMeasurement(h.deps, { clientId: created.clientId, flowId: 'screen', everyDays: 1 });
    const dues: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [schedule] = await h.deps.db.read((q) => clientSchedules(q, created.clientId));
      dues.push(schedule!.nextDueAt!);
      h.clock.now = new Date(schedule!.nextDueAt!);
      await fireDueSchedules(h.deps);
      // Answer the screen so the next one may start.
      for (let k = 0; k < 4; k++)
        await handleInbound(h.deps, {
          channel: 'terminal',
          address: 'dst',
          content: { kind: 'message', text: '0' },
        });
    }
    expect(dues).toEqual([
      '2026-03-27T08:00:00.000Z',
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });
});
