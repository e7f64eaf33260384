import type { AuditEntry } from '../../service/audit.ts';
import type { AssignmentRow } from '../../service/caseload.ts';
import type { StaffRecord } from '../../service/staff.ts';
import type { Translate } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { Notice } from '../layout.tsx';

interface Common {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
}

/** A secret shown once: a set-password link or a new code. Selectable, never stored in the page again. */
export function ShownOnce({ t, label, value }: { t: Translate; label: string; value: string }) {
  return (
    <Notice kind="success">
      <p>{label}</p>
      <p>
        <code class="secret">{value}</code>
      </p>
      <p>{t('shown_once')}</p>
    </Notice>
  );
}

/** One button of a staff row's actions: a form that posts the account's email to `action`. */
function StaffAction(props: {
  action: 'reset' | 'disable';
  kind: 'secondary' | 'danger';
  label: string;
  staff: StaffRecord;
}) {
  return (
    <form method="post" action={`/staff/admin/staff/${props.action}`} class="inline">
      <input type="hidden" name="email" value={props.staff.email} />
      <button type="submit" class={props.kind}>
        {props.label}
        <span class="visually-hidden"> – {props.staff.name}</span>
      </button>
    </form>
  );
}

/**
 * The staff list, with a set-password link and a "disable" button for each active account, and the form
 * to add one. The signed-in admin's own row has no "disable": the server refuses it (`admin.not_yourself`),
 * so the page does not offer it.
 */
export function StaffAdmin({
  t,
  locale,
  timeZone,
  staff,
  actorId,
  shown,
  error,
}: Common & {
  staff: StaffRecord[];
  /** The signed-in account. */
  actorId: string;
  shown?: { label: string; value: string };
  error?: string;
}) {
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {shown ? <ShownOnce t={t} label={shown.label} value={shown.value} /> : null}
      <section aria-labelledby="staff-list">
        <h2 id="staff-list">{t('admin.staff_list')}</h2>
        <div class="table-wrap" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('admin.email')}</th>
                <th scope="col">{t('admin.role')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {staff.map((s) => (
                <tr>
                  <th scope="row">{s.name}</th>
                  <td>{s.email}</td>
                  <td>{t(`role.${s.role}`)}</td>
                  <td>
                    {s.disabledAt
                      ? `${t('admin.disabled')} ${formatDateTime(s.disabledAt, locale, timeZone)}`
                      : s.passwordHash
                        ? t('admin.active')
                        : t('admin.no_password')}
                  </td>
                  <td>
                    {s.disabledAt ? null : (
                      <div class="actions">
                        <StaffAction
                          action="reset"
                          kind="secondary"
                          label={t('admin.reset_link')}
                          staff={s}
                        />
                        {s.id === actorId ? null : (
                          <StaffAction action="disable" kind="danger" label={t('admin.disable')} staff={s} />
                        )}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="staff-add">
        <h2 id="staff-add">{t('admin.add_staff')}</h2>
        <form method="post" action="/staff/admin/staff" class="stack narrow">
          <label for="new-name">{t('admin.name')}</label>
          <input id="new-name" name="name" required maxlength={200} autocomplete="off" />
          <label for="new-email">{t('admin.email')}</label>
          <input id="new-email" name="email" type="email" required maxlength={320} autocomplete="off" />
          <label for="new-role">{t('admin.role')}</label>
          <select id="new-role" name="role">
            <option value="therapist">{t('role.therapist')}</option>
            <option value="admin">{t('role.admin')}</option>
          </select>
          <button type="submit">{t('admin.add_staff_submit')}</button>
        </form>
      </section>
    </>
  );
}

export function Assignments({
  t,
  rows,
  staff,
  error,
}: Common & { rows: AssignmentRow[]; staff: StaffRecord[]; error?: string }) {
  const therapists = staff.filter((s) => !s.disabledAt);
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div class="table-wrap" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('client.name')}</th>
              <th scope="col">{t('client.therapist')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <th scope="row">
                  <a href={`/staff/clients/${encodeURIComponent(row.clientId)}`}>
                    {row.name ?? t('client.unnamed')}
                  </a>
                </th>
                <td>
                  <AssignForm
                    t={t}
                    clientId={row.clientId}
                    therapistId={row.therapistId}
                    therapists={therapists}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function AssignForm({
  t,
  clientId,
  therapistId,
  therapists,
}: {
  t: Translate;
  clientId: string;
  therapistId?: string;
  therapists: StaffRecord[];
}) {
  const id = `assign-${clientId}`;
  return (
    <form method="post" action={`/staff/clients/${encodeURIComponent(clientId)}/therapist`} class="inline">
      <label for={id} class="visually-hidden">
        {t('client.therapist')}
      </label>
      <select id={id} name="therapistId">
        <option value="" selected={therapistId === undefined}>
          {t('client.nobody')}
        </option>
        {therapists.map((s) => (
          <option value={s.id} selected={s.id === therapistId}>
            {s.name} ({s.email})
          </option>
        ))}
      </select>{' '}
      <button type="submit" class="secondary">
        {t('client.assign')}
      </button>
    </form>
  );
}

export function AuditLog({
  t,
  locale,
  timeZone,
  entries,
  clientId,
}: Common & { entries: AuditEntry[]; clientId?: string }) {
  const last = entries.at(-1);
  return (
    <>
      <form method="get" action="/staff/admin/audit" class="inline filter">
        <label for="audit-client">{t('audit.client_filter')}</label>{' '}
        <input id="audit-client" name="client" value={clientId ?? ''} maxlength={100} />{' '}
        <button type="submit" class="secondary">
          {t('audit.filter')}
        </button>
      </form>
      <div class="table-wrap" tabindex={0}>
        <table>
          <caption class="visually-hidden">{t('audit.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.via')}</th>
              <th scope="col">{t('audit.client')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>
                  <time datetime={e.at}>{formatDateTime(e.at, locale, timeZone)}</time>
                </td>
                <td>{e.staffEmail}</td>
                <td>{e.via}</td>
                <td>
                  {e.clientId ? (
                    <a href={`/staff/clients/${encodeURIComponent(e.clientId)}`}>{e.clientId}</a>
                  ) : (
                    '–'
                  )}
                </td>
                <td>{e.action}</td>
                <td>{e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {last && entries.length >= 200 ? (
        <p>
          <a
            href={`/staff/admin/audit?before=${last.seq}${clientId ? `&client=${encodeURIComponent(clientId)}` : ''}`}
          >
            {t('audit.older')}
          </a>
        </p>
      ) : null}
    </>
  );
}
