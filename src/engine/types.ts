import type { AnyStateMachine } from 'xstate';

export type Locale = 'nb' | 'en';
export const locales: readonly Locale[] = ['nb', 'en'];

/** The machine event that carries new settings into a running flow (EngineEvent `settings`). */
export const SETTINGS_EVENT = 'SETTINGS';

export type TextVars = Record<string, string | number>;

/** A choice offered to the client: a stable value and the text key of its label. */
export interface ChoiceSpec {
  value: string;
  key: string;
}

/** A channel-neutral reply: a text key, its variables, optional choices and illustration. */
export interface Reply {
  key: string;
  vars?: TextVars;
  choices?: ChoiceSpec[];
  /**
   * How typed numbers pick a choice: by position (1 = the first, the default) or by the choice's own
   * value (questionnaires, where "0".."3" are the answers themselves).
   */
  numbering?: 'position' | 'value';
  image?: string;
}

/** What a flow machine receives. Every event carries the time of the turn, so machines stay pure. */
export type FlowEvent =
  | { type: 'INPUT'; now: string; text?: string; value?: string }
  | { type: string; now?: string; [key: string]: unknown };

/** A durable timer: when it is due, `event` is fed back through the machine. */
export interface TimerSpec {
  key: string;
  dueAt: string;
  event: FlowEvent;
}

/** Something that happened in a conversation that others (therapists, metrics) care about. */
export interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
}

export type ClientInput = { text?: string; value?: string };

export type EngineEvent =
  | { kind: 'start' }
  | { kind: 'input'; input: ClientInput }
  | { kind: 'timer'; key: string; event: FlowEvent }
  /**
   * New settings for a running flow (an amended guidance contract's pace): kept for what comes, and a
   * part that waits for its gap waits for the new one. Never a reply of its own.
   */
  | { kind: 'settings'; settings: NonNullable<FlowInput['settings']> };

/** The persisted state of one flow: XState's persisted snapshot, pinned to a flow version. */
export interface PersistedFlow {
  flowId: string;
  version: number;
  snapshot: unknown;
}

export interface FlowVersion {
  id: string;
  version: number;
  machine: AnyStateMachine;
  /** Every text key this flow can send; checked against every locale by the content tests. */
  textKeys: readonly string[];
  /** Every illustration it shows (`course/name`, an SVG under content/illustrations). */
  images?: readonly string[];
}

/** The input every flow machine is started with. */
export interface FlowInput {
  locale: Locale;
  timeZone: string;
  now: string;
  /** Overrides of the flow's settings (e.g. days between course parts), from the guidance contract. */
  settings?: Partial<{ partGapDays: number }>;
}

export interface TurnResult {
  persisted: PersistedFlow;
  done: boolean;
  /** False when the current state did not accept the input and the engine asked again. */
  accepted: boolean;
  replies: Reply[];
  timers: TimerSpec[];
  cancels: string[];
  events: DomainEvent[];
}

/** Looks up the label of a text key in the client's locale (used to match typed answers to choices). */
export type TextLookup = (key: string, vars?: TextVars) => string;
