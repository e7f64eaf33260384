import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceDeps } from '../service/deps.ts';
import { listMessages, MAX_MESSAGE_LENGTH, sendTherapistMessage } from '../service/messages.ts';
import { badRequest, json, jsonBody, notFound, problem, unauthorized } from './api-responses.ts';
import { ClientIdParam } from './api-schemas.ts';
import type { WorkspaceEnv } from './context.ts';

/*
 * Messages between a therapist and a client in the staff JSON API (`/api/staff/v1`), added to the API app
 * by staffApi (api.ts), under its sign-in, same-origin and body-limit rules. Who may is checked in the
 * service: a client the caller may not see answers 404, like one that does not exist.
 */

const timestamp = z.string().openapi({ format: 'date-time' });

export const MessageRequest = z
  .strictObject({ text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) })
  .openapi('MessageRequest', { description: "A therapist's message to the client, 1–1000 characters." });

export const Message = z
  .object({
    id: z.string(),
    direction: z.enum(['in', 'out']).openapi({ description: '`out`: to the client; `in`: from the client.' }),
    text: z.string(),
    staff: z.object({ id: z.string(), name: z.string().optional() }).optional(),
    channel: z.string().optional().openapi({ description: 'Where it came from or went; none if nowhere.' }),
    createdAt: timestamp,
    readAt: timestamp.optional().openapi({
      description: 'When the therapist responsible for the client first read it (`in`).',
    }),
    delivery: z
      .enum(['no_channel', 'waiting', 'sent', 'failed'])
      .optional()
      .openapi({
        description:
          'Where a message to the client is (`out`): `no_channel`: the client had no channel, it is kept ' +
          'and never sent; `waiting`: held for the send window, behind a discreet SMS notice, or for a ' +
          'retry; `sent`: handed to the channel (on the web chat: in the conversation); `failed`: it will ' +
          'not reach the client this way (number refused, retries spent, STOP, device unlinked). Absent ' +
          'on messages from the client, and on one written before deliveries were recorded.',
      }),
  })
  .openapi('Message');

export const MessageSent = z
  .object({
    message: Message,
    delivered: z.boolean().openapi({
      description:
        'Whether the client had a channel to send it to (false: kept, not sent). Not whether it reached ' +
        'them: `message.delivery` says where it is, and `GET` on the messages follows it.',
    }),
  })
  .openapi('MessageSent');

export const MessageList = z
  .object({
    clientId: z.string(),
    unread: z.number().int().nonnegative().openapi({
      description: "How many of the client's messages were unread before this listing.",
    }),
    markedRead: z.boolean().openapi({
      description:
        'Whether this listing marked them read: only when the caller is the therapist responsible for ' +
        'the client (or, for a client nobody is responsible for, a therapist who may see them).',
    }),
    messages: z.array(Message),
  })
  .openapi('MessageList');

export function messageRoutes(api: OpenAPIHono<WorkspaceEnv>, deps: ServiceDeps): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/messages',
      operationId: 'listMessages',
      summary: 'Messages between therapist and client',
      description:
        'Both directions, newest first, each message to the client with its `delivery`. The listing of ' +
        'the therapist responsible for the client marks the messages from the client read (`markedRead`); ' +
        "an admin's or anyone else's leaves them unread. `unread` says how many were unread before.",
      request: { params: ClientIdParam },
      responses: {
        200: json('The messages.', MessageList),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const list = await listMessages(deps, c.get('actor'), c.req.valid('param').id);
      return list ? c.json(list, 200) : c.json(problem('not_found', 'No such client.'), 404);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/messages',
      operationId: 'sendMessage',
      summary: 'Write to the client',
      description:
        'Sends the text to the channel the client used last, under a line naming the therapist, inside ' +
        "the client's send window. A flow waiting for an answer keeps waiting. The client answers with " +
        'the reply word VEILEDER or THERAPIST first.',
      request: {
        params: ClientIdParam,
        body: jsonBody(MessageRequest),
      },
      responses: {
        200: json(
          'The message as stored with its delivery, and whether the client had a channel.',
          MessageSent,
        ),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const outcome = await sendTherapistMessage(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        c.req.valid('json').text,
      );
      if (!outcome.ok) return c.json(problem('not_found', 'No such client.'), 404);
      return c.json({ message: outcome.message, delivered: outcome.delivered }, 200);
    },
  );
}
