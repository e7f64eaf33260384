import { safetyRules } from '../content/safety-phrases.ts';
import { detectRisk, type RiskDetection } from '../domain/safety/detect.ts';
import { openOnStaleAnswer, type StaleAnswer } from '../domain/safety/protocol.ts';
import type { Locale } from '../engine/types.ts';

/** The safety layer's check: every inbound text passes here before any keyword, code or flow sees it. */
export function checkText(text: string | undefined): RiskDetection {
  return text ? detectRisk(text, safetyRules) : { tier: 'none' };
}

const SEVERITY = { none: 0, concern: 1, crisis: 2 } as const;

/**
 * `checkText` over all the words a message carries: its text, and a button's value where that differs.
 * Our buttons' values are identifiers that read as nothing (test/service/safety.test.ts checks every one
 * the flows offer), but Direct Line and Bot Framework Web Chat let a client send any string as `value`,
 * with or without a text. The more serious finding counts; on a tie, the text's. `inValue`: the signal
 * came from the value's words.
 */
export function checkInbound(
  text: string | undefined,
  value: string | undefined,
): { signal: RiskDetection; inValue: boolean } {
  const ofText = checkText(text);
  if (value === undefined || value === text || ofText.tier === 'crisis')
    return { signal: ofText, inValue: false };
  const ofValue = checkText(value);
  return SEVERITY[ofValue.tier] > SEVERITY[ofText.tier]
    ? { signal: ofValue, inValue: true }
    : { signal: ofText, inValue: false };
}

/** A pressed button of the protocol read as a signal: the detection, and the answer the button gives. */
export type PressedCheck =
  | { readonly tier: 'none' }
  | (Extract<RiskDetection, { readonly rule: string }> & { readonly answered: StaleAnswer });

/**
 * A button of the safety protocol's questions pressed when none of them waits for an answer: a card of an
 * earlier crisis (a Teams card stays clickable; a web chat page left open). "Yes, I am thinking of taking
 * my life" is a signal whenever it comes (CLINICAL.md §3: a "yes" to any screening question about it), so
 * it opens the protocol again instead of falling to the course as an unclear answer, at the step that
 * answer leads to (`openOnStaleAnswer`). The caller asks this only when no question is open: then the
 * button is an answer.
 */
export function checkSafetyButton(value: string | undefined, locale: Locale): PressedCheck {
  const answered = openOnStaleAnswer(value);
  return answered && value !== undefined
    ? { tier: answered.asked.tier, rule: `button:${value}`, locale, evidence: value, answered }
    : { tier: 'none' };
}

/** Who an alert reaches: the clinic's alert queue (`selvhjelp alerts`) until therapists are assigned. */
/**
 * Who an alert reaches, recorded with it: the responsible therapist's workspace, or every therapist's
 * for a client nobody is responsible for (and a conversation not linked yet); and the duty phone.
 */
export function alertedTo(client: { therapistId?: string } | undefined, duty: string | undefined): string {
  const workspace = client?.therapistId ? 'responsible therapist' : 'all therapists (unassigned)';
  return duty ? `${workspace}; ${duty}` : workspace;
}
