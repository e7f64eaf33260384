import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOpenAlerts } from '../../src/service/alerts.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { outboxForAddress } from '../../src/storage/outbox.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { typed } from '../support/inbound.ts';

const DUTY = '+4799887766';
const CRISIS = 'jeg skal ta livet mitt i kveld';

let h: Harness;
afterEach(() => h.close());
beforeEach(async () => {
  h = await makeHarness({
    senders: { sms: { mode: 'push', send: async () => ({ ok: true, providerId: 'SM1' }) } },
  });
  h.deps.defaults.alertSmsTo = DUTY;
});

const say = (address: string, text: string) =>
  handleInbound(h.deps, { channel: 'terminal', address, createAddress: true, content: typed(text) });

const dutyOutbox = async () => {
  const address = await h.deps.db.read((q) => findAddress(q, 'sms', DUTY));
  return address ? h.deps.db.read((q) => outboxForAddress(q, address.id)) : [];
};

describe('the duty phone (ALERT_SMS_TO)', () => {
  it('gets a content-free SMS, sent first and at once, when an alert is raised', async () => {
    const created = await createClient(h.deps, { course: 'intro', displayName: 'Kari Nordmann' });
    if (!created.ok) throw new Error();
    await say('a', created.accessCode);
    await say('a', CRISIS);
    const rows = await dutyOutbox();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.kind).toBe('safety');
    const text = (rows[0]!.payload as { text: string }).text;
    expect(text).toBe(h.deps.catalog.text('nb', 'service.duty_alert'));
    expect(text).not.toContain('Kari');
    expect(text).not.toContain('livet');
    const [alert] = await listOpenAlerts(h.deps);
    expect(alert!.alerted).toBe('all therapists (unassigned); duty phone');
  });

  it('adds no second SMS while the first is still waiting to go out', async () => {
    await say('a', CRISIS);
    await say('b', CRISIS);
    expect(await listOpenAlerts(h.deps)).toHaveLength(2);
    expect(await dutyOutbox()).toHaveLength(1);
  });

  it('sends nothing without ALERT_SMS_TO', async () => {
    h.deps.defaults.alertSmsTo = undefined;
    await say('a', CRISIS);
    expect(await listOpenAlerts(h.deps)).toHaveLength(1);
    expect(await dutyOutbox()).toHaveLength(0);
  });
});
