import { raw } from 'hono/html';
import { renderSVG } from 'uqr';
import type { StaffRecord } from '../../service/staff.ts';
import type { Translate } from '../context.ts';
import { formatDate } from '../format.ts';
import { Notice } from '../layout.tsx';

/** Courses a new client can start in: the intake (which leads to a course) or a course directly. */
export const STARTING_FLOWS = ['intro', 'depression', 'anxiety', 'sleep', 'stress'] as const;

export interface NewClientFormValues {
  displayName?: string;
  course?: string;
  locale?: string;
  therapistId?: string;
}

export function NewClientForm({
  t,
  actor,
  therapists,
  values = {},
  error,
}: {
  t: Translate;
  actor: { role: 'admin' | 'therapist'; staffId: string };
  therapists: StaffRecord[];
  values?: NewClientFormValues;
  error?: string;
}) {
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <p>{t('new_client.intro')}</p>
      <form method="post" action="/staff/clients/new" class="stack narrow">
        <label for="nc-name">{t('new_client.name')}</label>
        <input
          id="nc-name"
          name="displayName"
          maxlength={200}
          autocomplete="off"
          value={values.displayName ?? ''}
          aria-describedby="nc-name-hint"
        />
        <p id="nc-name-hint" class="muted">
          {t('new_client.name_hint')}
        </p>
        <label for="nc-course">{t('new_client.course')}</label>
        <select id="nc-course" name="course">
          {STARTING_FLOWS.map((id) => (
            <option value={id} selected={(values.course ?? 'intro') === id}>
              {t(`course.${id}`)}
            </option>
          ))}
        </select>
        <label for="nc-locale">{t('new_client.locale')}</label>
        <select id="nc-locale" name="locale">
          <option value="nb" selected={values.locale !== 'en'}>
            Norsk bokmål
          </option>
          <option value="en" selected={values.locale === 'en'} lang="en">
            English
          </option>
        </select>
        {actor.role === 'admin' ? (
          <>
            <label for="nc-therapist">{t('client.therapist')}</label>
            <select id="nc-therapist" name="therapistId">
              <option value="">{t('client.nobody')}</option>
              {therapists
                .filter((s) => !s.disabledAt)
                .map((s) => (
                  <option value={s.id} selected={values.therapistId === s.id}>
                    {s.name} ({s.email})
                  </option>
                ))}
            </select>
          </>
        ) : (
          <input type="hidden" name="therapistId" value={actor.staffId} />
        )}
        <button type="submit">{t('new_client.submit')}</button>
      </form>
    </>
  );
}

/** Groups a code for reading aloud and copying: "BG4 2KD2" is easier than "BG42KD2". */
export const spacedCode = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

/**
 * The printable welcome card: the access code (shown this once), the chat address as text and as a QR
 * code, when the code expires, and the crisis numbers — in the client's language.
 */
export function WelcomeCard({
  t,
  clientText,
  code,
  expiresAt,
  chatUrl,
  clientId,
  timeZone,
  clientLocale,
}: {
  t: Translate;
  clientText: (key: string) => string;
  code: string;
  expiresAt: string;
  chatUrl: string;
  clientId: string;
  timeZone: string;
  clientLocale: 'nb' | 'en';
}) {
  return (
    <>
      <Notice kind="success">
        <p>{t('new_client.created')}</p>
        <p>{t('shown_once')}</p>
      </Notice>
      <section class="welcome-card" lang={clientLocale} aria-labelledby="welcome-title">
        <h2 id="welcome-title">{clientText('workspace.card.title')}</h2>
        <p>{clientText('workspace.card.how')}</p>
        <p>
          {clientText('workspace.card.code')}{' '}
          <strong>
            <code class="secret" data-code={code}>
              {spacedCode(code)}
            </code>
          </strong>
        </p>
        <p>
          {clientText('workspace.card.address')} <a href={chatUrl}>{chatUrl}</a>
        </p>
        <div class="qr" role="img" aria-label={clientText('workspace.card.qr')}>
          {raw(renderSVG(chatUrl, { border: 2 }))}
        </div>
        <p>
          {clientText('workspace.card.expires')} {formatDate(expiresAt, clientLocale, timeZone)}.
        </p>
        <p>
          <strong>{clientText('workspace.card.not_emergency')}</strong> {clientText('safety.numbers')}
        </p>
      </section>
      <p class="actions">
        <button type="button" class="secondary" data-print hidden>
          {t('new_client.print')}
        </button>
        <a href={`/staff/clients/${encodeURIComponent(clientId)}`}>{t('new_client.open_client')}</a>
      </p>
    </>
  );
}
