import { eventData } from '../domain/events.ts';
import { instruments, isInstrumentId } from '../domain/instruments.ts';
import { buildReview, DEFAULT_PACE_DAYS, type Review, type ReviewPart } from '../domain/review.ts';
import { signedContract } from '../storage/contracts.ts';
import { clientHomework } from '../storage/homework.ts';
import { clientResponses } from '../storage/responses.ts';
import {
  clientAlertRows,
  enrollmentRows,
  progressEventRows,
  workspaceClient,
} from '../storage/workspace-queries.ts';
import { audit } from './audit.ts';
import { type ContactView, readContacts } from './contacts.ts';
import type { ServiceDeps } from './deps.ts';
import { mayReadClient, type StaffActor } from './staff-actor.ts';
import { COURSE_FLOW_IDS } from './workspace.ts';

/** The review before a contact, with whom it is about and the contacts around it. */
export interface ClientReview extends Review {
  client: { id: string; name?: string; locale: 'nb' | 'en'; timeZone: string };
  /** The last contact that took place (the review starts there), if any. */
  lastContact?: ContactView;
  /** The next planned contact, if any. */
  nextContact?: ContactView;
}

/**
 * The review before the next contact (src/domain/review.ts) over the client's history since the last
 * contact that took place, or undefined when the client does not exist or `actor` may not see them (404
 * for both). One `client.review` audit row, in the same transaction as the reads.
 */
export async function clientReview(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
): Promise<ClientReview | undefined> {
  const now = deps.clock();
  return deps.db.write(async (tx) => {
    const client = await workspaceClient(tx, clientId);
    if (!client || !mayReadClient(actor, client)) return undefined;
    const contacts = await readContacts(tx, clientId, client.timeZone, now);
    // The goals and the pace of the version in force; none before a contract is signed.
    const contract = (await signedContract(tx, clientId))?.fields;
    const enrollments = await enrollmentRows(tx, clientId);
    const events = await progressEventRows(tx, clientId);
    const responses = await clientResponses(tx, clientId);
    const homework = await clientHomework(tx, clientId);
    const alerts = await clientAlertRows(tx, clientId);
    await audit(tx, actor, now, { action: 'client.review', clientId });

    const lastContact = contacts
      .filter((c) => c.status === 'done' && c.plannedAt <= now.toISOString())
      .at(-1);
    const nextContact = contacts.find((c) => c.status === 'planned' && c.plannedAt > now.toISOString());
    const courseIds = new Map(
      enrollments.filter((e) => COURSE_FLOW_IDS.includes(e.flowId)).map((e) => [e.id, e.flowId]),
    );
    const review = buildReview({
      now,
      lastContactAt: lastContact?.plannedAt,
      goals: contract?.goals ?? [],
      paceDays: contract?.paceDays ?? DEFAULT_PACE_DAYS,
      homework: homework.map((entry) => ({ id: entry.id, type: entry.type, at: entry.createdAt })),
      scores: responses.map((response) => {
        const definition = isInstrumentId(response.instrument) ? instruments[response.instrument] : undefined;
        return {
          instrument: response.instrument,
          total: response.total,
          at: response.completedAt,
          riskItemPositive: response.items.some(
            (answer, index) => (definition?.items[index]?.risk ?? false) && answer > 0,
          ),
        };
      }),
      parts: partsOf(events, courseIds),
      alerts: alerts.map((alert) => ({
        id: alert.id,
        kind: alert.kind,
        tier: alert.tier,
        priority: alert.priority,
        text: alert.triggerText,
        matchedPhrase: alert.matchedPhrase,
        channel: alert.channel,
        at: alert.createdAt,
        status: alert.acknowledgedAt === undefined ? 'open' : 'acknowledged',
      })),
    });
    return {
      client: { id: client.id, name: client.displayName, locale: client.locale, timeZone: client.timeZone },
      lastContact,
      nextContact,
      ...review,
    };
  });
}

/** The parts of the client's course enrollments: the first start and the last finish of each. */
function partsOf(
  events: readonly { enrollmentId?: string; type: string; data: unknown; createdAt: string }[],
  courseIds: ReadonlyMap<string, string>,
): ReviewPart[] {
  const parts = new Map<string, ReviewPart>();
  for (const event of events) {
    const flowId = event.enrollmentId === undefined ? undefined : courseIds.get(event.enrollmentId);
    if (!flowId || (event.type !== 'part.started' && event.type !== 'part.completed')) continue;
    const data = eventData(event.type, event.data);
    if (!data) continue;
    const key = `${event.enrollmentId}\u0000${data.part}`;
    const part = parts.get(key) ?? { flowId, part: data.part };
    if (event.type === 'part.started') part.startedAt ??= event.createdAt;
    else part.completedAt = event.createdAt;
    parts.set(key, part);
  }
  return [...parts.values()];
}
