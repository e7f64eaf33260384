import { z } from '@hono/zod-openapi';
import { CONTACT_MODES, CONTRACT_COURSES, CONTRACT_LIMITS } from '../domain/contract.ts';
import { isTimeZone } from '../domain/time-zone.ts';
import { MAX_TRANSCRIPT_PAGE } from '../service/workspace.ts';

/*
 * The staff JSON API's request and response shapes: one source for validation (requests), for the
 * OpenAPI document (both) and, through the route definitions in api.ts, for the handlers' types — a
 * view in src/service/workspace.ts that no longer fits its schema here fails to typecheck.
 */

const timestamp = z.string().openapi({ format: 'date-time' });
const id = z.string().min(1).max(100);
const count = z.number().int().nonnegative();

// ---------------------------------------------------------------------------------------------------
// Requests

export const ClientIdParam = z.object({
  id: id.openapi({ param: { name: 'id', in: 'path' }, description: 'The client id.' }),
});

export const AlertIdParam = z.object({
  id: id.openapi({ param: { name: 'id', in: 'path' }, description: 'The alert id.' }),
});

export const CaseloadQuery = z.object({
  sort: z
    .enum(['name', 'lastActivity', 'phq9', 'gad7', 'flags'])
    .optional()
    .openapi({ description: 'Default: flags (the most pressing first).' }),
  direction: z
    .enum(['asc', 'desc'])
    .optional()
    .openapi({ description: 'Default: ascending for the name, descending for the others.' }),
});

export const TranscriptQuery = z.object({
  before: z.coerce.number().int().positive().optional().openapi({
    description: 'Entries older than this sequence number (`olderBefore` of the previous page).',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_TRANSCRIPT_PAGE)
    .optional()
    .openapi({ description: 'Entries per page (default 50).' }),
});

export const AlertsQuery = z.object({
  status: z
    .enum(['open', 'all'])
    .default('open')
    .openapi({ description: 'open: not acknowledged yet; all: acknowledged ones follow the open ones.' }),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const NewClient = z
  .strictObject({
    course: z.string().min(1).max(100).optional().openapi({ description: 'A flow id; default: the intro.' }),
    locale: z.enum(['nb', 'en']).optional(),
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Oslo')
      .optional()
      .openapi({ example: 'Europe/Oslo' }),
    displayName: z.string().trim().min(1).max(200).optional(),
    therapistId: id
      .nullable()
      .optional()
      .openapi({
        description:
          'The responsible therapist (a staff id), or null for nobody. A therapist may name only themselves ' +
          '(the default for them); an admin anyone active, or nobody (the default for an admin).',
      }),
  })
  .openapi('NewClient');

export const AckRequest = z
  .strictObject({ note: z.string().trim().max(2000).optional().openapi({ description: 'What was done.' }) })
  .openapi('AlertAcknowledgement');

export const AccessCodeRequest = z
  .strictObject({
    action: z.enum(['reissue', 'revoke']).openapi({
      description:
        'reissue: a new code (every open one is revoked; linked devices stay linked); revoke: every unused code.',
    }),
  })
  .openapi('AccessCodeChange');

// ---------------------------------------------------------------------------------------------------
// Responses

export const ApiError = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string(),
    }),
  })
  .openapi('Error');

const therapistRef = z.object({ id: z.string(), name: z.string().optional() });
const alertKind = z.enum(['crisis_text', 'concern_text', 'phq9_item9', 'intro_acute', 'flow_error']);
const alertTier = z.enum(['crisis', 'concern']);
const enrollmentStatus = z.enum(['pending', 'active', 'done']);
const band = z.enum(['minimal', 'mild', 'moderate', 'moderately_severe', 'severe']);

const ScoreTrend = z
  .object({
    latest: z.number(),
    latestAt: timestamp,
    band: band.optional(),
    first: z.number(),
    firstAt: timestamp,
    changeSinceFirst: z.number().openapi({ description: 'latest − first: negative is better.' }),
    reliableChange: z.enum(['improvement', 'deterioration']).optional(),
  })
  .openapi('ScoreTrend');

