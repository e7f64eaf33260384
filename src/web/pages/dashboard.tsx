import type {
  AlertSummary,
  CaseloadEntry,
  ClientFlags,
  DashboardSortKey,
  DashboardView,
  ScoreTrend,
} from '../../service/workspace.ts';
import type { Translate } from '../context.ts';
import { formatDateTime } from '../format.ts';

interface Common {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
}

const FLAG_ORDER: (keyof ClientFlags)[] = [
  'safetyMode',
  'item9',
  'reliableDeterioration',
  'inactive',
  'sleepWindowAwaiting',
  'contractChangeRequested',
  'goneQuiet',
  'messageFailed',
];
/** Content keys are snake_case: `safetyMode` → `safety_mode`. */
export const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const URGENT: ReadonlySet<keyof ClientFlags> = new Set(['safetyMode', 'item9', 'reliableDeterioration']);

/** "12 (−3)": the latest total and its change since the first score; reliable change named in words. */
export function Trend({ t, trend }: { t: Translate; trend?: ScoreTrend }) {
  if (!trend) return <span class="muted">–</span>;
  const change = trend.changeSinceFirst;
  const signed = change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '±0';
  return (
    <span>
      <strong>{trend.latest}</strong> <span class="muted">({signed})</span>
      {trend.reliableChange ? (
        <span class={trend.reliableChange === 'deterioration' ? 'tag high' : 'tag'}>
          {' '}
          {t(`trend.${trend.reliableChange}`)}
        </span>
      ) : null}
    </span>
  );
}

export function Flags({ t, flags }: { t: Translate; flags: ClientFlags }) {
  const on = FLAG_ORDER.filter((flag) => flags[flag]);
  if (on.length === 0) return <span class="muted">–</span>;
  return (
    <ul class="flags">
      {on.map((flag) => (
        <li class={URGENT.has(flag) ? 'tag high' : 'tag'}>{t(`flag.${snake(flag)}`)}</li>
      ))}
    </ul>
  );
}

function AlertRow({
  t,
  locale,
  timeZone,
  alert,
  opensUnassigned,
}: Common & { alert: AlertSummary; opensUnassigned: boolean }) {
  const excerpt = alert.triggerText.length > 160 ? `${alert.triggerText.slice(0, 157)}…` : alert.triggerText;
  return (
    <tr>
      <td>
        <span class={`tag ${alert.priority}`}>{t(`alert.priority.${alert.priority}`)}</span>
      </td>
      <th scope="row">
        {alert.clientId && (opensUnassigned || !alert.unassigned) ? (
          <a href={`/staff/clients/${encodeURIComponent(alert.clientId)}#alerts`}>
            {alert.clientName ?? t('client.unnamed')}
          </a>
        ) : alert.clientId ? (
          // A client nobody is responsible for: a therapist sees the alert, not the client's page.
          <a href={`/staff/alerts#alert-${encodeURIComponent(alert.id)}`}>
            {alert.clientName ?? t('client.unnamed')}
          </a>
        ) : (
          <a href="/staff/alerts">{t('alert.unlinked')}</a>
        )}
        {alert.unassigned ? <span class="muted"> ({t('dashboard.unassigned')})</span> : null}
      </th>
      <td>
        {t(`alert.kind.${alert.kind}`)}
        {alert.inSafetyMode ? <span class="tag high"> {t('flag.safety_mode')}</span> : null}
      </td>
      <td class="client-text">{excerpt}</td>
      <td>
        <time datetime={alert.createdAt}>{formatDateTime(alert.createdAt, locale, timeZone)}</time>
      </td>
    </tr>
  );
}

const SORTS: { key: DashboardSortKey; label: string }[] = [
  { key: 'name', label: 'caseload.client' },
  { key: 'lastActivity', label: 'caseload.last_activity' },
  { key: 'phq9', label: 'caseload.phq9' },
  { key: 'gad7', label: 'caseload.gad7' },
  { key: 'flags', label: 'caseload.flags' },
];

