import { type AnyMachineSnapshot, createActor, initialTransition, transition } from 'xstate';
import {
  type ActionLike,
  collect,
  FINISHED_KEY,
  inputEvent,
  reaskReplies,
  type TurnRequest,
} from '../../src/engine/turn.ts';
import { type FlowEvent, type FlowInput, SETTINGS_EVENT, type TurnResult } from '../../src/engine/types.ts';

/**
 * The turn written with XState's public API only, as its documentation shows it: `initialTransition()` and
 * `transition()` for the pure step, and a persisted snapshot restored by handing it to `createActor` (never
 * started, so nothing runs). `turn()` reaches the machine's internal `transition` in a scope of its own for
 * speed; this is the oracle it is compared with. What is not XState (matching typed answers, re-asking,
 * reading replies, timers and domain events out of the actions) is the engine's own, so only the XState
 * path differs.
 */
export function referenceTurn(req: TurnRequest): TurnResult {
  const { flow, now } = req;
  const nowIso = now.toISOString();

  if (req.persisted === undefined || req.event.kind === 'start') {
    const input: FlowInput = {
      locale: req.locale,
      timeZone: req.timeZone,
      now: nowIso,
      ...(req.settings ? { settings: req.settings } : {}),
    };
    const [snapshot, actions] = initialTransition(flow.machine, input);
    return collect(flow, snapshot, actions as ActionLike[], now, true, []);
  }

  if (req.persisted.flowId !== flow.id || req.persisted.version !== flow.version) {
    throw new Error(
      `Snapshot of ${req.persisted.flowId}@${req.persisted.version} given to ${flow.id}@${flow.version}`,
    );
  }
  const snapshot: AnyMachineSnapshot = createActor(flow.machine, {
    snapshot: req.persisted.snapshot as never,
  }).getSnapshot();

  if (req.event.kind === 'timer') {
    const event = { ...req.event.event, now: nowIso } as FlowEvent;
    const [next, actions] = transition(flow.machine, snapshot, event);
    return collect(flow, next, actions as ActionLike[], now, true, []);
  }

  if (req.event.kind === 'settings') {
    const event = { type: SETTINGS_EVENT, now: nowIso, settings: req.event.settings };
    if (snapshot.status !== 'active' || !snapshot.can(event as never)) {
      return collect(flow, snapshot, [], now, false, []);
    }
    const [next, actions] = transition(flow.machine, snapshot, event as never);
    return collect(flow, next, actions as ActionLike[], now, true, []);
  }

  if (snapshot.status !== 'active') {
    return { ...collect(flow, snapshot, [], now, false, []), replies: [{ key: FINISHED_KEY }] };
  }

  const event = inputEvent(snapshot, req.event.input, nowIso, req.text);
  if (!snapshot.can(event)) {
    return { ...collect(flow, snapshot, [], now, false, []), replies: reaskReplies(snapshot) };
  }
  const [next, actions] = transition(flow.machine, snapshot, event);
  return collect(flow, next, actions as ActionLike[], now, true, []);
}
