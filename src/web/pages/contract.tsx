import type { Child } from 'hono/jsx';
import {
  CONTACT_MODES,
  CONTRACT_COURSES,
  CONTRACT_LIMITS,
  type ContractDraft,
  type ContractIssue,
} from '../../domain/contract.ts';
import type { ContractVersionView, ContractView } from '../../service/contracts.ts';
import type { Translate } from '../context.ts';
import { formatDateTime } from '../format.ts';

/** The contract form's inputs by name, as typed: text, a checkbox's value when ticked, or several. */
export type ContractFormValues = Record<string, string | string[] | undefined>;

/** The contract form as it came back refused: what was typed, and what is wrong with it. */
export interface ContractFormState {
  /** What the therapist typed (a draft), shown again; without it, the stored fields are shown. */
  values?: ContractFormValues;
  issues: ContractIssue[];
}

/** What the client page passes to the contract section. */
export interface ContractSectionProps {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  clientId: string;
  /** The client's contract (`contractForStaff`), or undefined when there is none yet. */
  contract: ContractView | undefined;
  /** A refused draft or signature: the values and the fields to mark. */
  form?: ContractFormState;
}

/**
 * The form's input for each field of the contract (`ContractIssue.field`): where its error is shown.
 * `channels` is the group of channels (no channel reaches the client).
 */
export const CONTRACT_INPUTS: Record<string, string> = {
  focus: 'focus',
  course: 'course',
  goals: 'goals',
  paceDays: 'paceDays',
  startDate: 'startDate',
  endDate: 'endDate',
  'contacts.count': 'contactsCount',
  'contacts.minutes': 'contactsMinutes',
  'contacts.mode': 'contactsMode',
  'contacts.everyDays': 'contactsEveryDays',
  'contacts.firstDate': 'contactsFirstDate',
  'contacts.time': 'contactsTime',
  'measurement.instruments': 'instruments',
  'measurement.beforeEachContact': 'measureBeforeEachContact',
  'measurement.atEnd': 'measureAtEnd',
  channels: 'channels',
  'channels.web': 'channelWeb',
  'channels.sms': 'smsConsent',
  'channels.sms.consent': 'smsConsent',
  'channels.sms.phone': 'smsPhone',
  'channels.discreetSms': 'smsContent',
  'quiet.reminderAfterDays': 'quietReminder',
  'quiet.taskAfterDays': 'quietTask',
  dataSharing: 'dataSharing',
  ending: 'ending',
};

/** A contract's fields as the form's values. */
export function formValuesOf(fields: ContractDraft): ContractFormValues {
  const on = (b: boolean) => (b ? 'on' : undefined);
  return {
    focus: fields.focus,
    course: fields.course,
    goals: fields.goals.join('\n'),
    paceDays: String(fields.paceDays),
    startDate: fields.startDate,
    endDate: fields.endDate,
    contactsCount: String(fields.contacts.count),
    contactsMinutes: String(fields.contacts.minutes),
    contactsMode: fields.contacts.mode,
    contactsEveryDays: String(fields.contacts.everyDays),
    contactsFirstDate: fields.contacts.firstDate,
    contactsTime: fields.contacts.time,
    instruments: [...fields.measurement.instruments],
    measureBeforeEachContact: on(fields.measurement.beforeEachContact),
    measureAtEnd: on(fields.measurement.atEnd),
    channelWeb: on(fields.channels.web),
    smsConsent: on(fields.channels.sms.consent),
    smsPhone: fields.channels.sms.phone ?? '',
    smsContent: fields.channels.discreetSms ? 'discreet' : 'full',
    quietReminder: String(fields.quiet.reminderAfterDays),
    quietTask: String(fields.quiet.taskAfterDays),
    dataSharing: fields.dataSharing,
    ending: fields.ending,
  };
}

/** The error text of each input, in the page's language: the first issue of a field wins. */
function errorsOf(t: Translate, issues: ContractIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const input = CONTRACT_INPUTS[issue.field] ?? 'form';
    errors[input] ??= t(`contract.error.${issue.reason}`, issue.vars);
  }
  return errors;
}

