import { type AnyStateMachine, type AnyStateNodeConfig, assign, createMachine, emit } from 'xstate';
import { nextLocalTime, parseClockTime } from '../../src/domain/local-time.ts';
import type { PromptMeta } from '../../src/engine/prompt.ts';
import type { FlowInput, FlowVersion, Reply } from '../../src/engine/types.ts';
import { questionnaireState, questionnaireTextKeys } from './questionnaire.ts';
import type { FlowContext, Reminder, Step, StepOf } from './steps.ts';

export interface FlowSpec {
  id: string;
  version: number;
  steps: Step[];
  /** Sent once, with the question again, when a question has waited this long for an answer. */
  reminder?: Reminder;
}

type AnyState = AnyStateNodeConfig;
type InputEvent = { type: 'INPUT'; now: string; text?: string; value?: string };
type Parsed = { ok: true; value: unknown } | { ok: false };

export const HINT_KEYS = {
  choice: 'engine.hint.choice',
  text: 'engine.hint.text',
  number: 'engine.hint.number',
  time: 'engine.hint.time',
} as const;

const DEFAULT_TEXT_MAX = 2000;

const emitReply = (reply: (context: FlowContext) => Reply) =>
  emit(({ context }: { context: FlowContext }) => ({ type: 'reply', reply: reply(context) }) as never);

function parseAnswer(step: StepOf<'choice' | 'text' | 'number' | 'time'>, event: InputEvent): Parsed {
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

function hintFor(step: StepOf<'choice' | 'text' | 'number' | 'time'>): Reply {
  if (step.kind === 'number') return { key: HINT_KEYS.number, vars: { min: step.min, max: step.max } };
  if (step.kind === 'text') return { key: HINT_KEYS.text, vars: { max: step.maxLength ?? DEFAULT_TEXT_MAX } };
  return { key: HINT_KEYS[step.kind] };
}

function askState(
  step: StepOf<'choice' | 'text' | 'number' | 'time'>,
  next: string,
  reminder?: Reminder,
): AnyState {
  const prompt: Reply = {
    key: step.key,
    ...(step.kind === 'choice' ? { choices: step.choices.map(({ value, key }) => ({ value, key })) } : {}),
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
    ...(remind
      ? {
          after: {
            [remind.afterMs]: {
              actions: [emitReply(() => ({ key: remind.key })), emitReply(promptWithVars)],
            },
          },
        }
      : {}),
  } as AnyState;
}

function stepState(
  step: Step,
  next: string,
  reminder: Reminder | undefined,
  delays: Record<string, unknown>,
): AnyState {
  switch (step.kind) {
    case 'say':
      return {
        entry: emitReply((context) => ({
          key: step.key,
          ...(step.vars ? { vars: step.vars(context) } : {}),
          ...(step.image ? { image: step.image } : {}),
        })),
        always: next,
      };
    case 'choice':
    case 'text':
    case 'number':
    case 'time':
      return askState(step, next, reminder);
    case 'wait':
      return {
        ...(step.key ? { entry: emitReply(() => ({ key: step.key! })) } : {}),
        after: { [step.afterMs]: next },
      };
    case 'waitUntil': {
      const delay = `until.${step.id}`;
      delays[delay] = ({
        context,
        event,
      }: {
        context: FlowContext;
        event: { now?: string; input?: FlowInput };
      }) => {
        const now = new Date(event.now ?? event.input?.now ?? 0);
        return nextLocalTime(now, step.time, context.timeZone).getTime() - now.getTime();
      };
      return {
        ...(step.key ? { entry: emitReply(() => ({ key: step.key! })) } : {}),
        after: { [delay]: next },
      };
    }
    case 'record':
      return {
        entry: emit(({ context }: { context: FlowContext }) => ({
          type: 'domain',
          event: { type: step.type, data: step.data(context) },
        })) as never,
        always: next,
      };
    case 'questionnaire':
      return questionnaireState(step.id, step.instrument, next, step.expireAfterMs, step.expireTo);
    case 'branch':
      return {
        always: [
          ...step.cases.map((c) => ({
            guard: ({ context }: { context: FlowContext }) => c.when(context),
            target: c.next,
          })),
          { target: next },
        ],
      };
    case 'endOfPart':
      return {
        entry: [
          emit({ type: 'domain', event: { type: 'part.completed', data: { part: step.part } } } as never),
          emitReply((context) => ({ key: step.key, ...(step.vars ? { vars: step.vars(context) } : {}) })),
        ],
        always: next,
      };
    case 'custom':
      return step.state;
    case 'end':
      return {
        type: 'final',
        ...(step.key
          ? {
              entry: emitReply((context) => ({
                key: step.key!,
                ...(step.vars ? { vars: step.vars(context) } : {}),
              })),
            }
          : {}),
      };
  }
}

function textKeysOf(steps: Step[], reminder?: Reminder): string[] {
  const keys = new Set<string>([...Object.values(HINT_KEYS)]);
  if (reminder) keys.add(reminder.key);
  for (const step of steps) {
    if ('key' in step && step.key) keys.add(step.key);
    if (step.kind === 'choice') for (const c of step.choices) keys.add(c.key);
    if ('remind' in step && step.remind) keys.add(step.remind.key);
    if (step.kind === 'custom') for (const k of step.textKeys ?? []) keys.add(k);
    if (step.kind === 'questionnaire') for (const k of questionnaireTextKeys(step.instrument)) keys.add(k);
  }
  return [...keys];
}

/** Builds a versioned flow from a list of steps; each step's `next` defaults to the step after it. */
export function buildFlow(spec: FlowSpec): FlowVersion {
  const ids = new Set<string>();
  for (const step of spec.steps) {
    if (ids.has(step.id)) throw new Error(`${spec.id}: duplicate step id "${step.id}"`);
    ids.add(step.id);
  }
  const delays: Record<string, unknown> = {};
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
    states[step.id] = stepState(step, next ?? '', spec.reminder, delays);
  });

  const machine: AnyStateMachine = createMachine(
    {
      id: spec.id,
      initial: spec.steps[0]!.id,
      context: ({ input }: { input: FlowInput }) => ({
        locale: input.locale,
        timeZone: input.timeZone,
        answers: {},
      }),
      states,
    } as never,
    { delays } as never,
  );
  return { id: spec.id, version: spec.version, machine, textKeys: textKeysOf(spec.steps, spec.reminder) };
}
