import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound, type InboundContent, startConversation } from '../../src/service/handle-inbound.ts';
import { readMessages, sendTherapistMessage } from '../../src/service/messages.ts';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import { findAddress, preferredAddress } from '../../src/storage/addresses.ts';
import { listEnrollments } from '../../src/storage/enrollments.ts';
import { outboxForAddress } from '../../src/storage/outbox.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const MINUTE = 60_000;
let h: Harness;

const admin: StaffActor = {
  staffId: 'adm',
  email: 'adm@clinic.test',
  name: 'Ada Admin',
  role: 'admin',
  locale: 'nb',
  via: 'api',
};

beforeEach(async () => {
  h = await makeHarness({ senders: { sms: { mode: 'push', send: async () => ({ ok: true }) } } });
});
afterEach(() => h.close());

/** A client linked in the web chat, in the intro (no therapist: no contract holds the course). */
async function webClient(locale: 'nb' | 'en' = 'nb') {
  const created = await createClient(h.deps, { locale });
  if (!created.ok) throw new Error('no client');
  const { address } = await startConversation(h.deps, 'web', locale);
  let n = 0;
  const prefix = address.id;
  const send = async (content: InboundContent) => {
    const outcome = await handleInbound(h.deps, {
      channel: 'web',
      address: address.address,
      providerId: `${prefix}-${++n}`,
      content,
    });
    if (outcome.kind !== 'handled') throw new Error(outcome.kind);
    return outcome.replies.map((r) => r.text);
  };
  const say = (text: string) => send({ kind: 'message', text });
  const press = (value: string) => send({ kind: 'button', value });
  const linked = await say(created.accessCode);
  return { id: created.clientId, address, say, press, linked };
}

const snapshotOf = async (clientId: string) =>
  JSON.stringify((await h.deps.db.read((q) => listEnrollments(q, clientId)))[0]?.persisted);

const smsTo = async (phone: string) => {
  const address = await h.deps.db.read((q) => findAddress(q, 'sms', phone));
  if (!address) return [];
  return (await h.deps.db.read((q) => outboxForAddress(q, address.id))).map((row) =>
    JSON.stringify(row.payload),
  );
};

async function addPhone(c: Awaited<ReturnType<typeof webClient>>, typed: string, phone: string) {
  await c.press('menu.phone');
  const asked = await c.say(typed);
  const [sms] = await smsTo(phone);
  const code = /\b(\d{6})\b/.exec(sms ?? '')?.[1];
  if (!code) throw new Error(`no code sent: ${asked.join(' ')}`);
  return { asked, code };
}

describe('the chat menu: writing to the therapist', () => {
  it("takes the next message for the therapist's inbox and goes back to the course question", async () => {
    const c = await webClient();
    const before = await snapshotOf(c.id);
    const question = c.linked.at(-1)!;
    expect(await c.press('menu.therapist')).toEqual([
      'Skriv meldingen til veilederen din her, så får hen den. Den blir lest i åpningstiden, så den er ikke for det som haster. Er du i fare, ring 113.',
    ]);
    const sent = await c.say('Jeg fikk ikke til øvelsen i går');
    expect(sent[0]).toBe('Meldingen er sendt til veilederen din. Den blir lest i åpningstiden.');
    expect(sent.at(-1)).toBe(question);
    const inbox = await h.deps.db.read((q) => readMessages(h.deps, q, c.id));
    expect(inbox.map((m) => [m.direction, m.text, m.channel])).toEqual([
      ['in', 'Jeg fikk ikke til øvelsen i går', 'web'],
    ]);
    // The course did not take the message as an answer.
    expect(await snapshotOf(c.id)).toBe(before);
  });

  it('lets go when the client presses a course button instead, and the next text goes to the course', async () => {
    const c = await webClient();
    await c.press('menu.therapist');
    await c.press('ready');
    await c.say('Å sove bedre');
    expect(await h.deps.db.read((q) => readMessages(h.deps, q, c.id))).toEqual([]);
  });

  it('lets go after half an hour', async () => {
    const c = await webClient();
    await c.press('menu.therapist');
    h.clock.advance(31 * MINUTE);
    await c.say('ja');
    expect(await h.deps.db.read((q) => readMessages(h.deps, q, c.id))).toEqual([]);
  });

  it('answers a crisis message with the safety protocol first', async () => {
    const c = await webClient();
    await c.press('menu.therapist');
    const replies = await c.say('ja, jeg vil ta livet mitt');
    expect(replies.join('\n')).toContain('113');
    expect(replies.join('\n')).not.toContain('Meldingen er sendt');
  });

  it('AVBRYT leaves the menu without a message', async () => {
    const c = await webClient();
    await c.press('menu.therapist');
    expect((await c.say('Avbryt'))[0]).toBe('Greit, da lar vi det være. Vi fortsetter der vi var.');
    expect(await h.deps.db.read((q) => readMessages(h.deps, q, c.id))).toEqual([]);
  });

  it('asks for the access code first in a conversation that is not linked', async () => {
    const { address } = await startConversation(h.deps, 'web', 'en');
    const outcome = await handleInbound(h.deps, {
      channel: 'web',
      address: address.address,
      providerId: 'x1',
      content: { kind: 'button', value: 'menu.therapist' },
    });
    if (outcome.kind !== 'handled') throw new Error(outcome.kind);
    expect(outcome.replies[0]!.text).toMatch(/^First type the access code/);
  });
});

