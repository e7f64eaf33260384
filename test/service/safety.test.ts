import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { defaultRegistry } from '../../flows/registry.ts';
import { MENU_CHOICES } from '../../src/domain/chat-menu.ts';
import { parseClinicHours } from '../../src/domain/clinic-hours.ts';
import { DANGER_CHOICES, THOUGHTS_CHOICES } from '../../src/domain/safety/safe-answer.ts';
import { isPromptMeta } from '../../src/engine/prompt.ts';
import { acknowledge, listOpenAlerts } from '../../src/service/alerts.ts';
import { createClient } from '../../src/service/clients.ts';
import { fireDueTimers } from '../../src/service/fire-timers.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { checkText } from '../../src/service/safety.ts';
import { clientAlerts } from '../../src/storage/alerts.ts';
import { currentEnrollment } from '../../src/storage/enrollments.ts';
import { clientEvents } from '../../src/storage/events.ts';
import { clientResponses } from '../../src/storage/responses.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { pressed, typed } from '../support/inbound.ts';

const HOUR = 3_600_000;
let h: Harness;
afterEach(() => h.close());
beforeEach(async () => {
  h = await makeHarness();
});

function sender(address: string) {
  return (input: string | { value: string }) =>
    handleInbound(h.deps, {
      channel: 'terminal',
      address,
      createAddress: true,
      content: typeof input === 'string' ? typed(input) : pressed(input.value),
    });
}

async function linkedClient(course: string, address = 'a', locale: 'nb' | 'en' = 'nb') {
  const created = await createClient(h.deps, { course, locale });
  if (!created.ok) throw new Error();
  const send = sender(address);
  await send(created.accessCode);
  return { ...created, send };
}

const texts = (outcome: Awaited<ReturnType<typeof handleInbound>>) =>
  outcome.kind === 'handled' ? outcome.replies.map((r) => r.text) : [];
const t = (key: string, vars?: Record<string, string>) => h.deps.catalog.text('nb', key, vars);
const alertsOf = (clientId: string) => h.deps.db.read((q) => clientAlerts(q, clientId));

const CRISIS = 'jeg skal ta livet mitt i kveld';

