import { safetyRules } from '../content/safety-phrases.ts';
import { detectRisk, type RiskDetection } from '../domain/safety/detect.ts';

/** The safety layer's check: every inbound text passes here before any keyword, code or flow sees it. */
export function checkText(text: string | undefined): RiskDetection {
  return text ? detectRisk(text, safetyRules) : { tier: 'none' };
}

/** Who an alert reaches: the clinic's alert queue (`selvhjelp alerts`) until therapists are assigned. */
export const ALERTED = 'clinic alert queue';
