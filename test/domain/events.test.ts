import { describe, expect, it } from 'vitest';
import { buildFlow } from '../../flows/kit/build.ts';
import { askChoice, end, recordEvent } from '../../flows/kit/steps.ts';
import { checkFlowEvent } from '../../src/domain/events.ts';
import { turn } from '../../src/engine/turn.ts';

describe('domain events at the edge of a flow', () => {
  it('accepts the known events with their data, and recorded answers', () => {
    expect(checkFlowEvent({ type: 'part.started', data: { part: 2 } })).toEqual({ ok: true, value: true });
    expect(checkFlowEvent({ type: 'intro.goal_set', data: { step: 'goal', value: 'Sove bedre' } }).ok).toBe(
      true,
    );
    expect(
      checkFlowEvent({
        type: 'sleep.window_proposed',
        data: { week: 2, window: { bedTime: '00:30', riseTime: '06:30', minutes: 360 }, reason: 'keep' },
      }).ok,
    ).toBe(true);
  });

  it('refuses a malformed or unknown event, naming the field', () => {
    expect(
      checkFlowEvent({ type: 'questionnaire.completed', data: { step: 'phq9', items: ['1'] } }),
    ).toMatchObject({
      ok: false,
    });
    const bad = checkFlowEvent({
      type: 'sleep.window_proposed',
      data: { window: { bedTime: '25:00', riseTime: '06:30', minutes: 360 } },
    });
    expect(bad.ok === false && bad.error).toContain('window.bedTime');
    expect(checkFlowEvent({ type: 'Not An Event', data: {} }).ok).toBe(false);
    expect(checkFlowEvent({ type: 'intro.goal_set', data: { value: 'no step' } }).ok).toBe(false);
  });

  it('fails the turn of a flow that emits a malformed event, so nothing of it is written', () => {
    const flow = buildFlow({
      id: 'malformed',
      version: 1,
      steps: [
        askChoice('ready', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }]),
        recordEvent('assess', 'intro.suitability_assessed', () => ({ area: 3, suitable: 'yes' })),
        end('done', 'intro.done'),
      ],
    });
    const request = {
      flow,
      now: new Date('2026-11-23T09:00:00Z'),
      locale: 'nb' as const,
      timeZone: 'Europe/Oslo',
      text: (key: string) => key,
    };
    const started = turn({ ...request, persisted: undefined, event: { kind: 'start' } });
    expect(() =>
      turn({ ...request, persisted: started.persisted, event: { kind: 'input', input: { value: 'yes' } } }),
    ).toThrow(/intro.suitability_assessed: area/);
  });
});
