import { type AnyStateMachine, type AnyStateNodeConfig, assign, createMachine, emit } from 'xstate';
import { imageAltKey } from '../../src/content/illustrations.ts';
import { homeworkTypes } from '../../src/domain/homework/index.ts';
import { nextLocalTime, parseClockTime } from '../../src/domain/local-time.ts';
import { DEFAULT_SEND_WINDOW, intoSendWindow } from '../../src/domain/quiet-hours.ts';
import type { IdleMeta, PromptMeta } from '../../src/engine/prompt.ts';
import { type FlowInput, type FlowVersion, type Reply, SETTINGS_EVENT } from '../../src/engine/types.ts';
import { questionnaireState, questionnaireTextKeys } from './questionnaire.ts';
import { DEFAULT_FLOW_SETTINGS, type FlowContext, type Reminder, type Step, type StepOf } from './steps.ts';

/** A flow built with the kit keeps its script, for the review export (flows/kit/script.ts). */
export type KitFlow = FlowVersion & { spec: FlowSpec };

export interface FlowSpec {
  id: string;
  version: number;
  steps: Step[];
  /** Sent with the question again when a question has waited this long for an answer. */
  reminder?: Reminder;
}

type AnyState = AnyStateNodeConfig;
type InputEvent = { type: 'INPUT'; now: string; text?: string; value?: string };
export type TimedEvent = { now?: string; input?: FlowInput };
type Parsed = { ok: true; value: unknown } | { ok: false };
type Delays = Record<string, (args: { context: FlowContext; event: TimedEvent }) => number>;
type AskStep = StepOf<'choice' | 'text' | 'number' | 'time'>;

const DAY_MS = 24 * 60 * 60 * 1000;

export const HINT_KEYS = {
  choice: 'engine.hint.choice',
  text: 'engine.hint.text',
  number: 'engine.hint.number',
  time: 'engine.hint.time',
} as const;

export const START_PART_KEY = 'course.start_part';
export const PART_LOCKED_KEY = 'course.part_locked';

const DEFAULT_TEXT_MAX = 2000;

/**
 * The time of the turn: engine events carry `now`, the start event carries it in its input, and an
 * event raised inside a turn (a questionnaire's completion) falls back to the clock the turn set.
 */
export const nowOf = (event: TimedEvent, context: FlowContext): Date =>
  new Date(event.now ?? event.input?.now ?? context.clock ?? 0);

const emitReply = (reply: (context: FlowContext) => Reply) =>
  emit(({ context }: { context: FlowContext }) => ({ type: 'reply', reply: reply(context) }) as never);

function parseAnswer(step: AskStep, event: InputEvent): Parsed {
  switch (step.kind) {
    case 'choice':
      return step.choices.some((c) => c.value === event.value)
        ? { ok: true, value: event.value }
        : { ok: false };
    case 'text': {
      const text = event.text?.trim() ?? '';
      return text.length > 0 && text.length <= (step.maxLength ?? DEFAULT_TEXT_MAX)
        ? { ok: true, value: text }
        : { ok: false };
    }
    case 'number': {
      const text = (event.value ?? event.text ?? '').trim();
      if (!/^-?\d+$/.test(text)) return { ok: false };
      const value = Number(text);
      return value >= step.min && value <= step.max ? { ok: true, value } : { ok: false };
    }
    case 'time': {
      const value = parseClockTime(event.value ?? event.text ?? '');
      return value === undefined ? { ok: false } : { ok: true, value };
    }
  }
}

function hintFor(step: AskStep): Reply {
  if (step.kind === 'number') return { key: HINT_KEYS.number, vars: { min: step.min, max: step.max } };
  if (step.kind === 'text') return { key: HINT_KEYS.text, vars: { max: step.maxLength ?? DEFAULT_TEXT_MAX } };
  return { key: HINT_KEYS[step.kind] };
}

/**
 * Reminders are substates of a question: `waiting` -> `reminded_1` -> ... Each waits `afterMs` (moved
 * into the send window) and sends the reminder with the question again; the last one waits for nothing.
 * Answering leaves the question, which cancels whatever reminder is pending.
 */
