import { courseCatalog } from '../../flows/courses/index.ts';
import { isContractCourse } from '../domain/contract.ts';
import { eventData } from '../domain/events.ts';
import { homeworkTypes } from '../domain/homework/index.ts';
import {
  type BandId,
  gad7,
  type InstrumentDefinition,
  instruments,
  isInstrumentId,
  phq9,
} from '../domain/instruments.ts';
import { type CourseOutcome, courseOutcome } from '../domain/outcomes.ts';
import { meanSleepEfficiency, parseSleepDiaryEntry, sleepMetrics } from '../domain/sleep-diary.ts';
import { linkedAddresses } from '../storage/addresses.ts';
import type { AlertKind, AlertTier, SafetyAnswerEntry } from '../storage/alerts.ts';
import { courseGateState } from '../storage/contracts.ts';
import type { EnrollmentStatus } from '../storage/enrollments.ts';
import { clientHomework, type HomeworkEntry } from '../storage/homework.ts';
import { newestTherapistMessages, unreadMessageCounts } from '../storage/messages.ts';
import { clientsWithQuietTask } from '../storage/quiet.ts';
import { clientResponses, type QuestionnaireResponse } from '../storage/responses.ts';
import {
  clientSleepWindows,
  type SleepWindowRecord,
  type SleepWindowStatus,
} from '../storage/sleep-windows.ts';
import {
  type CaseloadRow,
  caseloadRows,
  clientAlertRows,
  clientsAskingContractChange,
  clientsAwaitingSleepWindow,
  clientsInSafetyMode,
  type EnrollmentRow,
  type EventRow,
  enrollmentRows,
  openAlertRows,
  progressEventRows,
  type TranscriptRow,
  transcriptPageRows,
  type WorkspaceAlertRow,
  workspaceClient,
} from '../storage/workspace-queries.ts';
import { audit } from './audit.ts';
import { type ContactView, readContacts } from './contacts.ts';
import { type ContractView, contractViewOf } from './contracts.ts';
import type { ServiceDeps } from './deps.ts';
import { deliveryOf, readAndMarkMessages, type StaffMessageView } from './messages.ts';
import { mayReadAlertOf, mayReadClient, type StaffActor } from './staff-actor.ts';

/*
 * The therapist workspace's read model: plain typed objects for the pages and the staff JSON API, all
 * derived from what the conversations wrote (scores, homework, domain events, alerts, the transcript).
 * Who may see what is decided here, with the rules of staff-actor.ts; every read of a client's data
 * leaves an audit row.
 */

/** The flows that are courses: the workspace shows a client's course and its parts. */
export const COURSE_FLOW_IDS: readonly string[] = courseCatalog.map((course) => course.id);
/** Every course has six parts (CLINICAL.md §5); a course that records a later part shows it too. */
export const COURSE_PARTS = 6;
/** A client who has written nothing for this long is flagged on the dashboard. */
export const INACTIVE_AFTER_DAYS = 7;
export const DEFAULT_TRANSCRIPT_PAGE = 50;
export const MAX_TRANSCRIPT_PAGE = 200;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A PHQ-9 and a GAD-7 further apart than this are two measurement points, not one. */
const POINT_PAIRING_MS = DAY_MS;

// ---------------------------------------------------------------------------------------------------
// Dashboard

export type DashboardSortKey = 'name' | 'lastActivity' | 'phq9' | 'gad7' | 'flags';
export type SortDirection = 'asc' | 'desc';

export interface DashboardSort {
  key: DashboardSortKey;
  /** Default: ascending for the name, descending (newest, highest, most) for the others. */
  direction?: SortDirection;
}

/** An open alert on the dashboard. */
export interface AlertSummary {
  id: string;
  /** Undefined while the conversation is not linked to a client. */
  clientId?: string;
  clientName?: string;
  /** No therapist is responsible: the client has none, or there is no client yet. */
  unassigned: boolean;
  kind: AlertKind;
  tier?: AlertTier;
  priority: 'high' | 'normal';
  /** What the client wrote: escape it wherever it is shown. */
  triggerText: string;
  matchedPhrase?: string;
  channel: string;
  /** The conversation waits at a direct safety question. */
  inSafetyMode: boolean;
  createdAt: string;
}

/** The first and the latest total of one instrument. */
export interface ScoreTrend {
  latest: number;
  latestAt: string;
  band?: BandId;
  first: number;
  firstAt: string;
  /** latest − first: negative is better. 0 when the latest is the first. */
  changeSinceFirst: number;
  /** The change reaches the instrument's reliable change (PHQ-9 6, GAD-7 4; CLINICAL.md §1). */
  reliableChange: 'improvement' | 'deterioration' | undefined;
}

