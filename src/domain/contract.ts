import { z } from 'zod';
import { wallClockOf } from './local-time.ts';

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

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-12-07');
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:30');

/** Everything but the two fields a therapist fills in with the client: the focus and the goals. */
const planShape = {
  course: z.enum(CONTRACT_COURSES),
  /** Days between course parts (one part a week by default). */
  paceDays: z.number().int().min(1).max(28),
  /** The period: the start and the expected end (local dates in the client's time zone). */
  startDate: localDate,
  endDate: localDate,
  contacts: z.object({
    count: z.number().int().min(0).max(20),
    minutes: z.number().int().min(5).max(120),
    mode: z.enum(CONTACT_MODES),
    /** Days between contacts (weekly or every two weeks, CLINICAL.md §5). */
    everyDays: z.number().int().min(1).max(60),
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
    sms: z.object({ consent: z.boolean(), phone: z.string().max(20).optional() }),
    /** Messages the client did not ask for open discreetly unless they chose full text (CLINICAL.md §7). */
    discreetSms: z.boolean(),
  }),
  /** When the client goes quiet: a reminder after N days, then a task for the therapist after M more. */
  quiet: z.object({
    reminderAfterDays: z.number().int().min(1).max(60),
    taskAfterDays: z.number().int().min(1).max(60),
  }),
  /** What the therapist sees (free text agreed with the client; the defaults come from settings). */
  dataSharing: z.string().trim().max(1000),
  /** How the course ends (the last contact, the final measurement, the relapse plan). */
  ending: z.string().trim().max(1000),
};

type Checked = {
  startDate: string;
  endDate: string;
  channels: { sms: { consent: boolean; phone?: string | undefined } };
};
const consistent = <T extends z.ZodType<Checked>>(schema: T) =>
  schema
    .refine((f) => f.endDate >= f.startDate, {
      message: 'endDate must not be before startDate',
      path: ['endDate'],
    })
    .refine((f) => !f.channels.sms.consent || Boolean(f.channels.sms.phone), {
      message: 'SMS consent needs a phone number',
      path: ['channels', 'sms', 'phone'],
    });

/** A contract ready to sign: the focus and one to three goals of the client's, in their words. */
export const contractFieldsSchema = consistent(
  z.object({
    /** The problem focus and the course chosen for it (a course flow id). */
    focus: z.string().trim().min(1).max(500),
    ...planShape,
    /** The client's own goals, in their words: one to three. */
    goals: z.array(z.string().trim().min(1).max(300)).min(1).max(3),
  }),
);

/**
 * A draft may lack the focus and the goals (they are often written with the client in the first talk);
 * everything else is checked as for signing. Signing checks the whole contract.
 */
export const contractDraftSchema = consistent(
  z.object({
    focus: z.string().trim().max(500),
    ...planShape,
    goals: z.array(z.string().trim().min(1).max(300)).max(3),
  }),
);

export type ContractFields = z.infer<typeof contractFieldsSchema>;
export type ContractDraft = z.infer<typeof contractDraftSchema>;

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

/**
 * The expected end when the pace changes and no end date comes with it: six parts at the new pace from
 * the start, and never sooner than one pace from today (a course already under way).
 */