function reminderStates(
  stepId: string,
  reminder: Reminder | undefined,
  prompt: (c: FlowContext) => Reply,
  delays: Delays,
) {
  const times = reminder?.times ?? 1;
  if (!reminder || times < 1) return {};
  const delay = `remind.${stepId}`;
  delays[delay] = ({ context, event }) => {
    const now = nowOf(event, context);
    const due = intoSendWindow(
      new Date(now.getTime() + reminder.afterMs),
      context.timeZone,
      reminder.window ?? DEFAULT_SEND_WINDOW,
    );
    return due.getTime() - now.getTime();
  };
  const states: Record<string, AnyState> = {};
  for (let n = 0; n <= times; n++) {
    const name = n === 0 ? 'waiting' : `reminded_${n}`;
    states[name] = {
      ...(n > 0 ? { entry: [emitReply(() => ({ key: reminder.key })), emitReply(prompt)] } : {}),
      ...(n < times ? { after: { [delay]: `reminded_${n + 1}` } } : {}),
    } as AnyState;
  }
  return { initial: 'waiting', states };
}

function askState(step: AskStep, next: string, reminder: Reminder | undefined, delays: Delays): AnyState {
  const prompt: Reply = {
    key: step.key,
    ...(step.kind === 'choice' ? { choices: step.choices.map(({ value, key }) => ({ value, key })) } : {}),
    ...(step.image ? { image: step.image } : {}),
  };
  const promptWithVars = (context: FlowContext): Reply =>
    step.vars ? { ...prompt, vars: step.vars(context) } : prompt;
  const meta: PromptMeta = { prompt, hint: hintFor(step) };

  const answerActions = [
    assign({
      answers: ({ context, event }: { context: FlowContext; event: InputEvent }) => {
        const parsed = parseAnswer(step, event);
        return parsed.ok ? { ...context.answers, [step.id]: parsed.value } : context.answers;
      },
      clock: ({ event }: { event: InputEvent }) => event.now,
    }),
    ...(step.record
      ? [
          emit(({ event }: { event: InputEvent }) => {
            const parsed = parseAnswer(step, event);
            return {
              type: 'domain',
              event: { type: step.record, data: { step: step.id, value: parsed.ok ? parsed.value : null } },
            } as never;
          }),
        ]
      : []),
  ];

  const transitions =
    step.kind === 'choice'
      ? step.choices.map((choice) => ({
          guard: ({ event }: { event: InputEvent }) => event.value === choice.value,
          target: choice.next ?? next,
          actions: answerActions,
        }))
      : [
          {
            guard: ({ event }: { event: InputEvent }) => parseAnswer(step, event).ok,
            target: next,
            actions: answerActions,
          },
        ];

  const remind = step.remind === undefined ? reminder : step.remind || undefined;
  return {
    meta,
    entry: emitReply(promptWithVars),
    on: { INPUT: transitions },
    ...reminderStates(step.id, remind, promptWithVars, delays),
  } as AnyState;
}

type SettingsEvent = { type: typeof SETTINGS_EVENT; now: string; settings: FlowInput['settings'] };

/** New settings (an amended contract's pace) over the ones the flow runs with. */
const assignSettings = assign({
  settings: ({ context, event }: { context: FlowContext; event: SettingsEvent }) => ({
    ...context.settings,
    ...event.settings,
  }),
});