export interface ClientFlags {
  /** An alert waits at a direct safety question. */
  safetyMode: boolean;
  /** PHQ-9 item 9 above 0 in the latest PHQ-9. */
  item9: boolean;
  /** PHQ-9 rose by 6 or more, or GAD-7 by 4 or more, since the first score (CLINICAL.md §2). */
  reliableDeterioration: boolean;
  /** Nothing written for INACTIVE_AFTER_DAYS days (since being created, for someone who never wrote). */
  inactive: boolean;
  /** A sleep-window proposal waits for the therapist. */
  sleepWindowAwaiting: boolean;
  /** The client asked for a change to the guidance contract: the therapist drafts a new version. */
  contractChangeRequested: boolean;
  /** The contract's "goes quiet" rule gave the therapist a task: no word from the client for too long. */
  goneQuiet: boolean;
  /** The therapist's newest message to the client failed to reach them (messages.ts, `delivery`). */
  messageFailed: boolean;
}

export interface CourseProgress {
  enrollmentId: string;
  flowId: string;
  status: EnrollmentStatus;
  /** The part the client is in (`started`) or last finished (`completed`); none before part 1. */
  part?: { number: number; state: 'started' | 'completed'; at: string };
}

export interface CaseloadEntry {
  clientId: string;
  /** The name or alias the clinic gave the client, if any. */
  name?: string;
  therapist?: { id: string; name?: string };
  createdAt: string;
  /** The newest course enrollment. */
  course?: CourseProgress;
  /** The client's last message (inbound transcript row), any channel. */
  lastActivityAt?: string;
  phq9?: ScoreTrend;
  gad7?: ScoreTrend;
  flags: ClientFlags;
  flagCount: number;
  openAlerts: number;
  /** Messages from the client the therapist has not read yet. */
  unreadMessages: number;
}

export interface DashboardView {
  /** Open alerts the actor may see, high priority first, then newest. */
  alerts: AlertSummary[];
  openAlertCount: number;
  caseload: CaseloadEntry[];
  sort: Required<DashboardSort>;
  generatedAt: string;
}

/**
 * The dashboard: the open alerts `actor` may see, then their caseload (a therapist: their own clients;
 * an admin: every client), sorted. A handful of set-based statements whatever the caseload's size
 * (src/storage/workspace-queries.ts). Records one `dashboard.view` audit row after the read, in a write
 * of its own so the read does not hold the write lock; nothing is returned unless that row is written.
 */
export async function dashboardView(
  deps: ServiceDeps,
  actor: StaffActor,
  options: { sort?: DashboardSort } = {},
): Promise<DashboardView> {
  const now = deps.clock();
  const { rows, alertRows, safety, sleep, contractChange, quiet, unread, lastSent } = await deps.db.read(
    async (q) => ({
      rows: await caseloadRows(q, {
        therapistId: actor.role === 'admin' ? undefined : actor.staffId,
        courseFlowIds: COURSE_FLOW_IDS,
      }),
      alertRows: await openAlertRows(q),
      safety: await clientsInSafetyMode(q),
      sleep: await clientsAwaitingSleepWindow(q),
      contractChange: await clientsAskingContractChange(q),
      quiet: await clientsWithQuietTask(q),
      unread: await unreadMessageCounts(q),
      lastSent: await newestTherapistMessages(q),
    }),
  );
  const messageFailed = new Set(
    lastSent
      .filter((m) => deliveryOf(m, m.channel ? deps.senders[m.channel]?.mode : undefined) === 'failed')
      .map((m) => m.clientId),
  );
  const alerts = alertRows
    .filter((row) =>
      mayReadAlertOf(actor, row.clientId === undefined ? undefined : { therapistId: row.therapistId }),
    )
    .map(alertSummary);
  const alertsPerClient = new Map<string, number>();
  for (const alert of alerts) {
    if (alert.clientId) alertsPerClient.set(alert.clientId, (alertsPerClient.get(alert.clientId) ?? 0) + 1);
  }
  const caseload = rows
    .filter((row) => mayReadClient(actor, row))
    .map((row) =>
      caseloadEntry(row, {
        now,
        safetyMode: safety.has(row.clientId),
        sleepWindowAwaiting: sleep.has(row.clientId),
        contractChangeRequested: contractChange.has(row.clientId),
        goneQuiet: quiet.has(row.clientId),
        messageFailed: messageFailed.has(row.clientId),
        unreadMessages: unread.get(row.clientId) ?? 0,
        openAlerts: alertsPerClient.get(row.clientId) ?? 0,
      }),
    );
  const sort = resolveSort(options.sort);
  caseload.sort(caseloadComparator(sort, actor.locale));
  await deps.db.write((tx) =>
    audit(tx, actor, now, { action: 'dashboard.view', detail: `${caseload.length} client(s)` }),
  );
  return { alerts, openAlertCount: alerts.length, caseload, sort, generatedAt: now.toISOString() };
}

function alertSummary(row: WorkspaceAlertRow): AlertSummary {
  return {
    id: row.id,
    clientId: row.clientId,
    clientName: row.clientName,
    unassigned: row.therapistId === undefined,
    kind: row.kind,
    tier: row.tier,
    priority: row.priority,
    triggerText: row.triggerText,
    matchedPhrase: row.matchedPhrase,
    channel: row.channel,
    inSafetyMode: row.safetyStep !== undefined,
    createdAt: row.createdAt,
  };
}

