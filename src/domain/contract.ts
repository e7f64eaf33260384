import { z } from 'zod';
import { wallClockOf } from './local-time.ts';
import { normalisePhone } from './phone.ts';

/**
 * The guidance contract's fields (veiledningskontrakt, CLINICAL.md §6): what therapist and client agree
 * before the course starts. Pure data, validated here; the service stores it as versions signed by both,
 * and the plan (pace, contacts, measurements, reminders, the "goes quiet" rule) is derived from it.
 * Also here: the clinic's defaults for a new draft, how the client's answer is read, and the summary the
 * client is sent, as text keys and variables (the texts are content/<locale>/contract.json).
 */

export const CONTACT_MODES = ['phone', 'video', 'in_person', 'chat'] as const;
export type ContactMode = (typeof CONTACT_MODES)[number];

/** The courses a contract can be about: the ones whose part 1 waits for a signed contract. */
export const CONTRACT_COURSES = ['depression', 'anxiety', 'sleep', 'stress'] as const;
export type ContractCourse = (typeof CONTRACT_COURSES)[number];
export const isContractCourse = (flowId: string): flowId is ContractCourse =>
  (CONTRACT_COURSES as readonly string[]).includes(flowId);

/**
 * The bounds of the fields, one table for the checks below, the staff API's OpenAPI document and the
 * workspace form's inputs.
 */
export const CONTRACT_LIMITS = {
  focusLength: 500,
  goalLength: 300,
  /** One to three goals to sign; a draft may have none yet. */
  goals: { min: 1, max: 3 },
  textLength: 1000,
  phoneLength: 32,
  paceDays: { min: 1, max: 28 },
  contactCount: { min: 0, max: 20 },
  contactMinutes: { min: 5, max: 120 },
  contactEveryDays: { min: 1, max: 60 },
  quietDays: { min: 1, max: 60 },
} as const;

const localDate = z.iso.date('a real date such as 2026-12-07');
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:30');
const whole = (bounds: { min: number; max: number }) => z.number().int().min(bounds.min).max(bounds.max);
/** A mobile number as the client gave it, kept in E.164 (libphonenumber, src/domain/phone.ts). */
const mobileNumber = z
  .string()
  .max(CONTRACT_LIMITS.phoneLength)
  .transform((value, ctx) => {
    const e164 = normalisePhone(value);
    if (e164) return e164;
    ctx.addIssue({ code: 'custom', message: 'not a valid mobile number', params: { reason: 'phone' } });
    return z.NEVER;
  });

/** Everything but the two fields a therapist fills in with the client: the focus and the goals. */
const planShape = {
  course: z.enum(CONTRACT_COURSES),
  /** Days between course parts (one part a week by default). */
  paceDays: whole(CONTRACT_LIMITS.paceDays),
  /** The period: the start and the expected end (local dates in the client's time zone). */
  startDate: localDate,
  endDate: localDate,
  contacts: z.object({
    count: whole(CONTRACT_LIMITS.contactCount),
    minutes: whole(CONTRACT_LIMITS.contactMinutes),
    mode: z.enum(CONTACT_MODES),
    /** Days between contacts (weekly or every two weeks, CLINICAL.md §5). */
    everyDays: whole(CONTRACT_LIMITS.contactEveryDays),
    /** The first contact's local date and time. */
    firstDate: localDate,
    time: localTime,
  }),
  /** Questionnaires before each contact and at the end. */
  measurement: z.object({
    instruments: z.array(z.enum(['phq9', 'gad7'])).min(1),
    beforeEachContact: z.boolean(),
    atEnd: z.boolean(),
  }),
  /** Which channels reach the client; SMS needs consent and a number. */
  channels: z.object({
    web: z.boolean(),
    sms: z.object({ consent: z.boolean(), phone: mobileNumber.optional() }),
    /** Messages the client did not ask for open discreetly unless they chose full text (CLINICAL.md §7). */
    discreetSms: z.boolean(),
  }),
  /** When the client goes quiet: a reminder after N days, then a task for the therapist after M more. */
  quiet: z.object({
    reminderAfterDays: whole(CONTRACT_LIMITS.quietDays),
    taskAfterDays: whole(CONTRACT_LIMITS.quietDays),
  }),
  /** What the therapist sees (free text agreed with the client; the defaults come from settings). */
  dataSharing: z.string().trim().max(CONTRACT_LIMITS.textLength),
  /** How the course ends (the last contact, the final measurement, the relapse plan). */
  ending: z.string().trim().max(CONTRACT_LIMITS.textLength),
};

