import { z } from '@hono/zod-openapi';
import { CONTACT_MODES } from '../domain/contract.ts';

/*
 * The shapes of the follow-up contacts and of the review before a contact in the staff JSON API: one
 * source for validation and for the OpenAPI document. The handlers' answers are typed against these,
 * so a view in src/service/contacts.ts or src/service/review.ts that no longer fits fails to typecheck.
 */

const timestamp = z.string().openapi({ format: 'date-time' });
const id = z.string().min(1).max(100);
const count = z.number().int().nonnegative();
const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-12-07')
  .openapi({ format: 'date', example: '2026-12-07' });
const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:30')
  .openapi({ example: '10:00' });
const contactMode = z.enum(CONTACT_MODES);
const noteText = z.string().trim().max(2000);

// ---------------------------------------------------------------------------------------------------
// Requests

export const ContactNote = z
  .strictObject({ learned: noteText, helped: noteText, hard: noteText, next: noteText })
  .openapi('ContactNote', { description: 'The agenda of a follow-up (CLINICAL.md §5).' });

export const ContactRequest = z
  .discriminatedUnion('action', [
    z.strictObject({
      action: z.literal('add').openapi({ description: 'Add a contact outside the contract’s plan.' }),
      date: localDate.openapi({ description: "The client's local date." }),
      time: localTime.openapi({ description: "The client's local time." }),
      minutes: z.number().int().min(5).max(120),
      mode: contactMode,
      measure: z
        .boolean()
        .optional()
        .openapi({ description: 'Ask PHQ-9 and GAD-7 the day before at the preferred time (default true).' }),
    }),
    z.strictObject({
      action: z.literal('record').openapi({ description: 'Record how a contact went.' }),
      contactId: id,
      status: z.enum(['done', 'missed', 'cancelled']),
      note: ContactNote.optional().openapi({ description: 'Required for done.' }),
    }),
  ])
  .openapi('ContactRequest');

// ---------------------------------------------------------------------------------------------------
// Responses

export const Contact = z
  .object({
    id: z.string(),
    source: z.enum(['contract', 'manual']),
    contractId: z.string().optional(),
    plannedAt: timestamp,
    localDate: z.string(),
    localTime: z.string(),
    minutes: z.number().int(),
    mode: contactMode,
    status: z.enum(['planned', 'done', 'missed', 'cancelled']),
    statusDerived: z.boolean().openapi({
      description: 'The status comes from the time (a planned contact long past without a note: missed).',
    }),
    begun: z.boolean().openapi({
      description:
        "The contact's time has come. Before it, it can be cancelled or recorded done (taken early), not missed.",
    }),
    note: ContactNote.optional(),
    noteBy: z.string().optional(),
    noteAt: timestamp.optional(),
    reminder: z.object({
      at: timestamp.optional(),
      sentAt: timestamp.optional(),
      outcome: z.enum(['sent', 'no_address', 'too_late']).optional(),
    }),
    measurement: z
      .object({
        scheduleId: z.string(),
        flowId: z.string(),
        dueAt: timestamp.optional(),
        active: z.boolean(),
        startedAt: timestamp
          .optional()
          .openapi({ description: 'When the questionnaire went to the client.' }),
      })
      .optional(),
  })
  .openapi('Contact');

export const ContactList = z
  .object({ clientId: z.string(), timeZone: z.string(), contacts: z.array(Contact) })
  .openapi('ContactList');

export const ContactChanged = z.object({ contact: Contact }).openapi('ContactChanged');

const AgendaItem = z
  .object({
    key: z.string().openapi({ example: 'workspace.review.agenda.score_fell_reliably' }),
    vars: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    terms: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: 'Variables whose value is a text key, translated before substitution.' }),
  })
  .openapi('AgendaItem');

const scorePoint = z.object({ total: z.number(), at: timestamp });
const reliable = z.enum(['improvement', 'deterioration']);

const ReviewAlert = z.object({
  id: z.string(),
  kind: z.string(),
  tier: z.string().optional(),
  priority: z.enum(['high', 'normal']),
  text: z.string(),
  matchedPhrase: z.string().optional(),
  channel: z.string(),
  at: timestamp,
  status: z.enum(['open', 'acknowledged']),
});

export const Review = z
  .object({
    client: z.object({
      id: z.string(),
      name: z.string().optional(),
      locale: z.enum(['nb', 'en']),
      timeZone: z.string(),
    }),
    lastContact: Contact.optional(),
    nextContact: Contact.optional(),
    generatedAt: timestamp,
    since: timestamp.optional().openapi({ description: 'The last contact; left out: since the beginning.' }),
    until: timestamp,
    goals: z.array(z.string()),
    homework: z.object({
      total: count,
      byType: z.array(z.object({ type: z.string(), count, lastAt: timestamp })),
      entries: z.array(z.object({ id: z.string(), type: z.string(), at: timestamp })),
    }),
    scores: z.array(
      z.object({
        instrument: z.enum(['phq9', 'gad7']),
        first: scorePoint,
        previous: scorePoint.optional(),
        latest: scorePoint,
        changeSinceFirst: z.number(),
        changeSincePrevious: z.number().optional(),
        reliableChange: reliable.optional(),
        reliableChangeSincePrevious: reliable.optional(),
        newSinceLastContact: count,
        latestRiskItemPositive: z.boolean(),
      }),
    ),
    parts: z.object({
      completed: z.array(
        z.object({
          flowId: z.string(),
          part: z.number().int(),
          startedAt: timestamp.optional(),
          completedAt: timestamp.optional(),
        }),
      ),
      stalled: z.array(
        z.object({
          flowId: z.string(),
          part: z.number().int(),
          startedAt: timestamp.optional(),
          openDays: z.number().int().optional(),
        }),
      ),
      current: z
        .object({ flowId: z.string(), part: z.number().int(), startedAt: timestamp.optional() })
        .optional(),
    }),
    flaggedText: z.array(
      z.object({
        alertId: z.string(),
        tier: z.string().optional(),
        text: z.string(),
        matchedPhrase: z.string().optional(),
        at: timestamp,
      }),
    ),
    alerts: z.array(ReviewAlert),
    agenda: z.object({
      learned: z.array(AgendaItem),
      helped: z.array(AgendaItem),
      hard: z.array(AgendaItem),
      next: z.array(AgendaItem),
    }),
  })
  .openapi('Review');