function openPartStates(
  step: StepOf<'openPart'>,
  next: string,
  reminder: Reminder | undefined,
  delays: Delays,
) {
  const gate = `gate.${step.id}`;
  // How long until the part may open: nothing for the first part, or once the gap has passed (the client
  // is there right now); else the end of the gap, moved into the send window.
  const gateDelay = ({ context, event }: { context: FlowContext; event: TimedEvent }) => {
    const now = nowOf(event, context);
    const previous = context.partStartedAt[String(step.part - 1)];
    if (previous === undefined) return 0;
    const earliest = new Date(
      Math.max(now.getTime(), Date.parse(previous) + context.settings.partGapDays * DAY_MS),
    );
    if (earliest.getTime() === now.getTime()) return 0;
    return intoSendWindow(earliest, context.timeZone).getTime() - now.getTime();
  };
  delays[gate] = gateDelay;
  const ready = `${step.id}__ready`;
  const ask = askState(
    {
      kind: 'choice',
      id: ready,
      key: step.key,
      choices: [{ value: 'start', key: START_PART_KEY }],
      ...(step.image ? { image: step.image } : {}),
    },
    next,
    reminder,
    delays,
  );
  const startActions = [
    assign({
      partStartedAt: ({ context, event }: { context: FlowContext; event: InputEvent }) => ({
        ...context.partStartedAt,
        [String(step.part)]: event.now,
      }),
    }),
    emit({ type: 'domain', event: { type: 'part.started', data: { part: step.part } } } as never),
  ];
  const on = (ask.on as { INPUT: { actions: unknown[] }[] }).INPUT.map((t) => ({
    ...t,
    actions: [...t.actions, ...startActions],
  }));
  return {
    // Open at once when nothing is to wait for; a zero delay would otherwise wait for the scheduler.
    [step.id]: {
      meta: { idle: { key: PART_LOCKED_KEY } } satisfies IdleMeta,
      always: {
        guard: (args: { context: FlowContext; event: TimedEvent }) => gateDelay(args) === 0,
        target: ready,
      },
      after: { [gate]: ready },
      // A new pace while the part waits: entered again, so its timer is set from the new gap (or it
      // opens now, when the new gap has already passed).
      on: { [SETTINGS_EVENT]: { target: step.id, reenter: true, actions: assignSettings } },
    } as AnyState,
    [ready]: { ...ask, on: { INPUT: on } } as AnyState,
  };
}

function stepStates(
  step: Step,
  next: string,
  reminder: Reminder | undefined,
  delays: Delays,
): Record<string, AnyState> {
  const one = (state: AnyState) => ({ [step.id]: state });
  switch (step.kind) {
    case 'say':
      return one({
        entry: emitReply((context) => ({
          key: step.key,
          ...(step.vars ? { vars: step.vars(context) } : {}),
          ...(step.image ? { image: step.image } : {}),
        })),
        always: next,
      });
    case 'choice':
    case 'text':
    case 'number':
    case 'time':
      return one(askState(step, next, reminder, delays));
    case 'wait':
      return one({
        ...(step.key ? { entry: emitReply(() => ({ key: step.key! })) } : {}),
        after: { [step.afterMs]: next },
      });
    case 'waitUntil': {
      const delay = `until.${step.id}`;
      delays[delay] = ({ context, event }) => {
        const now = nowOf(event, context);
        return nextLocalTime(now, step.time, context.timeZone).getTime() - now.getTime();
      };
      return one({
        ...(step.key ? { entry: emitReply(() => ({ key: step.key! })) } : {}),
        after: { [delay]: next },
      });
    }
    case 'record':
      return one({
        entry: emit(({ context }: { context: FlowContext }) => ({
          type: 'domain',
          event: { type: step.type, data: step.data(context) },
        })) as never,
        always: next,
      });
    case 'homework': {
      const type = homeworkTypes.get(step.type);
      if (!type) throw new Error(`step "${step.id}": unknown homework type "${step.type}"`);
      return one({
        entry: emit(({ context }: { context: FlowContext }) => {
          const parsed = type.schema.safeParse(step.entry(context));
          if (!parsed.success)
            throw new Error(
              `step "${step.id}": ${step.type} entry does not fit its schema: ${parsed.error.message}`,
            );
          return {
            type: 'domain',
            event: {
              type: 'homework.recorded',
              data: { type: step.type, step: step.id, entry: parsed.data },
            },
          };
        }) as never,
        always: next,
      });
    }
    case 'questionnaire':
      return one(
        questionnaireState(step.id, step.instrument, next, {
          expireAfterMs: step.expireAfterMs,
          expireTo: step.expireTo,
          remindAfterMs: step.remindAfterMs,
        }),
      );
    case 'branch':
      return one({
        always: [
          ...step.cases.map((c) => ({
            guard: ({ context }: { context: FlowContext }) => c.when(context),
            target: c.next,
          })),
          { target: next },
        ],
      });
    case 'endOfPart':
      return one({
        entry: [
          emit({ type: 'domain', event: { type: 'part.completed', data: { part: step.part } } } as never),
          emitReply((context) => ({ key: step.key, ...(step.vars ? { vars: step.vars(context) } : {}) })),
        ],
        always: next,
      });
    case 'openPart':
      return openPartStates(step, next, reminder, delays);
    case 'custom':
      return one(step.state);
    case 'end':
      return one({
        type: 'final',
        ...(step.key
          ? {
              entry: emitReply((context) => ({
                key: step.key!,
                ...(step.vars ? { vars: step.vars(context) } : {}),
              })),
            }
          : {}),
      });
  }
}