/** A column header that sorts by its column; a second click turns the order round. */
function SortHeader({
  t,
  column,
  label,
  sort,
}: {
  t: Translate;
  column: DashboardSortKey;
  label: string;
  sort: DashboardView['sort'];
}) {
  const active = sort.key === column;
  const next = active ? (sort.direction === 'asc' ? 'desc' : 'asc') : column === 'name' ? 'asc' : 'desc';
  return (
    <th scope="col" aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={`/staff?sort=${column}&dir=${next}`}>
        {t(label)}
        {active ? <span aria-hidden="true">{sort.direction === 'asc' ? ' ▲' : ' ▼'}</span> : null}
        <span class="visually-hidden">
          , {t(next === 'asc' ? 'caseload.sort_asc' : 'caseload.sort_desc')}
        </span>
      </a>
    </th>
  );
}

function CaseloadRow({ t, locale, timeZone, entry }: Common & { entry: CaseloadEntry }) {
  const course = entry.course;
  return (
    <tr>
      <th scope="row">
        <a href={`/staff/clients/${encodeURIComponent(entry.clientId)}`}>
          {entry.name ?? t('client.unnamed')}
        </a>
        {entry.openAlerts > 0 ? (
          <span class="tag high"> {t('caseload.open_alerts', { count: entry.openAlerts })}</span>
        ) : null}
        {entry.unreadMessages > 0 ? (
          <a class="tag" href={`/staff/clients/${encodeURIComponent(entry.clientId)}#messages`}>
            {' '}
            {t('caseload.unread_messages', { count: entry.unreadMessages })}
          </a>
        ) : null}
        {entry.therapist?.name ? <span class="muted"> · {entry.therapist.name}</span> : null}
      </th>
      <td>
        {course ? (
          <>
            {t(`course.${course.flowId}`)}
            {course.part ? (
              <span class="muted">
                {' '}
                · {t(`caseload.part_${course.part.state}`, { part: course.part.number })}
              </span>
            ) : null}
          </>
        ) : (
          <span class="muted">–</span>
        )}
      </td>
      <td>
        {entry.lastActivityAt ? (
          <time datetime={entry.lastActivityAt}>
            {formatDateTime(entry.lastActivityAt, locale, timeZone)}
          </time>
        ) : (
          <span class="muted">{t('caseload.never')}</span>
        )}
      </td>
      <td class="num">
        <Trend t={t} trend={entry.phq9} />
      </td>
      <td class="num">
        <Trend t={t} trend={entry.gad7} />
      </td>
      <td>
        <Flags t={t} flags={entry.flags} />
      </td>
    </tr>
  );
}

/** Open alerts first, then the caseload, sortable by each column. */
/**
 * `opensUnassigned`: whether the viewer may open the page of a client nobody is responsible for (an
 * admin); a therapist sees such a client's alerts, and is sent to them instead.
 */
export function Dashboard({
  t,
  locale,
  timeZone,
  view,
  opensUnassigned,
}: Common & { view: DashboardView; opensUnassigned: boolean }) {
  return (
    <>
      <section aria-labelledby="open-alerts">
        <h2 id="open-alerts">{t('dashboard.open_alerts', { count: view.openAlertCount })}</h2>
        {view.alerts.length === 0 ? (
          <p>{t('alerts.none_open')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('dashboard.priority')}</th>
                  <th scope="col">{t('caseload.client')}</th>
                  <th scope="col">{t('dashboard.kind')}</th>
                  <th scope="col">{t('alert.text')}</th>
                  <th scope="col">{t('alert.when')}</th>
                </tr>
              </thead>
              <tbody>
                {view.alerts.map((alert) => (
                  <AlertRow
                    t={t}
                    locale={locale}
                    timeZone={timeZone}
                    alert={alert}
                    opensUnassigned={opensUnassigned}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="caseload">
        <h2 id="caseload">{t('dashboard.caseload', { count: view.caseload.length })}</h2>
        {view.caseload.length === 0 ? (
          <p>{t('dashboard.no_clients')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <SortHeader t={t} column="name" label="caseload.client" sort={view.sort} />
                  <th scope="col">{t('caseload.course')}</th>
                  {SORTS.slice(1).map((s) => (
                    <SortHeader t={t} column={s.key} label={s.label} sort={view.sort} />
                  ))}
                </tr>
              </thead>
              <tbody>
                {view.caseload.map((entry) => (
                  <CaseloadRow t={t} locale={locale} timeZone={timeZone} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
