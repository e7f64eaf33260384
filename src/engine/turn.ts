import { type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, createEmptyActor } from 'xstate';
import { checkFlowEvent } from '../domain/events.ts';
import { currentIdle, currentPrompt } from './prompt.ts';
import type {
  ClientInput,
  DomainEvent,
  EngineEvent,
  FlowEvent,
  FlowInput,
  FlowVersion,
  Locale,
  PersistedFlow,
  Reply,
  TextLookup,
  TimerSpec,
  TurnResult,
} from './types.ts';
import { SETTINGS_EVENT } from './types.ts';

export interface TurnRequest {
  flow: FlowVersion;
  /** The persisted state, or undefined to start the flow. */
  persisted: PersistedFlow | undefined;
  event: EngineEvent;
  now: Date;
  locale: Locale;
  timeZone: string;
  text: TextLookup;
  /** When the flow starts: overrides of its settings (the pace of a signed guidance contract). */
  settings?: FlowInput['settings'];
}

/** Text key sent before the prompt when the current state cannot use what the client sent. */
export const REASK_KEY = 'engine.reask';
/** Text key sent when a finished flow receives input. */
export const FINISHED_KEY = 'engine.finished';

/** An action XState hands to the scope's executor instead of running it. */
export interface ActionLike {
  type: string;
  params?: Record<string, unknown>;
}

/**
 * XState's `transition()` and `initialTransition()` build a new actor for every call, and an actor's
 * constructor computes the machine's initial state: a third of the engine's time (bench/README.md). These
 * do what they do, the machine's own `transition`/`getInitialSnapshot` in an inert scope that collects the
 * actions instead of running them, around one empty actor that is never started. Flows do not spawn or
 * invoke actors, so nothing is ever registered in its system. `machine.transition` is internal and XState
 * has changed it upstream, so `xstate` is pinned exactly and test/engine/xstate-equivalence.test.ts plays
 * every golden conversation through both this and the public `transition()`: an upgrade that breaks it fails.
 */
const inertActor = createEmptyActor();

function inertScope(actions: ActionLike[]): AnyActorScope {
  return {
    self: inertActor,
    system: inertActor.system,
    id: '',
    sessionId: '',
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: (action) => {
      actions.push(action as ActionLike);
    },
  };
}

function transition(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  event: FlowEvent | ReturnType<typeof inputEvent>,
): [AnyMachineSnapshot, ActionLike[]] {
  const actions: ActionLike[] = [];
  return [machine.transition(snapshot, event, inertScope(actions)) as AnyMachineSnapshot, actions];
}

function initialTransition(machine: AnyStateMachine, input: FlowInput): [AnyMachineSnapshot, ActionLike[]] {
  const actions: ActionLike[] = [];
  return [machine.getInitialSnapshot(inertScope(actions), input) as AnyMachineSnapshot, actions];
}

/**
 * One turn of a conversation, without I/O: (persisted state, event, now) -> next state and effects.
 * XState's pure `transition()` returns its actions instead of running them; here delayed events become
 * durable timers, cancellations timer deletions, and emitted events replies and domain events.
 */
