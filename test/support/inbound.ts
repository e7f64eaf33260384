import { parseKeyword } from '../../src/domain/keywords.ts';
import type { InboundContent } from '../../src/service/handle-inbound.ts';

/** What a client typed; with `keywords`, a keyword alone (STOP, HJELP) is one, as the SMS channel reads it. */
export function typed(text: string, options: { keywords?: boolean } = {}): InboundContent {
  const keyword = options.keywords ? parseKeyword(text) : undefined;
  return keyword ? { kind: 'keyword', keyword, text } : { kind: 'message', text };
}

/** A pressed button. */
export const pressed = (value: string): InboundContent => ({ kind: 'button', value });

/** A text or a button, as tests write them. */
export const contentOf = (input: { text?: string; value?: string }): InboundContent =>
  input.value !== undefined ? pressed(input.value) : typed(input.text ?? '');
