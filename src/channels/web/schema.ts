import { z } from 'zod';

/** The body of `POST /channels/web/messages` (DESIGN.md), plus an optional client message id for retries. */
export const webMessageSchema = z
  .object({
    conversationId: z.string().min(1).max(100).optional(),
    text: z.string().max(4000).optional(),
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