export function turn(req: TurnRequest): TurnResult {
  const { flow, now } = req;
  const nowIso = now.toISOString();
  const machine = flow.machine;

  if (req.persisted === undefined || req.event.kind === 'start') {
    const input: FlowInput = {
      locale: req.locale,
      timeZone: req.timeZone,
      now: nowIso,
      ...(req.settings ? { settings: req.settings } : {}),
    };
    const [snapshot, actions] = initialTransition(machine, input);
    return collect(flow, snapshot, actions, now, true, []);
  }

  if (req.persisted.flowId !== flow.id || req.persisted.version !== flow.version) {
    throw new Error(
      `Snapshot of ${req.persisted.flowId}@${req.persisted.version} given to ${flow.id}@${flow.version}`,
    );
  }
  const snapshot = restore(machine, req.persisted);

  if (req.event.kind === 'timer') {
    const event = { ...req.event.event, now: nowIso } as FlowEvent;
    const [next, actions] = transition(machine, snapshot, event);
    return collect(flow, next, actions, now, true, []);
  }

  if (req.event.kind === 'settings') {
    // A flow that ended, or one that keeps no settings, has nothing to change.
    const event = { type: SETTINGS_EVENT, now: nowIso, settings: req.event.settings };
    if (snapshot.status !== 'active' || !snapshot.can(event as never)) {
      return collect(flow, snapshot, [], now, false, []);
    }
    const [next, actions] = transition(machine, snapshot, event as never);
    return collect(flow, next, actions, now, true, []);
  }

  if (snapshot.status !== 'active') {
    return { ...collect(flow, snapshot, [], now, false, []), replies: [{ key: FINISHED_KEY }] };
  }

  const event = inputEvent(snapshot, req.event.input, nowIso, req.text);
  if (!snapshot.can(event as never)) {
    return { ...collect(flow, snapshot, [], now, false, []), replies: reaskReplies(snapshot) };
  }
  const [next, actions] = transition(machine, snapshot, event);
  return collect(flow, next, actions, now, true, []);
}

/**
 * `turn`, with the starts it computes kept and shared: a flow's start depends only on the flow, the
 * locale, the time zone, the time and the settings (never on who starts it), so a batch of check-ins
 * that start the same questionnaire at the same instant computes it once. A kept result is frozen all
 * the way down, so that no caller can change what the next one gets. Every other event runs `turn`.
 * Use one per batch: it keeps every distinct start it saw. `run` is `turn` (the service passes the one it
 * imported, so that what watches the engine's entry sees every request that reaches it).
 */
