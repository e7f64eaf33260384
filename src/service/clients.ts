import type { Locale } from '../engine/types.ts';
import { insertAccessCode } from '../storage/access-codes.ts';
import { insertClient } from '../storage/clients.ts';
import { insertEnrollment } from '../storage/enrollments.ts';
import { findStaffById } from '../storage/staff.ts';
import { drawAccessCode } from './access-codes.ts';
import type { ServiceDeps } from './deps.ts';

export interface NewClient {
  course?: string;
  locale?: Locale;
  timeZone?: string;
  displayName?: string;
  phone?: string;
  /** The responsible therapist's staff id. */
  therapistId?: string;
}

export type CreateClientOutcome =
  | {
      ok: true;
      clientId: string;
      accessCode: string;
      /** When the code expires if nobody types it (ACCESS_CODE_TTL_DAYS). */
      accessCodeExpiresAt: string;
      enrollmentId: string;
      flowId: string;
      flowVersion: number;
    }
  | { ok: false; error: 'unknown_course'; course: string }
  | { ok: false; error: 'unknown_therapist'; therapist: string };

/**
 * Creates a client with a fresh access code and a pending enrollment in the course; the course starts
 * when the client first types the code in any channel. The code links one conversation and expires
 * unused after ACCESS_CODE_TTL_DAYS. No name or phone unless given.
 */
export async function createClient(deps: ServiceDeps, input: NewClient): Promise<CreateClientOutcome> {
  const course = input.course ?? deps.defaults.flowId;
  const flow = deps.flows.latest(course);
  if (!flow) return { ok: false, error: 'unknown_course', course };
  const at = deps.clock();
  const now = at.toISOString();
  const clientId = deps.ids.id();
  const enrollmentId = deps.ids.id();
  return deps.db.write(async (tx) => {
    if (input.therapistId !== undefined) {
      const staff = await findStaffById(tx, input.therapistId);
      if (!staff || staff.disabledAt)
        return { ok: false, error: 'unknown_therapist', therapist: input.therapistId } as const;
    }
    const code = await drawAccessCode(deps, tx, at);
    await insertClient(tx, {
      id: clientId,
      accessCode: code.code,
      locale: input.locale ?? deps.defaults.locale,
      timeZone: input.timeZone ?? deps.defaults.timeZone,
      displayName: input.displayName,
      phone: input.phone,
      createdAt: now,
      therapistId: input.therapistId,
    });
    await insertAccessCode(tx, { ...code, clientId });
    await insertEnrollment(tx, {
      id: enrollmentId,
      clientId,
      flowId: flow.id,
      flowVersion: flow.version,
      now,
    });
    return {
      ok: true as const,
      clientId,
      accessCode: code.code,
      accessCodeExpiresAt: code.expiresAt,
      enrollmentId,
      flowId: flow.id,
      flowVersion: flow.version,
    };
  });
}