/** Why a field was refused: a text key of the workspace form (`workspace.contract.error.<reason>`). */
export type ContractIssueReason =
  | 'required'
  | 'too_long'
  | 'too_many'
  | 'number'
  | 'range'
  | 'choice'
  | 'date'
  | 'time'
  | 'start_in_past'
  | 'end_not_after_start'
  | 'first_before_start'
  | 'first_in_past'
  | 'phone'
  | 'phone_missing'
  | 'quiet_order'
  | 'no_channel'
  | 'instruments'
  | 'invalid';

/** What the rules below say as custom issues (`params.reason`), with the reason in English. */
const RULES = {
  end_not_after_start: 'must be after startDate',
  first_before_start: 'must not be before startDate',
  start_in_past: 'must not be before today',
  first_in_past: 'must not be before today',
  phone_missing: 'SMS consent needs a mobile number',
  quiet_order: 'must be greater than quiet.reminderAfterDays',
  no_channel: 'at least one channel must reach the client: web, or SMS with consent',
} satisfies Partial<Record<ContractIssueReason, string>>;

/** A rule between fields that failed: where, and why. */
interface RuleIssue {
  path: string[];
  reason: keyof typeof RULES;
  message: string;
}

/** A field's value when it reads as its own schema does, else undefined (the field's own issue says why). */
const valid = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
  const read = schema.safeParse(value);
  return read.success ? read.data : undefined;
};

/**
 * The rules between fields, over whatever fields read on their own: a field that did not (a date that
 * does not exist, a number out of its bounds) has its own issue and takes part in no rule, so no field
 * is refused twice for one mistake. Run beside the fields' checks rather than after them: zod skips the
 * checks of an object once one of its fields aborts (an array over its size, a number that is not whole),
 * and the form would show the rules only after a second post. With `today`, also that the start and the
 * first contact are not in the past (unless kept from the version in force).
 */
function ruleIssues(input: unknown, context?: ContractCheckContext): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const rule = (reason: keyof typeof RULES, path: string[], detail = '') =>
    issues.push({ path, reason, message: `${RULES[reason]}${detail}` });
  const f = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const group = (value: unknown) =>
    (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const contacts = group(f.contacts);
  const channels = group(f.channels);
  const sms = group(channels.sms);
  const quiet = group(f.quiet);
  const startDate = valid(localDate, f.startDate);
  const endDate = valid(localDate, f.endDate);
  const firstDate = valid(localDate, contacts.firstDate);
  const web = valid(z.boolean(), channels.web);
  const consent = valid(z.boolean(), sms.consent);
  const reminder = valid(whole(CONTRACT_LIMITS.quietDays), quiet.reminderAfterDays);
  const task = valid(whole(CONTRACT_LIMITS.quietDays), quiet.taskAfterDays);
  // ISO dates order as text.
  if (startDate && endDate && endDate <= startDate) rule('end_not_after_start', ['endDate']);
  if (startDate && firstDate && firstDate < startDate) rule('first_before_start', ['contacts', 'firstDate']);
  if (consent === true && !sms.phone) rule('phone_missing', ['channels', 'sms', 'phone']);
  if (web === false && consent === false) rule('no_channel', ['channels']);
  if (reminder !== undefined && task !== undefined && task <= reminder)
    rule('quiet_order', ['quiet', 'taskAfterDays']);
  if (context) {
    const past = (date: string | undefined, kept: string | undefined) =>
      date !== undefined && date < context.today && date !== kept;
    if (past(startDate, context.inForce?.startDate))
      rule('start_in_past', ['startDate'], ` (${context.today})`);
    if (past(firstDate, context.inForce?.firstDate))
      rule('first_in_past', ['contacts', 'firstDate'], ` (${context.today})`);
  }
  return issues;
}

