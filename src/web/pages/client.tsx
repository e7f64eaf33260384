import type { Child } from 'hono/jsx';
import type { ClientAccessCode, ClientAddress } from '../../service/access-codes.ts';
import type { StaffRecord } from '../../service/staff.ts';
import type { StaffActor } from '../../service/staff-actor.ts';
import type {
  ClientAlertView,
  ClientView,
  CourseOutcomeView,
  EnrollmentView,
  HomeworkView,
  IntakeView,
  ScoreView,
  SleepWindowView,
  TranscriptPage,
} from '../../service/workspace.ts';
import type { Translate } from '../context.ts';
import { channelLabel, formatDate, formatDateTime, formatDay, formatDayAt } from '../format.ts';
import { Notice } from '../layout.tsx';
import { AssignForm } from './admin.tsx';
import { AckForm, SafetyAnswers } from './alerts.tsx';
import { ContactsPart } from './contacts.tsx';
import { type ContractFormState, ContractSection } from './contract.tsx';
import { snake } from './dashboard.tsx';
import { MessagesPart } from './messages.tsx';

interface Common {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
}

function Section({ id, title, children }: { id: string; title: string; children?: Child }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

function AlertsPart({
  t,
  locale,
  timeZone,
  alerts,
  clientId,
}: Common & { alerts: ClientAlertView[]; clientId: string }) {
  if (alerts.length === 0) return <p>{t('alerts.none')}</p>;
  return (
    <div class="alert-list">
      {alerts.map((alert) => {
        const heading = `alert-${alert.id}`;
        return (
          <article
            class={`alert-card ${alert.priority}${alert.status === 'acknowledged' ? ' acknowledged' : ''}`}
            aria-labelledby={heading}
          >
            <h3 id={heading}>
              <span class={`tag ${alert.priority}`}>{t(`alert.priority.${alert.priority}`)}</span>{' '}
              {t(`alert.kind.${alert.kind}`)}{' '}
              <span class="muted">
                – <time datetime={alert.createdAt}>{formatDateTime(alert.createdAt, locale, timeZone)}</time>{' '}
                ({channelLabel(t, alert.channel)})
              </span>
            </h3>
            <blockquote class="client-text">{alert.triggerText}</blockquote>
            <dl class="facts">
              <dt>{t('alert.safety_mode')}</dt>
              <dd>{alert.inSafetyMode ? t('alert.safety_waiting') : t('alert.safety_ended')}</dd>
              <SafetyAnswers t={t} locale={locale} timeZone={timeZone} answers={alert.safetyAnswers} />
              {alert.acknowledged ? (
                <>
                  <dt>{t('alert.acknowledged')}</dt>
                  <dd>
                    {alert.acknowledged.by ?? '–'}, {formatDateTime(alert.acknowledged.at, locale, timeZone)}
                    {alert.acknowledged.note ? <p class="client-text">{alert.acknowledged.note}</p> : null}
                  </dd>
                </>
              ) : null}
            </dl>
            {alert.status === 'open' ? (
              <AckForm t={t} alertId={alert.id} returnTo={`/staff/clients/${clientId}`} />
            ) : null}
          </article>
        );
      })}
    </div>
  );
}

/** A pending course says what it waits for: the code, the guidance contract, or its first turn. */
const WAIT_LABEL = {
  code: 'enrollment.pending',
  contract: 'enrollment.waits_contract',
  start: 'enrollment.not_started',
};
const enrollmentLabel = (e: EnrollmentView) =>
  e.waitsFor ? WAIT_LABEL[e.waitsFor] : `enrollment.${e.status}`;

function ProgressPart({ t, locale, timeZone, enrollments }: Common & { enrollments: EnrollmentView[] }) {
  if (enrollments.length === 0) return <p>{t('client.no_enrollments')}</p>;
  return (
    <>
      {enrollments.map((e) => (
        <div class="card">
          <h3>
            {t(`course.${e.flowId}`)} <span class="muted">({t(enrollmentLabel(e))})</span>
          </h3>
          <p class="muted">
            {t('client.started')} {formatDate(e.createdAt, locale, timeZone)}
            {e.finishedAt ? ` · ${t('client.finished')} ${formatDate(e.finishedAt, locale, timeZone)}` : ''}
          </p>
          {e.kind === 'course' ? (
            <div class="table-wrap" tabindex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('client.part')}</th>
                    <th scope="col">{t('client.part_started')}</th>
                    <th scope="col">{t('client.part_finished')}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.parts.map((p) => (
                    <tr>
                      <th scope="row">{t('client.part_n', { part: p.part })}</th>
                      <td>{p.startedAt ? formatDate(p.startedAt, locale, timeZone) : '–'}</td>
                      <td>{p.completedAt ? formatDate(p.completedAt, locale, timeZone) : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ))}
    </>
  );
}

function ScoresPart({ t, locale, timeZone, scores }: Common & { scores: ScoreView[] }) {
  if (scores.length === 0) return <p>{t('client.no_scores')}</p>;
  return (
    <div class="score-list">
      {[...scores].reverse().map((s) => (
        <details class="card" open={s.riskItemPositive}>
          <summary>
            <strong>{instrumentName(s.instrument)}</strong> {s.total}
            {s.maxTotal ? `/${s.maxTotal}` : ''}
            {s.band ? ` · ${t(`band.${s.band}`)}` : ''} ·{' '}
            <time datetime={s.completedAt}>{formatDateTime(s.completedAt, locale, timeZone)}</time>
            {s.riskItemPositive ? <span class="tag high"> {t('flag.item9')}</span> : null}
          </summary>
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption class="visually-hidden">
                {t('client.items_of', { instrument: instrumentName(s.instrument) })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('client.item')}</th>
                  <th scope="col">{t('client.answer')}</th>
                </tr>
              </thead>
              <tbody>
                {s.items.map((item) => (
                  <tr class={item.risk && item.answer > 0 ? 'flag-high' : undefined}>
                    <th scope="row">
                      {t('client.item_n', { number: item.number })}
                      {item.risk ? <span class="tag high"> {t('client.risk_item')}</span> : null}
                    </th>
                    <td class="num">{item.answer}</td>
                  </tr>
                ))}
                {s.difficulty !== undefined ? (
                  <tr>
                    <th scope="row">{t('client.difficulty')}</th>
                    <td class="num">{s.difficulty}</td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <p class="muted">{t('client.via', { channel: channelLabel(t, s.channel) })}</p>
        </details>
      ))}
    </div>
  );
}

const OUTCOME_FLAGS = [
  'recovered',
  'reliableImprovement',
  'reliableRecovery',
  'reliableDeterioration',
] as const;

/** Per course, once two measurement points with both forms exist: first → last, and the NHS TT outcome. */
function OutcomesPart({ t, outcomes }: { t: Translate; outcomes: CourseOutcomeView[] }) {
  const finished = outcomes.flatMap((o) =>
    o.outcome?.finished ? [{ flowId: o.flowId, outcome: o.outcome }] : [],
  );
  if (finished.length === 0) return <p>{t('client.no_outcome')}</p>;
  return (
    <ul>
      {finished.map(({ flowId, outcome }) => (
        <li>
          <strong>{t(`course.${flowId}`)}:</strong>{' '}
          {t('outcome.pair', {
            phq9First: outcome.first.phq9,
            phq9Last: outcome.last.phq9,
            gad7First: outcome.first.gad7,
            gad7Last: outcome.last.gad7,
          })}
          <ul class="flags">
            {OUTCOME_FLAGS.map((flag) => (
              <li class={flag === 'reliableDeterioration' && outcome[flag] ? 'tag high' : 'tag'}>
                {t(`outcome.${snake(flag)}`)}: {outcome[flag] ? t('yes') : t('no')}
              </li>
            ))}
            {outcome.eligibleForRecovery ? null : <li class="tag">{t('outcome.not_eligible')}</li>}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function HomeworkPart({ t, locale, timeZone, homework }: Common & { homework: HomeworkView }) {
  const { activityDiary, worryDiary, sleepDiary, other } = homework;
  const empty = activityDiary.length + worryDiary.length + sleepDiary.nights.length + other.length === 0;
  if (empty) return <p>{t('client.no_homework')}</p>;
  return (
    <>
      {activityDiary.length > 0 ? (
        <>
          <h3>{t('homework.activity_diary')}</h3>
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('homework.when')}</th>
                  <th scope="col">{t('homework.activity')}</th>
                  <th scope="col">{t('homework.mood')}</th>
                  <th scope="col">{t('homework.company')}</th>
                </tr>
              </thead>
              <tbody>
                {activityDiary.map((e) => (
                  <tr>
                    <td>
                      {formatDate(e.at, locale, timeZone)}, {t(`homework.period.${e.period}`)}
                    </td>
                    <td class="client-text">{e.activity}</td>
                    <td class="num">{e.mood}/10</td>
                    <td>{t(`homework.company.${e.company}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {worryDiary.length > 0 ? (
        <>
          <h3>{t('homework.worry_diary')}</h3>
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('homework.when')}</th>
                  <th scope="col">{t('homework.worry')}</th>
                  <th scope="col">{t('homework.distress')}</th>
                  <th scope="col">{t('homework.minutes')}</th>
                  <th scope="col">{t('homework.kind')}</th>
                </tr>
              </thead>
              <tbody>
                {worryDiary.map((e) => (
                  <tr>
                    <td>{formatDayAt(e.at, e.time, locale, timeZone)}</td>
                    <td class="client-text">{e.worry}</td>
                    <td class="num">{e.distress}</td>
                    <td class="num">{e.minutes}</td>
                    <td>{t(`homework.worry_kind.${e.kind}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {sleepDiary.nights.length > 0 ? (
        <>
          <h3>{t('homework.sleep_diary')}</h3>
          {sleepDiary.trend ? (
            <p>
              {t(`homework.se_trend.${sleepDiary.trend.direction}`, {
                from: sleepDiary.trend.fromSePercent,
                to: sleepDiary.trend.toSePercent,
              })}
            </p>
          ) : null}
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('homework.night')}</th>
                  <th scope="col">{t('homework.in_bed')}</th>
                  <th scope="col">{t('homework.asleep')}</th>
                  <th scope="col">{t('homework.se')}</th>
                  <th scope="col">{t('homework.quality')}</th>
                </tr>
              </thead>
              <tbody>
                {sleepDiary.nights.map((n) => (
                  <tr>
                    <th scope="row">
                      {formatDay(n.date, locale)}{' '}
                      <span class="muted">
                        ({n.intoBed}–{n.outOfBed})
                      </span>
                    </th>
                    <td class="num">{hoursMinutes(t, n.tibMinutes)}</td>
                    <td class="num">{hoursMinutes(t, n.tstMinutes)}</td>
                    <td class="num">{n.sePercent} %</td>
                    <td class="num">{n.quality}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {sleepDiary.weeks.length > 0 ? (
            <ul>
              {sleepDiary.weeks.map((w) => (
                <li>
                  {t('homework.week_summary', {
                    week: w.week,
                    nights: w.nights,
                    se: w.meanSePercent,
                    sleep: hoursMinutes(t, w.meanTstMinutes),
                  })}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
      {other.map((group) => (
        <>
          <h3>{t('homework.other', { type: group.type })}</h3>
          <ul>
            {group.entries.map((e) => (
              <li>
                <span class="muted">{formatDateTime(e.at, locale, timeZone)}:</span>{' '}
                <span class="client-text">{describeEntry(e.entry)}</span>
              </li>
            ))}
          </ul>
        </>
      ))}
    </>
  );
}

/** "phq9" → "PHQ-9", as the forms are named. */
const instrumentName = (id: string) => id.toUpperCase().replace(/^([A-Z]+)(\d+)$/, '$1-$2');

/** A length of time as hours and minutes, in the page's language. */
const hoursMinutes = (t: Translate, minutes: number) =>
  t('homework.duration', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });

/** A homework entry of a kind without its own table: its fields as "name: value" (text stays escaped). */
function describeEntry(entry: Record<string, unknown>): string {
  return Object.entries(entry)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

function SleepWindowsPart({ t, locale, timeZone, windows }: Common & { windows: SleepWindowView[] }) {
  if (windows.length === 0) return <p>{t('client.no_sleep_windows')}</p>;
  return (
    <ul class="alert-list">
      {windows.map((w) => (
        <li class="card">
          <p>
            <strong>
              {w.bedTime}–{w.riseTime}
            </strong>{' '}
            ({hoursMinutes(t, w.minutes)}) · {t(`sleep_window.${w.status}`)}
            {w.meanSePercent !== undefined
              ? ` · ${t('sleep_window.based_on', { se: w.meanSePercent, nights: w.nights ?? 0 })}`
              : ''}
          </p>
          <p class="muted">
            {t('sleep_window.proposed')} {formatDateTime(w.createdAt, locale, timeZone)}
            {w.decidedAt ? ` · ${w.decidedBy ?? ''} ${formatDateTime(w.decidedAt, locale, timeZone)}` : ''}
          </p>
          {w.status === 'awaiting_approval' ? (
            <div class="actions">
              <form
                method="post"
                action={`/staff/sleep-windows/${encodeURIComponent(w.id)}/approve`}
                class="inline"
              >
                <button type="submit">
                  {t('sleep_window.approve')}
                  <span class="visually-hidden">
                    {' '}
                    {w.bedTime}–{w.riseTime}
                  </span>
                </button>
              </form>
              <form
                method="post"
                action={`/staff/sleep-windows/${encodeURIComponent(w.id)}/reject`}
                class="inline"
              >
                <button type="submit" class="danger">
                  {t('sleep_window.reject')}
                  <span class="visually-hidden">
                    {' '}
                    {w.bedTime}–{w.riseTime}
                  </span>
                </button>
              </form>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function IntakePart({ t, locale, timeZone, intake }: Common & { intake: IntakeView }) {
  if (intake.answers.length === 0 && !intake.suitability) return <p>{t('client.no_intake')}</p>;
  return (
    <>
      {intake.suitability ? (
        <p>
          <strong>{t('intake.suitability')}:</strong>{' '}
          {intake.suitability.suitable ? t('intake.suitable') : t('intake.not_suitable')}
          {intake.suitability.reasons.length > 0
            ? ` (${intake.suitability.reasons.map((r) => t(`intake.reason.${r}`)).join(', ')})`
            : ''}
        </p>
      ) : null}
      <dl class="facts">
        {intake.answers.map((a) => (
          <>
            <dt>{a.step ?? a.type}</dt>
            <dd class="client-text">
              {typeof a.value === 'string' ? a.value : JSON.stringify(a.value)}{' '}
              <span class="muted">({formatDate(a.at, locale, timeZone)})</span>
            </dd>
          </>
        ))}
      </dl>
    </>
  );
}

function TranscriptPart({
  t,
  locale,
  timeZone,
  transcript,
  clientId,
}: Common & { transcript: TranscriptPage; clientId: string }) {
  if (transcript.entries.length === 0) return <p>{t('client.no_transcript')}</p>;
  return (
    <>
      <ol class="transcript">
        {transcript.entries.map((e) => (
          <li class={e.direction}>
            <span class="meta">
              {t(`transcript.${e.direction}`)} · {channelLabel(t, e.channel)} ·{' '}
              <time datetime={e.createdAt}>{formatDateTime(e.createdAt, locale, timeZone)}</time>
            </span>
            <span class="client-text">{e.text}</span>
          </li>
        ))}
      </ol>
      {transcript.olderBefore !== undefined ? (
        <p>
          <a
            href={`/staff/clients/${encodeURIComponent(clientId)}?before=${transcript.olderBefore}#transcript`}
          >
            {t('transcript.older')}
          </a>
        </p>
      ) : null}
    </>
  );
}

function DevicesPart({
  t,
  locale,
  timeZone,
  clientId,
  addresses,
  codes,
}: Common & { clientId: string; addresses: ClientAddress[]; codes: ClientAccessCode[] }) {
  const base = `/staff/clients/${encodeURIComponent(clientId)}`;
  return (
    <>
      {addresses.length === 0 ? (
        <p>{t('devices.none')}</p>
      ) : (
        <ul>
          {addresses.map((a) => (
            <li>
              {channelLabel(t, a.channel)}
              {a.ending ? ` …${a.ending}` : ''}
              {a.linkedAt ? ` · ${t('devices.linked')} ${formatDate(a.linkedAt, locale, timeZone)}` : ''}
              {a.optedOut ? ` · ${t('devices.opted_out')}` : ''}{' '}
              <form
                method="post"
                action={`${base}/devices/${encodeURIComponent(a.addressId)}/unlink`}
                class="inline"
              >
                <button type="submit" class="danger">
                  {t('devices.unlink')}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <p>
        {codes.length === 0
          ? t('codes.none')
          : codes
              .slice(0, 3)
              .map((c) => `${t(`codes.state.${c.state}`)} (${formatDate(c.createdAt, locale, timeZone)})`)
              .join(' · ')}
      </p>
      <div class="actions">
        <form method="post" action={`${base}/access-code`} class="inline">
          <input type="hidden" name="action" value="reissue" />
          <button type="submit" class="secondary">
            {t('codes.reissue')}
          </button>
        </form>
        {codes.some((c) => c.state === 'open') ? (
          <form method="post" action={`${base}/access-code`} class="inline">
            <input type="hidden" name="action" value="revoke" />
            <button type="submit" class="danger">
              {t('codes.revoke')}
            </button>
          </form>
        ) : null}
      </div>
    </>
  );
}

export interface ClientPageProps extends Common {
  view: ClientView;
  actor: StaffActor;
  therapists: StaffRecord[];
  addresses: ClientAddress[];
  codes: ClientAccessCode[];
  chart: Child;
  notice?: Child;
  /** The contract form as it came back refused (its values and the fields to mark). */
  contractForm?: ContractFormState;
}

/** Everything about one client a therapist needs before a contact, in the order they read it. */
export function ClientPage({
  t,
  locale,
  timeZone,
  view,
  actor,
  therapists,
  addresses,
  codes,
  chart,
  notice,
  contractForm,
}: ClientPageProps) {
  const c = { t, locale, timeZone };
  const openAlerts = view.alerts.filter((a) => a.status === 'open');
  const active = view.enrollments.find((e) => e.status === 'active' && e.kind === 'course');
  const waiting = view.enrollments.find((e) => e.status === 'pending' && e.kind === 'course');
  return (
    <>
      {notice}
      {openAlerts.length > 0 ? (
        <Notice kind="error">{t('client.open_alerts', { count: openAlerts.length })}</Notice>
      ) : null}
      <dl class="facts">
        <dt>{t('client.therapist')}</dt>
        <dd>
          {actor.role === 'admin' ? (
            <AssignForm
              t={t}
              clientId={view.client.id}
              therapistId={view.client.therapist?.id}
              therapists={therapists.filter((s) => !s.disabledAt)}
            />
          ) : (
            (view.client.therapist?.name ?? t('client.nobody'))
          )}
        </dd>
        <dt>{t('client.course_now')}</dt>
        <dd>
          {active ? t(`course.${active.flowId}`) : null}
          {!active && waiting ? (
            <>
              {t(`course.${waiting.flowId}`)} <span class="muted">({t(enrollmentLabel(waiting))})</span>
            </>
          ) : null}
          {active || waiting ? null : '–'}
        </dd>
        <dt>{t('client.language')}</dt>
        <dd>{view.client.locale === 'nb' ? 'Norsk bokmål' : 'English'}</dd>
        <dt>{t('client.created')}</dt>
        <dd>{formatDate(view.client.createdAt, locale, timeZone)}</dd>
      </dl>
      <nav aria-label={t('client.sections')} class="filter">
        <a href="#alerts">{t('client.alerts')}</a>
        <a href="#progress">{t('client.progress')}</a>
        <a href="#scores">{t('client.scores')}</a>
        <a href="#contract">{t('contract.title')}</a>
        <a href="#messages">{t('messages.title')}</a>
        <a href="#contacts">{t('client.contacts')}</a>
        <a href="#homework">{t('client.homework')}</a>
        <a href="#sleep-windows">{t('client.sleep_windows')}</a>
        <a href="#intake">{t('client.intake')}</a>
        <a href="#transcript">{t('client.transcript')}</a>
      </nav>
      <Section id="alerts" title={t('client.alerts')}>
        <AlertsPart {...c} alerts={view.alerts} clientId={view.client.id} />
      </Section>
      <Section id="progress" title={t('client.progress')}>
        <ProgressPart {...c} enrollments={view.enrollments} />
      </Section>
      <Section id="scores" title={t('client.scores')}>
        <div class="chart">{chart}</div>
        <h3>{t('client.outcome')}</h3>
        <OutcomesPart t={t} outcomes={view.outcomes} />
        <h3>{t('client.questionnaires')}</h3>
        <ScoresPart {...c} scores={view.scores} />
      </Section>
      <ContractSection {...c} clientId={view.client.id} contract={view.contract} form={contractForm} />
      <Section id="messages" title={t('messages.title')}>
        <MessagesPart {...c} clientId={view.client.id} messages={view.messages} />
      </Section>
      <Section id="contacts" title={t('client.contacts')}>
        <ContactsPart
          {...c}
          clientId={view.client.id}
          clientTimeZone={view.client.timeZone}
          contacts={view.contacts}
        />
      </Section>
      <Section id="homework" title={t('client.homework')}>
        <HomeworkPart {...c} homework={view.homework} />
      </Section>
      <Section id="sleep-windows" title={t('client.sleep_windows')}>
        <SleepWindowsPart {...c} windows={view.sleepWindows} />
      </Section>
      <Section id="intake" title={t('client.intake')}>
        <IntakePart {...c} intake={view.intake} />
      </Section>
      <Section id="devices" title={t('client.devices')}>
        <DevicesPart {...c} clientId={view.client.id} addresses={addresses} codes={codes} />
      </Section>
      <Section id="transcript" title={t('client.transcript')}>
        <TranscriptPart {...c} transcript={view.transcript} clientId={view.client.id} />
      </Section>
    </>
  );
}
