import type { RiskTier } from './detect.ts';
import {
  DANGER_CHOICES,
  isSafeNowStatement,
  parseDangerAnswer,
  parseThoughtsAnswer,
  THOUGHTS_CHOICES,
} from './safe-answer.ts';

/**
 * The safety protocol of CLINICAL.md §3 as a pure state machine over one conversation's safety mode.
 * The service asks it what to do; it never sends or stores anything itself.
 *
 * A signal (free text, PHQ-9 item 9 above 0, a "yes" to the intro's acute question) opens safety mode:
 * - crisis: acknowledge, say the replies are automatic and when a person reads, give the numbers, ask
 *   "Tenker du på å ta livet ditt?" (Ja / Nei / Vet ikke);
 * - concern: acknowledge and ask the same question; Ja, Vet ikke, an unclear answer or more crisis talk
 *   escalates to the full protocol (numbers, a high-priority alert).
 * After Ja or Vet ikke comes "Er du i fare akkurat nå?" (Ja / Nei). Only a clear "no thoughts" or "not in
 * danger" ends safety mode, or a statement such as "jeg er trygg nå" at any point, or a therapist's
 * acknowledgement. Anything else is treated as not safe: urge 113, repeat the numbers, ask again; the
 * message never reaches the course.
 *
 * A button of the direct questions pressed when neither waits (a stale card) opens safety mode as if the
 * client had just given that answer to that question (`openOnStaleAnswer`).
 */

export type SafetyStep = 'ask_thoughts' | 'ask_danger';

/** What safety mode knows between two messages. */
export interface SafetyMode {
  readonly step: SafetyStep;
  readonly tier: RiskTier;
}

/** How each message in safety mode was read, as recorded on the alert for the therapist. */
export type SafetyAnswer =
  | 'no_thoughts'
  | 'has_thoughts'
  | 'unsure'
  | 'in_danger'
  | 'not_in_danger'
  | 'safe_now'
  | 'crisis_talk'
  | 'unclear';

export type SafetyDecision = SafetyEnd | SafetyAsk;

export interface SafetyEnd {
  /** Safety mode ends: the conversation goes back to where it was. */
  readonly kind: 'end';
  readonly answer: SafetyAnswer;
}

export interface SafetyAsk {
  readonly kind: 'ask';
  readonly answer: SafetyAnswer;
  readonly next: SafetyMode;
  /** A concern became a crisis: give the numbers and raise the alert to high priority. */
  readonly escalate: boolean;
  /** Not safe or unclear: urge 113 now and repeat the numbers before asking. */
  readonly urge: 'in_danger' | 'unclear' | undefined;
}

/** A stale button's answer: the question it answers, and what the protocol does with that answer. */
export interface StaleAnswer {
  readonly asked: SafetyMode;
  readonly decision: SafetyAsk;
}

/** Safety mode as a signal of `tier` opens it: the first direct question. */
export function openSafetyMode(tier: RiskTier): SafetyMode {
  return { step: 'ask_thoughts', tier };
}

/**
 * A button of the direct questions pressed when neither question waits: a card of an earlier crisis (a
 * Teams card stays clickable, a web chat page left open). An answer that would keep safety mode open ("Ja"
 * or "Vet ikke" to the thoughts question, "Ja" to the danger question) is a signal by itself (CLINICAL.md
 * §3: a "yes" to any question about thoughts of taking one's life), and the protocol opens at the crisis
 * tier as if the client had just given that answer to that question: the thoughts question is not asked
 * again, and "Ja" to danger is urged to call 113 at once. A "Nei" to either question opens nothing.
 */
export function openOnStaleAnswer(value: string | undefined): StaleAnswer | undefined {
  const among = (choices: readonly string[]) => value !== undefined && choices.includes(value);
  const step: SafetyStep | undefined = among(THOUGHTS_CHOICES)
    ? 'ask_thoughts'
    : among(DANGER_CHOICES)
      ? 'ask_danger'
      : undefined;
  if (step === undefined) return undefined;
  const asked: SafetyMode = { step, tier: 'crisis' };
  const decision = answerSafetyQuestion(asked, { value }, undefined);
  return decision.kind === 'ask' ? { asked, decision } : undefined;
}

/**
 * The next step after a message in safety mode. `signal` is the detector's tier for the same message:
 * more crisis talk is never read as an answer, whatever else it contains.
 */
export function answerSafetyQuestion(
  mode: SafetyMode,
  input: { text?: string; value?: string },
  signal: RiskTier | undefined,
): SafetyDecision {
  if (signal !== undefined) {
    // More crisis talk: not safe. From the first question go on to the second, since it answers the first.
    return ask(mode, 'crisis_talk', 'ask_danger', 'in_danger');
  }
  if (input.value === undefined && isSafeNowStatement(input.text)) return { kind: 'end', answer: 'safe_now' };

  if (mode.step === 'ask_thoughts') {
    const answer = parseThoughtsAnswer(input);
    if (answer === 'no') return { kind: 'end', answer: 'no_thoughts' };
    if (answer === 'yes' || answer === 'unsure') {
      return ask(mode, answer === 'yes' ? 'has_thoughts' : 'unsure', 'ask_danger', undefined);
    }
    return ask(mode, 'unclear', 'ask_thoughts', 'unclear');
  }

  const answer = parseDangerAnswer(input);
  if (answer === 'no') return { kind: 'end', answer: 'not_in_danger' };
  if (answer === 'yes') return ask(mode, 'in_danger', 'ask_danger', 'in_danger');
  return ask(mode, 'unclear', 'ask_danger', 'unclear');
}

function ask(
  mode: SafetyMode,
  answer: SafetyAnswer,
  step: SafetyStep,
  urge: 'in_danger' | 'unclear' | undefined,
): SafetyAsk {
  // Every answer that keeps safety mode open is a reason to escalate a concern (CLINICAL.md §3, step 4).
  const escalate = mode.tier === 'concern';
  return {
    kind: 'ask',
    answer,
    next: { step, tier: escalate ? 'crisis' : mode.tier },
    escalate,
    urge,
  };
}
