import { countSegments, normaliseForGsm7 } from './gsm7.ts';

export interface SmsChoice {
  label: string;
  value: string;
}

export interface SmsReply {
  text: string;
  choices?: readonly SmsChoice[];
  /** 'value' numbers the options by their own values (questionnaires: "0 Not at all" .. "3 ..."). */
  numbering?: 'position' | 'value';
}

export interface RenderOptions {
  /** Largest number of segments one SMS may cost; longer replies become several SMS. Default 3. */
  maxSegments?: number;
}

/**
 * Renders a reply as one or more GSM-7 SMS bodies, each costing at most `maxSegments` segments.
 * Choices become numbered lines ("1 Ja\n2 Nei") after the text. Long text is split at sentence
 * ends and line breaks, at spaces when a sentence is too long, and inside a word only when a word
 * alone is too long. The choices stay together with the last sentence before them (the question)
 * whenever the two fit in one SMS. An empty reply renders as no SMS.
 */
export function renderForSms(reply: SmsReply, opts: RenderOptions = {}): string[] {
  const maxSegments = opts.maxSegments ?? 3;
  if (!Number.isInteger(maxSegments) || maxSegments < 1) {
    throw new RangeError(`maxSegments must be a positive integer, got ${maxSegments}`);
  }
  const fits = (body: string) => countSegments(body).segments <= maxSegments;

  const text = normaliseForGsm7(reply.text).trim();
  const options = (reply.choices ?? []).map(
    (choice, index) =>
      `${reply.numbering === 'value' ? choice.value : index + 1} ${normaliseForGsm7(choice.label).replace(/\s+/g, ' ').trim()}`,
  );
  const block = options.join('\n');
  if (block === '') return splitToFit(text, fits);
  if (text === '') return splitToFit(block, fits);

  const whole = `${text}\n${block}`;
  if (fits(whole)) return [whole];

  const parts = splitToFit(text, fits);
  const last = parts.pop() ?? '';
  if (fits(`${last}\n${block}`)) return [...parts, `${last}\n${block}`];
  const moved = moveTailToChoices(last, block, fits);
  if (moved) return [...parts, ...moved];
  return [...parts, last, ...splitToFit(block, fits)];
}

/** A place where text may be split: the part ends at `end`, the next starts at `next`. */
interface Cut {
  end: number;
  next: number;
  sentence: boolean;
}

/** Closing quotes and brackets that may follow the punctuation that ends a sentence. */
const CLOSERS = new Set(['"', "'", ')', ']']);

function cutsOf(text: string): Cut[] {
  const cuts: Cut[] = [];
  const whitespace = /\s+/g;
  for (let match = whitespace.exec(text); match !== null; match = whitespace.exec(text)) {
    const end = match.index;
    const next = end + match[0].length;
    if (end === 0 || next === text.length) continue;
    cuts.push({ end, next, sentence: match[0].includes('\n') || endsSentence(text, end, next) });
  }
  return cuts;
}

function endsSentence(text: string, end: number, next: number): boolean {
  let i = end - 1;
  while (i > 0 && CLOSERS.has(text[i] ?? '')) i -= 1;
  const mark = text[i];
  if (mark === '!' || mark === '?') return true;
  // A full stop before a lower-case word or a digit is more likely "f.eks. dette" or "kl. 10".
  return mark === '.' && /[\p{Lu}"'(-]/u.test(text[next] ?? '');
}

/** Greedy split into the fewest parts at the best cuts; every part satisfies `fits`. */
function splitToFit(text: string, fits: (body: string) => boolean): string[] {
  if (text === '') return [];
  const cuts = cutsOf(text);
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    const rest = text.slice(start);
    if (fits(rest)) {
      parts.push(rest);
      break;
    }
    const limit = start + longestFittingPrefix(rest, fits);
    const usable = cuts.filter((cut) => cut.end > start && cut.end <= limit);
    const cut = usable.findLast((c) => c.sentence) ?? usable.at(-1);
    if (cut) {
      parts.push(text.slice(start, cut.end));
      start = cut.next;
    } else {
      parts.push(text.slice(start, limit));
      start = limit;
      while (/\s/.test(text[start] ?? '')) start += 1;
    }
  }
  return parts;
}

/** Length of the longest prefix of `text` that fits, never splitting a surrogate pair; at least 1 char. */
function longestFittingPrefix(text: string, fits: (body: string) => boolean): number {
  // Segment count never falls when a character is appended, so binary search is exact.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(text.slice(0, mid))) low = mid;
    else high = mid - 1;
  }
  if (low > 0 && /[\uD800-\uDBFF]/.test(text[low - 1] ?? '')) low -= 1;
  return Math.max(low, text.codePointAt(0)! > 0xffff ? 2 : 1);
}

/**
 * Splits `last` at the sentence cut that leaves the longest tail still fitting with the choices,
 * so the question is sent together with its numbered answers.
 */
function moveTailToChoices(last: string, block: string, fits: (body: string) => boolean) {
  for (const cut of cutsOf(last)) {
    if (!cut.sentence) continue;
    const tail = `${last.slice(cut.next)}\n${block}`;
    if (fits(tail)) return [last.slice(0, cut.end), tail];
  }
  return undefined;
}

/**
 * The value of the choice a client picked by answering with its number ("2", "2.", "2)", " 2 ")
 * or its label (case-insensitive, compared after GSM-7 normalisation, surrounding punctuation
 * ignored), or with both as shown ("2 Nei"). A bare number is always read as an option number.
 * Undefined when the answer matches no choice or more than one label.
 */
export function resolveNumberedChoice(text: string, choices: readonly SmsChoice[]): string | undefined {
  const answer = comparable(text);
  const numbered = /^0*(\d{1,3})\s*[.):]?$/.exec(answer);
  if (numbered) return choices[Number(numbered[1]) - 1]?.value;

  const echoed = /^0*(\d{1,3})\s*[.):]?\s+(.+)$/.exec(answer);
  if (echoed) {
    const choice = choices[Number(echoed[1]) - 1];
    if (choice && comparable(choice.label) === comparable(echoed[2] ?? '')) return choice.value;
  }

  const matches = choices.filter((choice) => comparable(choice.label) === answer);
  return matches.length === 1 ? matches[0]?.value : undefined;
}

function comparable(text: string): string {
  return normaliseForGsm7(text)
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s.,;:!?"'-]+|[\s.,;:!?"'-]+$/g, '');
}
