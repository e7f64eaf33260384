import type { DomainEvent } from '../engine/types.ts';
import type { InStatement, Queryable } from './db.ts';
import { jsonOf, num, optStr, str } from './rows.ts';

export interface StoredEvent extends DomainEvent {
  id: number;
  clientId?: string;
  enrollmentId?: string;
  createdAt: string;
}

type EventRow = { clientId?: string; enrollmentId?: string; event: DomainEvent; now: string };

export const appendEventStatement = (e: EventRow): InStatement => ({
  sql: 'INSERT INTO domain_events (client_id, enrollment_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)',
  args: [e.clientId ?? null, e.enrollmentId ?? null, e.event.type, jsonOf(e.event.data), e.now],
});

export async function appendEvent(q: Queryable, e: EventRow): Promise<void> {
  await q.execute(appendEventStatement(e));
}

export async function clientEvents(q: Queryable, clientId: string): Promise<StoredEvent[]> {
  const rows = (
    await q.execute({ sql: 'SELECT * FROM domain_events WHERE client_id = ? ORDER BY id', args: [clientId] })
  ).rows;
  return rows.map((row) => ({
    id: num(row, 'id'),
    clientId: optStr(row, 'client_id'),
    enrollmentId: optStr(row, 'enrollment_id'),
    type: str(row, 'type'),
    data: JSON.parse(str(row, 'data')) as Record<string, unknown>,
    createdAt: str(row, 'created_at'),
  }));
}