function reliableChangeOf(definition: InstrumentDefinition): number {
  if (definition.reliableChange === undefined) throw new Error(`${definition.id} has no reliable change`);
  return definition.reliableChange;
}
const RELIABLE_CHANGE = { phq9: reliableChangeOf(phq9), gad7: reliableChangeOf(gad7) } as const;
const PHQ9_RISK_ITEM = phq9.items.findIndex((item) => item.risk);

function bandOf(instrument: 'phq9' | 'gad7', total: number): BandId | undefined {
  return instruments[instrument].bands.find((band) => total >= band.min && total <= band.max)?.id;
}

function scoreTrend(
  instrument: 'phq9' | 'gad7',
  first: { total: number; completedAt: string } | undefined,
  latest: { total: number; completedAt: string } | undefined,
): ScoreTrend | undefined {
  if (!latest) return undefined;
  const base = first ?? latest;
  const change = latest.total - base.total;
  const threshold = RELIABLE_CHANGE[instrument];
  return {
    latest: latest.total,
    latestAt: latest.completedAt,
    band: bandOf(instrument, latest.total),
    first: base.total,
    firstAt: base.completedAt,
    changeSinceFirst: change,
    reliableChange: change >= threshold ? 'deterioration' : -change >= threshold ? 'improvement' : undefined,
  };
}

function courseProgress(row: CaseloadRow): CourseProgress | undefined {
  if (!row.course) return undefined;
  const { partEvent } = row;
  return {
    enrollmentId: row.course.enrollmentId,
    flowId: row.course.flowId,
    status: row.course.status,
    part: partEvent && {
      number: partEvent.part,
      state: partEvent.type === 'part.started' ? 'started' : 'completed',
      at: partEvent.at,
    },
  };
}

function caseloadEntry(
  row: CaseloadRow,
  facts: {
    now: Date;
    safetyMode: boolean;
    sleepWindowAwaiting: boolean;
    contractChangeRequested: boolean;
    goneQuiet: boolean;
    messageFailed: boolean;
    unreadMessages: number;
    openAlerts: number;
  },
): CaseloadEntry {
  const phq9Trend = scoreTrend('phq9', row.phq9First, row.phq9Last);
  const gad7Trend = scoreTrend('gad7', row.gad7First, row.gad7Last);
  const quietSince = Date.parse(row.lastInboundAt ?? row.createdAt);
  const flags: ClientFlags = {
    safetyMode: facts.safetyMode,
    item9: (row.phq9Last?.items[PHQ9_RISK_ITEM] ?? 0) > 0,
    reliableDeterioration:
      phq9Trend?.reliableChange === 'deterioration' || gad7Trend?.reliableChange === 'deterioration',
    inactive: facts.now.getTime() - quietSince >= INACTIVE_AFTER_DAYS * DAY_MS,
    sleepWindowAwaiting: facts.sleepWindowAwaiting,
    contractChangeRequested: facts.contractChangeRequested,
    goneQuiet: facts.goneQuiet,
    messageFailed: facts.messageFailed,
  };
  return {
    clientId: row.clientId,
    name: row.displayName,
    therapist: row.therapistId === undefined ? undefined : { id: row.therapistId, name: row.therapistName },
    createdAt: row.createdAt,
    course: courseProgress(row),
    lastActivityAt: row.lastInboundAt,
    phq9: phq9Trend,
    gad7: gad7Trend,
    flags,
    flagCount: Object.values(flags).filter(Boolean).length,
    openAlerts: facts.openAlerts,
    unreadMessages: facts.unreadMessages,
  };
}

/** Sorting by flags weighs them: safety mode outranks everything below it, and so on down. */
const FLAG_WEIGHT: Readonly<Record<keyof ClientFlags, number>> = {
  safetyMode: 16,
  item9: 8,
  reliableDeterioration: 4,
  sleepWindowAwaiting: 2,
  contractChangeRequested: 2,
  goneQuiet: 2,
  messageFailed: 2,
  inactive: 1,
};

export const flagWeight = (flags: ClientFlags): number =>
  (Object.keys(FLAG_WEIGHT) as (keyof ClientFlags)[]).reduce(
    (sum, flag) => sum + (flags[flag] ? FLAG_WEIGHT[flag] : 0),
    0,
  );

function resolveSort(sort: DashboardSort | undefined): Required<DashboardSort> {
  const key = sort?.key ?? 'flags';
  return { key, direction: sort?.direction ?? (key === 'name' ? 'asc' : 'desc') };
}

