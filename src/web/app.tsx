import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { CONTACT_MODES, type ContactMode } from '../domain/contract.ts';
import { listAccessCodes, listClientAddresses } from '../service/access-codes.ts';
import { acknowledgeAsStaff, alertsForStaff, openAlertCount } from '../service/alerts.ts';
import { readAudit } from '../service/audit.ts';
import { assignmentList, assignTherapist } from '../service/caseload.ts';
import { changeAccessCode, createClientAsStaff } from '../service/client-actions.ts';
import { addContact, clientVisibleTo, recordContact } from '../service/contacts.ts';
import {
  type ContractActionOutcome,
  type ContractFieldsInput,
  draftContract,
  signContractAsTherapist,
  waiveContract,
} from '../service/contracts.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { MAX_MESSAGE_LENGTH, sendTherapistMessage } from '../service/messages.ts';
import { clientReview } from '../service/review.ts';
import {
  createStaff,
  disableStaff,
  issueSetPasswordLink,
  listStaffMembers,
  setStaffLanguage,
} from '../service/staff.ts';
import { clientView, dashboardView } from '../service/workspace.ts';
import { decideSleepWindowAsStaff, unlinkDeviceAsStaff } from '../service/workspace-actions.ts';
import { staffApi } from './api.ts';
import { workspaceAssets } from './assets.ts';
import { passwordAuth, type StaffAuth } from './auth.tsx';
import { translator, type WorkspaceEnv, type WorkspaceOptions } from './context.ts';
import { formatDate } from './format.ts';
import { requireAdmin, requireStaff, sameOrigin } from './guard.ts';
import { staffHeaders } from './headers.ts';
import { Notice, Page } from './layout.tsx';
import { Assignments, AuditLog, ShownOnce, StaffAdmin } from './pages/admin.tsx';
import { AlertList } from './pages/alerts.tsx';
import { ClientPage } from './pages/client.tsx';
import type { ContractFormState, ContractFormValues } from './pages/contract.tsx';
import { Dashboard } from './pages/dashboard.tsx';
import {
  NewClientForm,
  type NewClientFormValues,
  STARTING_FLOWS,
  spacedCode,
  WelcomeCard,
} from './pages/new-client.tsx';
import { ReviewPage } from './pages/review.tsx';
import { ScoreChart } from './score-chart.tsx';

const idParam = z.string().min(1).max(100);

const dashboardSort = z.object({
  key: z.enum(['name', 'lastActivity', 'phq9', 'gad7', 'flags']),
  direction: z.enum(['asc', 'desc']).optional(),
});

const newClientForm = z.object({
  displayName: z.string().max(200).optional(),
  course: z.enum(STARTING_FLOWS).default('intro'),
  locale: z.enum(['nb', 'en']).default('nb'),
  therapistId: z.string().max(100).optional(),
});

const staffForm = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  role: z.enum(['admin', 'therapist']),
});

/**
 * The contract section's form (pages/contract.tsx): every field as text, as typed. The domain checks the
 * contract (src/domain/contract.ts) and names what it refuses, which the form shows by its fields; here
 * only the shape of the post is checked.
 */