export const CaseloadEntry = z
  .object({
    clientId: z.string(),
    name: z.string().optional(),
    therapist: therapistRef.optional(),
    createdAt: timestamp,
    course: z
      .object({
        enrollmentId: z.string(),
        flowId: z.string(),
        status: enrollmentStatus,
        part: z
          .object({ number: z.number().int(), state: z.enum(['started', 'completed']), at: timestamp })
          .optional(),
      })
      .optional(),
    lastActivityAt: timestamp.optional(),
    phq9: ScoreTrend.optional(),
    gad7: ScoreTrend.optional(),
    flags: z.object({
      safetyMode: z.boolean(),
      item9: z.boolean(),
      reliableDeterioration: z.boolean(),
      inactive: z.boolean(),
      sleepWindowAwaiting: z.boolean(),
      contractChangeRequested: z.boolean(),
      goneQuiet: z.boolean(),
      messageFailed: z.boolean().openapi({
        description: "The therapist's newest message to the client failed to reach them.",
      }),
    }),
    flagCount: count,
    openAlerts: count,
    unreadMessages: count,
  })
  .openapi('CaseloadEntry');

export const Caseload = z
  .object({
    clients: z.array(CaseloadEntry),
    sort: z.object({
      key: z.enum(['name', 'lastActivity', 'phq9', 'gad7', 'flags']),
      direction: z.enum(['asc', 'desc']),
    }),
    generatedAt: timestamp,
  })
  .openapi('Caseload');

export const NewClientCreated = z
  .object({
    clientId: z.string(),
    accessCode: z.string().openapi({ description: 'Shown once: give it to the client.' }),
    accessCodeExpiresAt: timestamp,
    enrollmentId: z.string(),
    flowId: z.string(),
    flowVersion: z.number().int(),
    therapistId: z.string().optional(),
  })
  .openapi('NewClientCreated');

const safetyAnswer = z.object({
  step: z.enum(['ask_thoughts', 'ask_danger']),
  answer: z.string(),
  at: timestamp,
});

const acknowledged = z.object({
  at: timestamp,
  by: z.string().optional(),
  staffId: z.string().optional(),
  note: z.string().optional(),
});

export const Alert = z
  .object({
    id: z.string(),
    clientId: z.string().optional().openapi({ description: 'None while the conversation is not linked.' }),
    clientName: z.string().optional(),
    unassigned: z
      .boolean()
      .openapi({ description: 'No therapist is responsible (or there is no client yet).' }),
    kind: alertKind,
    tier: alertTier.optional(),
    priority: z.enum(['high', 'normal']),
    triggerText: z
      .string()
      .openapi({ description: 'What the client wrote: escape it wherever it is shown.' }),
    matchedPhrase: z.string().optional(),
    channel: z.string(),
    inSafetyMode: z.boolean(),
    safetyAnswers: z.array(safetyAnswer),
    createdAt: timestamp,
    status: z.enum(['open', 'acknowledged']),
    acknowledged: acknowledged.optional(),
  })
  .openapi('Alert');

export const AlertList = z.object({ alerts: z.array(Alert) }).openapi('AlertList');

export const AlertAcknowledged = z
  .object({ id: z.string(), status: z.literal('acknowledged'), acknowledged })
  .openapi('AlertAcknowledged');

export const AccessCodeChanged = z
  .discriminatedUnion('action', [
    z.object({
      action: z.literal('reissue'),
      accessCode: z.string().openapi({ description: 'Shown once: give it to the client.' }),
      expiresAt: timestamp,
      revoked: count.openapi({ description: 'Open codes revoked on the way.' }),
    }),
    z.object({ action: z.literal('revoke'), revoked: count }),
  ])
  .openapi('AccessCodeChanged');

export const TranscriptPage = z
  .object({
    entries: z
      .array(
        z.object({
          seq: z.number().int(),
          channel: z.string(),
          direction: z.enum(['in', 'out']),
          text: z
            .string()
            .openapi({ description: 'What was written or sent: escape it wherever it is shown.' }),
          enrollmentId: z.string().optional(),
          createdAt: timestamp,
        }),
      )
      .openapi({ description: 'Newest first.' }),
    olderBefore: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Pass as `before` for the next, older page; none on the oldest page.' }),
  })
  .openapi('TranscriptPage');