/** Missing values (no name, no score, never active) always sort last; ties go by name, then id. */
function caseloadComparator(sort: Required<DashboardSort>, locale: StaffActor['locale']) {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  const byName = (a: CaseloadEntry, b: CaseloadEntry) =>
    compareMissingLast(a.name, b.name, collator.compare, 'asc') || a.clientId.localeCompare(b.clientId);
  const numeric = (x: number, y: number) => x - y;
  const primary = (a: CaseloadEntry, b: CaseloadEntry): number => {
    switch (sort.key) {
      case 'name':
        return compareMissingLast(a.name, b.name, collator.compare, sort.direction);
      case 'lastActivity':
        return compareMissingLast(
          instant(a.lastActivityAt),
          instant(b.lastActivityAt),
          numeric,
          sort.direction,
        );
      case 'phq9':
        return compareMissingLast(a.phq9?.latest, b.phq9?.latest, numeric, sort.direction);
      case 'gad7':
        return compareMissingLast(a.gad7?.latest, b.gad7?.latest, numeric, sort.direction);
      case 'flags':
        return compareMissingLast(flagWeight(a.flags), flagWeight(b.flags), numeric, sort.direction);
    }
  };
  return (a: CaseloadEntry, b: CaseloadEntry) => primary(a, b) || byName(a, b);
}

const instant = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

function compareMissingLast<T>(
  a: T | undefined,
  b: T | undefined,
  compare: (x: T, y: T) => number,
  direction: SortDirection,
): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : 1) : -1;
  return direction === 'asc' ? compare(a, b) : compare(b, a);
}

// ---------------------------------------------------------------------------------------------------
// One client

export interface ClientSummary {
  id: string;
  name?: string;
  locale: 'nb' | 'en';
  timeZone: string;
  therapist?: { id: string; name?: string };
  createdAt: string;
}

export interface PartProgress {
  part: number;
  startedAt?: string;
  completedAt?: string;
}

export type EnrollmentWait = 'code' | 'contract' | 'start';

export interface EnrollmentView {
  id: string;
  flowId: string;
  flowVersion: number;
  /** A course (flows/courses) has parts; anything else (intro, check-ins, questionnaires) has none. */
  kind: 'course' | 'other';
  status: EnrollmentStatus;
  /**
   * What a pending enrollment waits for: the client to link with their code, the guidance contract
   * (signed by both, or waived; course-gate.ts), or only its first turn.
   */
  waitsFor?: EnrollmentWait;
  createdAt: string;
  /** When it finished (its last write), for a finished one. */
  finishedAt?: string;
  /** Courses: parts 1..6 with the time each started and finished, where it did. */
  parts: PartProgress[];
}

export interface ScoreItemView {
  /** 1-based, as on the form. */
  number: number;
  id: string;
  answer: number;
  /** PHQ-9 item 9 (thoughts of death or self-harm): any answer above 0 is a safety signal. */
  risk: boolean;
}

export interface ScoreView {
  id: string;
  enrollmentId?: string;
  instrument: string;
  instrumentVersion: string;
  total: number;
  maxTotal?: number;
  band?: string;
  caseness?: boolean;
  screenPositive?: boolean;
  items: ScoreItemView[];
  /** The PHQ-9 difficulty answer, never part of the total. */
  difficulty?: number;
  /** A risk item was answered above 0. */
  riskItemPositive: boolean;
  channel: string;
  startedAt: string;
  completedAt: string;
}

/** A measurement occasion: a PHQ-9 and a GAD-7 taken together (either may be missing). */
export interface MeasurementPointView {
  at: string;
  phq9?: number;
  gad7?: number;
}

export interface CourseOutcomeView {
  enrollmentId: string;
  flowId: string;
  points: MeasurementPointView[];
  /**
   * NHS Talking Therapies outcome (src/domain/outcomes.ts): `finished` once two points with both
   * measures exist, and then recovery, reliable improvement and reliable deterioration.
   */
  outcome: CourseOutcome | undefined;
}

export interface ActivityDiaryEntryView {
  id: string;
  at: string;
  enrollmentId?: string;
  period: 'morning' | 'afternoon' | 'evening';
  activity: string;
  /** 0 the worst imaginable, 10 very good. */
  mood: number;
  company: 'alone' | 'with_others';
}

export interface WorryDiaryEntryView {
  id: string;
  at: string;
  enrollmentId?: string;
  time: string;
  worry: string;
  distress: number;
  minutes: number;
  aboutNow: boolean;
  canAct: boolean | null;
  kind: 'practical' | 'hypothetical';
}

export interface SleepNightView {
  id: string;
  at: string;
  enrollmentId?: string;
  week: number;
  night: number;
  date: string;
  intoBed: string;
  lightsOut: string;
  finalWake: string;
  outOfBed: string;
  latencyMinutes: number;
  awakenings: number;
  minutesAwake: number;
  quality: number;
  tibMinutes: number;
  tstMinutes: number;
  sePercent: number;
}

export interface SleepWeekView {
  enrollmentId?: string;
  week: number;
  nights: number;
  /** Mean of the nightly efficiencies, rounded down to one decimal (meanSleepEfficiency). */
  meanSePercent: number;
  meanTstMinutes: number;
}

export interface SleepDiaryView {
  nights: SleepNightView[];
  weeks: SleepWeekView[];
  /** From the first diary week to the latest; undefined with fewer than two weeks. */
  trend?: {
    fromSePercent: number;
    toSePercent: number;
    changePercentPoints: number;
    direction: 'up' | 'down' | 'flat';
  };
}

