import { type AnyEventObject, type AnyStateNodeConfig, assign, emit } from 'xstate';
import { parseAnswer } from '../../src/domain/answer-parse.ts';
import { type InstrumentId, instruments, score } from '../../src/domain/instruments.ts';
import type { PromptMeta } from '../../src/engine/prompt.ts';
import type { Reply } from '../../src/engine/types.ts';
import type { FlowContext } from './steps.ts';

export const QUESTIONNAIRE_KEYS = {
  hint: 'questionnaire.hint',
  paused: 'questionnaire.paused',
  resumed: 'questionnaire.resumed',
  expired: 'questionnaire.expired',
  reminder: 'questionnaire.reminder',
} as const;

export const DEFAULT_QUESTIONNAIRE_EXPIRY_MS = 24 * 60 * 60 * 1000;

/** What a questionnaire keeps in `context.answers[stepId]` while it runs. */
export interface QuestionnaireProgress {
  instrument: InstrumentId;
  startedAt: string;
  /** Scored item answers in order, then the PHQ-9 difficulty answer. */
  items: number[];
  /** When the latest answer came: the completion time once the last item is answered. */
  answeredAt?: string;
}

type InputEvent = { type: 'INPUT'; now: string; text?: string; value?: string };

/** Words that pause a questionnaire, in nb, nn and en (after lower-casing and trimming). */
const PAUSE_WORDS = new Set([
  'pause',
  'ta pause',
  'senere',
  'seinare',
  'seinere',
  'later',
  'fortsett senere',
  'continue later',
]);

const isPause = (event: InputEvent) =>
  event.value === undefined &&
  PAUSE_WORDS.has(
    (event.text ?? '')
      .trim()
      .toLowerCase()
      .replace(/[.!]+$/, ''),
  );

const answerOf = (event: InputEvent): number | undefined => {
  if (event.value !== undefined) return /^[0-3]$/.test(event.value) ? Number(event.value) : undefined;
  return parseAnswer(event.text ?? '');
};

/** The time of the turn: every engine event carries `now`; the start event carries it in its input. */
const eventNow = (event: AnyEventObject, context: FlowContext): string =>
  event.now ?? event.input?.now ?? context.clock ?? '';

const emitReply = (reply: Reply) => emit({ type: 'reply', reply } as never);
const emitDomain = (
  build: (context: FlowContext, event: InputEvent) => { type: string; data: Record<string, unknown> },
) =>
  emit(
    ({ context, event }: { context: FlowContext; event: InputEvent }) =>
      ({ type: 'domain', event: build(context, event) }) as never,
  );

/** The item prompts of an instrument, in the order they are asked. */
export function questionnaireItems(
  instrumentId: InstrumentId,
): { id: string; prompt: Reply & { choices: NonNullable<Reply['choices']> }; risk: boolean }[] {
  const definition = instruments[instrumentId];
  const scored = definition.items.map((item) => ({
    id: item.id,
    risk: item.risk,
    prompt: {
      key: item.textKey,
      choices: definition.answers.map((a) => ({ value: String(a.value), key: a.textKey })),
      numbering: 'value' as const,
    },
  }));
  const unscored = definition.unscoredItem
    ? [
        {
          id: definition.unscoredItem.id,
          risk: false,
          prompt: {
            key: definition.unscoredItem.textKey,
            choices: definition.unscoredItem.answers.map((a) => ({ value: String(a.value), key: a.textKey })),
            numbering: 'value' as const,
          },
        },
      ]
    : [];
  return [...scored, ...unscored];
}

export function questionnaireTextKeys(instrumentId: InstrumentId): string[] {
  const definition = instruments[instrumentId];
  return [
    definition.stemKey,
    definition.attributionKey,
    ...questionnaireItems(instrumentId).flatMap((item) => [
      item.prompt.key,
      ...item.prompt.choices.map((c) => c.key),
    ]),
    ...Object.values(QUESTIONNAIRE_KEYS),
  ];
}

/**
 * A questionnaire as a sub-dialog: the stem, then one item at a time with the four answers as choices
 * (typed 0-3 or the answer words also work). "pause" keeps the answers until the client writes again;
 * left unfinished for `expireAfterMs` it ends as incomplete and is never scored. When it completes, a
 * `questionnaire.completed` domain event carries the item answers and the score. PHQ-9 item 9 above 0
 * raises `safety.item9_positive` the moment it is answered.
 */
