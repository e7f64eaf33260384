import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { acknowledgeAsStaff, alertsForStaff } from '../service/alerts.ts';
import { changeAccessCode, createClientAsStaff } from '../service/client-actions.ts';
import {
  type ContractActionOutcome,
  contractForStaff,
  draftContract,
  signContractAsTherapist,
  waiveContract,
} from '../service/contracts.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { clientTranscript, clientView, dashboardView } from '../service/workspace.ts';
import { contactRoutes } from './api-contacts.ts';
import { messageRoutes } from './api-messages.ts';
import { badRequest, json, jsonBody, notFound, problem, unauthorized } from './api-responses.ts';
import {
  AccessCodeChanged,
  AccessCodeRequest,
  AckRequest,
  type Alert,
  AlertAcknowledged,
  AlertIdParam,
  AlertList,
  AlertsQuery,
  ApiError,
  Caseload,
  CaseloadQuery,
  ClientDetail,
  ClientIdParam,
  Contract,
  ContractRequest,
  ContractWaived,
  NewClient,
  NewClientCreated,
  TranscriptPage,
  TranscriptQuery,
} from './api-schemas.ts';
import { SESSION_COOKIE, type StaffAuth } from './auth.tsx';
import type { WorkspaceEnv, WorkspaceOptions } from './context.ts';
import { requireStaff } from './guard.ts';
import { staffHeaders } from './headers.ts';

type StaffAlertRow = Awaited<ReturnType<typeof alertsForStaff>>[number];

/** What a request body to the staff API may weigh at most. */
const MAX_BODY_BYTES = 16 * 1024;

