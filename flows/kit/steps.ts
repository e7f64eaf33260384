import type { AnyStateNodeConfig } from 'xstate';
import type { InstrumentId } from '../../src/domain/instruments.ts';
import type { SendWindow } from '../../src/domain/quiet-hours.ts';
import type { ChoiceSpec, Reply, TextVars } from '../../src/engine/types.ts';

/** What every flow keeps in its XState context. */
export interface FlowContext {
  locale: 'nb' | 'en';
  timeZone: string;
  answers: Record<string, unknown>;
  /** When each course part was started (part number -> ISO time), for gating the next part. */
  partStartedAt: Record<string, string>;
  settings: FlowSettings;
  /** The time of the latest client answer, for events raised within a turn that carry no time. */
  clock?: string;
}

/** Settings a flow runs with; the guidance contract will own them. */
export interface FlowSettings {
  /** Days from the start of one course part until the next may open. */
  partGapDays: number;
}

export const DEFAULT_FLOW_SETTINGS: FlowSettings = { partGapDays: 6 };

export type VarsFn = (context: FlowContext) => TextVars;

interface StepBase {
  /** State id; unique within the flow. */
  id: string;
  /** Id of the step to go to next; defaults to the following step in the list. */
  next?: string;
}

interface AskBase extends StepBase {
  key: string;
  vars?: VarsFn;
  /** Domain event type recorded with the answer, e.g. `intro.area_chosen`. */
  record?: string;
  /** Overrides the flow's reminder for this question; `false` for none. */
  remind?: Reminder | false;
  /** An illustration shown with the question (`course/name`). */
  image?: string;
}

export interface Reminder {
  afterMs: number;
  key: string;
  /** How many reminders at most (each `afterMs` after the one before); default 1. */
  times?: number;
  /** Reminders are moved into this local send window; default 08:00-21:00. */
  window?: SendWindow;
}

export type Step =
  | (StepBase & { kind: 'say'; key: string; vars?: VarsFn; image?: string })
  | (AskBase & { kind: 'choice'; choices: (ChoiceSpec & { next?: string })[] })
  | (AskBase & { kind: 'text'; maxLength?: number })
  | (AskBase & { kind: 'number'; min: number; max: number })
  | (AskBase & { kind: 'time' })
  | (StepBase & { kind: 'wait'; afterMs: number; key?: string })
  | (StepBase & { kind: 'waitUntil'; time: string; key?: string })
  | (StepBase & { kind: 'record'; type: string; data: (context: FlowContext) => Record<string, unknown> })
  | (StepBase & {
      kind: 'questionnaire';
      instrument: InstrumentId;
      expireAfterMs?: number;
      /** Where to go when it expires unfinished; defaults to the next step. */
      expireTo?: string;
      /** One reminder when it has waited this long unfinished (check-ins: 24 h). */
      remindAfterMs?: number;
    })
  | (StepBase & { kind: 'branch'; cases: { when: (context: FlowContext) => boolean; next: string }[] })
  | (StepBase & { kind: 'endOfPart'; part: number; key: string; vars?: VarsFn })
  | (StepBase & { kind: 'openPart'; part: number; key: string; image?: string })
  | (StepBase & {
      kind: 'homework';
      type: string;
      entry: (context: FlowContext) => Record<string, unknown>;
    })
  | (StepBase & { kind: 'custom'; state: AnyStateNodeConfig; textKeys?: string[] })
  | { kind: 'end'; id: string; key?: string; vars?: VarsFn };

export type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

type Answers = FlowContext['answers'];

/** An earlier answer by step id: as given, as text ('' when none), or as a number (0 when none). */
export const answerOf = (answers: Answers, step: string): unknown => answers[step];
export const answerText = (answers: Answers, step: string): string => String(answers[step] ?? '');
export const answerNumber = (answers: Answers, step: string): number => Number(answers[step] ?? 0);

/**
 * Choices whose labels follow one key pattern, `${prefix}${separator}${value}`, optionally each going
 * to its own next step.
 */
