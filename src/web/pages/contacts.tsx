import { CONTACT_MODES } from '../../domain/contract.ts';
import type { ContactView } from '../../service/contacts.ts';
import type { Translate } from '../context.ts';
import { formatDateTime } from '../format.ts';

export interface ContactsPartProps {
  t: Translate;
  locale: 'nb' | 'en';
  /** The clinic's time zone (the rest of the client page's dates). */
  timeZone: string;
  /**
   * The client's time zone: a contact is held at the client's local time, the time the add form takes,
   * so contact times are shown in it, with the zone named when it is not the clinic's.
   */
  clientTimeZone: string;
  clientId: string;
  /** The client's contacts, oldest first (`listContacts` or `readContacts` in src/service/contacts.ts). */
  contacts: ContactView[];
}

/** A contact's note (learned / helped / hard / next), as a short definition list. */
function NoteFacts({ t, note }: { t: Translate; note: NonNullable<ContactView['note']> }) {
  return (
    <dl class="facts">
      {(['learned', 'helped', 'hard', 'next'] as const).map((field) => (
        <>
          <dt>{t(`contacts.${field}`)}</dt>
          <dd class="client-text">{note[field] || '–'}</dd>
        </>
      ))}
    </dl>
  );
}

/**
 * The follow-up contacts on the client's page: each with its status (a missed one is visible, also
 * when only its time says so), the reminder and questionnaire before it, the note after it, a form to
 * record how it went, a form to add one, and the link to the review before the next contact.
 */
export function ContactsPart({ t, locale, timeZone, clientTimeZone, clientId, contacts }: ContactsPartProps) {
  const base = `/staff/clients/${encodeURIComponent(clientId)}`;
  const elsewhere = clientTimeZone !== timeZone;
  const at = (iso: string) => formatDateTime(iso, locale, clientTimeZone);
  const zoneNote = elsewhere ? (
    <span class="muted"> ({t('contacts.client_time', { zone: clientTimeZone })})</span>
  ) : null;
  return (
    <div class="contacts">
      <p>
        <a href={`${base}/review`}>{t('contacts.review')}</a>
      </p>
      {contacts.length === 0 ? <p>{t('contacts.none')}</p> : null}
      {contacts.map((contact) => {
        const heading = `contact-${contact.id}`;
        return (
          <article class="card" aria-labelledby={heading}>
            <h3 id={heading}>
              <time datetime={contact.plannedAt}>{at(contact.plannedAt)}</time>
              {zoneNote}{' '}
              <span class={`tag${contact.status === 'missed' ? ' high' : ''}`}>
                {t(`contacts.status.${contact.status}`)}
              </span>
            </h3>
            <p class="muted">
              {t(`contacts.mode.${contact.mode}`)}, {t('contacts.minutes', { minutes: contact.minutes })} –{' '}
              {t(`contacts.source.${contact.source}`)}
              {contact.statusDerived ? <> – {t('contacts.status_derived')}</> : null}
            </p>
            {contact.status === 'planned' ? (
              <ul class="muted">
                {contact.reminder.at ? (
                  <li>
                    {contact.reminder.sentAt
                      ? t('contacts.reminder_sent', {
                          at: at(contact.reminder.sentAt),
                        })
                      : t('contacts.reminder_at', {
                          at: at(contact.reminder.at),
                        })}
                  </li>
                ) : null}
                {contact.measurement?.active && contact.measurement.dueAt ? (
                  <li>
                    {t('contacts.measurement_at', {
                      at: at(contact.measurement.dueAt),
                    })}
                  </li>
                ) : contact.measurement?.startedAt ? (
                  <li>
                    {t('contacts.measurement_sent', {
                      at: at(contact.measurement.startedAt),
                    })}
                  </li>
                ) : null}
              </ul>
            ) : null}
            {contact.note ? <NoteFacts t={t} note={contact.note} /> : null}
            {contact.status === 'cancelled' ? null : (
              <details open={contact.status === 'missed' && contact.statusDerived}>
                <summary>{t('contacts.write_note')}</summary>
                <form method="post" action={`${base}/contacts`} class="stack">
                  <input type="hidden" name="action" value="record" />
                  <input type="hidden" name="contactId" value={contact.id} />
                  <label for={`status-${contact.id}`}>{t('contacts.outcome')}</label>
                  <select id={`status-${contact.id}`} name="status">
                    {/* A contact that has not begun can be taken early or cancelled, never missed; one
                        recorded done keeps its note, which can be corrected. */}
                    {(contact.status === 'done'
                      ? (['done'] as const)
                      : contact.begun
                        ? (['done', 'missed', 'cancelled'] as const)
                        : (['done', 'cancelled'] as const)
                    ).map((status) => (
                      <option
                        value={status}
                        selected={status === (contact.status === 'missed' ? 'missed' : 'done')}
                      >
                        {t(`contacts.status.${status}`)}
                      </option>
                    ))}
                  </select>
                  {(['learned', 'helped', 'hard', 'next'] as const).map((field) => (
                    <>
                      <label for={`${field}-${contact.id}`}>{t(`contacts.${field}`)}</label>
                      <textarea id={`${field}-${contact.id}`} name={field} rows={2} maxlength={2000}>
                        {contact.note?.[field] ?? ''}
                      </textarea>
                    </>
                  ))}
                  <button type="submit">{t('contacts.save')}</button>
                </form>
              </details>
            )}
          </article>
        );
      })}
      <details>
        <summary>{t('contacts.add')}</summary>
        <form method="post" action={`${base}/contacts`} class="stack">
          <input type="hidden" name="action" value="add" />
          {elsewhere ? <p class="muted">{t('contacts.client_time_form', { zone: clientTimeZone })}</p> : null}
          <label for="contact-date">{t('contacts.date')}</label>
          <input id="contact-date" type="date" name="date" required />
          <label for="contact-time">{t('contacts.time')}</label>
          <input id="contact-time" type="time" name="time" required value="10:00" />
          <label for="contact-minutes">{t('contacts.length')}</label>
          <input id="contact-minutes" type="number" name="minutes" min={5} max={120} value="20" required />
          <label for="contact-mode">{t('contacts.mode')}</label>
          <select id="contact-mode" name="mode">
            {CONTACT_MODES.map((mode) => (
              <option value={mode}>{t(`contacts.mode.${mode}`)}</option>
            ))}
          </select>
          <button type="submit">{t('contacts.add')}</button>
        </form>
      </details>
    </div>
  );
}
