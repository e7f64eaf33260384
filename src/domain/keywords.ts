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