export interface OtherHomeworkView {
  type: string;
  entries: { id: string; at: string; enrollmentId?: string; step: string; entry: Record<string, unknown> }[];
}

export interface HomeworkView {
  activityDiary: ActivityDiaryEntryView[];
  worryDiary: WorryDiaryEntryView[];
  sleepDiary: SleepDiaryView;
  /** Every other homework type (plans, records, reviews), by type, oldest entry first. */
  other: OtherHomeworkView[];
}

export interface SleepWindowView {
  id: string;
  enrollmentId?: string;
  bedTime: string;
  riseTime: string;
  minutes: number;
  status: SleepWindowStatus;
  /** From the proposal, where the course recorded them. */
  week?: number;
  reason?: string;
  nights?: number;
  meanSePercent?: number;
  previousMinutes?: number;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
}

export interface IntakeAnswerView {
  /** The recorded answer's type, e.g. `intro.area_chosen`. */
  type: string;
  step?: string;
  value: unknown;
  at: string;
  enrollmentId?: string;
}

export interface IntakeView {
  answers: IntakeAnswerView[];
  /** The latest suitability assessment of the intro. */
  suitability?: { area: string | null; suitable: boolean; reasons: string[]; at: string };
}

export interface TranscriptEntryView {
  seq: number;
  channel: string;
  direction: 'in' | 'out';
  /** What was written or sent: escape it wherever it is shown. */
  text: string;
  enrollmentId?: string;
  createdAt: string;
}

export interface TranscriptPage {
  /** Newest first. */
  entries: TranscriptEntryView[];
  /** Pass as `before` (or `transcriptBefore`) for the next, older page; undefined on the oldest page. */
  olderBefore?: number;
}

export interface ClientAlertView {
  id: string;
  enrollmentId?: string;
  kind: AlertKind;
  tier?: AlertTier;
  priority: 'high' | 'normal';
  triggerText: string;
  matchedPhrase?: string;
  channel: string;
  inSafetyMode: boolean;
  safetyAnswers: SafetyAnswerEntry[];
  createdAt: string;
  status: 'open' | 'acknowledged';
  acknowledged?: {
    at: string;
    /** The staff member's name where known, else who the acknowledgement was recorded as (CLI). */
    by?: string;
    staffId?: string;
    note?: string;
  };
}

export interface ClientView {
  client: ClientSummary;
  enrollments: EnrollmentView[];
  /** Every questionnaire, oldest first, with its item answers. */
  scores: ScoreView[];
  outcomes: CourseOutcomeView[];
  homework: HomeworkView;
  /** Newest first. */
  sleepWindows: SleepWindowView[];
  intake: IntakeView;
  transcript: TranscriptPage;
  /** Open and acknowledged, newest first. */
  alerts: ClientAlertView[];
  /** Follow-up contacts, planned and past, with their notes (contacts.ts). */
  contacts: ContactView[];
  /** The guidance contract in force or waiting, with its history (contracts.ts); none before a draft. */
  contract?: ContractView;
  /**
   * Messages between therapist and client, newest first (messages.ts), as they were before this read:
   * the responsible therapist's read marks the client's messages read (readsForClinic).
   */
  messages: StaffMessageView[];
}

export interface TranscriptPageRequest {
  /** Rows older than this sequence number; the newest page without it. */
  before?: number;
  limit?: number;
}

/**
 * Everything the workspace shows about one client, or undefined when the client does not exist or
 * `actor` may not see them (answer 404 for both). Reads, marks the client's messages read when `actor`
 * is the therapist responsible for them (readsForClinic), and writes one `client.view` audit row, in
 * the same write transaction.
 */
export async function clientView(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  options: { transcriptBefore?: number; transcriptLimit?: number } = {},
): Promise<ClientView | undefined> {
  const now = deps.clock();
  const page = pageOf({ before: options.transcriptBefore, limit: options.transcriptLimit });
  return deps.db.write(async (tx) => {
    const client = await workspaceClient(tx, clientId);
    if (!client || !mayReadClient(actor, client)) return undefined;
    const enrollments = await enrollmentRows(tx, clientId);
    const events = await progressEventRows(tx, clientId);
    const responses = await clientResponses(tx, clientId);
    const homework = await clientHomework(tx, clientId);
    const windows = await clientSleepWindows(tx, clientId);
    const alerts = await clientAlertRows(tx, clientId);
    const transcript = await transcriptPageRows(tx, clientId, page);
    const contacts = await readContacts(tx, clientId, client.timeZone, now);
    const contract = await contractViewOf(tx, client);
    const { messages } = await readAndMarkMessages(deps, tx, actor, client, now);
    const linked = (await linkedAddresses(tx, clientId)).length > 0;
    const views: EnrollmentView[] = [];
    for (const enrollment of enrollments) {
      const waitsFor = await enrollmentWait(tx, client, enrollment, linked);
      views.push({ ...enrollmentView(enrollment, events), ...(waitsFor ? { waitsFor } : {}) });
    }
    await audit(tx, actor, now, { action: 'client.view', clientId });
    return {
      client: {
        id: client.id,
        name: client.displayName,
        locale: client.locale,
        timeZone: client.timeZone,
        therapist:
          client.therapistId === undefined
            ? undefined
            : { id: client.therapistId, name: client.therapistName },
        createdAt: client.createdAt,
      },
      enrollments: views,
      scores: responses.map(scoreView),
      outcomes: courseOutcomes(enrollments, responses),
      homework: homeworkView(homework),
      sleepWindows: windows.map(sleepWindowView).reverse(),
      intake: intakeView(events),
      transcript: transcriptPage(transcript),
      alerts: alerts.map(clientAlertView),
      contacts,
      contract,
      messages,
    };
  });
}

