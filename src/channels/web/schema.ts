import { z } from 'zod';

/**
 * The longest text one web chat message may carry, in UTF-16 units (what zod's `max` and the page's
 * `String.length` both count): as many as the Bot Framework channel reads of a Teams message, so a long
 * message pasted into the chat is read whole, a crisis phrase at its end included. Longer is a 400 that
 * names this limit, never a message cut short.
 */
export const MAX_TEXT_LENGTH = 28_000;

/**
 * What a web chat request may weigh: the longest text at its worst in JSON (6 bytes a UTF-16 unit, a
 * control character or a lone surrogate escaped as `\u0001`) and the other fields, with room to spare. So a
 * text just over MAX_TEXT_LENGTH gets the schema's 400 that the page can show, not a 413.
 */
export const MAX_BODY_BYTES = 192 * 1024;

/** The body of `POST /channels/web/messages` (DESIGN.md), plus an optional client message id for retries. */
export const webMessageSchema = z
  .object({
    conversationId: z.string().min(1).max(100).optional(),
    text: z
      .string()
      .max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters; send a longer text in parts`)
      .optional(),
    value: z.string().min(1).max(200).optional(),
    locale: z.enum(['nb', 'en']).optional(),
    messageId: z.string().min(1).max(100).optional(),
  })
  .refine((m) => m.conversationId === undefined || m.text !== undefined || m.value !== undefined, {
    message: 'text or value is required in an existing conversation',
    path: ['text'],
  })
  .refine((m) => m.text === undefined || m.text.trim().length > 0 || m.value !== undefined, {
    message: 'text must not be empty',
    path: ['text'],
  });

export type WebMessage = z.infer<typeof webMessageSchema>;

export const webPollSchema = z.object({
  conversationId: z.string().min(1).max(100),
  after: z.coerce.number().int().min(0).default(0),
});

/** What the page gets back: replies in words, with choices as buttons. */
export interface WebReply {
  text: string;
  choices?: { label: string; value: string }[];
  /** An illustration: where to load it and its alt text. */
  image?: { src: string; alt: string };
}