export function endDateForPace(startDate: string, paceDays: number, today: string): string {
  const byStart = addDays(startDate, paceDays * COURSE_PARTS);
  const soonest = addDays(today, paceDays);
  // ISO dates order as text.
  return [byStart, soonest].sort()[1]!;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const { year, month, day } = wallClockOf(instant, timeZone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A new draft from the clinic's defaults: the course starts today, six parts `paceDays` apart; the
 * first contact one pace after the start, at 10:00; PHQ-9 and GAD-7 before each contact and at the end.
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
  return {
    focus: '',
    course: at.course,
    goals: [],
    paceDays: defaults.paceDays,
    startDate: at.today,
    endDate: addDays(at.today, defaults.paceDays * COURSE_PARTS),
    contacts: {
      count: defaults.contactCount,
      minutes: defaults.contactMinutes,
      mode: defaults.contactMode,
      everyDays: defaults.contactEveryDays,
      firstDate: addDays(at.today, defaults.paceDays),
      time: '10:00',
    },
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

/** The values of the two buttons of the web chat (and what typed "1"/"2" stand for). */
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
 * Reads the client's answer to a contract they were sent: a button, a reply word (JA/ENDRE, YES/CHANGE,
 * in either language), "1"/"2" for the two choices, or — when the contract waits for the words of a
 * change — whatever they write. Anything else is unclear and asked again; it is never taken as a yes.
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
  if (ACCEPT_WORDS.has(text) || text === '1') return { kind: 'accept' };
  if (CHANGE_WORDS.has(text) || text === '2') return { kind: 'change' };
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
 * The contract as the client reads it, as replies (text keys and variables). SMS (`sms`): one short
 * message with the essentials and the reply words, free of the course and the client's goals (phones are
 * shared, CLINICAL.md §7). The web chat (`full`): every field, then the question with two buttons.
 * `version` > 1 says it is a change to the agreement they signed.
 */
export function contractMessage(
  fields: ContractFields,
  form: ContractForm,
  options: { version: number; locale: 'nb' | 'en' },
): ContractReply[] {
  const date = (d: string) => formatLocalDate(d, options.locale);
  const amended = options.version > 1;
  const plan = {
    paceDays: fields.paceDays,
    startDate: date(fields.startDate),
    endDate: date(fields.endDate),
    count: fields.contacts.count,
    minutes: fields.contacts.minutes,
    everyDays: fields.contacts.everyDays,
    firstDate: date(fields.contacts.firstDate),
    time: fields.contacts.time,
  };
  if (form === 'sms') {
    return [{ key: amended ? 'contract.sms_amended' : 'contract.sms', vars: { ...plan } }];
  }
  const and = options.locale === 'nb' ? 'og' : 'and';
  const instruments = fields.measurement.instruments.map((i) => (i === 'phq9' ? 'PHQ-9' : 'GAD-7'));
  const replies: ContractReply[] = [
    { key: amended ? 'contract.full.amended' : 'contract.full.intro' },
    { key: `contract.full.focus.${fields.course}`, vars: { focus: fields.focus } },
    { key: 'contract.full.goals', vars: { goals: fields.goals.map((g) => `- ${g}`).join('\n') } },
    { key: 'contract.full.pace', vars: plan },
    {
      key:
        fields.contacts.count === 0
          ? 'contract.full.no_contacts'
          : `contract.full.contacts.${fields.contacts.mode}`,
      vars: plan,
    },
    {
      key: fields.measurement.beforeEachContact
        ? fields.measurement.atEnd
          ? 'contract.full.measure_contacts_end'
          : 'contract.full.measure_contacts'
        : 'contract.full.measure_end',
      vars: { instruments: listOf(instruments, and) },
    },
    {
      key: fields.channels.sms.consent ? 'contract.full.channels_sms' : 'contract.full.channels_web',
      vars: { phone: fields.channels.sms.phone ?? '' },
    },
    {
      key: 'contract.full.quiet',
      vars: { reminder: fields.quiet.reminderAfterDays, task: fields.quiet.taskAfterDays },
    },
    { key: 'contract.full.emergency' },
  ];
  if (fields.dataSharing)
    replies.push({ key: 'contract.full.data_sharing', vars: { text: fields.dataSharing } });
  if (fields.ending) replies.push({ key: 'contract.full.ending', vars: { text: fields.ending } });
  replies.push(contractQuestion('full'));
  return replies;
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
 * client, one reminder; after `taskAfterDays` more, one task for the therapist. Each happens once per
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
  if (silent >= (input.rule.reminderAfterDays + input.rule.taskAfterDays) * DAY && !since(input.taskAt)) {
    return 'task';
  }
  if (silent >= input.rule.reminderAfterDays * DAY && !since(input.remindedAt)) return 'remind';
  return undefined;
}
