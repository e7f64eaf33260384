export type Keyword = 'stop' | 'start' | 'help';

/**
 * Twilio's own opt-out words are all here: Twilio blocks further messages to a number that sent
 * one of them (error 21610), so the service must stop too. STOPP and AVSLUTT are the Norwegian ones.
 */
const KEYWORDS: ReadonlyMap<string, Keyword> = new Map([
  ['STOP', 'stop'],
  ['STOPP', 'stop'],
  ['AVSLUTT', 'stop'],
  ['STOPALL', 'stop'],
  ['UNSUBSCRIBE', 'stop'],
  ['CANCEL', 'stop'],
  ['END', 'stop'],
  ['QUIT', 'stop'],
  ['REVOKE', 'stop'],
  ['OPTOUT', 'stop'],
  // Not YES: "ja"/"yes" is an ordinary answer in a conversation.
  ['START', 'start'],
  ['UNSTOP', 'start'],
  ['HJELP', 'help'],
  ['HELP', 'help'],
  ['INFO', 'help'],
]);

/**
 * The keyword a message consists of, or undefined. Only a message that is the keyword alone
 * counts, in any case and with any surrounding spaces, punctuation or emoji ("Stopp!", " stop ");
 * "jeg vil ikke stoppe" or "stop please" are ordinary text.
 */
export function parseKeyword(text: string): Keyword | undefined {
  const word = text
    .normalize('NFKC')
    .replace(/^[\s\p{P}\p{S}\p{C}]+|[\s\p{P}\p{S}\p{C}]+$/gu, '')
    .toUpperCase();
  return KEYWORDS.get(word);
}

/** The reply words that address the therapist; nb and en work in either language. */
export const THERAPIST_WORDS = ['VEILEDER', 'THERAPIST'] as const;

const THERAPIST_WORD = new RegExp(
  `^[\\s\\p{P}\\p{S}]*(?:${THERAPIST_WORDS.join('|')})(?![\\p{L}\\p{N}])[\\s:,.!\\-–—]*`,
  'iu',
);

/**
 * A message to the therapist: text that starts with a reply word ("VEILEDER jeg får ikke sove", "Therapist:
 * can we talk?"), in any case, with the rest as the message (`''` for the word alone). Undefined for
 * anything else: "veilederen min sa…" is ordinary text, and so is a word in the middle.
 */
export function parseTherapistMessage(text: string): { body: string } | undefined {
  const normal = text.normalize('NFKC');
  const match = THERAPIST_WORD.exec(normal);
  if (!match) return undefined;
  return { body: normal.slice(match[0].length).trim() };
}