describe('safety mode', () => {
  it('opens on a crisis text while a questionnaire waits, and leaves the questionnaire as it was', async () => {
    const client = await linkedClient('phq9');
    await client.send('1');
    await client.send('2');
    const before = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
    const outcome = await client.send(CRISIS);
    const shown = texts(outcome);
    expect(shown[0]).toBe(t('safety.crisis_ack'));
    expect(shown[1]).toContain('Dette er et automatisk svar.');
    expect(shown[2]).toContain('113');
    expect(shown.at(-1)).toBe(t('safety.ask_thoughts'));
    expect(outcome.kind === 'handled' && outcome.replies.at(-1)?.choices?.map((c) => c.label)).toEqual([
      'Ja',
      'Nei',
      'Vet ikke',
    ]);
    const after = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
    expect(after?.persisted).toEqual(before?.persisted);
    const [alert] = await alertsOf(client.clientId);
    expect(alert).toMatchObject({
      kind: 'crisis_text',
      tier: 'crisis',
      priority: 'high',
      triggerText: CRISIS,
      channel: 'terminal',
      createdAt: h.clock.now.toISOString(),
      safetyStep: 'ask_thoughts',
    });
    // A clear "no" ends it: the waiting item comes back and the questionnaire keeps its answers.
    const no = await client.send({ value: 'thoughts_no' });
    expect(texts(no)).toEqual([t('safety.ended_continue'), t('phq9.item3')]);
    await client.send('1');
    const state = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
    const snapshot = state!.persisted!.snapshot as { context: { answers: { phq9: { items: number[] } } } };
    expect(snapshot.context.answers.phq9.items).toEqual([1, 2, 1]);
    const [answered] = await alertsOf(client.clientId);
    expect(answered?.safetyAnswers.map((a) => a.answer)).toEqual(['no_thoughts']);
    expect(answered?.safetyStep).toBeUndefined();
  });

  it.each([['jeg er ikke trygg'], ["I'm not safe"], ['vet ikke'], ['hva mener du'], ['7']])(
    'never hands "%s" to the course after the danger question: it urges 113 and asks again',
    async (answer) => {
      const client = await linkedClient('intro');
      await client.send('1'); // intro: ready → the area question waits
      await client.send(CRISIS);
      await client.send({ value: 'thoughts_yes' });
      const before = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
      const outcome = await client.send(answer);
      const shown = texts(outcome);
      expect(shown.join(' ')).toContain('113');
      expect(shown.at(-1)).toBe(t('safety.ask_danger'));
      const after = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
      expect(after?.persisted).toEqual(before?.persisted);
      const [alert] = await alertsOf(client.clientId);
      expect(alert?.safetyStep).toBe('ask_danger');
      expect(alert?.safetyAnswers.at(-1)?.answer).toMatch(/^(in_danger|unclear)$/);
    },
  );

  it('keeps a message that discloses means out of the course: it is crisis talk, never a goal', async () => {
    const client = await linkedClient('intro');
    for (const answer of ['1', '1', '2', '2']) await client.send(answer); // ready, area, impact, acute: no
    await client.send('1'); // occupation
    await client.send('1'); // motivation → the goal question waits
    await client.send(CRISIS);
    const means = await client.send('jeg har samlet piller i en boks');
    expect(texts(means).join(' ')).toContain('113');
    const events = await h.deps.db.read((q) => clientEvents(q, client.clientId));
    expect(events.some((e) => e.type === 'intro.goal_set')).toBe(false);
    const [alert] = await alertsOf(client.clientId);
    expect(alert?.safetyAnswers.map((a) => a.answer)).toEqual(['crisis_talk']);
    expect(alert?.safetyStep).toBe('ask_danger');
  });

  it('ends on "jeg er trygg nå" from any question, and the course question comes back', async () => {
    const client = await linkedClient('intro');
    await client.send(CRISIS);
    await client.send('ja');
    await client.send('ja'); // in danger: urged to call 113
    const safe = await client.send('jeg er trygg nå');
    expect(texts(safe)).toEqual([t('safety.ended_continue'), t('intro.ask_ready')]);
    const [alert] = await alertsOf(client.clientId);
    expect(alert?.safetyAnswers.map((a) => a.answer)).toEqual(['has_thoughts', 'in_danger', 'safe_now']);
    expect(alert?.safetyAnswer).toBe('safe_now');
    const next = await client.send('1');
    expect(texts(next)).toEqual([t('intro.ask_area')]);
  });

  it('is never a trap: a therapist acknowledging the alert ends it', async () => {
    const client = await linkedClient('intro');
    await client.send(CRISIS);
    const [alert] = await listOpenAlerts(h.deps);
    await acknowledge(h.deps, alert!.id, 'Kari Veileder');
    const next = await client.send('1');
    expect(texts(next)).toEqual([t('intro.ask_area')]);
  });

  it('reads "1" after PHQ-9 item 9 as the first offered choice of the direct question, never as "safe"', async () => {
    const client = await linkedClient('phq9');
    for (const answer of ['0', '0', '0', '0', '0', '0', '0', '0']) await client.send(answer);
    const item9 = await client.send('1');
    const shown = texts(item9);
    expect(shown[0]).toBe(t('safety.item9_ack'));
    expect(shown[1]).toContain('Dette er et automatisk svar.');
    expect(shown[1]).toContain('ikke hele døgnet');
    expect(shown.at(-1)).toBe(t('safety.ask_thoughts'));
    expect(shown).not.toContain(t('phq9.difficulty'));
    const [alert] = await alertsOf(client.clientId);
    expect(alert).toMatchObject({ kind: 'phq9_item9', priority: 'high', triggerText: '1' });

    const one = await client.send('1'); // "Ja": thoughts of taking one's life
    expect(texts(one).at(-1)).toBe(t('safety.ask_danger'));
    const notInDanger = await client.send('nei');
    expect(texts(notInDanger)).toEqual([t('safety.ended_continue'), t('phq9.difficulty')]);
    await client.send('0');
    const [response] = await h.deps.db.read((q) => clientResponses(q, client.clientId));
    expect(response).toMatchObject({ instrument: 'phq9', items: [0, 0, 0, 0, 0, 0, 0, 0, 1], difficulty: 0 });
    const [answered] = await alertsOf(client.clientId);
    expect(answered?.safetyAnswers.map((a) => a.answer)).toEqual(['has_thoughts', 'not_in_danger']);
  });

  it('raises an alert and asks directly on "Ja" to the intro acute question', async () => {
    const client = await linkedClient('intro');
    for (const answer of ['1', '1', '2']) await client.send(answer); // ready, area, impact
    const acute = await client.send('1'); // "Ja"
    const shown = texts(acute);
    expect(shown[0]).toBe(t('safety.acute_ack'));
    expect(shown.at(-1)).toBe(t('safety.ask_thoughts'));
    expect(shown.join(' ')).not.toContain('Veilederen din har fått beskjed');
    const [alert] = await alertsOf(client.clientId);
    expect(alert).toMatchObject({ kind: 'intro_acute', priority: 'high', safetyStep: 'ask_thoughts' });
    // After a clear no, the intro's own advice for acute cases follows.
    const no = await client.send('nei');
    expect(texts(no)).toContain(t('intro.acute_route'));
  });

  it('answers before an access code is typed, and attaches the alert to the client when the code links', async () => {
    const send = sender('stranger');
    const opened = await send(CRISIS);
    expect(texts(opened)[0]).toBe(t('safety.crisis_ack'));
    expect(texts(opened).join(' ')).toContain(t('safety.seen_by_clinic'));
    const no = await send('Nei');
    expect(texts(no)).not.toContain(t('service.code_unknown'));
    expect(texts(no)[0]).toBe(t('safety.ended'));
    const [unlinked] = await listOpenAlerts(h.deps);
    expect(unlinked).toMatchObject({ clientId: undefined, safetyAnswer: 'no_thoughts' });

    const created = await createClient(h.deps, { course: 'intro', locale: 'nb' });
    if (!created.ok) throw new Error();
    await send(created.accessCode);
    const [linked] = await alertsOf(created.clientId);
    expect(linked?.id).toBe(unlinked?.id);
  });

  it('reads the words a client put in a button value (Direct Line lets any string through)', async () => {
    const client = await linkedClient('phq9');
    const outcome = await client.send({ value: CRISIS });
    expect(texts(outcome)[0]).toBe(t('safety.crisis_ack'));
    expect(texts(outcome).at(-1)).toBe(t('safety.ask_thoughts'));
    // With a text beside it, the alert shows both.
    const other = await linkedClient('phq9', 'b');
    const both = await handleInbound(h.deps, {
      channel: 'terminal',
      address: 'b',
      content: { kind: 'button', value: CRISIS, text: 'ok' },
    });
    expect(texts(both)[0]).toBe(t('safety.crisis_ack'));
    const [alert] = await alertsOf(other.clientId);
    expect(alert).toMatchObject({ tier: 'crisis', triggerText: `ok\n${CRISIS}` });
  });

  it("reads no button value the service offers as a risk: the flows' choices and the protocol's", () => {
    const values = new Set<string>([...THOUGHTS_CHOICES, ...DANGER_CHOICES, ...Object.values(MENU_CHOICES)]);
    const walk = (node: AnyStateNode) => {
      const meta = node.meta as unknown;
      if (isPromptMeta(meta)) for (const choice of meta.prompt.choices ?? []) values.add(choice.value);
      for (const child of Object.values(node.states)) walk(child as AnyStateNode);
    };
    for (const flow of defaultRegistry.all()) walk(flow.machine.root);
    expect(values.size).toBeGreaterThan(60);
    expect([...values].filter((value) => checkText(value).tier !== 'none')).toEqual([]);
  });

  it('takes a "yes" pressed on an earlier question as a signal of its own, linked or not', async () => {
    // A course question waits; the protocol of an earlier crisis ended on a clear no.
    const client = await linkedClient('phq9');
    await client.send(CRISIS);
    await client.send({ value: 'thoughts_no' });
    // The old card's "Ja" is pressed: the protocol opens again, it is never an unclear course answer.
    const again = await client.send({ value: 'thoughts_yes' });
    expect(texts(again)[0]).toBe(t('safety.crisis_ack'));
    expect(texts(again).join(' ')).toContain('113');
    expect(texts(again)).not.toContain(t('phq9.item1'));
    // It answered the thoughts question: the next question is the danger one, never the same one again.
    expect(texts(again)).not.toContain(t('safety.ask_thoughts'));
    expect(texts(again).at(-1)).toBe(t('safety.ask_danger'));
    const alerts = await alertsOf(client.clientId);
    expect(alerts).toHaveLength(2);
    expect(alerts.find((a) => a.safetyStep !== undefined)).toMatchObject({
      kind: 'crisis_text',
      tier: 'crisis',
      priority: 'high',
      safetyStep: 'ask_danger',
      safetyAnswer: 'has_thoughts',
      // The therapist reads what the button said, not its value.
      triggerText: t('safety.thoughts_yes'),
    });
    // "Ja" to being in danger, pressed late, is urged to call 113 at once; "nei" is nothing.
    await client.send('jeg er trygg nå');
    const danger = texts(await client.send({ value: 'danger_yes' }));
    expect(danger[0]).toBe(t('safety.crisis_ack'));
    expect(danger.slice(-2)).toEqual([t('safety.in_danger'), t('safety.ask_danger')]);
    await client.send('jeg er trygg nå');
    expect(texts(await client.send({ value: 'thoughts_no' }))).not.toContain(t('safety.crisis_ack'));

    // Before an access code too: the button is never taken for a wrong code.
    const stranger = sender('stranger-2');
    await stranger('hei');
    const unsure = await stranger({ value: 'thoughts_unsure' });
    expect(texts(unsure)).not.toContain(t('service.code_unknown'));
    expect(texts(unsure)).toContain(t('safety.crisis_info'));
    expect(texts(unsure).at(-1)).toBe(t('safety.ask_danger'));
  });

  describe('a protocol button pressed when no question is open opens the protocol at the answer it gives', () => {
    const CASES = [
      { value: 'thoughts_yes', asked: 'ask_thoughts', answer: 'has_thoughts', after: ['safety.ask_danger'] },
      { value: 'thoughts_unsure', asked: 'ask_thoughts', answer: 'unsure', after: ['safety.ask_danger'] },
      {
        value: 'danger_yes',
        asked: 'ask_danger',
        answer: 'in_danger',
        after: ['safety.in_danger', 'safety.ask_danger'],
      },
    ] as const;

    /** The crisis opening, then what follows the button's answer, with the danger question's choices. */
    function expectOpening(outcome: Awaited<ReturnType<typeof handleInbound>>, after: readonly string[]) {
      const shown = texts(outcome);
      expect(shown[0]).toBe(t('safety.crisis_ack'));
      expect(shown[1]).toContain('Dette er et automatisk svar.');
      expect(shown.slice(2)).toEqual([t('safety.crisis_info'), ...after.map((key) => t(key))]);
      expect(outcome.kind === 'handled' && outcome.replies.at(-1)?.choices).toEqual([
        { label: 'Ja', value: 'danger_yes' },
        { label: 'Nei', value: 'danger_no' },
      ]);
    }

    it.each(CASES)(
      '$value, linked: one high-priority alert with the answer, the course untouched',
      async (c) => {
        const client = await linkedClient('phq9');
        await client.send(CRISIS);
        await client.send({ value: 'thoughts_no' }); // the earlier protocol ended; PHQ-9 item 1 waits again
        const before = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
        const outcome = await client.send({ value: c.value });
        expectOpening(outcome, c.after);
        const after = await h.deps.db.read((q) => currentEnrollment(q, client.clientId));
        expect(after?.persisted).toEqual(before?.persisted);

        const open = (await alertsOf(client.clientId)).filter((a) => a.safetyStep !== undefined);
        expect(open).toHaveLength(1);
        expect(open[0]).toMatchObject({
          kind: 'crisis_text',
          tier: 'crisis',
          priority: 'high',
          safetyStep: 'ask_danger',
          safetyAnswer: c.answer,
          shown: ['safety.crisis_ack', 'safety.automatic', 'safety.crisis_info', ...c.after],
        });
        expect(open[0]?.safetyAnswers).toEqual([
          { step: c.asked, answer: c.answer, at: h.clock.now.toISOString() },
        ]);
        const events = await h.deps.db.read((q) => clientEvents(q, client.clientId));
        expect(events.slice(-2).map((e) => [e.type, e.data])).toEqual([
          [
            'safety.signal_raised',
            { alertId: open[0]?.id, source: 'text', tier: 'crisis', rule: `button:${c.value}` },
          ],
          ['safety.answered', { alertId: open[0]?.id, step: c.asked, answer: c.answer }],
        ]);
        // A crisis alert pauses reminders and check-ins until a therapist acknowledges it.
        h.clock.advance(30 * HOUR);
        expect(await fireDueTimers(h.deps)).toBe(0);

        // A clear "Nei" to the danger question ends it, and the questionnaire's waiting item comes back.
        const no = await client.send({ value: 'danger_no' });
        expect(texts(no)).toEqual([t('safety.ended_continue'), t('phq9.item1')]);
        const [ended] = (await alertsOf(client.clientId)).filter((a) => a.id === open[0]?.id);
        expect(ended?.safetyAnswers.map((a) => [a.step, a.answer])).toEqual([
          [c.asked, c.answer],
          ['ask_danger', 'not_in_danger'],
        ]);
      },
    );

    it.each(CASES)('$value, not linked: the same opening and alert, never a wrong code', async (c) => {
      const send = sender(`stranger-${c.value}`);
      await send('hei'); // a wrong code: the conversation exists, nothing is open
      const outcome = await send({ value: c.value });
      expectOpening(outcome, c.after);
      expect(texts(outcome)).not.toContain(t('service.code_unknown'));
      const alerts = await listOpenAlerts(h.deps);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        clientId: undefined,
        kind: 'crisis_text',
        tier: 'crisis',
        priority: 'high',
        safetyStep: 'ask_danger',
        safetyAnswer: c.answer,
        safetyAnswers: [{ step: c.asked, answer: c.answer, at: h.clock.now.toISOString() }],
      });
      expect(texts(outcome)[1]).toContain(t('safety.seen_by_clinic'));
      // An unclear answer is not safe: 113 and the danger question again, still no code check.
      const unclear = await send('hmm');
      expect(texts(unclear)).toEqual([t('safety.unclear'), t('safety.ask_danger')]);
    });
  });

  it('tells when a person reads, from CLINIC_HOURS', async () => {
    const hours = parseClinicHours('Mon-Fri 08:00-15:30');
    if (!hours.ok) throw new Error();
    h.deps.defaults.clinicHours = hours.value;
    h.clock.now = new Date('2026-11-27T21:00:00.000Z'); // Friday 22:00 in Oslo
    const client = await linkedClient('intro');
    const outcome = await client.send(CRISIS);
    expect(texts(outcome)[1]).toContain(t('safety.read_next', { next: 'mandag kl. 08:00' }));
    h.clock.now = new Date('2026-11-30T09:00:00.000Z'); // Monday 10:00
    const other = await linkedClient('intro', 'b');
    await other.send('jeg er trygg nå');
    const during = await other.send(CRISIS);
    expect(texts(during)[1]).toContain(t('safety.read_open'));
  });

  it('pauses reminders while a crisis alert is open, and lets them go once a therapist acknowledges it', async () => {
    const client = await linkedClient('intro');
    await client.send(CRISIS);
    await client.send('nei');
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

describe('the two tiers', () => {
  it.each([
    'jeg tenker på å henge meg',
    'Jeg har kjøpt tabletter og skal ta dem alle i kveld',
    'Jeg har samlet piller',
    "I'm going to take all my pills tonight",
  ])('takes "%s" as a crisis', async (message) => {
    const client = await linkedClient('intro');
    const outcome = await client.send(message);
    expect(texts(outcome)[0]).toBe(t('safety.crisis_ack'));
    const [alert] = await alertsOf(client.clientId);
    expect(alert).toMatchObject({ kind: 'crisis_text', priority: 'high' });
  });

  it.each([
    'våkner klokka fire',
    'orker ikke mer enn ti minutter tur',
    'skar meg en brødskive',
    'Jeg orker ikke mer oppvask i dag, haha',
  ])('lets "%s" through to the course without an alert', async (message) => {
    const client = await linkedClient('intro');
    await client.send(message);
    expect(await alertsOf(client.clientId)).toEqual([]);
  });

  it('asks directly on a concern, records it without pausing the course, and ends on a clear no', async () => {
    const client = await linkedClient('intro');
    const outcome = await client.send('ser ingen vits med noe');
    const shown = texts(outcome);
    expect(shown[0]).toBe(t('safety.concern_ack'));
    expect(shown.join(' ')).not.toContain('116 123');
    expect(shown.at(-1)).toBe(t('safety.ask_thoughts'));
    const no = await client.send('nei');
    expect(texts(no)).toEqual([t('safety.ended_continue'), t('intro.ask_ready')]);
    const [alert] = await alertsOf(client.clientId);
    expect(alert).toMatchObject({ kind: 'concern_text', tier: 'concern', priority: 'normal' });
    h.clock.advance(30 * HOUR);
    expect(await fireDueTimers(h.deps)).toBe(1);
  });

  it('escalates a concern to the full protocol on "vet ikke"', async () => {
    const client = await linkedClient('intro');
    await client.send('ser ingen vits med noe');
    const unsure = await client.send('vet ikke');
    expect(texts(unsure).join(' ')).toContain('116 123');
    expect(texts(unsure).at(-1)).toBe(t('safety.ask_danger'));
    const [alert] = await alertsOf(client.clientId);
    expect(alert).toMatchObject({ tier: 'crisis', priority: 'high', kind: 'concern_text' });
  });
});