/** The rules that need no date of today, as a check of the schemas below (for readers of stored fields). */
function consistent(f: Record<string, unknown>, ctx: z.RefinementCtx) {
  for (const { path, reason, message } of ruleIssues(f))
    ctx.addIssue({ code: 'custom', path, message, params: { reason } });
}

// The rules run even when a field failed, as far as zod lets them (see ruleIssues).
const always = { when: () => true };

/** The fields alone, without the rules between them (checkContract runs those itself). */
const fieldsObject = z.object({
  /** The problem focus and the course chosen for it (a course flow id). */
  focus: z.string().trim().min(1).max(CONTRACT_LIMITS.focusLength),
  ...planShape,
  /** The client's own goals, in their words: one to three. */
  goals: z
    .array(z.string().trim().min(1).max(CONTRACT_LIMITS.goalLength))
    .min(CONTRACT_LIMITS.goals.min)
    .max(CONTRACT_LIMITS.goals.max),
});

/**
 * A draft may lack the focus and the goals (they are often written with the client in the first talk);
 * everything else is checked as for signing. Signing checks the whole contract.
 */
const draftObject = z.object({
  focus: z.string().trim().max(CONTRACT_LIMITS.focusLength),
  ...planShape,
  goals: z.array(z.string().trim().min(1).max(CONTRACT_LIMITS.goalLength)).max(CONTRACT_LIMITS.goals.max),
});

/** A contract ready to sign: the focus and one to three goals of the client's, in their words. */
export const contractFieldsSchema = fieldsObject.check(z.superRefine(consistent, always));

/** A draft: the focus and the goals may still be empty. */
export const contractDraftSchema = draftObject.check(z.superRefine(consistent, always));

export type ContractFields = z.infer<typeof contractFieldsSchema>;
export type ContractDraft = z.infer<typeof contractDraftSchema>;

/** A field the contract refused, and why. */
export interface ContractIssue {
  /** The field under `fields`, without list positions: `startDate`, `contacts.firstDate`, `goals`. */
  field: string;
  reason: ContractIssueReason;
  /** The bounds, for `range`, `too_long` and `too_many`. */
  vars?: { min?: number; max?: number };
  /** For the staff API, in English, with the whole path: `fields.goals.1: at most 300 characters`. */
  message: string;
}

/** What the checks that depend on the day need. */
export interface ContractCheckContext {
  /** Today, in the client's time zone (YYYY-MM-DD). */
  today: string;
  /**
   * The dates of the version in force when this one amends it: a course under way started in the past,
   * and its first contact may be past too. Dates kept from it are not refused for that.
   */
  inForce?: { startDate: string; firstDate: string };
}

export type ContractCheck = { ok: true; fields: ContractDraft } | { ok: false; issues: ContractIssue[] };

/**
 * Checks a contract as a draft (the focus and the goals may still be empty) or to sign: the fields and
 * their bounds, the rules between them, and that it does not start, nor plan its first contact, before
 * today (unless the date is the one of the version in force). The SMS number comes back in E.164.
 */
export function checkContract(
  input: unknown,
  purpose: 'draft' | 'sign',
  context: ContractCheckContext,
): ContractCheck {
  const parsed = (purpose === 'sign' ? fieldsObject : draftObject).safeParse(input, { reportInput: true });
  const issues = parsed.success ? [] : parsed.error.issues.map(issueOf);
  for (const rule of ruleIssues(input, context)) {
    const field = rule.path.join('.');
    if (issues.some((i) => i.field === field && i.reason === rule.reason)) continue;
    issues.push({ field, reason: rule.reason, message: `fields.${field}: ${rule.message}` });
  }
  if (parsed.success && issues.length === 0) return { ok: true, fields: parsed.data };
  return { ok: false, issues };
}

