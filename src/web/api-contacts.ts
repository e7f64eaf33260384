import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { addContact, listContacts, recordContact } from '../service/contacts.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { clientReview } from '../service/review.ts';
import { ContactChanged, ContactList, ContactRequest, Review } from './api-contacts-schemas.ts';
import { badRequest, json, jsonBody, notFound, problem, unauthorized } from './api-responses.ts';
import { ApiError, ClientIdParam } from './api-schemas.ts';
import type { WorkspaceEnv } from './context.ts';

/*
 * Follow-up contacts and the review before a contact in the staff JSON API (`/api/staff/v1`), added to
 * the API app by staffApi (api.ts), under its sign-in, same-origin and body-limit rules. Who may is
 * checked in the service: a client the caller may not see answers 404, like one that does not exist.
 */

export function contactRoutes(api: OpenAPIHono<WorkspaceEnv>, deps: ServiceDeps): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/contacts',
      operationId: 'listContacts',
      summary: 'Follow-up contacts',
      description:
        "The client's contacts, oldest first, with their status: planned, done (with the note), missed " +
        '(recorded, or derived when a planned contact passed without a note) or cancelled; the reminder ' +
        'and the questionnaire before each.',
      request: { params: ClientIdParam },
      responses: {
        200: json('The contacts.', ContactList),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const list = await listContacts(deps, c.get('actor'), c.req.valid('param').id);
      return list ? c.json(list, 200) : c.json(problem('not_found', 'No such client.'), 404);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/contacts',
      operationId: 'changeContacts',
      summary: 'Add a contact, or record how one went',
      description:
        'add plans a contact outside the contract (with its reminder the day before and, unless measure is ' +
        'false, PHQ-9 and GAD-7 the day before); record sets a contact done (with the note: learned, ' +
        'helped, hard, next; also before its time: a call taken early, whose reminder and questionnaire are ' +
        'withdrawn), missed (once it has begun) or cancelled.',
      request: {
        params: ClientIdParam,
        body: jsonBody(ContactRequest),
      },
      responses: {
        200: json('The contact as it is now: added, or recorded.', ContactChanged),
        400: badRequest,
        401: unauthorized,
        404: notFound,
        409: json(
          'The contact was cancelled, is recorded done (its note can be corrected, its status not), or (missed) it has not begun yet.',
          ApiError,
        ),
      },
    }),
    async (c) => {
      const clientId = c.req.valid('param').id;
      const body = c.req.valid('json');
      const actor = c.get('actor');
      if (body.action === 'add') {
        const outcome = await addContact(deps, actor, clientId, body);
        if (outcome.ok) return c.json({ contact: outcome.contact }, 200);
        if (outcome.error === 'not_found') return c.json(problem('not_found', 'No such client.'), 404);
        return c.json(
          problem(
            outcome.error,
            outcome.error === 'in_the_past' ? 'The time has passed.' : 'No such calendar date.',
          ),
          400,
        );
      }
      const outcome = await recordContact(deps, actor, clientId, body.contactId, {
        status: body.status,
        note: body.note,
      });
      if (outcome.ok) return c.json({ contact: outcome.contact }, 200);
      switch (outcome.error) {
        case 'not_found':
          return c.json(problem('not_found', 'No such client or contact.'), 404);
        case 'note_required':
          return c.json(problem('note_required', 'A contact that took place needs its note.'), 400);
        case 'cancelled':
          return c.json(problem('cancelled', 'The contact was cancelled.'), 409);
        case 'already_done':
          return c.json(
            problem(
              'already_done',
              'The contact is recorded done: its note can be corrected, its status not.',
            ),
            409,
          );
        case 'not_yet':
          return c.json(
            problem(
              'not_yet',
              'The contact has not begun: it can be cancelled, or recorded done, not missed.',
            ),
            409,
          );
      }
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/review',
      operationId: 'getReview',
      summary: 'The review before the next contact',
      description:
        'Since the last contact that took place: homework done, the score trend with reliable change ' +
        'marked, parts completed and stalled, flagged text and alerts, the goals from the signed contract, ' +
        'and a suggested agenda (learned, helped, hard, next) of text keys with variables.',
      request: { params: ClientIdParam },
      responses: {
        200: json('The review.', Review),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const review = await clientReview(deps, c.get('actor'), c.req.valid('param').id);
      return review ? c.json(review, 200) : c.json(problem('not_found', 'No such client.'), 404);
    },
  );
}