/** Statuses Hono and its middleware answer with an exception (bad JSON, wrong media type, …), as codes. */
const exceptionCodes: Partial<Record<number, string>> = {
  400: 'invalid_json',
  403: 'forbidden',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * The staff JSON API, `/api/staff/v1`, for the same people and with the same rules as the workspace
 * pages: signed in with the session cookie or a personal bearer token; a therapist sees their own
 * caseload (and alerts of clients nobody is responsible for); anything else is 404, never 403. Every read
 * of client data leaves one audit row (in the service, `via: 'api'`). The OpenAPI 3.1 document at
 * /openapi.json is generated from the same zod schemas that validate the requests.
 */
export function staffApi(deps: ServiceDeps, options: WorkspaceOptions, auth: StaffAuth) {
  const api = new OpenAPIHono<WorkspaceEnv>({
    defaultHook: (result, c) => {
      if (!result.success)
        return c.json(problem('invalid_request', describeIssues(result.error, result.target)), 400);
    },
  });
  api.onError((error, c) => {
    if (!(error instanceof HTTPException)) throw error;
    const code = exceptionCodes[error.status] ?? 'http_error';
    return c.json(problem(code, error.message || code), error.status as ContentfulStatusCode);
  });

  // Order matters: Hono runs these in registration order, and the document's handler answers before
  // the sign-in check (it holds no client data), but after the headers.
  api.use('*', staffHeaders());
  api.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'selvhjelp staff API',
      version: '1',
      description:
        'The therapist workspace as JSON. A therapist sees their own caseload, and alerts of clients nobody ' +
        'is responsible for; an admin sees everything. Whatever the caller may not see answers 404, like ' +
        'what does not exist. Every read of client data is recorded in the audit log.',
    },
    servers: [
      { url: `${options.publicBaseUrl?.replace(/\/$/, '') ?? new URL(c.req.url).origin}/api/staff/v1` },
    ],
    security: [{ bearerToken: [] }, { sessionCookie: [] }] as Record<string, string[]>[],
  }));
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A personal API token (`sh_…`) from `selvhjelp staff token EMAIL`.',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'The workspace session after signing in at /staff/login. Unsafe methods must be same-origin.',
  });
  api.use('*', requireStaff(auth, 'api'));
  api.use('*', sameOriginWithCookie(options.publicBaseUrl));
  api.use('*', limitBody());

  const actorOf = (c: Context<WorkspaceEnv>) => c.get('actor');

  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients',
      operationId: 'listClients',
      summary: 'The caseload',
      description:
        'A therapist: their own clients; an admin: every client. Flags, scores and course progress.',
      request: { query: CaseloadQuery },
      responses: { 200: json('The caseload.', Caseload), 400: badRequest, 401: unauthorized },
    }),
    async (c) => {
      const { sort, direction } = c.req.valid('query');
      const view = await dashboardView(deps, actorOf(c), sort ? { sort: { key: sort, direction } } : {});
      return c.json({ clients: view.caseload, sort: view.sort, generatedAt: view.generatedAt }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/clients',
      operationId: 'createClient',
      summary: 'Add a client',
      description: 'Creates a client with an access code, shown once in the answer.',
      request: { body: jsonBody(NewClient) },
      responses: {
        201: json('The client and their access code.', NewClientCreated),
        400: badRequest,
        401: unauthorized,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const outcome = await createClientAsStaff(deps, actorOf(c), input);
      if (!outcome.ok) {
        const message = {
          unknown_course: 'No such course.',
          unknown_therapist: 'No active staff member with that id.',
          not_own_caseload: 'A therapist adds clients to their own caseload only.',
        }[outcome.error];
        return c.json(problem(outcome.error, message), 400);
      }
      c.header('Location', `/api/staff/v1/clients/${encodeURIComponent(outcome.clientId)}`);
      return c.json(
        {
          clientId: outcome.clientId,
          accessCode: outcome.accessCode,
          accessCodeExpiresAt: outcome.accessCodeExpiresAt,
          enrollmentId: outcome.enrollmentId,
          flowId: outcome.flowId,
          flowVersion: outcome.flowVersion,
          therapistId: outcome.therapistId,
        },
        201,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}',
      operationId: 'getClient',
      summary: 'One client',
      description:
        'The client, enrollments with course parts, scores with item answers, homework, sleep windows, ' +
        'intake answers, alerts, course outcomes and the newest page of the transcript.',
      request: { params: ClientIdParam },
      responses: {
        200: json('The client.', ClientDetail),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const view = await clientView(deps, actorOf(c), c.req.valid('param').id);
      if (!view) return c.json(problem('not_found', 'No such client.'), 404);
      // The contract, contacts and messages have operations of their own (…/contract, …/contacts, …/messages).
      const { contacts: _contacts, contract: _contract, messages: _messages, ...detail } = view;
      return c.json(detail, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/transcript',
      operationId: 'getTranscript',
      summary: 'A page of the transcript',
      description: 'Newest first; follow `olderBefore` for older pages.',
      request: { params: ClientIdParam, query: TranscriptQuery },
      responses: {
        200: json('A page of the transcript.', TranscriptPage),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const page = await clientTranscript(deps, actorOf(c), c.req.valid('param').id, c.req.valid('query'));
      return page ? c.json(page, 200) : c.json(problem('not_found', 'No such client.'), 404);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/access-code',
      operationId: 'changeAccessCode',
      summary: 'Reissue or revoke the access code',
      request: { params: ClientIdParam, body: jsonBody(AccessCodeRequest) },
      responses: {
        200: json('What changed; a new code is shown once.', AccessCodeChanged),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const outcome = await changeAccessCode(
        deps,
        actorOf(c),
        c.req.valid('param').id,
        c.req.valid('json').action,
      );
      if (!outcome.ok) return c.json(problem('not_found', 'No such client.'), 404);
      const { ok: _ok, ...changed } = outcome;
      return c.json(changed, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/contract',
      operationId: 'getContract',
      summary: 'The guidance contract',
      description:
        'The newest version with its status, fields and both signatures, the change the client asked for, ' +
        'and every earlier version. 404 when the client has no contract yet.',
      request: { params: ClientIdParam },
      responses: {
        200: json('The contract.', Contract),
        400: badRequest,
        401: unauthorized,
        404: notFound,
      },
    }),
    async (c) => {
      const view = await contractForStaff(deps, actorOf(c), c.req.valid('param').id);
      return view ? c.json(view, 200) : c.json(problem('not_found', 'No such client, or no contract.'), 404);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/contract',
      operationId: 'changeContract',
      summary: 'Draft, sign or waive the guidance contract',
      description:
        'draft creates or edits the newest version the client has not signed (a signed contract gets a new ' +
        'version); a draft may lack the focus and the goals, but is otherwise checked as a contract. sign ' +
        'signs the newest draft as therapist and sends it to the client: signing needs a focus and one to ' +
        "three goals, and a contract that does not start before today (in the client's time zone); with " +
        '`fields`, they are drafted first in the same step, and nothing is written when the result cannot ' +
        "be signed. waive records why the client's course may start without a signed contract; once a " +
        'contract is signed, or a waiver recorded, it answers 409. Every refused field is named in ' +
        '`error.message` by its path (`fields.startDate: …`).',
      request: { params: ClientIdParam, body: jsonBody(ContractRequest) },
      responses: {
        200: json('The contract after the action, or the waiver.', Contract.or(ContractWaived)),
        400: badRequest,
        401: unauthorized,
        404: notFound,
        409: json(
          'Nothing to sign; no course to start; (waive) a contract signed or a waiver recorded already; or ' +
            '(draft) a change of course after the course started.',
          ApiError,
        ),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const body = c.req.valid('json');
      const actor = actorOf(c);
      const outcome: ContractActionOutcome =
        body.action === 'draft'
          ? await draftContract(deps, actor, id, body.fields)
          : body.action === 'sign'
            ? await signContractAsTherapist(deps, actor, id, body.fields)
            : await waiveContract(deps, actor, id, body.reason!);
      if (outcome.ok)
        return c.json('contract' in outcome ? outcome.contract : { waived: outcome.waived }, 200);
      switch (outcome.error) {
        case 'not_found':
          return c.json(problem('not_found', 'No such client.'), 404);
        case 'invalid':
          return c.json(problem('invalid_request', outcome.message), 400);
        case 'nothing_to_sign':
          return c.json(problem('nothing_to_sign', 'There is no draft to sign.'), 409);
        case 'no_enrollment':
          return c.json(problem('no_enrollment', 'The client has no course that could start.'), 409);
        case 'already_signed':
          return c.json(
            problem('already_signed', 'The client has a signed contract: there is nothing to waive.'),
            409,
          );
        case 'already_waived':
          return c.json(
            problem('already_waived', "A waiver is recorded for the client's course already; it is kept."),
            409,
          );
        case 'course_started':
          return c.json(
            problem(
              'course_started',
              'The course has started: a contract cannot change it. Start a new course instead (today that ' +
                'means a new client with the new course: the workspace cannot give a client a second course).',
            ),
            409,
          );
      }
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/alerts',
      operationId: 'listAlerts',
      summary: 'Safety alerts',
      description:
        'The alerts the caller may see, open first (high priority first, newest first); with `status=all` ' +
        'the acknowledged ones follow.',
      request: { query: AlertsQuery },
      responses: { 200: json('The alerts.', AlertList), 400: badRequest, 401: unauthorized },
    }),
    async (c) => {
      const { status, limit } = c.req.valid('query');
      const rows = await alertsForStaff(deps, actorOf(c), { open: status === 'open', limit });
      return c.json({ alerts: rows.map(alertOf) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/alerts/{id}/ack',
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge an alert',
      description:
        "Records who acknowledged it and when, with a note; the client's paused reminders resume once no alert is open.",
      request: { params: AlertIdParam, body: { ...jsonBody(AckRequest), required: false } },
      responses: {
        200: json('Acknowledged.', AlertAcknowledged),
        400: badRequest,
        401: unauthorized,
        404: notFound,
        409: json('Acknowledged already.', ApiError),
      },
    }),
    async (c) => {
      const note = c.req.valid('json').note || undefined;
      const outcome = await acknowledgeAsStaff(deps, actorOf(c), c.req.valid('param').id, note);
      if (!outcome.ok) {
        return outcome.error === 'not_found'
          ? c.json(problem('not_found', 'No such alert.'), 404)
          : c.json(problem('already_acknowledged', 'The alert was acknowledged already.'), 409);
      }
      const { alert } = outcome;
      return c.json(
        {
          id: alert.id,
          status: 'acknowledged' as const,
          acknowledged: {
            at: alert.acknowledgedAt ?? deps.clock().toISOString(),
            by: alert.acknowledgedBy,
            staffId: alert.acknowledgedByStaffId,
            note: alert.acknowledgedNote,
          },
        },
        200,
      );
    },
  );

  // Follow-up contacts and the review before a contact (api-contacts.ts).
  contactRoutes(api, deps);
  // Messages between therapist and client (api-messages.ts).
  messageRoutes(api, deps);

  return api;
}

/** An alert as the API shows it: no internal fields (the address, the held replies, what was shown). */
function alertOf({ alert, clientName, therapistId }: StaffAlertRow): z.infer<typeof Alert> {
  return {
    id: alert.id,
    clientId: alert.clientId,
    clientName,
    unassigned: therapistId === undefined,
    kind: alert.kind,
    tier: alert.tier,
    priority: alert.priority,
    triggerText: alert.triggerText,
    matchedPhrase: alert.matchedPhrase,
    channel: alert.channel,
    inSafetyMode: alert.safetyStep !== undefined,
    safetyAnswers: alert.safetyAnswers,
    createdAt: alert.createdAt,
    status: alert.acknowledgedAt === undefined ? 'open' : 'acknowledged',
    acknowledged:
      alert.acknowledgedAt === undefined
        ? undefined
        : {
            at: alert.acknowledgedAt,
            by: alert.acknowledgedBy,
            staffId: alert.acknowledgedByStaffId,
            note: alert.acknowledgedNote,
          },
  };
}

/** zod's issues as one line: where, and what is wrong (never the value sent). */
/** Each issue with its path: a body's from its top (`fields.goals`), as the service names them too. */
function describeIssues(error: z.ZodError, target: string): string {
  return error.issues
    .map((issue) => {
      const path = [...(target === 'json' ? [] : [target]), ...issue.path.map(String)];
      return `${path.join('.') || 'body'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * A request signed in with the session cookie that changes something must come from the workspace's
 * own origin (Sec-Fetch-Site or Origin), whatever its content type: hono/csrf (guard.ts) looks at form
 * and text bodies only, which this API never takes. A bearer token is no ambient credential: no check.
 */
function sameOriginWithCookie(publicBaseUrl: string | undefined): MiddlewareHandler<WorkspaceEnv> {
  const publicOrigin = publicBaseUrl ? new URL(publicBaseUrl).origin : undefined;
  return async (c, next) => {
    if (/^(GET|HEAD|OPTIONS)$/.test(c.req.method) || c.get('session') === undefined) return next();
    const origin = c.req.header('Origin');
    const sameOrigin =
      c.req.header('Sec-Fetch-Site') === 'same-origin' ||
      (origin !== undefined && (origin === new URL(c.req.url).origin || origin === publicOrigin));
    if (!sameOrigin)
      return c.json(problem('forbidden', 'A cross-site request with the session cookie.'), 403);
    await next();
  };
}

function limitBody(): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json(problem('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`), 413),
  });
  return (c, next) => (/^(GET|HEAD|OPTIONS)$/.test(c.req.method) ? next() : limit(c, next));
}