/** The bounds of a number field, by its path. */
const NUMBER_BOUNDS: Record<string, { min: number; max: number }> = {
  paceDays: CONTRACT_LIMITS.paceDays,
  'contacts.count': CONTRACT_LIMITS.contactCount,
  'contacts.minutes': CONTRACT_LIMITS.contactMinutes,
  'contacts.everyDays': CONTRACT_LIMITS.contactEveryDays,
  'quiet.reminderAfterDays': CONTRACT_LIMITS.quietDays,
  'quiet.taskAfterDays': CONTRACT_LIMITS.quietDays,
};

/** One of zod's issues, as `safeParse` gives them (its type, without naming zod's core namespace). */
type ZodIssue = z.ZodError['issues'][number];

function issueOf(issue: ZodIssue): ContractIssue {
  const path = issue.path.map(String);
  const field = issue.path.filter((p) => typeof p !== 'number').join('.');
  const at = `fields.${path.join('.')}`;
  const make = (reason: ContractIssueReason, message: string, vars?: ContractIssue['vars']) => ({
    field,
    reason,
    ...(vars ? { vars } : {}),
    message: `${at}: ${message}`,
  });
  const bounds = NUMBER_BOUNDS[field];
  switch (issue.code) {
    case 'custom': {
      const reason = (issue.params?.reason as ContractIssueReason | undefined) ?? 'invalid';
      return make(reason, issue.message);
    }
    case 'invalid_type':
      if (issue.input === undefined) return make('required', 'required');
      if (bounds) return make('number', 'must be a whole number', bounds);
      return make('invalid', `expected ${issue.expected}`);
    case 'too_small':
    case 'too_big':
      if (bounds) return make('range', `must be from ${bounds.min} to ${bounds.max}`, bounds);
      if (issue.origin === 'array' && field === 'measurement.instruments')
        return make('instruments', 'at least one instrument');
      if (issue.code === 'too_small') return make('required', 'required');
      return issue.origin === 'array'
        ? make('too_many', `at most ${issue.maximum}`, { max: Number(issue.maximum) })
        : make('too_long', `at most ${issue.maximum} characters`, { max: Number(issue.maximum) });
    case 'invalid_format':
      return field === 'contacts.time'
        ? make('time', 'a time such as 09:30')
        : make('date', 'a real date such as 2026-12-07');
    case 'invalid_value':
      return make('choice', `one of ${issue.values.map(String).join(', ')}`);
    default:
      return make('invalid', issue.message);
  }
}

export type ContractStatus = 'draft' | 'sent' | 'signed' | 'changes_requested' | 'superseded';

/** The clinic's defaults for a new contract (settings CONTRACT_*). */
export interface ContractDefaults {
  paceDays: number;
  contactCount: number;
  contactMinutes: number;
  contactMode: ContactMode;
  contactEveryDays: number;
  quietReminderDays: number;
  quietTaskDays: number;
}

export const CLINIC_CONTRACT_DEFAULTS: ContractDefaults = {
  paceDays: 7,
  contactCount: 6,
  contactMinutes: 20,
  contactMode: 'phone',
  contactEveryDays: 14,
  quietReminderDays: 7,
  quietTaskDays: 14,
};

/** A course has six parts (CLINICAL.md §5). */
const COURSE_PARTS = 6;

/** `date` (YYYY-MM-DD) plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A Saturday or Sunday (YYYY-MM-DD) moves to the next Monday; a weekday stays. */
export function onWeekday(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday === 6 ? addDays(date, 2) : weekday === 0 ? addDays(date, 1) : date;
}