function textKeysOf(steps: Step[], reminder?: Reminder): string[] {
  const keys = new Set<string>([...Object.values(HINT_KEYS)]);
  if (reminder) keys.add(reminder.key);
  for (const step of steps) {
    if ('key' in step && step.key) keys.add(step.key);
    if ('image' in step && step.image) keys.add(imageAltKey(step.image));
    if (step.kind === 'choice') for (const c of step.choices) keys.add(c.key);
    if ('remind' in step && step.remind) keys.add(step.remind.key);
    if (step.kind === 'custom') for (const k of step.textKeys ?? []) keys.add(k);
    if (step.kind === 'questionnaire') for (const k of questionnaireTextKeys(step.instrument)) keys.add(k);
    if (step.kind === 'openPart') {
      keys.add(START_PART_KEY);
      keys.add(PART_LOCKED_KEY);
    }
  }
  return [...keys];
}

/** Every illustration a flow shows, as `course/name` paths under content/illustrations. */
function imagesOf(steps: Step[]): string[] {
  return steps.flatMap((step) => ('image' in step && step.image ? [step.image] : []));
}

/** Builds a versioned flow from a list of steps; each step's `next` defaults to the step after it. */
export function buildFlow(spec: FlowSpec): KitFlow {
  const ids = new Set<string>();
  for (const step of spec.steps) {
    if (ids.has(step.id)) throw new Error(`${spec.id}: duplicate step id "${step.id}"`);
    ids.add(step.id);
  }
  const delays: Delays = {};
  const states: Record<string, AnyState> = {};
  spec.steps.forEach((step, index) => {
    const next = ('next' in step && step.next) || spec.steps[index + 1]?.id;
    if (next === undefined && step.kind !== 'end' && step.kind !== 'custom') {
      throw new Error(`${spec.id}: step "${step.id}" has no next step; end the flow with end()`);
    }
    const targets = [
      next,
      ...(step.kind === 'choice' ? step.choices.map((c) => c.next) : []),
      ...(step.kind === 'branch' ? step.cases.map((c) => c.next) : []),
      ...(step.kind === 'questionnaire' ? [step.expireTo] : []),
    ];
    for (const target of targets) {
      if (target !== undefined && !ids.has(target)) {
        throw new Error(`${spec.id}: step "${step.id}" goes to unknown step "${target}"`);
      }
    }
    Object.assign(states, stepStates(step, next ?? '', spec.reminder, delays));
  });

  const machine: AnyStateMachine = createMachine(
    {
      id: spec.id,
      initial: spec.steps[0]!.id,
      context: ({ input }: { input: FlowInput }): FlowContext => ({
        locale: input.locale,
        timeZone: input.timeZone,
        answers: {},
        partStartedAt: {},
        settings: { ...DEFAULT_FLOW_SETTINGS, ...input.settings },
        clock: input.now,
      }),
      states,
      on: { [SETTINGS_EVENT]: { actions: assignSettings } },
    } as never,
    { delays } as never,
  );
  return {
    id: spec.id,
    version: spec.version,
    machine,
    textKeys: textKeysOf(spec.steps, spec.reminder),
    images: imagesOf(spec.steps),
    spec,
  };
}