export const choicesOf = (
  prefix: string,
  values: readonly (string | number)[],
  options: { separator?: '_' | '.'; next?: Record<string, string> } = {},
): (ChoiceSpec & { next?: string })[] =>
  values.map((v) => {
    const value = String(v);
    const next = options.next?.[value];
    return { value, key: `${prefix}${options.separator ?? '_'}${value}`, ...(next ? { next } : {}) };
  });

/** Plain constructors so flows read like scripts. */
export const say = (id: string, key: string, extra: Partial<StepOf<'say'>> = {}): Step => ({
  kind: 'say',
  id,
  key,
  ...extra,
});

export const askChoice = (
  id: string,
  key: string,
  choices: StepOf<'choice'>['choices'],
  extra: Partial<Omit<StepOf<'choice'>, 'kind' | 'id' | 'key' | 'choices'>> = {},
): Step => ({ kind: 'choice', id, key, choices, ...extra });

export const askText = (id: string, key: string, extra: Partial<StepOf<'text'>> = {}): Step => ({
  kind: 'text',
  id,
  key,
  ...extra,
});

export const askNumber = (
  id: string,
  key: string,
  min: number,
  max: number,
  extra: Partial<StepOf<'number'>> = {},
): Step => ({ kind: 'number', id, key, min, max, ...extra });

export const askTime = (id: string, key: string, extra: Partial<StepOf<'time'>> = {}): Step => ({
  kind: 'time',
  id,
  key,
  ...extra,
});

export const wait = (id: string, afterMs: number, extra: Partial<StepOf<'wait'>> = {}): Step => ({
  kind: 'wait',
  id,
  afterMs,
  ...extra,
});

export const waitUntil = (id: string, time: string, extra: Partial<StepOf<'waitUntil'>> = {}): Step => ({
  kind: 'waitUntil',
  id,
  time,
  ...extra,
});

export const recordEvent = (
  id: string,
  type: string,
  data: (context: FlowContext) => Record<string, unknown>,
  extra: Partial<StepOf<'record'>> = {},
): Step => ({ kind: 'record', id, type, data, ...extra });

/** Runs a validated questionnaire (PHQ-9, GAD-7, PHQ-2, GAD-2) as a sub-dialog; see kit/questionnaire.ts. */
export const askQuestionnaire = (
  id: string,
  instrument: InstrumentId,
  extra: Partial<StepOf<'questionnaire'>> = {},
): Step => ({ kind: 'questionnaire', id, instrument, ...extra });

/** Goes to the first case whose condition holds, else to `next` (or the following step). */
export const branch = (
  id: string,
  cases: StepOf<'branch'>['cases'],
  extra: Partial<StepOf<'branch'>> = {},
): Step => ({ kind: 'branch', id, cases, ...extra });

/**
 * Opens course part `part`: waits until `partGapDays` (default 6) have passed since the previous part
 * started, at a time inside the send window, then asks `key` with a single "start now" choice (reminded
 * like any question). Part 1 opens at once.
 */
export const openPart = (
  id: string,
  part: number,
  key: string,
  extra: Partial<StepOf<'openPart'>> = {},
): Step => ({
  kind: 'openPart',
  id,
  part,
  key,
  ...extra,
});

/**
 * Records a homework entry built from earlier answers, as a `homework.recorded` domain event. The entry
 * is validated against the schema registered for `type` in src/domain/homework; a mismatch is a bug.
 */
export const recordHomework = (
  id: string,
  type: string,
  entry: (context: FlowContext) => Record<string, unknown>,
  extra: Partial<StepOf<'homework'>> = {},
): Step => ({ kind: 'homework', id, type, entry, ...extra });

export const endOfPart = (
  id: string,
  part: number,
  key: string,
  extra: Partial<StepOf<'endOfPart'>> = {},
): Step => ({
  kind: 'endOfPart',
  id,
  part,
  key,
  ...extra,
});

export const end = (id: string, key?: string, extra: Partial<StepOf<'end'>> = {}): Step => ({
  kind: 'end',
  id,
  ...(key === undefined ? {} : { key }),
  ...extra,
});

export type { Reply };
