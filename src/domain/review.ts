import { gad7, phq9 } from './instruments.ts';

/*
 * The review before a follow-up contact (CLINICAL.md §5): what happened since the last contact, read
 * from the client's history, and a suggested agenda in the order the contact follows — what was learned,
 * what helped, what was hard, what comes next. Pure: the caller loads the history and passes `now`.
 *
 * Agenda items are text keys with variables, so the page, the printout and the JSON API each render them
 * in the reader's language; `terms` names variables that are themselves text keys (a course, a homework
 * type), translated before they are put in.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A part open longer than the pace plus this many days is stalled. */
export const STALLED_GRACE_DAYS = 3;
/** A kind of homework the client has kept, untouched for this many days, is something that was hard. */
export const HOMEWORK_GAP_DAYS = 3;
/** The pace when no contract gives one: one part a week (CLINICAL.md §5). */
export const DEFAULT_PACE_DAYS = 7;

const COURSE_PARTS = 6;
const REVIEWED_INSTRUMENTS = ['phq9', 'gad7'] as const;
type ReviewedInstrument = (typeof REVIEWED_INSTRUMENTS)[number];
const RELIABLE_CHANGE: Record<ReviewedInstrument, number> = {
  phq9: phq9.reliableChange ?? 6,
  gad7: gad7.reliableChange ?? 4,
};
const INSTRUMENT_NAME: Record<ReviewedInstrument, string> = { phq9: 'PHQ-9', gad7: 'GAD-7' };

// ---------------------------------------------------------------------------------------------------
// The history, as the service loads it

export interface ReviewHomeworkEntry {
  id: string;
  /** A homework type id, e.g. `anxiety.worry_diary`. */
  type: string;
  at: string;
}

export interface ReviewScore {
  instrument: string;
  total: number;
  at: string;
  /** A risk item (PHQ-9 item 9) was answered above 0. */
  riskItemPositive: boolean;
}

/** One part of a course enrollment, as the workspace reads it from `part.*` events. */
export interface ReviewPart {
  flowId: string;
  part: number;
  startedAt?: string;
  completedAt?: string;
}

export interface ReviewAlert {
  id: string;
  kind: string;
  tier?: string;
  priority: 'high' | 'normal';
  /** What the client wrote (escape it wherever it is shown). */
  text: string;
  matchedPhrase?: string;
  channel: string;
  at: string;
  status: 'open' | 'acknowledged';
}

export interface ReviewInput {
  now: Date;
  /** When the last contact took place; everything since the course began when there was none. */
  lastContactAt?: string;
  /** The client's goals from the signed contract, in their own words. */
  goals: readonly string[];
  /** Days between parts (the contract's pace). */
  paceDays: number;
  /** All of the client's history, oldest first: the review picks what is new since the last contact. */
  homework: readonly ReviewHomeworkEntry[];
  scores: readonly ReviewScore[];
  parts: readonly ReviewPart[];
  alerts: readonly ReviewAlert[];
}

// ---------------------------------------------------------------------------------------------------
// The review

export interface AgendaItem {
  /** A catalog text key (`workspace.review.agenda.*`). */
  key: string;
  vars?: Record<string, string | number>;
  /** Variables whose value is a text key, translated in the reader's language before substitution. */
  terms?: Record<string, string>;
}

export interface Agenda {
  learned: AgendaItem[];
  helped: AgendaItem[];
  hard: AgendaItem[];
  next: AgendaItem[];
}

export interface ScorePoint {
  total: number;
  at: string;
}

export interface ReviewScoreTrend {
  instrument: ReviewedInstrument;
  first: ScorePoint;
  /** The score before the latest; none with a single score. */
  previous?: ScorePoint;
  latest: ScorePoint;
  /** latest − first: negative is better. */
  changeSinceFirst: number;
  changeSincePrevious?: number;
  /** first → latest reaches the instrument's reliable change (PHQ-9 6, GAD-7 4; CLINICAL.md §1). */
  reliableChange?: 'improvement' | 'deterioration';
  /** previous → latest reaches it. */
  reliableChangeSincePrevious?: 'improvement' | 'deterioration';
  /** Scores taken since the last contact. */
  newSinceLastContact: number;
  /** The latest PHQ-9 had item 9 above 0. */
  latestRiskItemPositive: boolean;
}

export interface ReviewPartRef {
  flowId: string;
  part: number;
  startedAt?: string;
  completedAt?: string;
  /** Stalled parts: whole days since the part opened. */
  openDays?: number;
}