const scorePair = z.object({ phq9: z.number(), gad7: z.number() });

const CourseOutcome = z
  .discriminatedUnion('finished', [
    z.object({
      finished: z.literal(false),
      scoredPoints: count,
      ignoredPoints: count,
      casenessAtFirst: z.boolean().optional(),
    }),
    z.object({
      finished: z.literal(true),
      scoredPoints: count,
      ignoredPoints: count,
      first: scorePair,
      last: scorePair,
      change: scorePair,
      casenessAtFirst: z.boolean(),
      casenessAtLast: z.boolean(),
      eligibleForRecovery: z.boolean(),
      recovered: z.boolean(),
      reliableImprovement: z.boolean(),
      reliableRecovery: z.boolean(),
      reliableDeterioration: z.boolean(),
    }),
  ])
  .openapi('CourseOutcome', {
    description:
      'NHS Talking Therapies outcome from the first and last measurement point with both measures.',
  });

const entryBase = { id: z.string(), at: timestamp, enrollmentId: z.string().optional() };

const sleepNight = z.object({
  ...entryBase,
  week: z.number().int(),
  night: z.number().int(),
  date: z.string(),
  intoBed: z.string(),
  lightsOut: z.string(),
  finalWake: z.string(),
  outOfBed: z.string(),
  latencyMinutes: z.number(),
  awakenings: z.number(),
  minutesAwake: z.number(),
  quality: z.number(),
  tibMinutes: z.number(),
  tstMinutes: z.number(),
  sePercent: z.number(),
});

const Homework = z
  .object({
    activityDiary: z.array(
      z.object({
        ...entryBase,
        period: z.enum(['morning', 'afternoon', 'evening']),
        activity: z.string(),
        mood: z.number(),
        company: z.enum(['alone', 'with_others']),
      }),
    ),
    worryDiary: z.array(
      z.object({
        ...entryBase,
        time: z.string(),
        worry: z.string(),
        distress: z.number(),
        minutes: z.number(),
        aboutNow: z.boolean(),
        canAct: z.boolean().nullable(),
        kind: z.enum(['practical', 'hypothetical']),
      }),
    ),
    sleepDiary: z.object({
      nights: z.array(sleepNight),
      weeks: z.array(
        z.object({
          enrollmentId: z.string().optional(),
          week: z.number().int(),
          nights: count,
          meanSePercent: z.number(),
          meanTstMinutes: z.number(),
        }),
      ),
      trend: z
        .object({
          fromSePercent: z.number(),
          toSePercent: z.number(),
          changePercentPoints: z.number(),
          direction: z.enum(['up', 'down', 'flat']),
        })
        .optional(),
    }),
    other: z.array(
      z.object({
        type: z.string(),
        entries: z.array(
          z.object({ ...entryBase, step: z.string(), entry: z.record(z.string(), z.unknown()) }),
        ),
      }),
    ),
  })
  .openapi('Homework');

const ClientAlert = z
  .object({
    id: z.string(),
    enrollmentId: z.string().optional(),
    kind: alertKind,
    tier: alertTier.optional(),
    priority: z.enum(['high', 'normal']),
    triggerText: z.string(),
    matchedPhrase: z.string().optional(),
    channel: z.string(),
    inSafetyMode: z.boolean(),
    safetyAnswers: z.array(safetyAnswer),
    createdAt: timestamp,
    status: z.enum(['open', 'acknowledged']),
    acknowledged: acknowledged.optional(),
  })
  .openapi('ClientAlert');

