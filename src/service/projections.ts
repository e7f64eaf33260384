import { type EventData, eventData, isKnownEventType, type KnownEventType } from '../domain/events.ts';
import type { DomainEvent } from '../engine/types.ts';
import { setPreferredTime } from '../storage/clients.ts';
import type { Queryable } from '../storage/db.ts';
import { insertHomework } from '../storage/homework.ts';
import { insertResponse } from '../storage/responses.ts';
import { insertProposal } from '../storage/sleep-windows.ts';
import type { ServiceDeps } from './deps.ts';

/** Where an event happened, for the rows its projection writes. */
export interface ProjectionContext {
  deps: ServiceDeps;
  tx: Queryable;
  now: string;
  clientId: string;
  enrollmentId: string | undefined;
  channel: string;
}

type Projection<T extends KnownEventType> = (c: ProjectionContext, data: EventData<T>) => Promise<void>;

/**
 * What an event stores besides itself, one small function per event type: scores, homework entries,
 * sleep-window proposals, the reminder time. Each gets the event's data typed by its schema
 * (src/domain/events.ts); an event without a projection is kept in the event log only.
 */
const PROJECTIONS: { readonly [T in KnownEventType]?: Projection<T> } = {
  'questionnaire.completed': (c, d) =>
    insertResponse(
      c.tx,
      {
        id: c.deps.ids.id(),
        clientId: c.clientId,
        enrollmentId: c.enrollmentId,
        instrument: d.instrument,
        instrumentVersion: d.version,
        items: d.items,
        difficulty: d.difficulty ?? undefined,
        total: d.total,
        band: d.band ?? undefined,
        caseness: d.caseness ?? undefined,
        screenPositive: d.screenPositive ?? undefined,
        channel: c.channel,
        startedAt: d.startedAt,
        completedAt: d.completedAt ?? c.now,
      },
      c.now,
    ),
  'homework.recorded': (c, d) =>
    insertHomework(c.tx, {
      id: c.deps.ids.id(),
      clientId: c.clientId,
      enrollmentId: c.enrollmentId,
      type: d.type,
      step: d.step,
      entry: d.entry,
      channel: c.channel,
      createdAt: c.now,
    }),
  'sleep.window_proposed': (c, d) =>
    insertProposal(c.tx, {
      id: c.deps.ids.id(),
      clientId: c.clientId,
      enrollmentId: c.enrollmentId,
      bedTime: d.window.bedTime,
      riseTime: d.window.riseTime,
      minutes: d.window.minutes,
      proposal: d,
      createdAt: c.now,
    }),
  'intro.reminder_time_chosen': (c, d) => setPreferredTime(c.tx, c.clientId, d.value),
};

/** Runs the projection of `event`, if it has one. Its data was checked where it left the flow. */
/** Whether `project` writes anything for this event (most events are only appended). */
export function hasProjection(event: DomainEvent): boolean {
  return isKnownEventType(event.type) && PROJECTIONS[event.type] !== undefined;
}

export async function project(c: ProjectionContext, event: DomainEvent): Promise<void> {
  if (!isKnownEventType(event.type)) return;
  await runProjection(c, event.type, event.data);
}

async function runProjection<T extends KnownEventType>(
  c: ProjectionContext,
  type: T,
  raw: unknown,
): Promise<void> {
  const projection = PROJECTIONS[type] as Projection<T> | undefined;
  if (!projection) return;
  const data = eventData(type, raw);
  if (data === undefined) throw new Error(`${type}: data does not match its schema`);
  await projection(c, data);
}