export interface Review {
  generatedAt: string;
  /** The period reviewed: from the last contact (none: from the beginning) until now. */
  since?: string;
  until: string;
  goals: string[];
  homework: {
    total: number;
    byType: { type: string; count: number; lastAt: string }[];
    entries: ReviewHomeworkEntry[];
  };
  scores: ReviewScoreTrend[];
  parts: {
    completed: ReviewPartRef[];
    stalled: ReviewPartRef[];
    /** The part the client is in now, if one is open. */
    current?: ReviewPartRef;
  };
  /** What the client wrote that the safety layer flagged (text alerts) since the last contact. */
  flaggedText: { alertId: string; tier?: string; text: string; matchedPhrase?: string; at: string }[];
  /** Alerts raised since the last contact, and every alert still open, newest first. */
  alerts: ReviewAlert[];
  agenda: Agenda;
}

const isAfter = (at: string, since: string | undefined) => since === undefined || at > since;
const wholeDays = (from: string, now: Date) => Math.floor((now.getTime() - Date.parse(from)) / DAY_MS);
const change = (from: number, to: number, threshold: number) =>
  to - from >= threshold ? 'deterioration' : from - to >= threshold ? 'improvement' : undefined;
const point = (score: ReviewScore): ScorePoint => ({ total: score.total, at: score.at });

/** The review before a contact, from the client's history; `input.now` is the only time it reads. */
export function buildReview(input: ReviewInput): Review {
  const since = input.lastContactAt;
  const homework = homeworkSince(input.homework, since);
  const scores = scoreTrends(input.scores, since);
  const parts = partsSince(input.parts, since, input.paceDays, input.now);
  const alerts = input.alerts
    .filter((alert) => alert.status === 'open' || isAfter(alert.at, since))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const flaggedText = alerts
    .filter((a) => (a.kind === 'crisis_text' || a.kind === 'concern_text') && isAfter(a.at, since))
    .map((a) => ({ alertId: a.id, tier: a.tier, text: a.text, matchedPhrase: a.matchedPhrase, at: a.at }));
  const review: Omit<Review, 'agenda'> = {
    generatedAt: input.now.toISOString(),
    since,
    until: input.now.toISOString(),
    goals: [...input.goals],
    homework,
    scores,
    parts,
    flaggedText,
    alerts,
  };
  return { ...review, agenda: agendaOf(review, input) };
}

function homeworkSince(
  entries: readonly ReviewHomeworkEntry[],
  since: string | undefined,
): Review['homework'] {
  const recent = entries.filter((entry) => isAfter(entry.at, since));
  const byType = new Map<string, { type: string; count: number; lastAt: string }>();
  for (const entry of recent) {
    const group = byType.get(entry.type) ?? { type: entry.type, count: 0, lastAt: entry.at };
    group.count++;
    if (entry.at > group.lastAt) group.lastAt = entry.at;
    byType.set(entry.type, group);
  }
  return {
    total: recent.length,
    byType: [...byType.values()].sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
    entries: recent.map((entry) => ({ id: entry.id, type: entry.type, at: entry.at })),
  };
}

function scoreTrends(scores: readonly ReviewScore[], since: string | undefined): ReviewScoreTrend[] {
  return REVIEWED_INSTRUMENTS.flatMap((instrument): ReviewScoreTrend[] => {
    const own = scores.filter((s) => s.instrument === instrument).sort((a, b) => a.at.localeCompare(b.at));
    const first = own[0];
    const latest = own.at(-1);
    if (!first || !latest) return [];
    const previous = own.length >= 2 ? own.at(-2) : undefined;
    const threshold = RELIABLE_CHANGE[instrument];
    return [
      {
        instrument,
        first: point(first),
        previous: previous && point(previous),
        latest: point(latest),
        changeSinceFirst: latest.total - first.total,
        changeSincePrevious: previous && latest.total - previous.total,
        reliableChange: change(first.total, latest.total, threshold),
        reliableChangeSincePrevious: previous && change(previous.total, latest.total, threshold),
        newSinceLastContact: own.filter((s) => isAfter(s.at, since)).length,
        latestRiskItemPositive: latest.riskItemPositive,
      },
    ];
  });
}

function partsSince(
  parts: readonly ReviewPart[],
  since: string | undefined,
  paceDays: number,
  now: Date,
): Review['parts'] {
  const completed = parts
    .filter((p) => p.completedAt !== undefined && isAfter(p.completedAt, since))
    .map(({ flowId, part, startedAt, completedAt }) => ({ flowId, part, startedAt, completedAt }));
  const open = parts
    .filter((p) => p.startedAt !== undefined && p.completedAt === undefined)
    .sort((a, b) => a.startedAt!.localeCompare(b.startedAt!));
  const stalled = open
    .map((p) => ({
      flowId: p.flowId,
      part: p.part,
      startedAt: p.startedAt,
      openDays: wholeDays(p.startedAt!, now),
    }))
    .filter((p) => p.openDays > paceDays + STALLED_GRACE_DAYS);
  const current = open.at(-1);
  return {
    completed,
    stalled,
    current: current && { flowId: current.flowId, part: current.part, startedAt: current.startedAt },
  };
}