export const ClientDetail = z
  .object({
    client: z.object({
      id: z.string(),
      name: z.string().optional(),
      locale: z.enum(['nb', 'en']),
      timeZone: z.string(),
      therapist: therapistRef.optional(),
      createdAt: timestamp,
    }),
    enrollments: z.array(
      z.object({
        id: z.string(),
        flowId: z.string(),
        flowVersion: z.number().int(),
        kind: z.enum(['course', 'other']),
        status: enrollmentStatus,
        createdAt: timestamp,
        finishedAt: timestamp.optional(),
        parts: z.array(
          z.object({
            part: z.number().int(),
            startedAt: timestamp.optional(),
            completedAt: timestamp.optional(),
          }),
        ),
      }),
    ),
    scores: z
      .array(
        z.object({
          id: z.string(),
          enrollmentId: z.string().optional(),
          instrument: z.string(),
          instrumentVersion: z.string(),
          total: z.number(),
          maxTotal: z.number().optional(),
          band: z.string().optional(),
          caseness: z.boolean().optional(),
          screenPositive: z.boolean().optional(),
          items: z.array(
            z.object({
              number: z.number().int(),
              id: z.string(),
              answer: z.number(),
              risk: z
                .boolean()
                .openapi({ description: 'PHQ-9 item 9: any answer above 0 is a safety signal.' }),
            }),
          ),
          difficulty: z.number().optional(),
          riskItemPositive: z.boolean(),
          channel: z.string(),
          startedAt: timestamp,
          completedAt: timestamp,
        }),
      )
      .openapi({ description: 'Every questionnaire, oldest first, with its item answers.' }),
    outcomes: z.array(
      z.object({
        enrollmentId: z.string(),
        flowId: z.string(),
        points: z.array(
          z.object({ at: timestamp, phq9: z.number().optional(), gad7: z.number().optional() }),
        ),
        outcome: CourseOutcome.optional(),
      }),
    ),
    homework: Homework,
    sleepWindows: z.array(
      z.object({
        id: z.string(),
        enrollmentId: z.string().optional(),
        bedTime: z.string(),
        riseTime: z.string(),
        minutes: z.number(),
        status: z.enum(['awaiting_approval', 'approved', 'rejected', 'superseded']),
        week: z.number().optional(),
        reason: z.string().optional(),
        nights: z.number().optional(),
        meanSePercent: z.number().optional(),
        previousMinutes: z.number().optional(),
        createdAt: timestamp,
        decidedAt: timestamp.optional(),
        decidedBy: z.string().optional(),
      }),
    ),
    intake: z.object({
      answers: z.array(
        z.object({
          type: z.string(),
          step: z.string().optional(),
          value: z.unknown(),
          at: timestamp,
          enrollmentId: z.string().optional(),
        }),
      ),
      suitability: z
        .object({
          area: z.string().nullable(),
          suitable: z.boolean(),
          reasons: z.array(z.string()),
          at: timestamp,
        })
        .optional(),
    }),
    /** The newest page; older ones from /clients/{id}/transcript?before=olderBefore. */
    transcript: TranscriptPage,
    alerts: z.array(ClientAlert).openapi({ description: 'Open and acknowledged, newest first.' }),
  })
  .openapi('ClientDetail');

// ---------------------------------------------------------------------------------------------------
// The guidance contract (src/service/contracts.ts; the rules of its fields: src/domain/contract.ts)

// The bounds are the domain's (CONTRACT_LIMITS); the rules between fields and against today are checked
// there too, on the whole contract, and named in the 400's message by the same paths.
const localDate = z.iso.date().openapi({ format: 'date', example: '2026-12-07' });
const whole = (bounds: { min: number; max: number }, description: string) =>
  z.number().int().min(bounds.min).max(bounds.max).openapi({ description });

