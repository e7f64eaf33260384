import type { StaffAlertRow } from '../../service/alerts.ts';
import type { Translate } from '../context.ts';
import { channelLabel, formatDateTime } from '../format.ts';

/** One alert as a card: what the client wrote, what they were shown, where safety mode stands, ack form. */
export function AlertCard({
  row,
  t,
  locale,
  timeZone,
  showClient = true,
  returnTo,
  opensUnassigned = true,
  heading = 'h3',
}: {
  row: StaffAlertRow;
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  showClient?: boolean;
  returnTo: string;
  /** Whether the viewer may open the page of a client nobody is responsible for (an admin). */
  opensUnassigned?: boolean;
  /** The card's heading level: h3 inside a section of the client page, h2 on the alerts page. */
  heading?: 'h2' | 'h3';
}) {
  const Heading = heading;
  const { alert } = row;
  const headingId = `alert-${alert.id}`;
  return (
    <article
      class={`alert-card ${alert.priority}${alert.acknowledgedAt ? ' acknowledged' : ''}`}
      aria-labelledby={headingId}
    >
      <Heading id={headingId}>
        <span class={`tag ${alert.priority}`}>{t(`alert.priority.${alert.priority}`)}</span>{' '}
        {t(`alert.kind.${alert.kind}`)}
        {showClient ? (
          <>
            {' – '}
            {alert.clientId && (opensUnassigned || row.therapistId !== undefined) ? (
              <a href={`/staff/clients/${encodeURIComponent(alert.clientId)}`}>
                {row.clientName ?? t('client.unnamed')}
              </a>
            ) : alert.clientId ? (
              // Nobody is responsible: a therapist sees the alert and acts on it here, not on a client page.
              <>
                {row.clientName ?? t('client.unnamed')}{' '}
                <span class="muted">({t('dashboard.unassigned')})</span>
              </>
            ) : (
              t('alert.unlinked')
            )}
          </>
        ) : null}
      </Heading>
      <dl class="facts">
        <dt>{t('alert.when')}</dt>
        <dd>
          <time datetime={alert.createdAt}>{formatDateTime(alert.createdAt, locale, timeZone)}</time> (
          {channelLabel(t, alert.channel)})
        </dd>
        <dt>{t('alert.text')}</dt>
        <dd>
          <blockquote class="client-text">{alert.triggerText}</blockquote>
        </dd>
        <dt>{t('alert.safety_mode')}</dt>
        <dd>{alert.safetyStep ? t('alert.safety_waiting') : t('alert.safety_ended')}</dd>
        <SafetyAnswers t={t} locale={locale} timeZone={timeZone} answers={alert.safetyAnswers} />
        {alert.acknowledgedAt ? (
          <>
            <dt>{t('alert.acknowledged')}</dt>
            <dd>
              {alert.acknowledgedBy}, {formatDateTime(alert.acknowledgedAt, locale, timeZone)}
              {alert.acknowledgedNote ? <p class="client-text">{alert.acknowledgedNote}</p> : null}
            </dd>
          </>
        ) : null}
      </dl>
      {alert.acknowledgedAt ? null : <AckForm t={t} alertId={alert.id} returnTo={returnTo} />}
    </article>
  );
}

/** The client's answers to the direct safety questions, as a definition-list entry (none: nothing). */
export function SafetyAnswers({
  t,
  locale,
  timeZone,
  answers,
}: {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  answers: readonly { step: string; answer: string; at: string }[];
}) {
  if (answers.length === 0) return null;
  return (
    <>
      <dt>{t('alert.answers')}</dt>
      <dd>
        <ul>
          {answers.map((a) => (
            <li>
              {t(`alert.step.${a.step}`)}: {t(`answer.${a.answer}`)} ({formatDateTime(a.at, locale, timeZone)}
              )
            </li>
          ))}
        </ul>
      </dd>
    </>
  );
}

/** Acknowledge an open alert, with a note of what was done; back to `returnTo` afterwards. */
export function AckForm({ t, alertId, returnTo }: { t: Translate; alertId: string; returnTo: string }) {
  return (
    <form method="post" action={`/staff/alerts/${encodeURIComponent(alertId)}/ack`} class="stack">
      <input type="hidden" name="returnTo" value={returnTo} />
      <label for={`note-${alertId}`}>{t('alert.note')}</label>
      <textarea id={`note-${alertId}`} name="note" rows={2} maxlength={2000} />
      <button type="submit">{t('alert.ack')}</button>
    </form>
  );
}

export function AlertList(props: {
  rows: StaffAlertRow[];
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  returnTo: string;
  empty: string;
  opensUnassigned: boolean;
}) {
  if (props.rows.length === 0) return <p>{props.empty}</p>;
  return (
    <div class="alert-list">
      {props.rows.map((row) => (
        <AlertCard
          row={row}
          t={props.t}
          locale={props.locale}
          timeZone={props.timeZone}
          returnTo={props.returnTo}
          opensUnassigned={props.opensUnassigned}
          heading="h2"
        />
      ))}
    </div>
  );
}
