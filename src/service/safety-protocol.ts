import { staffingAt } from '../domain/clinic-hours.ts';
import { wallClockOf } from '../domain/local-time.ts';
import type { RiskTier } from '../domain/safety/detect.ts';
import type { SafetyAsk, SafetyStep, StaleAnswer } from '../domain/safety/protocol.ts';
import { DANGER_CHOICES, THOUGHTS_CHOICES } from '../domain/safety/safe-answer.ts';
import type { DomainEvent, Locale, Reply } from '../engine/types.ts';
import type { AlertKind } from '../storage/alerts.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * The words of the safety protocol (CLINICAL.md §3): which texts open safety mode for each kind of
 * signal, and which follow each answer. The decisions are in src/domain/safety/protocol.ts; the texts
 * are in content/<locale>/safety.json.
 */

/** Where a signal came from: free text, PHQ-9 item 9 above 0, or a "yes" to the intro's acute question. */
export type SignalSource = 'text' | 'item9' | 'acute';

export interface Signal {
  source: SignalSource;
  tier: RiskTier;
  /** The rule or event that fired, for the therapist. */
  rule: string;
  /** A stale button of the protocol's questions: the protocol opens as if it had just been answered. */
  answered?: StaleAnswer;
}

export const alertKindOf = (signal: Signal): AlertKind =>
  signal.source === 'item9'
    ? 'phq9_item9'
    : signal.source === 'acute'
      ? 'intro_acute'
      : signal.tier === 'crisis'
        ? 'crisis_text'
        : 'concern_text';

/** A signal raised by the flow itself in this turn: PHQ-9 item 9 above 0, or "yes" to the acute question. */
export function flowSignal(events: readonly DomainEvent[]): Signal | undefined {
  for (const event of events) {
    if (event.type === 'safety.item9_positive') return { source: 'item9', tier: 'crisis', rule: event.type };
    if (event.type === 'intro.acute_reported' && event.data.value === 'yes') {
      return { source: 'acute', tier: 'crisis', rule: event.type };
    }
  }
  return undefined;
}

export function question(step: SafetyStep): Reply {
  return step === 'ask_thoughts'
    ? {
        key: 'safety.ask_thoughts',
        choices: THOUGHTS_CHOICES.map((value) => ({ value, key: `safety.${value}` })),
      }
    : {
        key: 'safety.ask_danger',
        choices: DANGER_CHOICES.map((value) => ({ value, key: `safety.${value}` })),
      };
}

export interface Audience {
  now: Date;
  locale: Locale;
  timeZone: string;
  /** Promise a therapist only when one is responsible for the client (CLINICAL.md §3, step 1). */
  hasTherapist: boolean;
}

/** "This is an automatic reply", when a person reads, and who will see the message. */
function automatic(deps: ServiceDeps, a: Audience): Reply {
  const t = (key: string, vars?: Record<string, string>) => deps.catalog.text(a.locale, key, vars);
  let when: string;
  const hours = deps.defaults.clinicHours;
  if (!hours || hours.length === 0) when = t('safety.read_unknown');
  else {
    const staffing = staffingAt(a.now, hours, a.timeZone);
    if (staffing.open) when = t('safety.read_open');
    else if (staffing.next) when = t('safety.read_next', { next: describeNext(deps, a, staffing.next) });
    else when = t('safety.read_unknown');
  }
  const who = t(a.hasTherapist ? 'safety.seen_by_therapist' : 'safety.seen_by_clinic');
  return { key: 'safety.automatic', vars: { when, who } };
}

/** "i morgen kl. 08:00", "mandag kl. 08:00", "today at 12:00" — in the client's time zone. */
function describeNext(deps: ServiceDeps, a: Audience, next: Date): string {
  const tag = a.locale === 'nb' ? 'nb-NO' : 'en-GB';
  const time = new Intl.DateTimeFormat(tag, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: a.timeZone,
  }).format(next);
  // Calendar days in the client's zone: today, the day after (date arithmetic on the date alone), or later.
  const dayOf = (date: Date) => {
    const { year, month, day } = wallClockOf(date, a.timeZone);
    return Date.UTC(year, month - 1, day);
  };
  const daysAhead = Math.round((dayOf(next) - dayOf(a.now)) / 86_400_000);
  const day =
    daysAhead === 0
      ? deps.catalog.text(a.locale, 'safety.day_today')
      : daysAhead === 1
        ? deps.catalog.text(a.locale, 'safety.day_tomorrow')
        : new Intl.DateTimeFormat(tag, { weekday: 'long', timeZone: a.timeZone }).format(next);
  return deps.catalog.text(a.locale, 'safety.next_time', { day, time });
}

const OPENING_ACK: Readonly<Record<SignalSource, Record<RiskTier, string>>> = {
  text: { crisis: 'safety.crisis_ack', concern: 'safety.concern_ack' },
  item9: { crisis: 'safety.item9_ack', concern: 'safety.item9_ack' },
  acute: { crisis: 'safety.acute_ack', concern: 'safety.acute_ack' },
};

/**
 * What opens safety mode. Crisis: acknowledge (automatic, when read, who sees), the numbers, the first
 * direct question. Concern: acknowledge and ask; the numbers follow if the answer escalates it. A stale
 * button's answer: the crisis opening, then what follows that answer ("Er du i fare akkurat nå?" after a
 * "Ja" or "Vet ikke" to the thoughts question; "Ring 113 nå" and the question again after a "Ja" to it).
 */
export function openingReplies(deps: ServiceDeps, signal: Signal, a: Audience): Reply[] {
  return [
    { key: OPENING_ACK[signal.source][signal.tier] },
    automatic(deps, a),
    ...(signal.tier === 'crisis' ? [{ key: 'safety.crisis_info' }] : []),
    ...(signal.answered ? askReplies(signal.answered.decision) : [question('ask_thoughts')]),
  ];
}

/** What follows a message in safety mode that did not end it. */
export function askReplies(decision: SafetyAsk): Reply[] {
  const urge =
    decision.urge === 'in_danger'
      ? [{ key: 'safety.in_danger' }]
      : decision.urge === 'unclear'
        ? [{ key: 'safety.unclear' }]
        : decision.escalate
          ? [{ key: 'safety.escalated' }]
          : [];
  return [...urge, question(decision.next.step)];
}

/**
 * Safety mode ends: thanks, the numbers in short, and the conversation goes back to where it was. "We can
 * carry on where we left off" only introduces a question that waits for an answer; held statements (the
 * intro's advice after the acute question) simply follow.
 */
export function endReplies(resume: readonly Reply[], waitsForAnswer: boolean): Reply[] {
  return [{ key: waitsForAnswer ? 'safety.ended_continue' : 'safety.ended' }, ...resume];
}