export function sharingStarts(
  run: (req: TurnRequest) => TurnResult = turn,
): (req: TurnRequest) => TurnResult {
  const starts = new Map<string, TurnResult>();
  return (req) => {
    // Only a fresh start is shared: anything with a state, or with an event beyond the start, runs anew.
    if (req.persisted !== undefined || req.event.kind !== 'start') return run(req);
    const key = JSON.stringify([
      req.flow.id,
      req.flow.version,
      req.locale,
      req.timeZone,
      req.now.toISOString(),
      req.settings ?? null,
    ]);
    let result = starts.get(key);
    if (result === undefined) {
      result = deepFreeze(run(req));
      starts.set(key, result);
    }
    return result;
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export function restore(machine: AnyStateMachine, persisted: PersistedFlow): AnyMachineSnapshot {
  return machine.resolveState(persisted.snapshot as never) as AnyMachineSnapshot;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function normaliseAnswer(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s.!?,;:)(]+$/u, '')
    .replace(/^[\s(]+/u, '')
    .replace(/\s+/gu, ' ');
}

/**
 * Numbers written as words, as people answer a numbered question by SMS ("to", "tre", "three"): nb and nn
 * forms and English, 0 to 10. Only a whole answer is read this way, and only where the question has
 * numbered choices.
 */
const NUMBER_WORDS: ReadonlyMap<string, string> = new Map(
  [
    ['0', ['null', 'zero']],
    ['1', ['en', 'ein', 'ei', 'ett', 'eitt', 'én', 'one']],
    ['2', ['to', 'two']],
    ['3', ['tre', 'three']],
    ['4', ['fire', 'four']],
    ['5', ['fem', 'five']],
    ['6', ['seks', 'six']],
    ['7', ['sju', 'syv', 'seven']],
    ['8', ['åtte', 'eight']],
    ['9', ['ni', 'nine']],
    ['10', ['ti', 'ten']],
  ].flatMap(([digit, words]) => (words as string[]).map((word) => [word, digit as string] as const)),
);

/** Builds the machine event for client input; typed text that names a choice becomes that choice. */
export function inputEvent(snapshot: AnyMachineSnapshot, input: ClientInput, now: string, text: TextLookup) {
  const prompt = currentPrompt(snapshot)?.prompt;
  const choices = prompt?.choices;
  if (input.value !== undefined || !choices || input.text === undefined) {
    return { type: 'INPUT' as const, now, text: input.text, value: input.value };
  }
  const typed = normaliseAnswer(input.text);
  const labels = choices.map((c) => ({ value: c.value, label: normaliseAnswer(text(c.key)) }));
  // A label is read before a number word: a choice may itself be a word such as "ti".
  const digits = labels.some((c) => c.label === typed) ? typed : (NUMBER_WORDS.get(typed) ?? typed);
  const byNumber = !/^\d{1,2}$/.test(digits)
    ? undefined
    : prompt?.numbering === 'value'
      ? choices.find((c) => c.value === digits)
      : choices[Number(digits) - 1];
  const exact = labels.find((c) => c.label === typed || c.value.toLowerCase() === typed);
  // "ja" for "Ja, sett i gang": the start of exactly one label, ending at a word boundary.
  const starts =
    typed.length >= 2
      ? labels.filter((c) => new RegExp(`^${escapeRegExp(typed)}(?![\\p{L}\\p{N}])`, 'u').test(c.label))
      : [];
  const value = byNumber?.value ?? exact?.value ?? (starts.length === 1 ? starts[0]!.value : undefined);
  return { type: 'INPUT' as const, now, text: input.text, value };
}

/** What the engine says when the current state cannot use the input: a hint and the question again. */
export function reaskReplies(snapshot: AnyMachineSnapshot): Reply[] {
  const prompt = currentPrompt(snapshot);
  const idle = prompt ? undefined : currentIdle(snapshot);
  const replies: Reply[] = idle ? [idle] : [prompt?.hint ?? { key: REASK_KEY }];
  if (prompt) replies.push(prompt.prompt);
  return replies;
}

/** The turn's result from the snapshot a transition reached and the actions it collected. */
export function collect(
  flow: FlowVersion,
  snapshot: AnyMachineSnapshot,
  actions: ActionLike[],
  now: Date,
  accepted: boolean,
  initialReplies: Reply[],
): TurnResult {
  // XState turns an exception in an action into an error snapshot; persisting that would silently stop
  // the client's course. It is a bug in the flow: fail the turn, so nothing is written.
  if (snapshot.status === 'error') {
    throw new Error(
      `${flow.id}@${flow.version}: the flow failed: ${String((snapshot as { error?: unknown }).error)}`,
    );
  }
  const replies = [...initialReplies];
  const events: DomainEvent[] = [];
  const timers = new Map<string, TimerSpec>();
  const cancels = new Set<string>();

  for (const action of actions) {
    const params = action.params ?? {};
    if (action.type === 'xstate.emit') {
      const emitted = params.event as { type: string; reply?: Reply; event?: DomainEvent };
      if (emitted.type === 'reply' && emitted.reply) replies.push(emitted.reply);
      else if (emitted.type === 'domain' && emitted.event) {
        // The edge of the flow: a malformed domain event is a bug in the flow, failed like one.
        const checked = checkFlowEvent(emitted.event);
        if (!checked.ok) throw new Error(`${flow.id}@${flow.version}: ${checked.error}`);
        events.push(emitted.event);
      }
    } else if (action.type === 'xstate.raise' && typeof params.delay === 'number') {
      const key = String(params.id ?? (params.event as FlowEvent).type);
      cancels.delete(key);
      timers.set(key, {
        key,
        dueAt: new Date(now.getTime() + params.delay).toISOString(),
        event: params.event as FlowEvent,
      });
    } else if (action.type === 'xstate.cancel') {
      const key = String(params.sendId);
      timers.delete(key);
      cancels.add(key);
    }
  }

  return {
    persisted: {
      flowId: flow.id,
      version: flow.version,
      snapshot: JSON.parse(JSON.stringify(flow.machine.getPersistedSnapshot(snapshot))),
    },
    done: snapshot.status === 'done',
    accepted,
    replies,
    timers: [...timers.values()],
    cancels: [...cancels],
    events,
  };
}

/** The question the flow is waiting on, to ask again when a client comes back. */
export function pendingPrompt(flow: FlowVersion, persisted: PersistedFlow): Reply | undefined {
  const snapshot = restore(flow.machine, persisted);
  return snapshot.status === 'active' ? currentPrompt(snapshot)?.prompt : undefined;
}