export function questionnaireState(
  stepId: string,
  instrumentId: InstrumentId,
  next: string,
  options: { expireAfterMs?: number; expireTo?: string; remindAfterMs?: number } = {},
): AnyStateNodeConfig {
  const { expireAfterMs = DEFAULT_QUESTIONNAIRE_EXPIRY_MS, expireTo = next, remindAfterMs } = options;
  const definition = instruments[instrumentId];
  const items = questionnaireItems(instrumentId);
  const progress = (context: FlowContext) => context.answers[stepId] as QuestionnaireProgress;
  const states: Record<string, AnyStateNodeConfig> = {};

  items.forEach((item, index) => {
    const following = index + 1 < items.length ? `item_${index + 1}` : 'complete';
    const meta: PromptMeta = { prompt: item.prompt, hint: { key: QUESTIONNAIRE_KEYS.hint } };
    states[`item_${index}`] = {
      meta,
      entry: emitReply(item.prompt),
      on: {
        INPUT: [
          { guard: ({ event }: { event: InputEvent }) => isPause(event), target: `paused_${index}` },
          {
            guard: ({ event }: { event: InputEvent }) => answerOf(event) !== undefined,
            target: following,
            actions: [
              assign({
                answers: ({ context, event }: { context: FlowContext; event: InputEvent }) => {
                  const current = progress(context);
                  const itemsSoFar = [...current.items];
                  itemsSoFar[index] = answerOf(event)!;
                  return {
                    ...context.answers,
                    // A questionnaire that followed another one started without a clock: its first
                    // answer dates it.
                    [stepId]: {
                      ...current,
                      startedAt: current.startedAt || event.now,
                      items: itemsSoFar,
                      answeredAt: event.now,
                    },
                  };
                },
                clock: ({ event }: { event: InputEvent }) => event.now,
              }),
              ...(item.risk
                ? [
                    emitDomain((_, event) => ({
                      type: answerOf(event)! > 0 ? 'safety.item9_positive' : 'safety.item9_negative',
                      data: { step: stepId, instrument: instrumentId, answer: answerOf(event)! },
                    })),
                  ]
                : []),
            ],
          },
        ],
      },
    } as AnyStateNodeConfig;
    states[`paused_${index}`] = {
      entry: emitReply({ key: QUESTIONNAIRE_KEYS.paused }),
      on: { INPUT: { target: `item_${index}`, actions: emitReply({ key: QUESTIONNAIRE_KEYS.resumed }) } },
    } as AnyStateNodeConfig;
  });
  states.complete = { type: 'final' };

  return {
    initial: 'item_0',
    entry: [
      assign({
        answers: ({ context, event }: { context: FlowContext; event: AnyEventObject }) => ({
          ...context.answers,
          [stepId]: {
            instrument: instrumentId,
            startedAt: eventNow(event, context),
            items: [],
          } satisfies QuestionnaireProgress,
        }),
      }),
      emitReply({ key: definition.stemKey }),
    ],
    states,
    after: {
      // One reminder; the question it refers to is the last message the client got.
      ...(remindAfterMs !== undefined && remindAfterMs < expireAfterMs
        ? { [remindAfterMs]: { actions: emitReply({ key: QUESTIONNAIRE_KEYS.reminder }) } }
        : {}),
      [expireAfterMs]: {
        target: expireTo,
        actions: [
          emitDomain((context) => ({
            type: 'questionnaire.expired',
            data: { step: stepId, instrument: instrumentId, answered: progress(context).items.length },
          })),
          emitReply({ key: QUESTIONNAIRE_KEYS.expired }),
        ],
      },
    },
    onDone: {
      target: next,
      actions: emitDomain((context) => {
        const { items: answered, startedAt, answeredAt } = progress(context);
        const result = score(instrumentId, answered);
        if (!result.ok) throw new Error(`${stepId}: cannot score ${instrumentId}: ${result.error.code}`);
        const s = result.value;
        return {
          type: 'questionnaire.completed',
          data: {
            step: stepId,
            instrument: instrumentId,
            version: s.version,
            items: s.itemAnswers,
            difficulty: s.difficulty ?? null,
            total: s.total,
            band: s.band ?? null,
            caseness: s.kind === 'caseness' ? s.caseness : null,
            screenPositive: s.kind === 'screen' ? s.screenPositive : null,
            startedAt,
            completedAt: answeredAt ?? null,
          },
        };
      }),
    },
  } as AnyStateNodeConfig;
}
