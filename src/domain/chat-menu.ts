import { z } from 'zod';

/*
 * The chat menu (issue 13, items 6 and 7): what a client can choose at any time, outside the course and
 * on any channel with buttons. "Write to my therapist" takes their next message for the therapist's
 * inbox; "Reminders by SMS" takes a phone number, sends a code to it, and adds the number once the code
 * comes back in the chat, so a reminder reaches someone who closed the browser. A choice leaves a
 * prompt on the conversation until it is answered, another choice is made, or it lapses.
 */

/** The button values of the menu's choices. */
export const MENU_CHOICES = { therapist: 'menu.therapist', phone: 'menu.phone' } as const;
export type MenuChoice = keyof typeof MENU_CHOICES;

export function menuChoiceOf(value: string | undefined): MenuChoice | undefined {
  if (value === MENU_CHOICES.therapist) return 'therapist';
  if (value === MENU_CHOICES.phone) return 'phone';
  return undefined;
}

const MINUTE = 60_000;
/** How long the menu waits for a message or a phone number; later messages go to the course. */
export const MENU_PROMPT_TTL_MS = 30 * MINUTE;
/** How long a code sent to a phone number can be typed in the chat. */
export const PHONE_CODE_TTL_MS = 15 * MINUTE;
/** Wrong codes allowed before the number has to be given again. */
export const PHONE_CODE_ATTEMPTS = 5;
export const PHONE_CODE_DIGITS = 6;

export const menuPromptSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('therapist'), at: z.iso.datetime() }),
  z.object({ kind: z.literal('phone'), at: z.iso.datetime() }),
  z.object({
    kind: z.literal('phone_code'),
    at: z.iso.datetime(),
    /** E.164. */
    phone: z.string(),
    /** SHA-256 of the code and the conversation it was sent for: the code is never stored. */
    codeHash: z.string(),
    attempts: z.number().int().min(0),
  }),
]);
export type MenuPrompt = z.infer<typeof menuPromptSchema>;

/** The prompt a conversation waits on now, or undefined when there is none or it lapsed. */
export function activeMenuPrompt(prompt: MenuPrompt | undefined, now: Date): MenuPrompt | undefined {
  if (!prompt) return undefined;
  const ttl = prompt.kind === 'phone_code' ? PHONE_CODE_TTL_MS : MENU_PROMPT_TTL_MS;
  const age = now.getTime() - Date.parse(prompt.at);
  return age >= 0 && age < ttl ? prompt : undefined;
}

/** Reads a stored prompt; anything unreadable counts as none. */
export function parseMenuPrompt(json: string | undefined): MenuPrompt | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = menuPromptSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const CANCEL_WORDS = new Set(['avbryt', 'cancel', 'nei', 'no', 'nei takk', 'no thanks']);

/** "Avbryt", "cancel", "nei" alone: the client changed their mind. */
export function isCancel(text: string): boolean {
  return CANCEL_WORDS.has(
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\s\p{P}]+$/u, '')
      .trim(),
  );
}

/** The code as the client typed it ("123 456", "123-456"), or undefined when it is not one. */
export function typedPhoneCode(text: string): string | undefined {
  const digits = text.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${PHONE_CODE_DIGITS}}$`).test(digits) ? digits : undefined;
}
