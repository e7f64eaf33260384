import type { Child } from 'hono/jsx';
import type { AgendaItem } from '../../domain/review.ts';
import type { ClientReview } from '../../service/review.ts';
import type { Translate } from '../context.ts';
import { formatDate, formatDateTime } from '../format.ts';

export interface ReviewPageProps {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  review: ClientReview;
}

/** The workspace translator takes keys without their `workspace.` prefix. */
const local = (key: string) => key.replace(/^workspace\./, '');

/** An agenda item in the reader's language: its terms translated first, then put in. */
export function agendaText(t: Translate, item: AgendaItem): string {
  const terms = Object.fromEntries(
    Object.entries(item.terms ?? {}).map(([name, key]) => [name, t(local(key))]),
  );
  return t(local(item.key), { ...item.vars, ...terms });
}

function Section({ id, title, children }: { id: string; title: string; children?: Child }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

const AGENDA = ['learned', 'helped', 'hard', 'next'] as const;

/** A part has opened: one is open now, or one is finished (all count as finished before a first contact). */
const courseBegun = (review: ClientReview) =>
  review.parts.current !== undefined || review.parts.completed.length > 0 || review.parts.stalled.length > 0;
const INSTRUMENT = { phq9: 'PHQ-9', gad7: 'GAD-7' } as const;
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/**
 * The review before a contact, on one printable page: the suggested agenda first (CLINICAL.md §5), then
 * what it was built from — goals, scores with reliable change, homework, parts, flagged text and alerts.
 */
export function ReviewPage({ t, locale, timeZone, review }: ReviewPageProps) {
  const when = (iso: string | undefined) => formatDateTime(iso, locale, timeZone);
  const back = `/staff/clients/${encodeURIComponent(review.client.id)}`;
  return (
    <div class="review">
      <p>
        {review.since
          ? t('review.period_since', { since: formatDate(review.since, locale, timeZone) })
          : t(courseBegun(review) ? 'review.period_start' : 'review.period_not_begun')}
        {review.nextContact ? (
          <>
            {' – '}
            {t('review.next_contact', {
              at: formatDateTime(review.nextContact.plannedAt, locale, review.client.timeZone),
            })}
            {review.client.timeZone === timeZone ? null : (
              <span class="muted"> ({t('contacts.client_time', { zone: review.client.timeZone })})</span>
            )}
          </>
        ) : null}
      </p>
      <p>
        <a href={back}>{t('review.back')}</a>{' '}
        <button type="button" class="secondary" data-print hidden>
          {t('review.print')}
        </button>
      </p>

      <Section id="agenda" title={t('review.agenda')}>
        {AGENDA.map((part) => (
          <>
            <h3>{t(`review.agenda.${part}`)}</h3>
            {review.agenda[part].length === 0 ? (
              <p class="muted">{t('review.agenda.empty')}</p>
            ) : (
              <ul>
                {review.agenda[part].map((item) => (
                  <li>{agendaText(t, item)}</li>
                ))}
              </ul>
            )}
          </>
        ))}
      </Section>

      <Section id="goals" title={t('review.goals')}>
        {review.goals.length === 0 ? (
          <p>{t('review.no_goals')}</p>
        ) : (
          <ol>
            {review.goals.map((goal) => (
              <li class="client-text">{goal}</li>
            ))}
          </ol>
        )}
      </Section>

      <Section id="scores" title={t('review.scores')}>
        {review.scores.length === 0 ? (
          <p>{t('review.no_scores')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">
                    <span class="visually-hidden">{t('review.instrument')}</span>
                  </th>
                  <th scope="col">{t('review.first')}</th>
                  <th scope="col">{t('review.previous')}</th>
                  <th scope="col">{t('review.latest')}</th>
                  <th scope="col">{t('review.change')}</th>
                </tr>
              </thead>
              <tbody>
                {review.scores.map((trend) => (
                  <tr>
                    <th scope="row">{INSTRUMENT[trend.instrument]}</th>
                    {[trend.first, trend.previous, trend.latest].map((score) => (
                      <td class="num">
                        {score ? (
                          <>
                            {score.total}{' '}
                            <span class="muted">({formatDate(score.at, locale, timeZone)})</span>
                          </>
                        ) : (
                          '–'
                        )}
                      </td>
                    ))}
                    <td>
                      {signed(trend.changeSinceFirst)}{' '}
                      {trend.reliableChange ? (
                        <span class={`tag${trend.reliableChange === 'deterioration' ? ' high' : ''}`}>
                          {t(`review.reliable.${trend.reliableChange}`)}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="homework" title={t('review.homework')}>
        {review.homework.total === 0 ? (
          <p>{t('review.no_homework')}</p>
        ) : (
          <ul>
            {review.homework.byType.map((group) => (
              <li>
                {t(`homework_type.${group.type}`)}: {t('review.homework_count', { count: group.count })}{' '}
                <span class="muted">({when(group.lastAt)})</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="parts" title={t('review.parts')}>
        {review.parts.completed.length === 0 && review.parts.stalled.length === 0 ? (
          <p>{t('review.no_parts')}</p>
        ) : null}
        {review.parts.completed.length > 0 ? (
          <>
            <h3>{t('review.parts_completed')}</h3>
            <ul>
              {review.parts.completed.map((p) => (
                <li>
                  {t('review.part', { course: t(`course.${p.flowId}`), part: p.part })}{' '}
                  <span class="muted">({when(p.completedAt)})</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {review.parts.stalled.length > 0 ? (
          <>
            <h3>{t('review.parts_stalled')}</h3>
            <ul>
              {review.parts.stalled.map((p) => (
                <li>
                  {t('review.part', { course: t(`course.${p.flowId}`), part: p.part })} –{' '}
                  {t('review.open_days', { days: p.openDays ?? 0 })}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Section>

      <Section id="flagged" title={t('review.flagged')}>
        {review.flaggedText.length === 0 ? (
          <p>{t('review.no_flagged')}</p>
        ) : (
          review.flaggedText.map((flag) => (
            <figure>
              <blockquote class="client-text">{flag.text}</blockquote>
              <figcaption class="muted">{when(flag.at)}</figcaption>
            </figure>
          ))
        )}
      </Section>

      <Section id="review-alerts" title={t('review.alerts')}>
        {review.alerts.length === 0 ? (
          <p>{t('review.no_alerts')}</p>
        ) : (
          <ul>
            {review.alerts.map((alert) => (
              <li>
                <span class={`tag ${alert.priority}`}>{t(`alert.priority.${alert.priority}`)}</span>{' '}
                {t(`alert.kind.${alert.kind}`)} – {when(alert.at)} ({t(`review.alert_status.${alert.status}`)}
                )
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
