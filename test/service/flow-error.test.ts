import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOpenAlerts } from '../../src/service/alerts.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { currentEnrollment } from '../../src/storage/enrollments.ts';
import { registryWithBrokenFlow } from '../support/broken-flow.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness({ flows: registryWithBrokenFlow });
});
afterEach(() => h.close());

const texts = (outcome: Awaited<ReturnType<typeof handleInbound>>) =>
  outcome.kind === 'handled' ? outcome.replies.map((r) => r.text) : [];

describe('a flow step that throws', () => {
  it('answers politely, keeps the message, leaves the enrollment as it was, and raises one flow_error alert', async () => {
    const created = await createClient(h.deps, { course: 'broken', locale: 'nb' });
    if (!created.ok) throw new Error();
    const send = (text: string) =>
      handleInbound(h.deps, {
        channel: 'terminal',
        address: 'a',
        content: { kind: 'message', text },
        createAddress: true,
      });
    await send(created.accessCode);
    const before = await h.deps.db.read((q) => currentEnrollment(q, created.clientId));

    const first = await send('1');
    expect(texts(first)).toEqual([h.deps.catalog.text('nb', 'service.flow_error')]);
    const after = await h.deps.db.read((q) => currentEnrollment(q, created.clientId));
    expect(after).toEqual(before);
    const transcript = await h.deps.db.read(async (q) =>
      (await q.execute("SELECT text FROM transcript WHERE direction = 'in' ORDER BY seq")).rows.map(
        (r) => r.text,
      ),
    );
    expect(transcript).toContain('1');

    // The next message meets the same bug: the same polite answer, no second alert.
    const second = await send('1');
    expect(texts(second)).toEqual([h.deps.catalog.text('nb', 'service.flow_error')]);
    const alerts = await listOpenAlerts(h.deps);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'flow_error',
      priority: 'normal',
      clientId: created.clientId,
      triggerText: '1',
    });
    expect(alerts[0]?.matchedPhrase).toContain('a bug in a flow step');

    // Safety still runs first on a broken flow.
    const crisis = await send('jeg skal ta livet mitt i kveld');
    expect(texts(crisis)[0]).toBe(h.deps.catalog.text('nb', 'safety.crisis_ack'));
  });
});
