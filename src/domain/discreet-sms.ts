/**
 * Discreet SMS (CLINICAL.md §7: phones are shared). A message the client did not just ask for — a
 * reminder, a check-in, a part that opens, a therapist's message, a contract version — goes out by SMS as
 * one neutral line naming the clinic, and its content is held until the client answers. A client who
 * chose full SMS in the guidance contract gets the content itself; one without a signed contract has
 * chosen nothing, so is discreet. Safety messages and the STOP/HELP answers are never held.
 */

/** The channels on which unasked-for content is held behind a notice: SMS, where the phone may be shared. */
const DISCREET_CHANNELS: ReadonlySet<string> = new Set(['sms']);

/** The outbox kinds that may be held: never `safety` (the protocol) nor `consent` (the STOP/HELP replies). */
const HOLDABLE_KINDS: ReadonlySet<string> = new Set(['normal']);

/** What the contract in force says, as far as discreet SMS goes. */
export interface SmsPrivacyChoice {
  channels: { discreetSms: boolean };
}

/**
 * Whether a push to the client is held behind a neutral notice: an SMS the client did not just ask for,
 * not a safety or consent message, for a client who did not choose full SMS in a signed contract.
 */
export function holdsContent(m: {
  channel: string;
  /** The message was scheduled (nobody is waiting for it), not a reply to what the client just wrote. */
  scheduled: boolean;
  kind: string;
  /** The contract in force (signed by both), if any. */
  contract: SmsPrivacyChoice | undefined;
}): boolean {
  if (!m.scheduled || !DISCREET_CHANNELS.has(m.channel) || !HOLDABLE_KINDS.has(m.kind)) return false;
  return m.contract?.channels.discreetSms ?? true;
}

/**
 * Whether an answer to a push releases the content held for it. Safety messages do not: while the
 * protocol runs, a held reminder or check-in would reach the client between its questions; the next
 * message of theirs releases it. A STOP or HELP answer does not either (STOP drops what is held).
 */
export const releasesHeld = (m: { channel: string; kind: string }): boolean =>
  DISCREET_CHANNELS.has(m.channel) && HOLDABLE_KINDS.has(m.kind);

/** The words that ask to see a held message, in either language (the notice says JA or YES). */
const OPEN_WORDS: ReadonlySet<string> = new Set(['JA', 'YES']);

/**
 * Whether a message only asks to see what is held: the reply word alone, in any case, with any
 * surrounding spaces, punctuation or emoji ("Ja!", " yes "). "ja takk, det gikk bra" is an answer.
 */
export function isOpenWord(text: string): boolean {
  const word = text
    .normalize('NFKC')
    .replace(/^[\s\p{P}\p{S}\p{C}]+|[\s\p{P}\p{S}\p{C}]+$/gu, '')
    .toUpperCase();
  return OPEN_WORDS.has(word);
}