const homeworkTerm = (type: string) => `workspace.homework_type.${type}`;
/** The course's name as a sentence can begin with it ("Søvnkurset: …"), not its label ("Kurs: søvn"). */
const courseTerm = (flowId: string) => `workspace.review.course.${flowId}`;
const agendaKey = (name: string) => `workspace.review.agenda.${name}`;

/** The suggested agenda: the four questions of CLINICAL.md §5, each filled from the data. */
function agendaOf(review: Omit<Review, 'agenda'>, input: ReviewInput): Agenda {
  const agenda: Agenda = { learned: [], helped: [], hard: [], next: [] };
  const { now } = input;

  // Learned: the parts finished and the homework practised since the last contact.
  for (const part of review.parts.completed) {
    agenda.learned.push({
      key: agendaKey('part_completed'),
      vars: { part: part.part },
      terms: { course: courseTerm(part.flowId) },
    });
  }
  for (const group of review.homework.byType) {
    agenda.learned.push({
      key: agendaKey('homework_done'),
      vars: { count: group.count },
      terms: { kind: homeworkTerm(group.type) },
    });
  }

  // Helped: the scores that fell, reliably first.
  for (const trend of review.scores) {
    const name = INSTRUMENT_NAME[trend.instrument];
    if (trend.reliableChange === 'improvement') {
      agenda.helped.push({
        key: agendaKey('score_fell_reliably'),
        vars: { instrument: name, from: trend.first.total, to: trend.latest.total },
      });
    } else if (trend.previous && trend.changeSincePrevious! < 0 && trend.newSinceLastContact > 0) {
      agenda.helped.push({
        key: agendaKey('score_fell'),
        vars: { instrument: name, from: trend.previous.total, to: trend.latest.total },
      });
    }
  }

  // Hard: safety first, then scores that rose, parts that stalled, homework left aside.
  for (const alert of review.alerts) {
    agenda.hard.push({
      key: agendaKey(alert.status === 'open' ? 'alert_open' : 'alert'),
      vars: { days: wholeDays(alert.at, now) },
      terms: { kind: `workspace.alert.kind.${alert.kind}` },
    });
  }
  for (const trend of review.scores) {
    if (trend.instrument === 'phq9' && trend.latestRiskItemPositive) {
      agenda.hard.push({ key: agendaKey('item9'), vars: { instrument: INSTRUMENT_NAME.phq9 } });
    }
    if (trend.reliableChange === 'deterioration') {
      agenda.hard.push({
        key: agendaKey('score_rose_reliably'),
        vars: {
          instrument: INSTRUMENT_NAME[trend.instrument],
          from: trend.first.total,
          to: trend.latest.total,
        },
      });
    }
  }
  for (const part of review.parts.stalled) {
    agenda.hard.push({
      key: agendaKey('part_stalled'),
      vars: { part: part.part, days: part.openDays! },
      terms: { course: courseTerm(part.flowId) },
    });
  }
  const latestOfType = new Map<string, string>();
  for (const entry of input.homework) {
    const latest = latestOfType.get(entry.type);
    if (latest === undefined || entry.at > latest) latestOfType.set(entry.type, entry.at);
  }
  for (const [type, at] of [...latestOfType].sort(([a], [b]) => a.localeCompare(b))) {
    const days = wholeDays(at, now);
    if (days >= HOMEWORK_GAP_DAYS) {
      agenda.hard.push({
        key: agendaKey('homework_gap'),
        vars: { days },
        terms: { kind: homeworkTerm(type) },
      });
    }
  }
  if (review.homework.total === 0 && review.since !== undefined) {
    agenda.hard.push({ key: agendaKey('no_homework'), vars: { days: wholeDays(review.since, now) } });
  }

  // Next: the course's next step, the client's own goals, a measurement if none was taken.
  const current = review.parts.current;
  const lastCompleted = [...input.parts]
    .filter((p) => p.completedAt !== undefined)
    .sort((a, b) => a.completedAt!.localeCompare(b.completedAt!))
    .at(-1);
  if (current) {
    agenda.next.push({
      key: agendaKey('part_continue'),
      vars: { part: current.part },
      terms: { course: courseTerm(current.flowId) },
    });
  } else if (lastCompleted && lastCompleted.part >= COURSE_PARTS) {
    agenda.next.push({ key: agendaKey('course_end'), terms: { course: courseTerm(lastCompleted.flowId) } });
  } else if (lastCompleted) {
    agenda.next.push({
      key: agendaKey('part_next'),
      vars: { part: lastCompleted.part + 1 },
      terms: { course: courseTerm(lastCompleted.flowId) },
    });
  }
  for (const goal of review.goals) agenda.next.push({ key: agendaKey('goal'), vars: { goal } });
  if (!review.scores.some((trend) => trend.newSinceLastContact > 0)) {
    // Without a last contact every score counts as new, so none at all were taken.
    agenda.next.push({ key: agendaKey(review.since === undefined ? 'measure_first' : 'measure') });
  }
  return agenda;
}