/**
 * The local dates of a contact plan: `count` contacts `everyDays` apart from `firstDate`, each that would
 * fall on a Saturday or Sunday on the next Monday (the same time); a date the plan already has is not
 * repeated (a short interval over a weekend), so the list may be shorter than `count`.
 */
export function contactDates(plan: { count: number; everyDays: number; firstDate: string }): string[] {
  const dates: string[] = [];
  for (let index = 0; index < plan.count; index++) {
    const date = onWeekday(addDays(plan.firstDate, index * plan.everyDays));
    if (!dates.includes(date)) dates.push(date);
  }
  return dates;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const { year, month, day } = wallClockOf(instant, timeZone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** What the period of a contract depends on: the start, the pace and the contact plan. */
export interface ContractPlan {
  startDate: string;
  paceDays: number;
  contacts: { count: number; everyDays: number; firstDate: string };
}

/** The first contact as the clinic plans it: one pace after the start, on a weekday. */
export const defaultFirstContact = (startDate: string, paceDays: number): string =>
  onWeekday(addDays(startDate, paceDays));

/**
 * The expected end of a plan: the later of the sixth part and the last contact. The clinic's contact plan
 * (6 contacts every 14 days by default, CLINICAL.md §5) outlasts six weekly parts, and the period ends with
 * the last contact and the final measurement (the default `ending`), never before them. Never sooner than
 * one pace from `today` either: a course under way whose plan changes late still has a part ahead.
 */
export function expectedEndDate(plan: ContractPlan, today: string): string {
  const lastPart = addDays(plan.startDate, plan.paceDays * COURSE_PARTS);
  const lastContact = contactDates(plan.contacts).at(-1) ?? lastPart;
  const soonest = addDays(today, plan.paceDays);
  // ISO dates order as text.
  return [lastPart, lastContact, soonest].sort()[2]!;
}

/** The part of a contract its period follows, when each field reads as the contract's check reads it. */
const planSchema = z.object({
  startDate: localDate,
  paceDays: whole(CONTRACT_LIMITS.paceDays),
  contacts: z.object({
    count: whole(CONTRACT_LIMITS.contactCount),
    everyDays: whole(CONTRACT_LIMITS.contactEveryDays),
    firstDate: localDate,
  }),
});

/**
 * The dates of a draft after an edit (`edited`: the fields of `base` with the therapist's input over
 * them, not checked yet), so that the period follows the plan:
 * - a start that moves takes along a first contact that was the clinic's default for the old start
 *   (one pace on) and that the edit leaves as it was: it becomes the default for the new start;
 * - when the start, the pace or the contacts (count, interval, first date) change and the edit leaves
 *   the end date as it was, the end becomes `expectedEndDate` of the new plan, as for a new draft. An
 *   end date the edit changes wins (and is checked as any other).
 * A value the edit leaves equal to the base's counts as not given: the workspace form sends every field.
 * When the plan does not read (a date that does not exist, a number out of bounds), nothing moves: the
 * check names the field.
 */
export function followPlan(
  base: ContractDraft,
  edited: Record<string, unknown>,
  today: string,
): Record<string, unknown> {
  const read = planSchema.safeParse(edited);
  if (!read.success) return edited;
  const plan = read.data;
  const startMoved = plan.startDate !== base.startDate;
  const firstWasDefault =
    plan.contacts.firstDate === base.contacts.firstDate &&
    base.contacts.firstDate === defaultFirstContact(base.startDate, base.paceDays);
  if (startMoved && firstWasDefault)
    plan.contacts.firstDate = defaultFirstContact(plan.startDate, plan.paceDays);
  const planChanged =
    startMoved ||
    plan.paceDays !== base.paceDays ||
    plan.contacts.count !== base.contacts.count ||
    plan.contacts.everyDays !== base.contacts.everyDays ||
    plan.contacts.firstDate !== base.contacts.firstDate;
  const contacts = { ...(edited.contacts as object), firstDate: plan.contacts.firstDate };
  const endGiven = edited.endDate !== base.endDate;
  return {
    ...edited,
    contacts,
    ...(planChanged && !endGiven ? { endDate: expectedEndDate(plan, today) } : {}),
  };
}

/**
 * A new draft from the clinic's defaults: the course starts today, six parts `paceDays` apart; the
 * first contact one pace after the start (a weekday), at 10:00; PHQ-9 and GAD-7 before each contact and
 * at the end. The expected end is `expectedEndDate` of that plan (the later of the sixth part and the
 * last contact); a draft that changes the plan later gets the same (`followPlan`). The clinic's count
 * and interval are its own settings, so they are kept rather than squeezed into the parts.
 * The focus and the goals are left for the therapist and the client.
 */
export function defaultContract(
  defaults: ContractDefaults,
  at: {
    course: ContractCourse;
    today: string;
    phone?: string;
    texts: { dataSharing: string; ending: string };
  },
): ContractDraft {
  const contacts = {
    count: defaults.contactCount,
    minutes: defaults.contactMinutes,
    mode: defaults.contactMode,
    everyDays: defaults.contactEveryDays,
    firstDate: defaultFirstContact(at.today, defaults.paceDays),
    time: '10:00',
  };
  return {
    focus: '',
    course: at.course,
    goals: [],
    paceDays: defaults.paceDays,
    startDate: at.today,
    endDate: expectedEndDate({ startDate: at.today, paceDays: defaults.paceDays, contacts }, at.today),
    contacts,
    measurement: { instruments: ['phq9', 'gad7'], beforeEachContact: true, atEnd: true },
    channels: {
      web: true,
      sms: at.phone ? { consent: true, phone: at.phone } : { consent: false },
      discreetSms: true,
    },
    quiet: { reminderAfterDays: defaults.quietReminderDays, taskAfterDays: defaults.quietTaskDays },
    dataSharing: at.texts.dataSharing,
    ending: at.texts.ending,
  };
}

/** What a contract waits for from the client: their answer, or the words of the change they asked for. */
export type ContractWait = 'answer' | 'change_words';

export function contractWaitsFor(contract: {
  status: ContractStatus;
  changeRequest?: string;
}): ContractWait | undefined {
  if (contract.status === 'sent') return 'answer';
  if (contract.status === 'changes_requested' && contract.changeRequest === undefined) return 'change_words';
  return undefined;
}

/** The values of the two buttons of the web chat (a typed digit stands for neither). */
export const CONTRACT_ACCEPT = 'contract.accept';
export const CONTRACT_CHANGE = 'contract.change';

export type ContractAnswer =
  | { kind: 'accept' }
  /** A change; `words` when the client said what (ENDRE <words>, or the message after "change"). */
  | { kind: 'change'; words?: string }
  | { kind: 'unclear' };

const ACCEPT_WORDS = new Set([
  'ja',
  'jepp',
  'ok',
  'okei',
  'godtar',
  'jeg godtar',
  'ja jeg godtar',
  'godta',
  'signer',
  'yes',
  'y',
  'yep',
  'accept',
  'i accept',
  'agree',
  'i agree',
  'sign',
]);
const CHANGE_WORDS = new Set([
  'endre',
  'endring',
  'nei',
  'jeg vil endre noe',
  'endre noe',
  'change',
  'no',
  'i want to change something',
  'change something',
]);
/** A reply word followed by what to change: "ENDRE jeg vil ha video", "change: two contacts a month". */
const CHANGE_WITH_WORDS = /^(endre|change)\b[\s:,.-]+(.+)$/is;

const normalise = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[!.?,;:"'()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Whether a message asks for a change to the contract in words ("ENDRE jeg vil ha video"): only a wish,
 * recorded for the therapist, so it is taken even while the contract itself waits behind a discreet
 * notice (consent is not: JA opens the notice first).
 */
export const asksChangeInWords = (text: string): boolean => CHANGE_WITH_WORDS.test(text.trim());

/**
 * Reads the client's answer to a contract they were sent: a button, a reply word (JA/ENDRE, YES/CHANGE,
 * in either language), or — when the contract waits for the words of a change — whatever they write.
 * Consent is an explicit choice: a typed digit ("1", meant for a questionnaire's "Noen dager") is no
 * answer to the contract. Anything else is unclear and asked again; it is never taken as a yes.
 */
export function readContractAnswer(
  input: { text?: string; value?: string },
  waits: ContractWait,
): ContractAnswer {
  if (input.value === CONTRACT_ACCEPT) return { kind: 'accept' };
  if (input.value === CONTRACT_CHANGE) return { kind: 'change' };
  const raw = (input.text ?? '').trim();
  const text = normalise(raw);
  if (text === '') return { kind: 'unclear' };
  if (waits === 'change_words')
    return ACCEPT_WORDS.has(text) ? { kind: 'accept' } : { kind: 'change', words: raw };
  if (ACCEPT_WORDS.has(text)) return { kind: 'accept' };
  if (CHANGE_WORDS.has(text)) return { kind: 'change' };
  const withWords = CHANGE_WITH_WORDS.exec(raw);
  if (withWords) return { kind: 'change', words: withWords[2]!.trim() };
  return { kind: 'unclear' };
}

/** A reply as text key, variables and choices (structurally the engine's `Reply`). */
export interface ContractReply {
  key: string;
  vars?: Record<string, string | number>;
  choices?: { value: string; key: string }[];
}

/** How a channel shows the contract: the whole text with buttons, or the essentials with a reply word. */
export type ContractForm = 'full' | 'sms';

const listOf = (items: readonly string[], and: string) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;

/**
 * A counted text in the client's language (the content catalog's, `key_one`/`key_other`, picked by
 * `vars.count` or `vars.days`): the phrases with a number that the contract's sentences take as variables.
 */
export type CountedText = (key: string, vars: { count: number } | { days: number }) => string;

/**
 * The contract as the client reads it, as replies (text keys and variables). SMS (`sms`): one short
 * message with the essentials and the reply words, free of the course and the client's goals (phones are
 * shared, CLINICAL.md §7). The web chat (`full`): every field, then the question with two buttons.
 * `version` > 1 says it is a change to the agreement they signed. Every number with a word ("1 samtale",
 * "hver 14. dag", "every day") is a phrase of its own (`contract.phrase.*`, by `counted`) put into the
 * sentence as a variable, so a sentence has one wording and reads right for 1 and for many.
 */
export function contractMessage(
  fields: ContractFields,
  form: ContractForm,
  options: { version: number; locale: 'nb' | 'en'; counted: CountedText },
): ContractReply[] {
  const { counted } = options;
  const date = (d: string) => formatLocalDate(d, options.locale);
  const everyDays = (days: number) => counted('contract.phrase.every_days', { days });
  const days = (n: number) => counted('contract.phrase.days', { days: n });
  const amended = options.version > 1;
  const period = {
    pace: everyDays(fields.paceDays),
    startDate: date(fields.startDate),
    endDate: date(fields.endDate),
  };
  const count = fields.contacts.count;
  const contacts = (key: string) => ({
    contacts: counted(key, { count }),
    minutes: fields.contacts.minutes,
    every: everyDays(fields.contacts.everyDays),
    firstDate: date(fields.contacts.firstDate),
    time: fields.contacts.time,
  });
  if (form === 'sms') {
    const key = amended ? 'contract.sms_amended' : 'contract.sms';
    if (count === 0) return [{ key: `${key}_no_contacts`, vars: period }];
    // One contact has a date, not a rhythm.
    const sms = count === 1 ? `${key}_one_contact` : key;
    return [{ key: sms, vars: { ...period, ...contacts('contract.phrase.contacts') } }];
  }
  const and = options.locale === 'nb' ? 'og' : 'and';
  const instruments = fields.measurement.instruments.map((i) => (i === 'phq9' ? 'PHQ-9' : 'GAD-7'));
  const replies: ContractReply[] = [
    { key: amended ? 'contract.full.amended' : 'contract.full.intro' },
    { key: `contract.full.focus.${fields.course}`, vars: { focus: fields.focus } },
    { key: 'contract.full.goals', vars: { goals: fields.goals.map((g) => `- ${g}`).join('\n') } },
    { key: 'contract.full.pace', vars: period },
    count === 0
      ? { key: 'contract.full.no_contacts' }
      : {
          key: count === 1 ? 'contract.full.one_contact' : 'contract.full.contacts',
          vars: contacts(`contract.phrase.contacts.${fields.contacts.mode}`),
        },
    ...measurementReplies(fields, listOf(instruments, and)),
    {
      key: fields.channels.sms.consent ? 'contract.full.channels_sms' : 'contract.full.channels_web',
      vars: { phone: fields.channels.sms.phone ?? '' },
    },
    {
      key: 'contract.full.quiet',
      vars: { reminder: days(fields.quiet.reminderAfterDays), task: days(fields.quiet.taskAfterDays) },
    },
    { key: 'contract.full.emergency' },
  ];
  if (fields.dataSharing)
    replies.push({ key: 'contract.full.data_sharing', vars: { text: fields.dataSharing } });
  if (fields.ending) replies.push({ key: 'contract.full.ending', vars: { text: fields.ending } });
  replies.push(contractQuestion('full'));
  return replies;
}

/**
 * When the client answers the questionnaires: before each contact only when there are contacts, at the
 * end when agreed; nothing is said when neither applies.
 */
function measurementReplies(fields: ContractFields, instruments: string): ContractReply[] {
  const beforeContacts = fields.measurement.beforeEachContact && fields.contacts.count > 0;
  const { atEnd } = fields.measurement;
  if (!beforeContacts && !atEnd) return [];
  const key = beforeContacts
    ? atEnd
      ? 'contract.full.measure_contacts_end'
      : 'contract.full.measure_contacts'
    : 'contract.full.measure_end';
  return [{ key, vars: { instruments } }];
}

/** The question alone, to ask again after an unclear answer. */
export function contractQuestion(form: ContractForm): ContractReply {
  return form === 'sms'
    ? { key: 'contract.sms_question' }
    : {
        key: 'contract.question',
        choices: [
          { value: CONTRACT_ACCEPT, key: 'contract.choice.accept' },
          { value: CONTRACT_CHANGE, key: 'contract.choice.change' },
        ],
      };
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A local date as people write it: 7.12.2026 (nb), 7 Dec 2026 (en). */
export function formatLocalDate(date: string, locale: 'nb' | 'en'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return locale === 'nb' ? `${d}.${m}.${y}` : `${d} ${MONTHS_EN[m - 1]} ${y}`;
}

/**
 * The contract's "goes quiet" rule (CLINICAL.md §6): after `reminderAfterDays` without a word from the
 * client, one reminder; after `taskAfterDays` without a word (counted from the same last message, so
 * always later: the contract's check), one task for the therapist, as the client's text says ("after
 * 14 days your therapist gets in touch"). Each happens once per
 * silence: a message from the client starts the count again. Pure: the service reads the times.
 */
export function quietAction(input: {
  now: Date;
  /** The client's last message, or when the contract was signed if later. */
  lastActivity: Date;
  remindedAt?: Date;
  taskAt?: Date;
  rule: ContractFields['quiet'];
}): 'remind' | 'task' | undefined {
  const DAY = 86_400_000;
  const silent = input.now.getTime() - input.lastActivity.getTime();
  const since = (at: Date | undefined) => at !== undefined && at.getTime() >= input.lastActivity.getTime();
  if (silent >= input.rule.taskAfterDays * DAY && !since(input.taskAt)) {
    return 'task';
  }
  if (silent >= input.rule.reminderAfterDays * DAY && !since(input.remindedAt)) return 'remind';
  return undefined;
}
