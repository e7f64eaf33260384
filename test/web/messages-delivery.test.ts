import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { deliverOutbox } from '../../src/service/deliver-outbox.ts';
import { findAddress } from '../../src/storage/addresses.ts';
import { outboxForAddress } from '../../src/storage/outbox.ts';
import { MessageList, MessageSent } from '../../src/web/api-messages.ts';
import { Caseload } from '../../src/web/api-schemas.ts';
import { FakeClock } from '../support/harness.ts';
import { startSmsServer } from '../support/sms.ts';
import { addStaff, apiToken, browser } from '../support/staff.ts';

/*
 * Where a therapist's message is, over the public interfaces: the real server with the fake Twilio, a
 * client by SMS, the therapist writing through the staff API. A number Twilio refuses (21211) shows the
 * message failed in `GET …/messages`, on the client's page and as a flag on the overview; a passing
 * error (HTTP 500) shows it waiting until the retry sends it.
 */

const BASE = '/api/staff/v1';
const clock = new FakeClock(new Date('2026-11-24T10:00:00.000Z')); // 11:00 in Oslo: inside the window
let sms: Awaited<ReturnType<typeof startSmsServer>>;
let token: string;
let staffId: string;

beforeAll(async () => {
  sms = await startSmsServer({ overrides: { clock: clock.read } });
  staffId = await addStaff(sms.server, { email: 'tina@clinic.no', name: 'Tina', role: 'therapist' });
  token = await apiToken(sms.server, 'tina@clinic.no');
});
afterAll(() => sms.close());

async function api(path: string, json?: unknown) {
  const res = await fetch(`${sms.server.url}${BASE}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Runs delivery passes until no row to `number` is due and untried (the server runs its own too). */
async function settle(number: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await deliverOutbox(sms.server.deps);
    const address = await sms.server.deps.db.read((q) => findAddress(q, 'sms', number));
    const rows = address ? await sms.server.deps.db.read((q) => outboxForAddress(q, address.id)) : [];
    if (!rows.some((r) => r.status === 'pending' && r.attempts === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`messages to ${number} never settled`);
}

async function smsClient(number: string, name: string) {
  const created = await createClient(sms.server.deps, {
    course: 'intro',
    locale: 'en',
    displayName: name,
    therapistId: staffId,
  });
  if (!created.ok) throw new Error('no client');
  expect((await sms.textFrom(number, created.accessCode)).status).toBe(200);
  await settle(number);
  return created.clientId;
}

const deliveries = async (clientId: string) =>
  MessageList.parse((await api(`/clients/${clientId}/messages`)).body)
    .messages.filter((m) => m.direction === 'out')
    .map((m) => [m.text, m.delivery]);

describe('a message to a number Twilio refuses', () => {
  it('is waiting when written, then failed in the list, on the page and on the overview', async () => {
    const number = '+4791100001';
    const clientId = await smsClient(number, 'Rita Refused');
    sms.twilio.rejectNumber(number, 21211);
    const res = await api(`/clients/${clientId}/messages`, { text: 'How are you?' });
    expect(res.status).toBe(200);
    // `delivered` says a channel existed, as before; `delivery` that nothing has gone yet.
    expect(MessageSent.parse(res.body)).toMatchObject({ delivered: true, message: { delivery: 'waiting' } });
    await settle(number);
    expect(await deliveries(clientId)).toEqual([['How are you?', 'failed']]);

    const page = browser(sms.server);
    await page.signIn('tina@clinic.no');
    const html = await (await page.request(`/staff/clients/${clientId}`)).text();
    const t = (key: string) => sms.server.deps.catalog.text('nb', key); // the workspace's default
    expect(html).toContain('data-delivery="failed"');
    expect(html).toContain(t('workspace.messages.delivery_failed'));
    expect(html).toContain(t('workspace.messages.delivery_failed_note'));

    const caseload = Caseload.parse((await api('/clients')).body);
    expect(caseload.clients.find((c) => c.clientId === clientId)?.flags.messageFailed).toBe(true);
    const overview = await (await page.request('/staff')).text();
    expect(overview).toContain(t('workspace.flag.message_failed'));
  });
});

describe('a message that meets a passing error', () => {
  it('is waiting while the retry is due, and sent once it goes', async () => {
    const number = '+4791100002';
    const clientId = await smsClient(number, 'Per Passing');
    await api(`/clients/${clientId}/messages`, { text: 'First' });
    await settle(number);
    // Held behind the discreet notice until the client answers it.
    expect(await deliveries(clientId)).toEqual([['First', 'waiting']]);
    sms.twilio.failNext(1, 500);
    expect((await sms.textFrom(number, 'YES')).status).toBe(200);
    await settle(number);
    const address = await sms.server.deps.db.read((q) => findAddress(q, 'sms', number));
    const rows = await sms.server.deps.db.read((q) => outboxForAddress(q, address!.id));
    const first = rows.find((r) => JSON.stringify(r.payload).includes('First'));
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await deliveries(clientId)).toEqual([['First', 'waiting']]);
    clock.advance(3_600_000);
    await settle(number);
    expect(await deliveries(clientId)).toEqual([['First', 'sent']]);
    const caseload = Caseload.parse((await api('/clients')).body);
    expect(caseload.clients.find((c) => c.clientId === clientId)?.flags.messageFailed).toBe(false);
  });
});