const formText = z.string().max(5000).optional();
const contractForm = z.object({
  action: z.enum(['draft', 'sign', 'waive']),
  reason: z.string().trim().max(1000).optional(),
  ...Object.fromEntries(
    [
      'focus',
      'course',
      'goals',
      'paceDays',
      'startDate',
      'endDate',
      'contactsCount',
      'contactsMinutes',
      'contactsMode',
      'contactsEveryDays',
      'contactsFirstDate',
      'contactsTime',
      'measureBeforeEachContact',
      'measureAtEnd',
      'channelWeb',
      'smsConsent',
      'smsPhone',
      'smsContent',
      'quietReminder',
      'quietTask',
      'dataSharing',
      'ending',
    ].map((name) => [name, formText]),
  ),
  instruments: z
    .union([z.string().max(10), z.array(z.string().max(10)).max(10)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});
type ContractFormPost = z.infer<typeof contractForm>;

/**
 * The form's fields as a draft's: a form without the fields (the first draft) takes the defaults. A
 * number that is not one stays NaN, and a ticked box is true, an absent one false: the domain says
 * what is wrong, per field.
 */
function contractFieldsOf(form: ContractFormPost): ContractFieldsInput {
  const text = (name: string) => {
    const value = (form as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const num = (name: string) => {
    const value = text(name)?.trim();
    return value ? Number(value) : Number.NaN;
  };
  const on = (name: string) => text(name) === 'on';
  if (text('focus') === undefined) return {};
  return {
    focus: text('focus'),
    course: text('course') as ContractFieldsInput['course'],
    goals: (text('goals') ?? '')
      .split(/\r?\n/)
      .map((g) => g.trim())
      .filter(Boolean),
    paceDays: num('paceDays'),
    startDate: text('startDate'),
    endDate: text('endDate'),
    contacts: {
      count: num('contactsCount'),
      minutes: num('contactsMinutes'),
      mode: text('contactsMode') as ContactMode | undefined,
      everyDays: num('contactsEveryDays'),
      firstDate: text('contactsFirstDate'),
      time: text('contactsTime'),
    },
    measurement: {
      instruments: form.instruments as ('phq9' | 'gad7')[],
      beforeEachContact: on('measureBeforeEachContact'),
      atEnd: on('measureAtEnd'),
    },
    channels: {
      web: on('channelWeb'),
      sms: { consent: on('smsConsent'), phone: text('smsPhone')?.trim() || undefined },
      discreetSms: text('smsContent') !== 'full',
    },
    quiet: { reminderAfterDays: num('quietReminder'), taskAfterDays: num('quietTask') },
    dataSharing: text('dataSharing'),
    ending: text('ending'),
  };
}

/** What was posted, as the form shows it again. */
function contractFormValuesOf(form: ContractFormPost): ContractFormValues {
  const { action: _action, reason: _reason, ...values } = form;
  return values as ContractFormValues;
}

/** A safe place to go back to after a form: a workspace path, else the fallback. */
const backTo = (value: unknown, fallback: string) =>
  typeof value === 'string' && /^\/staff(\/[A-Za-z0-9/_-]*)?$/.test(value) ? value : fallback;

/**
 * The therapist workspace: server-rendered pages under /staff (hono/jsx) and, from ./api.ts, the staff
 * JSON API. Every answer is no-store with strict headers; unsafe methods with the session cookie must
 * be same-origin; every read of client data leaves an audit row (in the service).
 */
export function workspaceRoutes(deps: ServiceDeps, options: WorkspaceOptions = {}, auth?: StaffAuth) {
  const signIn = auth ?? passwordAuth(deps, options);
  const app = new Hono<WorkspaceEnv>();
  const timeZone = deps.defaults.timeZone;

  app.use('/staff', staffHeaders());
  app.use('/staff/*', staffHeaders());
  app.use('/staff', sameOrigin(options.publicBaseUrl));
  app.use('/staff/*', sameOrigin(options.publicBaseUrl));
  workspaceAssets(app);
  signIn.mount(app);
  app.route('/api/staff/v1', staffApi(deps, options, signIn));

  // The live alert count, polled by the page's script every 15 s: it needs a session but is not activity,
  // so an unattended workspace still signs out after 30 idle minutes. Registered before the pages, whose
  // guard would count it as activity (this handler answers, so theirs never runs for this path).
  app.get('/staff/alerts/count', requireStaff(signIn, 'poll'), async (c) =>
    c.json({ open: await openAlertCount(deps, c.get('actor')) }),
  );

  const pages = new Hono<WorkspaceEnv>();
  pages.use('*', requireStaff(signIn, 'page'));
  pages.use(
    '/admin/*',
    requireAdmin((c) => notFound(c)),
  );

  const view = (c: Context<WorkspaceEnv>) => {
    const actor = c.get('actor');
    return { actor, locale: actor.locale, t: translator(deps, actor.locale) };
  };

  /** The page frame with the live alert count. */
  const render = async (
    c: Context<WorkspaceEnv>,
    title: string,
    current: Parameters<typeof Page>[0]['current'],
    body: unknown,
    status: 200 | 400 | 404 | 409 = 200,
    /** The open-alert count when the page has read it already (the dashboard), so it is not read twice. */
    known?: number,
  ) => {
    const { actor, locale, t } = view(c);
    const openAlerts = known ?? (await openAlertCount(deps, actor));
    return c.html(
      <Page
        t={t}
        locale={locale}
        title={title}
        actor={actor}
        openAlerts={openAlerts}
        current={current}
        path={c.req.method === 'GET' ? c.req.path : undefined}
      >
        {body as never}
      </Page>,
      status,
    );
  };

  const notFound = (c: Context<WorkspaceEnv>) => {
    const { t } = view(c);
    return render(c, t('not_found.title'), undefined, <p>{t('not_found.text')}</p>, 404);
  };

  pages.post('/language', async (c) => {
    const parsed = z
      .object({ locale: z.enum(['nb', 'en']), returnTo: z.string().max(300).optional() })
      .safeParse(await c.req.parseBody());
    if (parsed.success) await setStaffLanguage(deps, c.get('actor').staffId, parsed.data.locale);
    // Back to the page the switch was pressed on (the workspace sends no Referer: no-referrer policy).
    return c.redirect(backTo(parsed.success ? parsed.data.returnTo : undefined, '/staff'), 303);
  });

  pages.get('/', async (c) => {
    const { actor, locale, t } = view(c);
    const sort = dashboardSort.safeParse({ key: c.req.query('sort'), direction: c.req.query('dir') });
    const dashboard = await dashboardView(deps, actor, { sort: sort.success ? sort.data : undefined });
    return render(
      c,
      t('dashboard.title'),
      'dashboard',
      <Dashboard
        t={t}
        locale={locale}
        timeZone={timeZone}
        view={dashboard}
        opensUnassigned={actor.role === 'admin'}
      />,
      200,
      dashboard.openAlertCount,
    );
  });

  pages.get('/alerts', async (c) => {
    const { actor, locale, t } = view(c);
    const rows = await alertsForStaff(deps, actor, { open: false, limit: 200 });
    return render(
      c,
      t('alerts.title'),
      'alerts',
      <AlertList
        rows={rows}
        t={t}
        locale={locale}
        timeZone={timeZone}
        returnTo="/staff/alerts"
        empty={t('alerts.none')}
        opensUnassigned={actor.role === 'admin'}
      />,
    );
  });

  pages.post('/alerts/:id/ack', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const body = z
      .object({ note: z.string().max(2000).optional(), returnTo: z.string().max(300).optional() })
      .safeParse(await c.req.parseBody());
    if (!id.success || !body.success) return notFound(c);
    const note = body.data.note?.trim() || undefined;
    const outcome = await acknowledgeAsStaff(deps, c.get('actor'), id.data, note);
    if (!outcome.ok && outcome.error === 'not_found') return notFound(c);
    return c.redirect(backTo(body.data.returnTo, '/staff/alerts'), 303);
  });

  pages.post(
    '/clients/:id/therapist',
    requireAdmin((c) => notFound(c)),
    async (c) => {
      const id = idParam.safeParse(c.req.param('id'));
      const body = z.object({ therapistId: z.string().max(100) }).safeParse(await c.req.parseBody());
      if (!id.success || !body.success) return notFound(c);
      const outcome = await assignTherapist(
        deps,
        c.get('actor'),
        id.data,
        body.data.therapistId || undefined,
      );
      if (!outcome.ok) {
        if (outcome.error === 'not_found') return notFound(c);
        const { t } = view(c);
        return render(
          c,
          t('admin.assignments'),
          'staff',
          <Notice kind="error">{t('admin.no_such_therapist')}</Notice>,
          400,
        );
      }
      return c.redirect(`/staff/clients/${encodeURIComponent(id.data)}`, 303);
    },
  );

  const staffPage = async (
    c: Context<WorkspaceEnv>,
    extra: { shown?: { label: string; value: string }; error?: string } = {},
    status: 200 | 400 | 409 = 200,
  ) => {
    const { actor, locale, t } = view(c);
    const staff = await listStaffMembers(deps);
    return render(
      c,
      t('admin.staff_title'),
      'staff',
      <StaffAdmin
        t={t}
        locale={locale}
        timeZone={timeZone}
        staff={staff}
        actorId={actor.staffId}
        {...extra}
      />,
      status,
    );
  };

  const setPasswordUrl = (c: Context, token: string) =>
    `${options.publicBaseUrl ?? new URL(c.req.url).origin}/staff/set-password?token=${token}`;

  pages.get('/admin/staff', (c) => staffPage(c));

  pages.post('/admin/staff', async (c) => {
    const { t } = view(c);
    const parsed = staffForm.safeParse(await c.req.parseBody());
    if (!parsed.success) return staffPage(c, { error: t('admin.invalid_staff') }, 400);
    const outcome = await createStaff(deps, parsed.data);
    if (!outcome.ok) return staffPage(c, { error: t('admin.email_taken') }, 409);
    return staffPage(c, {
      shown: {
        label: t('admin.link_for', { name: outcome.staff.name }),
        value: setPasswordUrl(c, outcome.setPasswordToken!),
      },
    });
  });

  pages.post('/admin/staff/reset', async (c) => {
    const { t } = view(c);
    const parsed = z.object({ email: z.email() }).safeParse(await c.req.parseBody());
    const outcome = parsed.success ? await issueSetPasswordLink(deps, parsed.data.email) : undefined;
    if (!outcome?.ok) return staffPage(c, { error: t('admin.no_such_staff') }, 400);
    return staffPage(c, {
      shown: {
        label: t('admin.link_for', { name: parsed.data!.email }),
        value: setPasswordUrl(c, outcome.token),
      },
    });
  });

  pages.post('/admin/staff/disable', async (c) => {
    const { t } = view(c);
    const parsed = z.object({ email: z.email() }).safeParse(await c.req.parseBody());
    if (parsed.success && parsed.data.email.toLowerCase() === c.get('actor').email) {
      return staffPage(c, { error: t('admin.not_yourself') }, 400);
    }
    const staff = parsed.success ? await disableStaff(deps, parsed.data.email) : undefined;
    if (!staff) return staffPage(c, { error: t('admin.no_such_staff') }, 400);
    return c.redirect('/staff/admin/staff', 303);
  });

  pages.get('/admin/assignments', async (c) => {
    const { actor, locale, t } = view(c);
    const [rows, staff] = await Promise.all([assignmentList(deps, actor), listStaffMembers(deps)]);
    return render(
      c,
      t('admin.assignments'),
      'assignments',
      <Assignments t={t} locale={locale} timeZone={timeZone} rows={rows} staff={staff} />,
    );
  });

  pages.get('/admin/audit', async (c) => {
    const { locale, t } = view(c);
    const client = c.req.query('client')?.trim() || undefined;
    const before = Number(c.req.query('before'));
    const entries = await readAudit(deps, {
      clientId: client && client.length <= 100 ? client : undefined,
      before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
    });
    return render(
      c,
      t('audit.title'),
      'audit',
      <AuditLog t={t} locale={locale} timeZone={timeZone} entries={entries} clientId={client} />,
    );
  });

  const clientPage = async (
    c: Context<WorkspaceEnv>,
    notice?: unknown,
    status: 200 | 400 | 409 = 200,
    contractForm?: ContractFormState,
  ) => {
    const { actor, locale, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    const before = Number(c.req.query('before'));
    const client = id.success
      ? await clientView(deps, actor, id.data, {
          transcriptBefore: Number.isSafeInteger(before) && before > 0 ? before : undefined,
        })
      : undefined;
    if (!client) return notFound(c);
    const [therapists, addresses, codes] = await Promise.all([
      actor.role === 'admin' ? listStaffMembers(deps) : Promise.resolve([]),
      listClientAddresses(deps, client.client.id),
      listAccessCodes(deps, client.client.id),
    ]);
    return render(
      c,
      client.client.name ?? t('client.unnamed'),
      undefined,
      <ClientPage
        t={t}
        locale={locale}
        timeZone={timeZone}
        view={client}
        actor={actor}
        therapists={therapists}
        addresses={addresses}
        codes={codes}
        chart={<ScoreChart t={t} locale={locale} timeZone={timeZone} scores={client.scores} />}
        notice={notice as never}
        contractForm={contractForm}
      />,
      status,
    );
  };

  pages.get('/clients/:id{[^/]+}', async (c) =>
    c.req.param('id') === 'new' ? newClientPage(c) : clientPage(c),
  );

  pages.post('/clients/:id/access-code', async (c) => {
    const { actor, locale, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    const body = z.object({ action: z.enum(['reissue', 'revoke']) }).safeParse(await c.req.parseBody());
    if (!id.success || !body.success) return notFound(c);
    const outcome = await changeAccessCode(deps, actor, id.data, body.data.action);
    if (!outcome.ok) return notFound(c);
    const notice =
      outcome.action === 'reissue' ? (
        <ShownOnce
          t={t}
          label={t('codes.new', { expires: formatDate(outcome.expiresAt, locale, timeZone) })}
          value={spacedCode(outcome.accessCode)}
        />
      ) : (
        <Notice kind="success">{t('codes.revoked')}</Notice>
      );
    return clientPage(c, notice);
  });

  pages.post('/clients/:id/devices/:addressId/unlink', async (c) => {
    const { actor, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    const addressId = idParam.safeParse(c.req.param('addressId'));
    if (!id.success || !addressId.success) return notFound(c);
    const outcome = await unlinkDeviceAsStaff(deps, actor, id.data, addressId.data);
    if (!outcome.ok) return notFound(c);
    return clientPage(c, <Notice kind="success">{t('devices.unlinked')}</Notice>);
  });

  // ---- The guidance contract (pages/contract.tsx; src/service/contracts.ts) -------------------------
  pages.post('/clients/:id/contract', async (c) => {
    const { actor, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    const form = contractForm.safeParse(await c.req.parseBody({ all: true }));
    if (!id.success) return notFound(c);
    if (!form.success) return clientPage(c, <Notice kind="error">{t('contract.check_fields')}</Notice>, 400);
    const { action, reason } = form.data;
    let outcome: ContractActionOutcome;
    if (action === 'draft') outcome = await draftContract(deps, actor, id.data, contractFieldsOf(form.data));
    else if (action === 'sign') outcome = await signContractAsTherapist(deps, actor, id.data);
    else if (reason) outcome = await waiveContract(deps, actor, id.data, reason);
    else return clientPage(c, <Notice kind="error">{t('contract.waive_reason_missing')}</Notice>, 400);
    if (outcome.ok) return c.redirect(`/staff/clients/${encodeURIComponent(id.data)}#contract`, 303);
    if (outcome.error === 'not_found') return notFound(c);
    if (outcome.error === 'invalid') {
      // A refused draft comes back as typed; a refused signature shows the stored draft, marked.
      const contractForm: ContractFormState = {
        issues: outcome.issues,
        ...(action === 'draft' ? { values: contractFormValuesOf(form.data) } : {}),
      };
      const banner = action === 'sign' ? 'contract.check_fields_sign' : 'contract.check_fields';
      return clientPage(c, <Notice kind="error">{t(banner)}</Notice>, 400, contractForm);
    }
    return clientPage(c, <Notice kind="error">{t(`contract.${outcome.error}`)}</Notice>, 409);
  });
  // ---- end of the guidance contract -------------------------------------------------------------------

  pages.post('/sleep-windows/:id/:decision{approve|reject}', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) return notFound(c);
    const decision = c.req.param('decision') === 'approve' ? 'approved' : 'rejected';
    const outcome = await decideSleepWindowAsStaff(deps, c.get('actor'), id.data, decision);
    if (!outcome.ok && outcome.error === 'not_found') return notFound(c);
    // Decided already (by someone else, or a second click): the page shows how it was decided.
    return c.redirect(`/staff/clients/${encodeURIComponent(outcome.clientId!)}#sleep-windows`, 303);
  });

  const newClientPage = async (
    c: Context<WorkspaceEnv>,
    extra: { values?: NewClientFormValues; error?: string } = {},
    status: 200 | 400 = 200,
  ) => {
    const { actor, t } = view(c);
    const staff = actor.role === 'admin' ? await listStaffMembers(deps) : [];
    return render(
      c,
      t('new_client.title'),
      'new_client',
      <NewClientForm t={t} actor={actor} therapists={staff} {...extra} />,
      status,
    );
  };

  pages.post('/clients/new', async (c) => {
    const { actor, t } = view(c);
    const parsed = newClientForm.safeParse(await c.req.parseBody());
    if (!parsed.success) return newClientPage(c, { error: t('new_client.invalid') }, 400);
    const values = parsed.data;
    // A therapist creates clients for their own caseload; an admin for anyone, or nobody yet.
    const outcome = await createClientAsStaff(deps, actor, {
      course: values.course,
      locale: values.locale,
      displayName: values.displayName?.trim() || undefined,
      therapistId: actor.role === 'admin' ? values.therapistId || null : actor.staffId,
    });
    if (!outcome.ok) {
      return newClientPage(c, { values, error: t('new_client.unknown_therapist') }, 400);
    }
    const base = options.publicBaseUrl?.replace(/\/$/, '') ?? new URL(c.req.url).origin;
    const chatUrl = `${base}/chat${values.locale === deps.defaults.locale ? '' : `?lang=${values.locale}`}`;
    return render(
      c,
      t('new_client.title'),
      'new_client',
      <WelcomeCard
        t={t}
        clientText={(key) => deps.catalog.text(values.locale, key)}
        code={outcome.accessCode}
        expiresAt={outcome.accessCodeExpiresAt}
        chatUrl={chatUrl}
        clientId={outcome.clientId}
        timeZone={timeZone}
        clientLocale={values.locale}
      />,
    );
  });

  // ---- Follow-up contacts and the review before a contact (issue 13) --------------------------------
  // The review page (printable) and the contacts form on the client's page (pages/contacts.tsx): add a
  // contact, or record how one went. Who may is checked in the service (404 for both kinds of no).

  const noteField = z.string().max(2000).default('');
  const contactForm = z.discriminatedUnion('action', [
    z.object({
      action: z.literal('add'),
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
      minutes: z.coerce.number().int().min(5).max(120),
      mode: z.enum(CONTACT_MODES),
    }),
    z.object({
      action: z.literal('record'),
      contactId: idParam,
      status: z.enum(['done', 'missed', 'cancelled']),
      learned: noteField,
      helped: noteField,
      hard: noteField,
      next: noteField,
    }),
  ]);

  pages.get('/clients/:id/review', async (c) => {
    const { actor, locale, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    const review = id.success ? await clientReview(deps, actor, id.data) : undefined;
    if (!review) return notFound(c);
    return render(
      c,
      `${t('review.title')}: ${review.client.name ?? t('client.unnamed')}`,
      undefined,
      <ReviewPage t={t} locale={locale} timeZone={timeZone} review={review} />,
    );
  });

  pages.post('/clients/:id/contacts', async (c) => {
    const { actor, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    const form = contactForm.safeParse(await c.req.parseBody());
    if (!id.success) return notFound(c);
    const back = `/staff/clients/${encodeURIComponent(id.data)}`;
    const invalid = (message = t('contacts.invalid'), status: 400 | 409 = 400) =>
      render(
        c,
        t('contacts.title'),
        undefined,
        <>
          <Notice kind="error">{message}</Notice>
          <p>
            <a href={`${back}#contacts`}>{t('review.back')}</a>
          </p>
        </>,
        status,
      );
    if (!form.success) {
      // Not a form this page sends: as for a client one may not see, nothing is said about the client.
      const allowed = await clientVisibleTo(deps, actor, id.data);
      return allowed ? invalid() : notFound(c);
    }
    const body = form.data;
    if (body.action === 'add') {
      const outcome = await addContact(deps, actor, id.data, body);
      if (!outcome.ok) return outcome.error === 'not_found' ? notFound(c) : invalid();
    } else {
      const fields = [body.learned, body.helped, body.hard, body.next];
      const note = fields.some((f) => f.trim() !== '')
        ? { learned: body.learned, helped: body.helped, hard: body.hard, next: body.next }
        : undefined;
      const outcome = await recordContact(deps, actor, id.data, body.contactId, {
        status: body.status,
        note,
      });
      if (!outcome.ok && outcome.error === 'not_yet') return invalid(t('contacts.not_yet'), 409);
      if (!outcome.ok && outcome.error === 'already_done') return invalid(t('contacts.already_done'), 409);
      if (!outcome.ok) return outcome.error === 'not_found' ? notFound(c) : invalid();
    }
    return c.redirect(`${back}#contacts`, 303);
  });
  // ---- end of follow-up contacts and the review ------------------------------------------------------

  // ---- Messages between therapist and client (issue 13; pages/messages.tsx; src/service/messages.ts) --
  // The form on the client's page: the message goes to the client's channel; who may is checked in the
  // service (404 for both kinds of no).
  const messageForm = z.object({ text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) });

  pages.post('/clients/:id/messages', async (c) => {
    const { actor, t } = view(c);
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) return notFound(c);
    const form = messageForm.safeParse(await c.req.parseBody());
    if (!form.success) {
      // As for a client one may not see, nothing is said about a client the caller may not see.
      const allowed = await clientVisibleTo(deps, actor, id.data);
      return allowed
        ? clientPage(c, <Notice kind="error">{t('messages.invalid')}</Notice>, 400)
        : notFound(c);
    }
    const outcome = await sendTherapistMessage(deps, actor, id.data, form.data.text);
    if (!outcome.ok) return notFound(c);
    if (!outcome.delivered) return clientPage(c, <Notice kind="info">{t('messages.kept')}</Notice>);
    return c.redirect(`/staff/clients/${encodeURIComponent(id.data)}#messages`, 303);
  });
  // ---- end of messages ------------------------------------------------------------------------------

  // A sub-app's notFound is not used once mounted: the workspace's own 404 page is its last route.
  pages.all('*', notFound);
  app.route('/staff', pages);
  return app;
}