const contractFieldsShape = {
  focus: z.string().max(CONTRACT_LIMITS.focusLength).openapi({
    description:
      'The problem focus, in words agreed with the client. May be empty in a draft; signing needs it.',
  }),
  course: z.enum(CONTRACT_COURSES),
  goals: z.array(z.string().min(1).max(CONTRACT_LIMITS.goalLength)).max(CONTRACT_LIMITS.goals.max).openapi({
    description: "The client's goals, in their words: a draft may have none yet; signing needs one to three.",
  }),
  paceDays: whole(CONTRACT_LIMITS.paceDays, 'Days between course parts.'),
  startDate: localDate.openapi({
    description:
      "The first day, not before today in the client's time zone (unless kept from the version in force).",
  }),
  endDate: localDate.openapi({ description: 'The expected end, after startDate.' }),
  contacts: z.object({
    count: whole(CONTRACT_LIMITS.contactCount, 'Follow-up contacts (0: none).'),
    minutes: whole(CONTRACT_LIMITS.contactMinutes, 'Minutes per contact.'),
    mode: z.enum(CONTACT_MODES),
    everyDays: whole(CONTRACT_LIMITS.contactEveryDays, 'Days between contacts.'),
    firstDate: localDate.openapi({
      description:
        'The first contact: on or after startDate, and not before today (unless kept from the version in force).',
    }),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
      .openapi({ example: '10:00', description: 'Local time, HH:MM.' }),
  }),
  measurement: z.object({
    instruments: z.array(z.enum(['phq9', 'gad7'])).min(1),
    beforeEachContact: z.boolean(),
    atEnd: z.boolean(),
  }),
  channels: z
    .object({
      web: z.boolean(),
      sms: z.object({
        consent: z.boolean(),
        phone: z.string().max(CONTRACT_LIMITS.phoneLength).optional().openapi({
          description: 'A valid mobile number, needed with consent; stored in E.164 (+4791234567).',
        }),
      }),
      discreetSms: z.boolean(),
    })
    .openapi({ description: 'At least one must reach the client: web, or SMS with consent.' }),
  quiet: z.object({
    reminderAfterDays: whole(CONTRACT_LIMITS.quietDays, 'Days without a word before one reminder.'),
    taskAfterDays: whole(CONTRACT_LIMITS.quietDays, 'Greater than reminderAfterDays.'),
  }),
  dataSharing: z.string().max(CONTRACT_LIMITS.textLength),
  ending: z.string().max(CONTRACT_LIMITS.textLength),
};

export const ContractFields = z.object(contractFieldsShape).openapi('ContractFields');

export const ContractRequest = z
  .strictObject({
    action: z.enum(['draft', 'sign', 'waive']).openapi({
      description:
        'draft: create or edit the newest unsigned version (a signed contract gets a new version); sign: the ' +
        "therapist signs the newest draft, which is sent to the client in their channel; waive: let the client's " +
        'course start without a signed contract, with `reason`.',
    }),
    fields: z
      .strictObject({
        ...contractFieldsShape,
        contacts: contractFieldsShape.contacts.partial(),
        measurement: contractFieldsShape.measurement.partial(),
        channels: contractFieldsShape.channels.partial(),
        quiet: contractFieldsShape.quiet.partial(),
      })
      .partial()
      .optional()
      .openapi({
        description:
          'draft, and sign: the fields to set; the rest stays (or comes from the clinic defaults). With sign, ' +
          'they are drafted first and the result must be ready to sign (a focus, one to three goals).',
      }),
    reason: z.string().trim().min(1).max(1000).optional().openapi({ description: 'waive: why (required).' }),
  })
  .refine((r) => r.action !== 'waive' || r.reason !== undefined, {
    message: 'waive needs a reason',
    path: ['reason'],
  })
  .openapi('ContractRequest');

const contractVersionShape = {
  id,
  version: z.number().int().positive(),
  status: z.enum(['draft', 'sent', 'signed', 'changes_requested', 'superseded']),
  fields: ContractFields,
  therapistSignature: z
    .object({
      by: z.string().openapi({ description: 'Staff id.' }),
      name: z.string().optional(),
      at: timestamp,
    })
    .nullable(),
  clientSignature: z
    .object({ at: timestamp, via: z.string().openapi({ description: 'The channel: web, sms, …' }) })
    .nullable(),
  changeRequest: z
    .object({
      text: z
        .string()
        .nullable()
        .openapi({ description: "The client's words; null while they have not said what." }),
      at: timestamp,
    })
    .optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
};

export const ContractVersion = z.object(contractVersionShape).openapi('ContractVersion');

export const Contract = z
  .object({
    ...contractVersionShape,
    history: z.array(ContractVersion).openapi({ description: 'Every version, newest first.' }),
    courseWaits: z.boolean().openapi({ description: "Whether the client's course waits for this contract." }),
    waivedReason: z.string().nullable(),
  })
  .openapi('Contract');

export const ContractWaived = z
  .object({ waived: z.object({ reason: z.string(), enrollmentId: id }) })
  .openapi('ContractWaived');