/**
 * One page of a client's transcript, newest first, or undefined as for `clientView`. Writes one
 * `client.transcript` audit row in the same write transaction.
 */
export async function clientTranscript(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  request: TranscriptPageRequest = {},
): Promise<TranscriptPage | undefined> {
  const now = deps.clock();
  const page = pageOf(request);
  return deps.db.write(async (tx) => {
    const client = await workspaceClient(tx, clientId);
    if (!client || !mayReadClient(actor, client)) return undefined;
    const rows = await transcriptPageRows(tx, clientId, page);
    await audit(tx, actor, now, {
      action: 'client.transcript',
      clientId,
      detail: page.before === undefined ? undefined : `before ${page.before}`,
    });
    return transcriptPage(rows);
  });
}

function pageOf(request: TranscriptPageRequest): { before: number | undefined; limit: number } {
  const { before, limit = DEFAULT_TRANSCRIPT_PAGE } = request;
  return {
    // Sequence numbers are positive integers: anything else means the newest page.
    before: before !== undefined && Number.isSafeInteger(before) && before > 0 ? before : undefined,
    limit: Number.isInteger(limit)
      ? Math.max(1, Math.min(MAX_TRANSCRIPT_PAGE, limit))
      : DEFAULT_TRANSCRIPT_PAGE,
  };
}

function transcriptPage(page: { rows: TranscriptRow[]; more: boolean }): TranscriptPage {
  return {
    entries: page.rows.map((row) => ({ ...row })),
    olderBefore: page.more ? page.rows.at(-1)?.seq : undefined,
  };
}

const isCourse = (flowId: string) => COURSE_FLOW_IDS.includes(flowId);

/**
 * What a pending enrollment waits for. Linked, a course with a responsible therapist waits for its
 * contract exactly when course-gate.ts holds it: none signed and no waiver.
 */
async function enrollmentWait(
  q: Parameters<typeof linkedAddresses>[0],
  client: { id: string; therapistId?: string },
  enrollment: EnrollmentRow,
  linked: boolean,
): Promise<EnrollmentWait | undefined> {
  if (enrollment.status !== 'pending') return undefined;
  if (!linked) return 'code';
  if (client.therapistId === undefined || !isContractCourse(enrollment.flowId)) return 'start';
  const gate = await courseGateState(q, client.id, enrollment.id);
  return gate.signed || gate.waivedReason !== undefined ? 'start' : 'contract';
}

function enrollmentView(enrollment: EnrollmentRow, events: readonly EventRow[]): EnrollmentView {
  const course = isCourse(enrollment.flowId);
  const parts = new Map<number, PartProgress>();
  if (course) for (let part = 1; part <= COURSE_PARTS; part++) parts.set(part, { part });
  for (const event of events) {
    if (event.enrollmentId !== enrollment.id) continue;
    const type = event.type === 'part.started' || event.type === 'part.completed' ? event.type : undefined;
    const data = type && eventData(type, event.data);
    if (!type || !data) continue;
    const progress = parts.get(data.part) ?? { part: data.part };
    // A part opened again (a replayed gate) keeps its first start and its last finish.
    if (type === 'part.started') progress.startedAt ??= event.createdAt;
    else progress.completedAt = event.createdAt;
    parts.set(data.part, progress);
  }
  return {
    id: enrollment.id,
    flowId: enrollment.flowId,
    flowVersion: enrollment.flowVersion,
    kind: course ? 'course' : 'other',
    status: enrollment.status,
    createdAt: enrollment.createdAt,
    finishedAt: enrollment.status === 'done' ? enrollment.updatedAt : undefined,
    parts: [...parts.values()].sort((a, b) => a.part - b.part),
  };
}

function scoreView(response: QuestionnaireResponse): ScoreView {
  const definition = isInstrumentId(response.instrument) ? instruments[response.instrument] : undefined;
  const items = response.items.map((answer, index) => {
    const item = definition?.items[index];
    return { number: index + 1, id: item?.id ?? `item${index + 1}`, answer, risk: item?.risk ?? false };
  });
  return {
    id: response.id,
    enrollmentId: response.enrollmentId,
    instrument: response.instrument,
    instrumentVersion: response.instrumentVersion,
    total: response.total,
    maxTotal: definition?.maxTotal,
    band: response.band,
    caseness: response.caseness,
    screenPositive: response.screenPositive,
    items,
    difficulty: response.difficulty,
    riskItemPositive: items.some((item) => item.risk && item.answer > 0),
    channel: response.channel,
    startedAt: response.startedAt,
    completedAt: response.completedAt,
  };
}