describe('a message to the therapist by SMS (VEILEDER)', () => {
  it('is kept, and the questionnaire item the client was at is asked again', async () => {
    const created = await createClient(h.deps, { course: 'depression', locale: 'nb' });
    if (!created.ok) throw new Error('no client');
    const sms = async (text: string) => {
      const outcome = await handleInbound(h.deps, {
        channel: 'sms',
        address: '+4791234567',
        createAddress: true,
        content: { kind: 'message', text },
      });
      if (outcome.kind !== 'handled') throw new Error(outcome.kind);
      return outcome.replies.map((r) => r.text);
    };
    await sms(created.accessCode);
    const item = (await sms('ja')).at(-1)!;
    expect(item).toBe('Liten interesse for eller glede av å gjøre ting');
    const before = await snapshotOf(created.clientId);
    expect(await sms('VEILEDER jeg synes spørsmålene er vanskelige')).toEqual([
      'Meldingen er sendt til veilederen din. Den blir lest i åpningstiden.',
      item,
    ]);
    expect(await snapshotOf(created.clientId)).toBe(before);
    const inbox = await h.deps.db.read((q) => readMessages(h.deps, q, created.clientId));
    expect(inbox.map((m) => [m.text, m.channel])).toEqual([['jeg synes spørsmålene er vanskelige', 'sms']]);
  });
});

describe('the chat menu: a phone number for reminders', () => {
  it('adds the number only after the code sent to it comes back, with consent recorded', async () => {
    const c = await webClient();
    expect((await c.press('menu.phone'))[0]).toMatch(/^Skriv mobilnummeret ditt/);
    expect((await c.say('12'))[0]).toMatch(/^Det ser ikke ut som et mobilnummer/);
    const asked = await c.say('912 34 567');
    expect(asked[0]).toBe('Vi har sendt en kode på SMS til +47******67. Skriv koden her.');
    const [sms] = await smsTo('+4791234567');
    const code = /\b(\d{6})\b/.exec(sms!)![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await c.say(wrong))[0]).toBe('Koden stemmer ikke. Skriv de 6 sifrene fra SMS-en, eller AVBRYT.');
    expect((await h.deps.db.read((q) => findAddress(q, 'sms', '+4791234567')))?.clientId).toBeUndefined();

    const added = await c.say(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect(added[0]).toMatch(/^Takk! Nå får du påminnelser og meldinger på SMS til \+47\*\*\*\*\*\*67/);
    const number = await h.deps.db.read((q) => findAddress(q, 'sms', '+4791234567'));
    expect(number?.clientId).toBe(c.id);
    const events = await h.deps.db.read(async (q) =>
      (
        await q.execute({
          sql: "SELECT data FROM domain_events WHERE type = 'consent.sms_granted' AND client_id = ?",
          args: [c.id],
        })
      ).rows.map((r) => JSON.parse(String(r.data))),
    );
    expect(events).toEqual([{ addressId: number!.id, via: 'web' }]);
    expect((await c.press('menu.phone'))[0]).toBe('Du får allerede påminnelser på SMS til +47******67.');
  });

  it('sends what nobody asked for to the number once the client has left the web chat', async () => {
    const c = await webClient();
    const { code } = await addPhone(c, '+47 912 34 567', '+4791234567');
    await c.say(code);
    await c.say('hei');
    // Still in the chat: it stays there.
    expect((await h.deps.db.read((q) => preferredAddress(q, c.id, h.clock.now)))?.channel).toBe('web');
    h.clock.advance(20 * MINUTE);
    expect((await h.deps.db.read((q) => preferredAddress(q, c.id, h.clock.now)))?.channel).toBe('sms');
    await h.deps.db.write((tx) =>
      tx.execute({
        sql: "INSERT INTO staff (id, email, name, role, created_at) VALUES ('adm', 'adm@clinic.test', 'Ada Admin', 'admin', ?)",
        args: [h.clock.now.toISOString()],
      }),
    );
    const sent = await sendTherapistMessage(h.deps, admin, c.id, 'Hvordan går det?');
    expect(sent).toMatchObject({ ok: true, delivered: true, message: { channel: 'sms' } });
    // Discreet by default: a neutral line, and the message itself once the client answers JA.
    expect((await smsTo('+4791234567')).at(-1)).toContain(
      'Du har en ny melding fra klinikken. Svar JA for å se den.',
    );
    await handleInbound(h.deps, {
      channel: 'sms',
      address: '+4791234567',
      content: { kind: 'message', text: 'JA' },
    });
    expect((await smsTo('+4791234567')).at(-1)).toContain('Hvordan går det?');
  });

  it('does not reveal or take a number another client uses, and sends it nothing', async () => {
    const other = await webClient();
    const { code } = await addPhone(other, '91234567', '+4791234567');
    await other.say(code);
    const sentBefore = (await smsTo('+4791234567')).length;

    const c = await webClient();
    await c.press('menu.phone');
    expect((await c.say('91234567'))[0]).toBe(
      'Vi kan ikke bruke det nummeret. Snakk med veilederen din, så finner dere en løsning.',
    );
    expect(await smsTo('+4791234567')).toHaveLength(sentBefore);
  });

  it('after five wrong codes, the number has to be given again', async () => {
    const c = await webClient();
    const { code } = await addPhone(c, '91234567', '+4791234567');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) await c.say(wrong);
    expect((await c.say(wrong))[0]).toMatch(/^Koden stemte ikke flere ganger/);
    // The right code no longer counts; it goes to the course like any text.
    await c.say(code);
    expect((await h.deps.db.read((q) => findAddress(q, 'sms', '+4791234567')))?.clientId).toBeUndefined();
  });

  it('a code expires after 15 minutes', async () => {
    const c = await webClient('en');
    const { code } = await addPhone(c, '91234567', '+4791234567');
    h.clock.advance(16 * MINUTE);
    await c.say(code);
    expect((await h.deps.db.read((q) => findAddress(q, 'sms', '+4791234567')))?.clientId).toBeUndefined();
  });
});
