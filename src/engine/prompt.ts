import type { AnyMachineSnapshot } from 'xstate';
import type { Reply } from './types.ts';

/** What an asking state declares in its `meta`, so the engine can re-ask and match typed choices. */
export interface PromptMeta {
  prompt: Reply;
  /** A hint shown before the prompt when an answer cannot be read. */
  hint?: Reply;
}

/** What a waiting state (nothing asked) declares, so a message sent meanwhile gets a useful answer. */
export interface IdleMeta {
  idle: Reply;
}

/** The idle reply of the deepest active state that has one. */
export function currentIdle(snapshot: AnyMachineSnapshot): Reply | undefined {
  return deepestMeta(
    snapshot,
    (meta): meta is IdleMeta => typeof meta === 'object' && meta !== null && 'idle' in meta,
  )?.idle;
}

export function isPromptMeta(value: unknown): value is PromptMeta {
  return typeof value === 'object' && value !== null && 'prompt' in value;
}

/** The prompt of the deepest active state that has one. */
export function currentPrompt(snapshot: AnyMachineSnapshot): PromptMeta | undefined {
  return deepestMeta(snapshot, isPromptMeta);
}

/** The meta of the deepest active state whose meta passes `test`. */
function deepestMeta<T>(snapshot: AnyMachineSnapshot, test: (meta: unknown) => meta is T): T | undefined {
  const metas = Object.entries(snapshot.getMeta() as Record<string, unknown>);
  metas.sort(([a], [b]) => b.split('.').length - a.split('.').length);
  return metas.map(([, meta]) => meta).find(test);
}