/**
 * Pairs a client's PHQ-9 and GAD-7 scores into measurement points: a score joins the open point of its
 * own enrollment when that point lacks its instrument and is less than a day old, else it opens a new
 * point. A course's measure point asks PHQ-9 then GAD-7, and so does an SMS check-in, each in one
 * enrollment; a form that lapsed leaves a point with one measure, which outcomes leave out.
 */
export function measurementPoints(
  scores: readonly Pick<QuestionnaireResponse, 'instrument' | 'total' | 'completedAt' | 'enrollmentId'>[],
): MeasurementPointView[] {
  const points: MeasurementPointView[] = [];
  const open = new Map<string | undefined, MeasurementPointView>();
  for (const score of scores) {
    const instrument = score.instrument;
    if (instrument !== 'phq9' && instrument !== 'gad7') continue;
    const point = open.get(score.enrollmentId);
    if (
      point &&
      point[instrument] === undefined &&
      Date.parse(score.completedAt) - Date.parse(point.at) < POINT_PAIRING_MS
    ) {
      point[instrument] = score.total;
      open.delete(score.enrollmentId);
      continue;
    }
    const fresh: MeasurementPointView = { at: score.completedAt, [instrument]: score.total };
    points.push(fresh);
    open.set(score.enrollmentId, fresh);
  }
  return points;
}

/**
 * The outcome of each course enrollment (CLINICAL.md §2, first and last point of the course): its own
 * measure points, and the check-ins of other, non-course enrollments taken while it ran (from its start
 * until it finished, or until now).
 */
function courseOutcomes(
  enrollments: readonly EnrollmentRow[],
  responses: readonly QuestionnaireResponse[],
): CourseOutcomeView[] {
  const courseIds = new Set(enrollments.filter((e) => isCourse(e.flowId)).map((e) => e.id));
  return enrollments
    .filter((enrollment) => courseIds.has(enrollment.id))
    .map((enrollment) => {
      const from = enrollment.createdAt;
      const until = enrollment.status === 'done' ? enrollment.updatedAt : undefined;
      const scores = responses.filter(
        (r) =>
          r.enrollmentId === enrollment.id ||
          (!(r.enrollmentId !== undefined && courseIds.has(r.enrollmentId)) &&
            r.completedAt >= from &&
            (until === undefined || r.completedAt <= until)),
      );
      const points = measurementPoints(scores);
      const outcome = courseOutcome(points);
      return {
        enrollmentId: enrollment.id,
        flowId: enrollment.flowId,
        points,
        outcome: outcome.ok ? outcome.value : undefined,
      };
    });
}

const entryBase = (entry: HomeworkEntry) => ({
  id: entry.id,
  at: entry.createdAt,
  enrollmentId: entry.enrollmentId,
});

/** An entry as its type's schema reads it, or undefined when it no longer fits (an older version). */
function parsedEntry<T>(entry: HomeworkEntry): T | undefined {
  const parsed = homeworkTypes.get(entry.type)?.schema.safeParse(entry.entry);
  return parsed?.success ? (parsed.data as T) : undefined;
}

const ACTIVITY_DIARY = 'depression.activity_diary';
const WORRY_DIARY = 'anxiety.worry_diary';
const SLEEP_DIARY = 'sleep.diary';

function homeworkView(entries: readonly HomeworkEntry[]): HomeworkView {
  const activityDiary: ActivityDiaryEntryView[] = [];
  const worryDiary: WorryDiaryEntryView[] = [];
  const nights: SleepNightView[] = [];
  const other = new Map<string, OtherHomeworkView>();
  const keep = (entry: HomeworkEntry) => {
    const group = other.get(entry.type) ?? { type: entry.type, entries: [] };
    group.entries.push({ ...entryBase(entry), step: entry.step, entry: entry.entry });
    other.set(entry.type, group);
  };
  for (const entry of entries) {
    if (entry.type === ACTIVITY_DIARY) {
      const e = parsedEntry<Omit<ActivityDiaryEntryView, 'id' | 'at' | 'enrollmentId'>>(entry);
      if (e) activityDiary.push({ ...entryBase(entry), ...e });
      else keep(entry);
    } else if (entry.type === WORRY_DIARY) {
      const e = parsedEntry<{
        time: string;
        worry: string;
        distress: number;
        minutes: number;
        about_now: boolean;
        can_act: boolean | null;
        kind: 'practical' | 'hypothetical';
      }>(entry);
      if (e)
        worryDiary.push({
          ...entryBase(entry),
          time: e.time,
          worry: e.worry,
          distress: e.distress,
          minutes: e.minutes,
          aboutNow: e.about_now,
          canAct: e.can_act,
          kind: e.kind,
        });
      else keep(entry);
    } else if (entry.type === SLEEP_DIARY) {
      const night = sleepNight(entry);
      if (night) nights.push(night);
      else keep(entry);
    } else keep(entry);
  }
  return { activityDiary, worryDiary, sleepDiary: sleepDiaryView(nights), other: [...other.values()] };
}

