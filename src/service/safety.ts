import { safetyRules } from '../content/safety-phrases.ts';
import { detectRisk, type RiskDetection } from '../domain/safety/detect.ts';

/** The safety layer's check: every inbound text passes here before any keyword, code or flow sees it. */
export function checkText(text: string | undefined): RiskDetection {
  return text ? detectRisk(text, safetyRules) : { tier: 'none' };
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
