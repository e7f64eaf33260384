import { normaliseForMatching } from './normalise.ts';

/** What separates a word from the one before it: nothing, a soft break (comma, emoji) or a sentence end. */
export const NO_BREAK = 0;
export const SOFT_BREAK = 1;
export const SENTENCE_BREAK = 2;
export type Break = typeof NO_BREAK | typeof SOFT_BREAK | typeof SENTENCE_BREAK;

export interface Tokens {
  /** The words, folded with normaliseForMatching. */
  readonly words: readonly string[];
  /** breaks[i] is what stands between words[i - 1] and words[i]; breaks[0] and breaks[words.length] are ends. */
  readonly breaks: readonly Break[];
  /** A laughing emoji (😂, 🤣, 💀 …) somewhere in the text; laughing words are found by the lexicon. */
  readonly laughingEmoji: boolean;
}

/**
 * Sentence ends: . ! ? followed by a space or the end (so "ta.livet.mitt" stays one phrase), ; and line
 * breaks. Soft breaks: an ellipsis, commas, colons, brackets, quotes, dashes between spaces and any emoji.
 * Rules never reach across a sentence end; "$" in a rule ("at the end of the clause") holds at either.
 */
const BREAK =
  /(\.{2,}|…)|([.!?]+(?=\s|$)|[;\r\n]+)|([,:()[\]{}"«»“”]+|\s[-–—]+\s|\p{Extended_Pictographic})/gu;
const LAUGHING = /[😂🤣😆😹😅😝😜💀]/u;

export function tokenise(text: string): Tokens {
  const words: string[] = [];
  const breaks: Break[] = [SENTENCE_BREAK];
  let pending: Break = NO_BREAK;
  let from = 0;
  const addSegment = (segment: string) => {
    const folded = normaliseForMatching(segment);
    if (folded === '') return;
    for (const word of folded.split(' ')) {
      if (words.length > 0) breaks.push(pending);
      words.push(word);
      pending = NO_BREAK;
    }
  };
  for (const match of text.matchAll(BREAK)) {
    addSegment(text.slice(from, match.index));
    const kind: Break = match[2] !== undefined ? SENTENCE_BREAK : SOFT_BREAK;
    if (kind > pending) pending = kind;
    from = match.index + match[0].length;
  }
  addSegment(text.slice(from));
  breaks.push(SENTENCE_BREAK);
  if (words.length === 0) breaks.length = 1;
  return { words, breaks, laughingEmoji: LAUGHING.test(text) };
}