/** A diary night with its metrics computed again by the domain's sleep maths (CLINICAL.md §4). */
function sleepNight(entry: HomeworkEntry): SleepNightView | undefined {
  const { week, night, tibMinutes: _tib, tstMinutes: _tst, sePercent: _se, ...answers } = entry.entry;
  const parsed = parseSleepDiaryEntry(answers);
  if (!parsed.ok || typeof week !== 'number' || typeof night !== 'number') return undefined;
  const diary = parsed.value;
  const metrics = sleepMetrics(diary);
  return {
    ...entryBase(entry),
    week,
    night,
    date: diary.date,
    intoBed: diary.intoBed,
    lightsOut: diary.lightsOut,
    finalWake: diary.finalWake,
    outOfBed: diary.outOfBed,
    latencyMinutes: diary.latencyMinutes,
    awakenings: diary.awakenings,
    minutesAwake: diary.minutesAwake,
    quality: diary.quality,
    tibMinutes: metrics.tibMinutes,
    tstMinutes: metrics.tstMinutes,
    sePercent: metrics.sePercent,
  };
}

function sleepDiaryView(nights: SleepNightView[]): SleepDiaryView {
  const weeks = new Map<string, SleepNightView[]>();
  for (const night of nights) {
    const key = `${night.enrollmentId ?? ''}\u0000${night.week}`;
    weeks.set(key, [...(weeks.get(key) ?? []), night]);
  }
  const weekViews = [...weeks.values()].map((group): SleepWeekView => {
    const first = group[0]!;
    const meanTst = group.reduce((sum, night) => sum + night.tstMinutes, 0) / group.length;
    return {
      enrollmentId: first.enrollmentId,
      week: first.week,
      nights: group.length,
      meanSePercent: meanSleepEfficiency(group),
      meanTstMinutes: Math.round(meanTst * 10) / 10,
    };
  });
  const from = weekViews[0];
  const to = weekViews.at(-1);
  const change = from && to ? Math.round((to.meanSePercent - from.meanSePercent) * 10) / 10 : 0;
  return {
    nights,
    weeks: weekViews,
    trend:
      from && to && weekViews.length >= 2
        ? {
            fromSePercent: from.meanSePercent,
            toSePercent: to.meanSePercent,
            changePercentPoints: change,
            direction: change > 0 ? 'up' : change < 0 ? 'down' : 'flat',
          }
        : undefined,
  };
}

const numberIn = (record: Record<string, unknown>, key: string) =>
  typeof record[key] === 'number' ? record[key] : undefined;

function sleepWindowView(window: SleepWindowRecord): SleepWindowView {
  const reason = window.proposal.reason;
  return {
    id: window.id,
    enrollmentId: window.enrollmentId,
    bedTime: window.bedTime,
    riseTime: window.riseTime,
    minutes: window.minutes,
    status: window.status,
    week: numberIn(window.proposal, 'week'),
    reason: typeof reason === 'string' ? reason : undefined,
    nights: numberIn(window.proposal, 'nights'),
    meanSePercent: numberIn(window.proposal, 'meanSePercent'),
    previousMinutes: numberIn(window.proposal, 'previousMinutes'),
    createdAt: window.createdAt,
    decidedAt: window.decidedAt,
    decidedBy: window.decidedBy,
  };
}

function intakeView(events: readonly EventRow[]): IntakeView {
  const answers: IntakeAnswerView[] = [];
  let suitability: IntakeView['suitability'];
  for (const event of events) {
    if (!event.type.startsWith('intro.')) continue;
    if (event.type === 'intro.suitability_assessed') {
      const data = eventData('intro.suitability_assessed', event.data);
      if (data) suitability = { ...data, at: event.createdAt };
      continue;
    }
    const data = (event.data ?? {}) as { step?: unknown; value?: unknown };
    answers.push({
      type: event.type,
      step: typeof data.step === 'string' ? data.step : undefined,
      value: data.value,
      at: event.createdAt,
      enrollmentId: event.enrollmentId,
    });
  }
  return { answers, suitability };
}

function clientAlertView(row: WorkspaceAlertRow): ClientAlertView {
  return {
    id: row.id,
    enrollmentId: row.enrollmentId,
    kind: row.kind,
    tier: row.tier,
    priority: row.priority,
    triggerText: row.triggerText,
    matchedPhrase: row.matchedPhrase,
    channel: row.channel,
    inSafetyMode: row.safetyStep !== undefined,
    safetyAnswers: row.safetyAnswers,
    createdAt: row.createdAt,
    status: row.acknowledgedAt === undefined ? 'open' : 'acknowledged',
    acknowledged:
      row.acknowledgedAt === undefined
        ? undefined
        : {
            at: row.acknowledgedAt,
            by: row.acknowledgedByStaffName ?? row.acknowledgedBy,
            staffId: row.acknowledgedByStaffId,
            note: row.acknowledgedNote,
          },
  };
}
