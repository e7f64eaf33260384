import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acknowledge, listOpenAlerts } from '../../src/service/alerts.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound, type Inbound } from '../../src/service/handle-inbound.ts';
import { clientAlerts } from '../../src/storage/alerts.ts';
import { currentEnrollment } from '../../src/storage/enrollments.ts';
import { clientResponses } from '../../src/storage/responses.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const HOUR = 3_600_000;
let h: Harness;
afterEach(() => h.close());

async function linkedClient(course: string, address = 'a') {
  const created = await createClient(h.deps, { course, locale: 'nb' });
  if (!created.ok) throw new Error();
  const send = (input: string | Partial<Inbound>) =>
    handleInbound(h.deps, {
      channel: 'terminal',
      address,
      createAddress: true,
      ...(typeof input === 'string' ? { text: input } : input),
    });
  await send(created.accessCode);
  return { ...created, send };
}

const keys = (outcome: Awaited<ReturnType<typeof handleInbound>>) =>
  outcome.kind === 'handled' ? outcome.replies.map((r) => r.text) : [];
const t = (key: string) => h.deps.catalog.text('nb', key);

beforeEach(async () => {
  h = await makeHarness();
});

describe('the safety layer', () => {
  it('answers a crisis text while a questionnaire waits, raises an alert, and leaves the questionnaire as it was', async () => {
    const client = await linkedClient('phq9');
    await client.send('1');
    await client.send('2');
    const before = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
    const outcome = await client.send('Jeg vil ta livet mitt');
    expect(keys(outcome)).toEqual([t('safety.crisis_ack'), t('safety.crisis_info'), t('safety.ask_safe')]);
    const after = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
    expect(after?.persisted).toEqual(before?.persisted);
    const [alert] = await h.deps.db.read((q) => clientAlerts(q, client.clientId));
    expect(alert).toMatchObject({
      kind: 'crisis_text',
      priority: 'high',
      triggerText: 'Jeg vil ta livet mitt',
      channel: 'terminal',
      createdAt: h.clock.now.toISOString(),
      safetyQuestionPending: true,
    });
    // "Yes, I am safe" brings the waiting item back; the questionnaire goes on with its answers kept.
    const safe = await client.send({ value: 'safe' });
    expect(keys(safe)).toEqual([t('safety.answer_safe'), t('phq9.item3')]);
    await client.send('1');
    const state = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
    const snapshot = state!.persisted!.snapshot as { context: { answers: { phq9: { items: number[] } } } };
    expect(snapshot.context.answers.phq9.items).toEqual([1, 2, 1]);
  });

  it('answers at 03:00 local time at once, and an answer of no repeats the numbers and urges 113', async () => {
    h.clock.now = new Date('2026-11-23T02:00:00.000Z'); // 03:00 in Oslo
    const client = await linkedClient('intro');
    const outcome = await client.send('orker ikke mer');
    expect(keys(outcome)[0]).toBe(t('safety.crisis_ack'));
    const no = await client.send('Nei');
    expect(keys(no)).toEqual([t('safety.answer_not_safe')]);
    expect(t('safety.answer_not_safe')).toContain('113');
    // Not trapped: the next message goes to the intro again.
    const next = await client.send('1');
    expect(keys(next)).toEqual([t('intro.ask_area')]);
  });

  it('lets an unreadable answer to "are you safe?" go to the flow', async () => {
    const client = await linkedClient('intro');
    await client.send('I want to kill myself');
    const outcome = await client.send('1');
    expect(keys(outcome)).toEqual([t('safety.answer_safe'), t('intro.ask_ready')]);
    await client.send('jeg vil ikke leve');
    const other = await client.send('hva skjer nå?');
    expect(keys(other)).toEqual([t('engine.hint.choice'), t('intro.ask_ready')]);
    const [first, second] = await h.deps.db.read((q) => clientAlerts(q, client.clientId));
    expect(first?.safetyAnswer).toBe('safe');
    expect(second?.safetyAnswer).toBeUndefined();
    expect(second?.safetyQuestionPending).toBe(false);
  });

  it('answers a crisis text from someone not yet linked, and alerts without a client', async () => {
    const outcome = await handleInbound(h.deps, {
      channel: 'terminal',
      address: 'stranger',
      text: 'jeg vil dø',
      createAddress: true,
    });
    expect(keys(outcome)[0]).toBe(t('safety.crisis_ack'));
    const open = await listOpenAlerts(h.deps);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ clientId: undefined, triggerText: 'jeg vil dø' });
  });

  it('PHQ-9 item 9 above 0: crisis information with the next question, an alert, and the score stored', async () => {
    const client = await linkedClient('phq9');
    for (const answer of ['0', '0', '0', '0', '0', '0', '0', '0']) await client.send(answer);
    const item9 = await client.send('1');
    expect(keys(item9)).toEqual([t('safety.item9'), t('phq9.difficulty')]);
    const [alert] = await h.deps.db.read((q) => clientAlerts(q, client.clientId));
    expect(alert).toMatchObject({
      kind: 'phq9_item9',
      triggerText: '1',
      shown: ['safety.item9', 'phq9.difficulty'],
    });
    await client.send('0');
    const [response] = await h.deps.db.read((q) => clientResponses(q, client.clientId));
    expect(response).toMatchObject({
      instrument: 'phq9',
      instrumentVersion: '1',
      items: [0, 0, 0, 0, 0, 0, 0, 0, 1],
      difficulty: 0,
      total: 1,
      band: 'minimal',
      caseness: false,
      channel: 'terminal',
    });
    expect(response?.enrollmentId).toBeDefined();
  });

  it('pauses reminders while an alert is open, and lets them go once a therapist acknowledges it', async () => {
    const client = await linkedClient('intro');
    await client.send('ta livet av meg');
    h.clock.advance(30 * HOUR);
    expect(await fireDueTimers(h.deps)).toBe(0);
    const [alert] = await listOpenAlerts(h.deps);
    const ack = await acknowledge(h.deps, alert!.id, 'Kari Veileder');
    expect(ack).toMatchObject({ ok: true, alert: { acknowledgedBy: 'Kari Veileder' } });
    expect(await acknowledge(h.deps, alert!.id, 'Kari Veileder')).toEqual({
      ok: false,
      error: 'already_acknowledged',
    });
    expect(await acknowledge(h.deps, 'nope', 'Kari')).toEqual({ ok: false, error: 'not_found' });
    expect(await fireDueTimers(h.deps)).toBe(1);
    expect(await listOpenAlerts(h.deps)).toEqual([]);
  });
});