/**
 * The guidance contract on the client's page: its status and both signatures, the change the client
 * asked for (their words, escaped like all client text), a form to draft or edit it, to sign and send it,
 * and to let the course start without one (with a reason). Earlier versions stay readable below.
 * Every form posts to /staff/clients/:id/contract with `action` draft, sign or waive.
 */
export function ContractSection({ t, locale, timeZone, clientId, contract, form }: ContractSectionProps) {
  const action = `/staff/clients/${encodeURIComponent(clientId)}/contract`;
  const at = (iso: string) => formatDateTime(iso, locale, timeZone);
  const editable = contract && contract.status !== 'signed' && contract.status !== 'superseded';
  const values = form?.values ?? (contract ? formValuesOf(contract.fields) : undefined);
  const errors = errorsOf(t, form?.issues ?? []);
  return (
    <section id="contract" aria-labelledby="contract-title">
      <h2 id="contract-title">{t('contract.title')}</h2>
      {contract ? <Version t={t} at={at} version={contract} /> : <p>{t('contract.none')}</p>}
      {contract?.courseWaits ? <p class="notice">{t('contract.course_waits')}</p> : null}
      {contract?.waivedReason ? <p>{t('contract.waived', { reason: contract.waivedReason })}</p> : null}

      <form method="post" action={action} class="contract-form">
        <input type="hidden" name="action" value="draft" />
        {errors.form ? <p class="field-error flag-high">{errors.form}</p> : null}
        {values ? <Fields t={t} values={values} errors={errors} /> : null}
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
          <label for="contract-waive-reason">{t('contract.waive_reason')}</label>
          <textarea id="contract-waive-reason" name="reason" required maxlength={1000} rows={2} />
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

/** One field of the form: its label, the input, and its error (named by the input's aria-describedby). */
function Field({
  t,
  name,
  label,
  errors,
  children,
}: {
  t: Translate;
  name: string;
  label: string;
  errors: Record<string, string>;
  children: (a11y: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => Child;
}) {
  const id = `contract-${name}`;
  const error = errors[name];
  return (
    <div class="field">
      <label for={id}>{t(label)}</label>{' '}
      {children({
        id,
        ...(error ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` } : {}),
      })}
      <FieldError id={`${id}-error`} text={error} />
    </div>
  );
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p id={id} class="field-error flag-high">
      {text}
    </p>
  ) : null;
}

/** A group of checkboxes or radios with a legend; its error is named by the fieldset. */
function Group({
  t,
  name,
  legend,
  errors,
  children,
}: {
  t: Translate;
  name: string;
  legend: string;
  errors: Record<string, string>;
  children?: Child;
}) {
  const id = `contract-${name}`;
  const error = errors[name];
  return (
    <fieldset id={id} {...(error ? { 'aria-describedby': `${id}-error` } : {})}>
      <legend>{t(legend)}</legend>
      {children}
      <FieldError id={`${id}-error`} text={error} />
    </fieldset>
  );
}

function Fields({
  t,
  values,
  errors,
}: {
  t: Translate;
  values: ContractFormValues;
  errors: Record<string, string>;
}) {
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : '';
  };
  const ticked = (name: string, value = 'on') => {
    const v = values[name];
    return Array.isArray(v) ? v.includes(value) : v === value;
  };
  const num = (name: string, label: string, bounds: { min: number; max: number }) => (
    <Field t={t} name={name} label={label} errors={errors}>
      {(a11y) => (
        <input
          {...a11y}
          type="number"
          name={name}
          value={text(name)}
          min={bounds.min}
          max={bounds.max}
          required
        />
      )}
    </Field>
  );
  const date = (name: string, label: string) => (
    <Field t={t} name={name} label={label} errors={errors}>
      {(a11y) => <input {...a11y} type="date" name={name} value={text(name)} required />}
    </Field>
  );
  const area = (name: string, label: string, maxlength: number, rows: number) => (
    <Field t={t} name={name} label={label} errors={errors}>
      {(a11y) => (
        <textarea {...a11y} name={name} maxlength={maxlength} rows={rows}>
          {text(name)}
        </textarea>
      )}
    </Field>
  );
  const check = (name: string, label: string, value = 'on') => {
    const id = `contract-${name}-${value}`;
    const error = errors[name];
    return (
      <div class="field">
        <input
          type="checkbox"
          id={id}
          name={name}
          value={value}
          checked={ticked(name, value)}
          {...(error
            ? { 'aria-invalid': 'true' as const, 'aria-describedby': `contract-${name}-error` }
            : {})}
        />{' '}
        <label for={id}>{t(label)}</label>
        {value === 'on' ? <FieldError id={`contract-${name}-error`} text={error} /> : null}
      </div>
    );
  };
  const radio = (name: string, label: string, value: string) => {
    const id = `contract-${name}-${value}`;
    return (
      <div class="field">
        <input type="radio" id={id} name={name} value={value} checked={ticked(name, value)} />{' '}
        <label for={id}>{t(label)}</label>
      </div>
    );
  };
  return (
    <fieldset>
      {area('focus', 'contract.field.focus', CONTRACT_LIMITS.focusLength, 2)}
      <Field t={t} name="course" label="contract.field.course" errors={errors}>
        {(a11y) => (
          <select {...a11y} name="course">
            {CONTRACT_COURSES.map((c) => (
              <option value={c} selected={c === text('course')}>
                {t(`contract.course.${c}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {area('goals', 'contract.field.goals', (CONTRACT_LIMITS.goalLength + 2) * CONTRACT_LIMITS.goals.max, 3)}
      {num('paceDays', 'contract.field.pace_days', CONTRACT_LIMITS.paceDays)}
      {date('startDate', 'contract.field.start_date')}
      {date('endDate', 'contract.field.end_date')}
      {num('contactsCount', 'contract.field.contacts_count', CONTRACT_LIMITS.contactCount)}
      {num('contactsMinutes', 'contract.field.contacts_minutes', CONTRACT_LIMITS.contactMinutes)}
      <Field t={t} name="contactsMode" label="contract.field.contacts_mode" errors={errors}>
        {(a11y) => (
          <select {...a11y} name="contactsMode">
            {CONTACT_MODES.map((m) => (
              <option value={m} selected={m === text('contactsMode')}>
                {t(`contract.mode.${m}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {num('contactsEveryDays', 'contract.field.contacts_every_days', CONTRACT_LIMITS.contactEveryDays)}
      {date('contactsFirstDate', 'contract.field.contacts_first_date')}
      <Field t={t} name="contactsTime" label="contract.field.contacts_time" errors={errors}>
        {(a11y) => <input {...a11y} type="time" name="contactsTime" value={text('contactsTime')} required />}
      </Field>
      <Group t={t} name="instruments" legend="contract.field.measurement" errors={errors}>
        {check('instruments', 'contract.field.instrument_phq9', 'phq9')}
        {check('instruments', 'contract.field.instrument_gad7', 'gad7')}
        {check('measureBeforeEachContact', 'contract.field.measure_before_each')}
        {check('measureAtEnd', 'contract.field.measure_at_end')}
      </Group>
      <Group t={t} name="channels" legend="contract.field.channels" errors={errors}>
        {check('channelWeb', 'contract.field.channel_web')}
        {check('smsConsent', 'contract.field.sms_consent')}
        <Field t={t} name="smsPhone" label="contract.field.sms_phone" errors={errors}>
          {(a11y) => (
            <input
              {...a11y}
              type="tel"
              name="smsPhone"
              value={text('smsPhone')}
              maxlength={CONTRACT_LIMITS.phoneLength}
              autocomplete="off"
            />
          )}
        </Field>
      </Group>
      <Group t={t} name="smsContent" legend="contract.field.sms_content" errors={errors}>
        {radio('smsContent', 'contract.field.sms_discreet', 'discreet')}
        {radio('smsContent', 'contract.field.sms_full', 'full')}
      </Group>
      {num('quietReminder', 'contract.field.quiet_reminder', CONTRACT_LIMITS.quietDays)}
      {num('quietTask', 'contract.field.quiet_task', CONTRACT_LIMITS.quietDays)}
      {area('dataSharing', 'contract.field.data_sharing', CONTRACT_LIMITS.textLength, 2)}
      {area('ending', 'contract.field.ending', CONTRACT_LIMITS.textLength, 2)}
    </fieldset>
  );
}
