import { accessCodeFrom } from '../domain/access-code.ts';
import type { Locale } from '../engine/types.ts';
import { accessCodeExists, insertClient } from '../storage/clients.ts';
import { insertEnrollment } from '../storage/enrollments.ts';
import type { ServiceDeps } from './deps.ts';

export interface NewClient {
  course?: string;
  locale?: Locale;
  timeZone?: string;
  displayName?: string;
  phone?: string;
}

export type CreateClientOutcome =
  | {
      ok: true;
      clientId: string;
      accessCode: string;
      enrollmentId: string;
      flowId: string;
      flowVersion: number;
    }
  | { ok: false; error: 'unknown_course'; course: string };

/**
 * Creates a client with a fresh access code and a pending enrollment in the course; the course starts
 * when the client first types the code in any channel. No name or phone unless given.
 */
export async function createClient(deps: ServiceDeps, input: NewClient): Promise<CreateClientOutcome> {
  const course = input.course ?? deps.defaults.flowId;
  const flow = deps.flows.latest(course);
  if (!flow) return { ok: false, error: 'unknown_course', course };
  const now = deps.clock().toISOString();
  const clientId = deps.ids.id();
  const enrollmentId = deps.ids.id();
  return deps.db.write(async (tx) => {
    let accessCode = accessCodeFrom(deps.ids.randomBytes);
    while (await accessCodeExists(tx, accessCode)) accessCode = accessCodeFrom(deps.ids.randomBytes);
    await insertClient(tx, {
      id: clientId,
      accessCode,
      locale: input.locale ?? deps.defaults.locale,
      timeZone: input.timeZone ?? deps.defaults.timeZone,
      displayName: input.displayName,
      phone: input.phone,
      createdAt: now,
    });
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
      accessCode,
      enrollmentId,
      flowId: flow.id,
      flowVersion: flow.version,
    };
  });
}
