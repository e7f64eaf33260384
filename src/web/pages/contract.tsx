import { CONTACT_MODES, CONTRACT_COURSES } from '../../domain/contract.ts';
import type { ContractVersionView, ContractView } from '../../service/contracts.ts';
import type { Translate } from '../context.ts';
import { formatDateTime } from '../format.ts';

/** What the client page passes to the contract section. */
export interface ContractSectionProps {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  clientId: string;
  /** The client's contract (`contractForStaff`), or undefined when there is none yet. */
  contract: ContractView | undefined;
}

/**
 * The guidance contract on the client's page: its status and both signatures, the change the client
 * asked for (their words, escaped like all client text), a form to draft or edit it, to sign and send it,
 * and to let the course start without one (with a reason). Earlier versions stay readable below.
 * Every form posts to /staff/clients/:id/contract with `action` draft, sign or waive.
 */
export function ContractSection({ t, locale, timeZone, clientId, contract }: ContractSectionProps) {
  const action = `/staff/clients/${encodeURIComponent(clientId)}/contract`;
  const at = (iso: string) => formatDateTime(iso, locale, timeZone);
  const editable = contract && contract.status !== 'signed' && contract.status !== 'superseded';
  return (
    <section id="contract" aria-labelledby="contract-title">
      <h2 id="contract-title">{t('contract.title')}</h2>
      {contract ? <Version t={t} at={at} version={contract} /> : <p>{t('contract.none')}</p>}
      {contract?.courseWaits ? <p class="notice">{t('contract.course_waits')}</p> : null}
      {contract?.waivedReason ? <p>{t('contract.waived', { reason: contract.waivedReason })}</p> : null}

      <form method="post" action={action} class="contract-form">
        <input type="hidden" name="action" value="draft" />
        {contract ? <Fields t={t} fields={contract.fields} /> : null}
        <button type="submit">
          {editable || !contract ? t('contract.save') : t('contract.new_version')}
        </button>
      </form>
      {editable && contract.status !== 'sent' ? (
        <form method="post" action={action}>
          <input type="hidden" name="action" value="sign" />
          <button type="submit">{t('contract.sign')}</button>
        </form>
      ) : null}
      {!contract?.waivedReason && (contract === undefined || contract.courseWaits) ? (
        <form method="post" action={action}>
          <input type="hidden" name="action" value="waive" />
          <label>
            {t('contract.waive_reason')}
            <textarea name="reason" required maxlength={1000} rows={2} />
          </label>
          <button type="submit">{t('contract.waive')}</button>
        </form>
      ) : null}

      {contract && contract.history.length > 1 ? (
        <details>
          <summary>{t('contract.history')}</summary>
          {contract.history.slice(1).map((v) => (
            <Version t={t} at={at} version={v} />
          ))}
        </details>
      ) : null}
    </section>
  );
}

function Version({
  t,
  at,
  version,
}: {
  t: Translate;
  at: (iso: string) => string;
  version: ContractVersionView;
}) {
  const { therapistSignature: ts, clientSignature: cs, changeRequest: change } = version;
  return (
    <div class="contract-version">
      <h3>
        {t('contract.version', { version: version.version })}:{' '}
        <span class={`tag ${version.status}`}>{t(`contract.status.${version.status}`)}</span>
      </h3>
      <ul>
        <li>
          {ts
            ? t('contract.therapist_signed', { name: ts.name ?? ts.by, at: at(ts.at) })
            : t('contract.not_signed')}
        </li>
        <li>{cs ? t('contract.client_signed', { at: at(cs.at), via: cs.via }) : t('contract.not_signed')}</li>
      </ul>
      {change ? (
        change.text === null ? (
          <p>{t('contract.change_request_pending')}</p>
        ) : (
          <blockquote>
            <p>{t('contract.change_request', { at: at(change.at) })}</p>
            <p>{change.text}</p>
          </blockquote>
        )
      ) : null}
    </div>
  );
}

function Fields({ t, fields }: { t: Translate; fields: ContractView['fields'] }) {
  const num = (name: string, label: string, value: number, min: number, max: number) => (
    <label>
      {t(label)}
      <input type="number" name={name} value={String(value)} min={min} max={max} required />
    </label>
  );
  const date = (name: string, label: string, value: string) => (
    <label>
      {t(label)}
      <input type="date" name={name} value={value} required />
    </label>
  );
  return (
    <fieldset>
      <label>
        {t('contract.field.focus')}
        <textarea name="focus" maxlength={500} rows={2}>
          {fields.focus}
        </textarea>
      </label>
      <label>
        {t('contract.field.course')}
        <select name="course">
          {CONTRACT_COURSES.map((c) => (
            <option value={c} selected={c === fields.course}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('contract.field.goals')}
        <textarea name="goals" rows={3}>
          {fields.goals.join('\n')}
        </textarea>
      </label>
      {num('paceDays', 'contract.field.pace_days', fields.paceDays, 1, 28)}
      {date('startDate', 'contract.field.start_date', fields.startDate)}
      {date('endDate', 'contract.field.end_date', fields.endDate)}
      {num('contactsCount', 'contract.field.contacts_count', fields.contacts.count, 0, 20)}
      {num('contactsMinutes', 'contract.field.contacts_minutes', fields.contacts.minutes, 5, 120)}
      <label>
        {t('contract.field.contacts_mode')}
        <select name="contactsMode">
          {CONTACT_MODES.map((m) => (
            <option value={m} selected={m === fields.contacts.mode}>
              {t(`contract.mode.${m}`)}
            </option>
          ))}
        </select>
      </label>
      {num('contactsEveryDays', 'contract.field.contacts_every_days', fields.contacts.everyDays, 1, 60)}
      {date('contactsFirstDate', 'contract.field.contacts_first_date', fields.contacts.firstDate)}
      <label>
        {t('contract.field.contacts_time')}
        <input type="time" name="contactsTime" value={fields.contacts.time} required />
      </label>
      <label>
        <input type="checkbox" name="smsConsent" value="on" checked={fields.channels.sms.consent} />{' '}
        {t('contract.field.sms_consent')}
      </label>
      <label>
        {t('contract.field.sms_phone')}
        <input type="tel" name="smsPhone" value={fields.channels.sms.phone ?? ''} maxlength={20} />
      </label>
      {num('quietReminder', 'contract.field.quiet_reminder', fields.quiet.reminderAfterDays, 1, 60)}
      {num('quietTask', 'contract.field.quiet_task', fields.quiet.taskAfterDays, 1, 60)}
      <label>
        {t('contract.field.data_sharing')}
        <textarea name="dataSharing" maxlength={1000} rows={2}>
          {fields.dataSharing}
        </textarea>
      </label>
      <label>
        {t('contract.field.ending')}
        <textarea name="ending" maxlength={1000} rows={2}>
          {fields.ending}
        </textarea>
      </label>
    </fieldset>
  );
}
