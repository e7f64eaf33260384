import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../src/service/staff-actor.ts';
import {
  clientTranscript,
  clientView,
  dashboardView,
  measurementPoints,
} from '../../src/service/workspace.ts';
import { insertAddress } from '../../src/storage/addresses.ts';
import { type AlertRecord, insertAlert } from '../../src/storage/alerts.ts';
import { listAudit } from '../../src/storage/audit.ts';
import type { Queryable } from '../../src/storage/db.ts';
import { insertEnrollment } from '../../src/storage/enrollments.ts';
import { appendEvent } from '../../src/storage/events.ts';
import { insertHomework } from '../../src/storage/homework.ts';
import { insertResponse } from '../../src/storage/responses.ts';
import { decideSleepWindow, insertProposal } from '../../src/storage/sleep-windows.ts';
import { appendTranscript } from '../../src/storage/transcript.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const DAY = 86_400_000;
let h: Harness;
/** The harness clock's "now" (2026-11-23T09:00Z) minus some days, as ISO. */
const daysAgo = (days: number, extraMs = 0) =>
  new Date(h.clock.now.getTime() - days * DAY + extraMs).toISOString();

const actor = (staffId: string, role: StaffActor['role'] = 'therapist'): StaffActor => ({
  staffId,
  email: `${staffId}@clinic.test`,
  name: `Name of ${staffId}`,
  role,
  locale: 'nb',
  via: 'page',
});
const A = actor('ther-a');
const B = actor('ther-b');
const ADMIN = actor('adm', 'admin');

const write = <T>(fn: (tx: Queryable) => Promise<T>) => h.deps.db.write(fn);

async function addStaff(id: string, role: 'admin' | 'therapist', name: string) {
  await write((tx) =>
    tx.execute({
      sql: 'INSERT INTO staff (id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [id, `${id}@clinic.test`, name, role, daysAgo(100)],
    }),
  );
}

/** A client with one web address (`addr-<id>`), created 60 days ago unless told. */
async function addClient(id: string, therapistId: string | undefined, name?: string, createdDaysAgo = 60) {
  await write(async (tx) => {
    await tx.execute({
      sql: `INSERT INTO clients (id, access_code, locale, time_zone, display_name, created_at, therapist_id)
            VALUES (?, ?, 'nb', 'Europe/Oslo', ?, ?, ?)`,
      args: [id, `CODE-${id}`, name ?? null, daysAgo(createdDaysAgo), therapistId ?? null],
    });
    await insertAddress(tx, {
      id: `addr-${id}`,
      channel: id.endsWith('sms') ? 'sms' : 'web',
      address: `conv-${id}`,
      clientId: id,
      locale: 'nb',
      createdAt: daysAgo(createdDaysAgo),
    });
  });
}

let scoreSeq = 0;
async function addScore(
  clientId: string,
  instrument: 'phq9' | 'gad7' | 'phq2',
  items: number[],
  completedAt: string,
  enrollmentId?: string,
) {
  const total = items.reduce((a, b) => a + b, 0);
  await write((tx) =>
    insertResponse(
      tx,
      {
        id: `score-${++scoreSeq}`,
        clientId,
        enrollmentId,
        instrument,
        instrumentVersion: '1',
        items,
        total,
        channel: 'web',
        startedAt: completedAt,
        completedAt,
      },
      completedAt,
    ),
  );
}

/** PHQ-9 answers adding up to `total`, item 9 as given. */
const phq = (total: number, item9 = 0) => {
  const items = [0, 0, 0, 0, 0, 0, 0, 0, item9];
  let left = total - item9;
  for (let i = 0; left > 0; i = (i + 1) % 8) {
    items[i]!++;
    left--;
  }
  return items;
};
const gad = (total: number) => {
  const items = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0, left = total; left > 0; i = (i + 1) % 7, left--) items[i]!++;
  return items;
};

let alertSeq = 0;
async function addAlert(
  clientId: string | undefined,
  fields: Partial<AlertRecord> & { addressId?: string } = {},
) {
  const id = fields.id ?? `alert-${++alertSeq}`;
  await write((tx) =>
    insertAlert(tx, {
      id,
      clientId,
      addressId: fields.addressId ?? `addr-${clientId}`,
      kind: 'crisis_text',
      tier: 'crisis',
      priority: 'high',
      triggerText: 'I cannot go on',
      channel: 'web',
      shown: [],
      alerted: 'clinic',
      safetyAnswers: [],
      heldReplies: [],
      createdAt: daysAgo(1),
      ...fields,
    }),
  );
  return id;
}

async function inbound(clientId: string, at: string, text = 'hei') {
  await write((tx) =>
    appendTranscript(tx, {
      addressId: `addr-${clientId}`,
      clientId,
      direction: 'in',
      text,
      payload: {},
      createdAt: at,
    }),
  );
}

async function auditRows() {
  return h.deps.db.read((q) => listAudit(q));
}

beforeEach(async () => {
  h = await makeHarness();
  await addStaff('ther-a', 'therapist', 'Anne Terapeut');
  await addStaff('ther-b', 'therapist', 'Bjørn Terapeut');
  await addStaff('adm', 'admin', 'Ada Admin');
});
afterEach(() => h.close());

describe('who sees what', () => {
  beforeEach(async () => {
    await addClient('a1', 'ther-a', 'Åse');
    await addClient('b1', 'ther-b', 'Bendik');
    await addClient('u1', undefined, 'Uten');
    await addAlert('a1', { id: 'alert-a1', createdAt: daysAgo(3) });
    await addAlert('b1', { id: 'alert-b1', createdAt: daysAgo(2) });
    await addAlert('u1', {
      id: 'alert-u1',
      priority: 'normal',
      tier: 'concern',
      createdAt: daysAgo(0, -60_000),
    });
    // A conversation nobody has linked to a client yet.
    await write((tx) =>
      insertAddress(tx, {
        id: 'addr-stranger',
        channel: 'sms',
        address: '+4790000000',
        locale: 'nb',
        createdAt: daysAgo(1),
      }),
    );
    await addAlert(undefined, { id: 'alert-stranger', addressId: 'addr-stranger', createdAt: daysAgo(1) });
    await addAlert('a1', { id: 'alert-a1-done', acknowledgedAt: daysAgo(5) });
    await write((tx) =>
      tx.execute("UPDATE alerts SET acknowledged_at = created_at WHERE id = 'alert-a1-done'"),
    );
  });

  it("gives a therapist their own caseload and the alerts of their own, nobody's and unlinked conversations", async () => {
    const a = await dashboardView(h.deps, A);
    expect(a.caseload.map((c) => c.clientId)).toEqual(['a1']);
    // High priority first (newest first among them), then the normal one.
    expect(a.alerts.map((x) => x.id)).toEqual(['alert-stranger', 'alert-a1', 'alert-u1']);
    expect(a.openAlertCount).toBe(3);
    expect(a.alerts.find((x) => x.id === 'alert-u1')).toMatchObject({ unassigned: true, clientName: 'Uten' });
    expect(a.alerts.find((x) => x.id === 'alert-stranger')).toMatchObject({ unassigned: true });
    expect(a.alerts.find((x) => x.id === 'alert-stranger')?.clientId).toBeUndefined();
    expect(a.alerts.find((x) => x.id === 'alert-a1')).toMatchObject({ unassigned: false, clientId: 'a1' });

    const b = await dashboardView(h.deps, B);
    expect(b.caseload.map((c) => c.clientId)).toEqual(['b1']);
    expect(b.alerts.map((x) => x.id)).toEqual(['alert-stranger', 'alert-b1', 'alert-u1']);
  });

  it('gives an admin every client and every open alert', async () => {
    const admin = await dashboardView(h.deps, ADMIN, { sort: { key: 'name' } });
    expect(admin.caseload.map((c) => c.clientId)).toEqual(['b1', 'u1', 'a1']); // Å sorts last in Norwegian
    expect(admin.caseload.find((c) => c.clientId === 'b1')?.therapist).toEqual({
      id: 'ther-b',
      name: 'Bjørn Terapeut',
    });
    expect(admin.caseload.find((c) => c.clientId === 'u1')?.therapist).toBeUndefined();
    expect(admin.alerts.map((x) => x.id).sort()).toEqual([
      'alert-a1',
      'alert-b1',
      'alert-stranger',
      'alert-u1',
    ]);
    expect(admin.caseload.find((c) => c.clientId === 'a1')?.openAlerts).toBe(1);
  });

  it("answers undefined for another therapist's client, nobody's client and an unknown id, and audits none", async () => {
    expect(await clientView(h.deps, A, 'b1')).toBeUndefined();
    expect(await clientView(h.deps, A, 'u1')).toBeUndefined();
    expect(await clientView(h.deps, A, 'nobody')).toBeUndefined();
    expect(await clientTranscript(h.deps, A, 'b1')).toBeUndefined();
    expect((await auditRows()).filter((row) => row.clientId !== undefined)).toEqual([]);

    expect((await clientView(h.deps, A, 'a1'))?.client).toMatchObject({ id: 'a1', name: 'Åse' });
    expect((await clientView(h.deps, B, 'b1'))?.client.therapist).toEqual({
      id: 'ther-b',
      name: 'Bjørn Terapeut',
    });
    expect((await clientView(h.deps, ADMIN, 'b1'))?.client.id).toBe('b1');
    expect((await clientView(h.deps, ADMIN, 'u1'))?.client.id).toBe('u1');
  });
});

describe('dashboard', () => {
  it('shows the latest PHQ-9 and GAD-7 with their change since the first, and each flag', async () => {
    await addClient('worse', 'ther-a', 'Verre');
    await addScore('worse', 'phq9', phq(8), daysAgo(30));
    await addScore('worse', 'gad7', gad(10), daysAgo(30));
    await addScore('worse', 'phq9', phq(11), daysAgo(16));
    await addScore('worse', 'phq9', phq(14, 1), daysAgo(2));
    await addScore('worse', 'gad7', gad(7), daysAgo(2));
    await addScore('worse', 'phq2', [3, 3], daysAgo(1)); // a screen is not a PHQ-9
    await inbound('worse', daysAgo(2));
    await addAlert('worse', { safetyStep: 'ask_danger' });
    await write((tx) =>
      insertProposal(tx, {
        id: 'win-1',
        clientId: 'worse',
        bedTime: '00:30',
        riseTime: '06:30',
        minutes: 360,
        proposal: {},
        createdAt: daysAgo(1),
      }),
    );

    await addClient('quiet', 'ther-a', 'Stille');
    await inbound('quiet', daysAgo(8));
    await addScore('quiet', 'phq9', phq(16), daysAgo(40));
    await addScore('quiet', 'phq9', phq(9), daysAgo(9));

    await addClient('fresh', 'ther-a', 'Ny', 3); // created 3 days ago, nothing written yet
    await addClient('gone', 'ther-a', undefined, 20); // created 20 days ago, nothing written ever

    const view = await dashboardView(h.deps, A);
    const entry = (id: string) => view.caseload.find((c) => c.clientId === id)!;
    expect(entry('worse').phq9).toEqual({
      latest: 14,
      latestAt: daysAgo(2),
      band: 'moderate',
      first: 8,
      firstAt: daysAgo(30),
      changeSinceFirst: 6,
      reliableChange: 'deterioration',
    });
    expect(entry('worse').gad7).toMatchObject({
      latest: 7,
      first: 10,
      changeSinceFirst: -3,
      reliableChange: undefined,
    });
    expect(entry('worse').flags).toEqual({
      safetyMode: true,
      item9: true,
      reliableDeterioration: true,
      inactive: false,
      sleepWindowAwaiting: true,
      contractChangeRequested: false,
      goneQuiet: false,
      messageFailed: false,
    });
    expect(entry('worse').flagCount).toBe(4);
    expect(entry('worse').lastActivityAt).toBe(daysAgo(2));

    expect(entry('quiet').phq9).toMatchObject({
      latest: 9,
      changeSinceFirst: -7,
      reliableChange: 'improvement',
    });
    expect(entry('quiet').gad7).toBeUndefined();
    expect(entry('quiet').flags).toEqual({
      safetyMode: false,
      item9: false,
      reliableDeterioration: false,
      inactive: true,
      sleepWindowAwaiting: false,
      contractChangeRequested: false,
      goneQuiet: false,
      messageFailed: false,
    });
    expect(entry('fresh').flags.inactive).toBe(false);
    expect(entry('fresh').lastActivityAt).toBeUndefined();
    expect(entry('gone').flags.inactive).toBe(true);

    // Default order: the most serious flags first.
    expect(view.sort).toEqual({ key: 'flags', direction: 'desc' });
    expect(view.caseload.map((c) => c.clientId)).toEqual(['worse', 'quiet', 'gone', 'fresh']);
  });

  it('flags a client who asked to change the guidance contract, and only while the request stands', async () => {
    await addClient('asks', 'ther-a', 'Asks');
    await addClient('content', 'ther-a', 'Content');
    const contract = (id: string, client: string, status: string) =>
      write((tx) =>
        tx.execute({
          sql: `INSERT INTO contracts (id, client_id, version, status, fields, created_at, updated_at)
                VALUES (?, ?, 1, ?, '{}', ?, ?)`,
          args: [id, client, status, daysAgo(1), daysAgo(1)],
        }),
      );
    await contract('k1', 'asks', 'changes_requested');
    await contract('k2', 'content', 'signed');
    const flags = async () =>
      Object.fromEntries(
        (await dashboardView(h.deps, A)).caseload
          .filter((e) => e.clientId === 'asks' || e.clientId === 'content')
          .map((e) => [e.clientId, e.flags.contractChangeRequested]),
      );
    expect(await flags()).toEqual({ asks: true, content: false });
    await write((tx) => tx.execute("UPDATE contracts SET status = 'superseded' WHERE id = 'k1'"));
    expect(await flags()).toEqual({ asks: false, content: false });
  });

  it('sorts by name, last activity, PHQ-9 and GAD-7, with missing values last either way', async () => {
    await addClient('c1', 'ther-a', 'Berit');
    await addClient('c2', 'ther-a', 'anders');
    await addClient('c3', 'ther-a'); // no name
    await inbound('c1', daysAgo(1));
    await inbound('c2', daysAgo(3));
    await addScore('c1', 'phq9', phq(5), daysAgo(1));
    await addScore('c2', 'phq9', phq(12), daysAgo(1));
    await addScore('c2', 'gad7', gad(3), daysAgo(1));
    await addScore('c3', 'gad7', gad(9), daysAgo(1));
    const order = async (key: 'name' | 'lastActivity' | 'phq9' | 'gad7', direction?: 'asc' | 'desc') =>
      (await dashboardView(h.deps, A, { sort: { key, direction } })).caseload.map((c) => c.clientId);
    expect(await order('name')).toEqual(['c2', 'c1', 'c3']);
    expect(await order('name', 'desc')).toEqual(['c1', 'c2', 'c3']);
    expect(await order('lastActivity')).toEqual(['c1', 'c2', 'c3']);
    expect(await order('lastActivity', 'asc')).toEqual(['c2', 'c1', 'c3']);
    expect(await order('phq9')).toEqual(['c2', 'c1', 'c3']);
    expect(await order('phq9', 'asc')).toEqual(['c1', 'c2', 'c3']);
    expect(await order('gad7')).toEqual(['c3', 'c2', 'c1']);
  });

  it('shows the newest course enrollment and the part it is in, from the part events', async () => {
    await addClient('c', 'ther-a', 'Kurs');
    await write(async (tx) => {
      await insertEnrollment(tx, {
        id: 'e-intro',
        clientId: 'c',
        flowId: 'intro',
        flowVersion: 1,
        now: daysAgo(30),
      });
      await insertEnrollment(tx, {
        id: 'e-sleep',
        clientId: 'c',
        flowId: 'sleep',
        flowVersion: 1,
        now: daysAgo(20),
      });
      await insertEnrollment(tx, {
        id: 'e-check',
        clientId: 'c',
        flowId: 'measures',
        flowVersion: 1,
        now: daysAgo(1),
      });
      const part = (type: string, n: number, at: string, enrollmentId = 'e-sleep') =>
        appendEvent(tx, { clientId: 'c', enrollmentId, event: { type, data: { part: n } }, now: at });
      await part('part.started', 1, daysAgo(19));
      await part('part.completed', 1, daysAgo(18));
      await part('part.started', 2, daysAgo(12));
      await appendEvent(tx, {
        clientId: 'c',
        enrollmentId: 'e-sleep',
        event: { type: 'homework.recorded', data: {} },
        now: daysAgo(11),
      });
    });
    await addClient('d', 'ther-a', 'Ferdig del');
    await write(async (tx) => {
      await insertEnrollment(tx, {
        id: 'e-dep',
        clientId: 'd',
        flowId: 'depression',
        flowVersion: 1,
        now: daysAgo(9),
      });
      await appendEvent(tx, {
        clientId: 'd',
        enrollmentId: 'e-dep',
        event: { type: 'part.started', data: { part: 1 } },
        now: daysAgo(8),
      });
      await appendEvent(tx, {
        clientId: 'd',
        enrollmentId: 'e-dep',
        event: { type: 'part.completed', data: { part: 1 } },
        now: daysAgo(7),
      });
    });
    const view = await dashboardView(h.deps, A);
    expect(view.caseload.find((c) => c.clientId === 'c')?.course).toEqual({
      enrollmentId: 'e-sleep',
      flowId: 'sleep',
      status: 'pending',
      part: { number: 2, state: 'started', at: daysAgo(12) },
    });
    expect(view.caseload.find((c) => c.clientId === 'd')?.course?.part).toEqual({
      number: 1,
      state: 'completed',
      at: daysAgo(7),
    });
  });
});

describe('client view', () => {
  beforeEach(async () => {
    await addClient('c', 'ther-a', 'Kari <b>&</b>');
  });

  it('says what a pending course waits for: the code, the guidance contract, or only its start', async () => {
    const course = (id: string, clientId: string) =>
      write((tx) =>
        insertEnrollment(tx, { id, clientId, flowId: 'anxiety', flowVersion: 1, now: daysAgo(1) }),
      );
    // Linked (the harness client has an address) with a responsible therapist: held for the contract.
    await course('e-c', 'c');
    // Not linked yet: the code comes first.
    await write((tx) =>
      tx.execute({
        sql: `INSERT INTO clients (id, access_code, locale, time_zone, created_at, therapist_id)
              VALUES ('nolink', 'CODE-nolink', 'nb', 'Europe/Oslo', ?, 'ther-a')`,
        args: [daysAgo(2)],
      }),
    );
    await course('e-nolink', 'nolink');
    // Linked, nobody responsible: no contract holds it.
    await addClient('free', undefined);
    await course('e-free', 'free');
    const waits = async (clientId: string) =>
      (await clientView(h.deps, ADMIN, clientId))!.enrollments.map((e) => [e.status, e.waitsFor]);
    expect(await waits('c')).toEqual([['pending', 'contract']]);
    expect(await waits('nolink')).toEqual([['pending', 'code']]);
    expect(await waits('free')).toEqual([['pending', 'start']]);
    await write((tx) => tx.execute("UPDATE enrollments SET status = 'active' WHERE id = 'e-c'"));
    expect(await waits('c')).toEqual([['active', undefined]]);
  });

  it('lists every questionnaire with its items and marks PHQ-9 item 9', async () => {
    await addScore('c', 'phq9', phq(12, 2), daysAgo(3));
    await addScore('c', 'gad7', gad(6), daysAgo(3));
    const view = (await clientView(h.deps, A, 'c'))!;
    expect(view.scores.map((s) => [s.instrument, s.total])).toEqual([
      ['phq9', 12],
      ['gad7', 6],
    ]);
    const [phq9] = view.scores;
    expect(phq9!.items).toHaveLength(9);
    expect(phq9!.items[8]).toEqual({ number: 9, id: 'item9', answer: 2, risk: true });
    expect(phq9!.items.filter((item) => item.risk)).toHaveLength(1);
    expect(phq9!.riskItemPositive).toBe(true);
    expect(phq9!.maxTotal).toBe(27);
    expect(view.scores[1]!.items.some((item) => item.risk)).toBe(false);
    expect(view.scores[1]!.riskItemPositive).toBe(false);
  });

  it('gives the outcome of a course once two measurement points exist, counting check-ins taken during it', async () => {
    await write(async (tx) => {
      await insertEnrollment(tx, {
        id: 'course',
        clientId: 'c',
        flowId: 'depression',
        flowVersion: 1,
        now: daysAgo(50),
      });
      await insertEnrollment(tx, {
        id: 'check',
        clientId: 'c',
        flowId: 'measures',
        flowVersion: 1,
        now: daysAgo(5),
      });
      await insertEnrollment(tx, {
        id: 'other',
        clientId: 'c',
        flowId: 'sleep',
        flowVersion: 1,
        now: daysAgo(4),
      });
    });
    // Baseline at caseness, inside the course.
    await addScore('c', 'phq9', phq(15), daysAgo(49), 'course');
    await addScore('c', 'gad7', gad(10), daysAgo(49, 300_000), 'course');
    // A point whose GAD-7 lapsed: left out of the outcome.
    await addScore('c', 'phq9', phq(13), daysAgo(35), 'course');
    // The last point is an SMS check-in during the course.
    await addScore('c', 'phq9', phq(7), daysAgo(5), 'check');
    await addScore('c', 'gad7', gad(5), daysAgo(5, 300_000), 'check');
    // Scores of another course are not this course's.
    await addScore('c', 'phq9', phq(20), daysAgo(3), 'other');
    await addScore('c', 'gad7', gad(15), daysAgo(3, 300_000), 'other');

    const view = (await clientView(h.deps, A, 'c'))!;
    const depression = view.outcomes.find((o) => o.enrollmentId === 'course')!;
    expect(depression.points).toEqual([
      { at: daysAgo(49), phq9: 15, gad7: 10 },
      { at: daysAgo(35), phq9: 13 },
      { at: daysAgo(5), phq9: 7, gad7: 5 },
    ]);
    expect(depression.outcome).toMatchObject({
      finished: true,
      scoredPoints: 2,
      ignoredPoints: 1,
      first: { phq9: 15, gad7: 10 },
      last: { phq9: 7, gad7: 5 },
      recovered: true,
      reliableImprovement: true,
      reliableRecovery: true,
      reliableDeterioration: false,
    });
    const sleep = view.outcomes.find((o) => o.enrollmentId === 'other')!;
    expect(sleep.points).toHaveLength(1);
    expect(sleep.outcome).toMatchObject({ finished: false, scoredPoints: 1 });
    expect(view.outcomes.map((o) => o.enrollmentId)).toEqual(['course', 'other']);
  });

  it('shows reliable deterioration in a course outcome', async () => {
    await write((tx) =>
      insertEnrollment(tx, {
        id: 'course',
        clientId: 'c',
        flowId: 'anxiety',
        flowVersion: 1,
        now: daysAgo(30),
      }),
    );
    await addScore('c', 'phq9', phq(6), daysAgo(29), 'course');
    await addScore('c', 'gad7', gad(6), daysAgo(29), 'course');
    await addScore('c', 'phq9', phq(7), daysAgo(2), 'course');
    await addScore('c', 'gad7', gad(10), daysAgo(2), 'course');
    const [outcome] = (await clientView(h.deps, A, 'c'))!.outcomes;
    expect(outcome!.outcome).toMatchObject({
      finished: true,
      reliableDeterioration: true,
      reliableImprovement: false,
    });
  });

  it('shows progress through the parts of a course with dates, and intake answers', async () => {
    await write(async (tx) => {
      await insertEnrollment(tx, {
        id: 'intro',
        clientId: 'c',
        flowId: 'intro',
        flowVersion: 1,
        now: daysAgo(40),
      });
      await insertEnrollment(tx, {
        id: 'course',
        clientId: 'c',
        flowId: 'stress',
        flowVersion: 1,
        now: daysAgo(30),
      });
      const event = (enrollmentId: string, type: string, data: Record<string, unknown>, at: string) =>
        appendEvent(tx, { clientId: 'c', enrollmentId, event: { type, data }, now: at });
      await event('intro', 'intro.area_chosen', { step: 'area', value: 'stress' }, daysAgo(40));
      await event('intro', 'intro.goal_set', { step: 'goal', value: 'Sove <godt>' }, daysAgo(40));
      await event(
        'intro',
        'intro.suitability_assessed',
        { area: 'stress', suitable: true, reasons: [] },
        daysAgo(40),
      );
      await event('course', 'part.started', { part: 1 }, daysAgo(29));
      await event('course', 'part.completed', { part: 1 }, daysAgo(28));
      await event('course', 'part.started', { part: 2 }, daysAgo(20));
    });
    const view = (await clientView(h.deps, A, 'c'))!;
    const course = view.enrollments.find((e) => e.id === 'course')!;
    expect(course.kind).toBe('course');
    expect(course.parts).toEqual([
      { part: 1, startedAt: daysAgo(29), completedAt: daysAgo(28) },
      { part: 2, startedAt: daysAgo(20) },
      { part: 3 },
      { part: 4 },
      { part: 5 },
      { part: 6 },
    ]);
    const intro = view.enrollments.find((e) => e.id === 'intro')!;
    expect(intro).toMatchObject({ kind: 'other', parts: [], createdAt: daysAgo(40) });
    expect(view.intake.answers).toEqual([
      { type: 'intro.area_chosen', step: 'area', value: 'stress', at: daysAgo(40), enrollmentId: 'intro' },
      { type: 'intro.goal_set', step: 'goal', value: 'Sove <godt>', at: daysAgo(40), enrollmentId: 'intro' },
    ]);
    expect(view.intake.suitability).toEqual({ area: 'stress', suitable: true, reasons: [], at: daysAgo(40) });
  });

  it('shows homework per kind, with sleep efficiency per night and its weekly trend', async () => {
    const night = (week: number, n: number, date: string, times: Record<string, string | number>) => ({
      week,
      night: n,
      date,
      timeZone: 'Europe/Oslo',
      intoBed: '23:00',
      lightsOut: '23:15',
      latencyMinutes: 15,
      awakenings: 1,
      minutesAwake: 30,
      finalWake: '06:30',
      outOfBed: '07:00',
      quality: 3,
      ...times,
      // Stored metrics are ignored: the view computes them again.
      tibMinutes: 1,
      tstMinutes: 0,
      sePercent: 0,
    });
    const entries: [string, Record<string, unknown>][] = [
      ['sleep.diary', night(1, 1, '2026-11-01', {})],
      [
        'sleep.diary',
        night(2, 1, '2026-11-08', {
          intoBed: '23:30',
          lightsOut: '23:30',
          latencyMinutes: 10,
          minutesAwake: 10,
          outOfBed: '06:30',
        }),
      ],
      ['depression.activity_diary', { period: 'evening', activity: 'Gikk tur', mood: 6, company: 'alone' }],
      [
        'anxiety.worry_diary',
        {
          time: '21:00',
          worry: 'Jobben',
          distress: 5,
          minutes: 15,
          about_now: true,
          can_act: true,
          kind: 'practical',
        },
      ],
      ['stress.problem_review', { first_step: 'Ringe', done: 'yes', stress_now: 3 }],
    ];
    await write(async (tx) => {
      for (const [i, [type, entry]] of entries.entries()) {
        await insertHomework(tx, {
          id: `hw-${i}`,
          clientId: 'c',
          type,
          step: `s${i}`,
          entry,
          channel: 'web',
          createdAt: daysAgo(20 - i),
        });
      }
    });
    const { homework } = (await clientView(h.deps, A, 'c'))!;
    // TIB 480, TST 480 − 15 − 30 − 30 (final wake → up) − 15 (bed → lights out) = 390: 81.25 %.
    expect(homework.sleepDiary.nights.map((n) => [n.week, n.tibMinutes, n.tstMinutes, n.sePercent])).toEqual([
      [1, 480, 390, 81.3],
      [2, 420, 400, 95.2],
    ]);
    expect(homework.sleepDiary.weeks).toEqual([
      { enrollmentId: undefined, week: 1, nights: 1, meanSePercent: 81.2, meanTstMinutes: 390 },
      { enrollmentId: undefined, week: 2, nights: 1, meanSePercent: 95.2, meanTstMinutes: 400 },
    ]);
    expect(homework.sleepDiary.trend).toEqual({
      fromSePercent: 81.2,
      toSePercent: 95.2,
      changePercentPoints: 14,
      direction: 'up',
    });
    expect(homework.activityDiary).toEqual([
      {
        id: 'hw-2',
        at: daysAgo(18),
        enrollmentId: undefined,
        period: 'evening',
        activity: 'Gikk tur',
        mood: 6,
        company: 'alone',
      },
    ]);
    expect(homework.worryDiary).toMatchObject([
      { worry: 'Jobben', aboutNow: true, canAct: true, kind: 'practical' },
    ]);
    expect(homework.other).toEqual([
      {
        type: 'stress.problem_review',
        entries: [
          {
            id: 'hw-4',
            at: daysAgo(16),
            enrollmentId: undefined,
            step: 's4',
            entry: { first_step: 'Ringe', done: 'yes', stress_now: 3 },
          },
        ],
      },
    ]);
  });

  it('lists sleep-window proposals with their decision, newest first', async () => {
    await write(async (tx) => {
      for (const [id, days] of [
        ['w1', 14],
        ['w2', 7],
        ['w3', 1],
      ] as const) {
        await insertProposal(tx, {
          id,
          clientId: 'c',
          bedTime: '00:30',
          riseTime: '06:30',
          minutes: 360,
          proposal: { week: 3 - Math.floor(days / 7), reason: 'efficiency_high_extend', meanSePercent: 91.2 },
          createdAt: daysAgo(days),
        });
        if (id === 'w1') await decideSleepWindow(tx, 'w1', 'approved', 'Anne', daysAgo(13));
      }
      await tx.execute("UPDATE sleep_windows SET status = 'rejected', decided_by = 'Anne' WHERE id = 'w2'");
    });
    const { sleepWindows } = (await clientView(h.deps, A, 'c'))!;
    expect(sleepWindows.map((w) => [w.id, w.status])).toEqual([
      ['w3', 'awaiting_approval'],
      ['w2', 'rejected'],
      ['w1', 'approved'],
    ]);
    expect(sleepWindows[2]).toMatchObject({
      decidedBy: 'Anne',
      reason: 'efficiency_high_extend',
      meanSePercent: 91.2,
    });
  });

  it('lists open and acknowledged alerts with who acknowledged them, when, and the note', async () => {
    await addAlert('c', { id: 'open', createdAt: daysAgo(1), safetyStep: 'ask_thoughts' });
    await addAlert('c', { id: 'done', createdAt: daysAgo(4) });
    await write((tx) =>
      tx.execute({
        sql: `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = 'Anne Terapeut', acknowledged_by_staff_id = 'ther-a',
              acknowledged_note = 'Ringte, trygg nå' WHERE id = 'done'`,
        args: [daysAgo(3)],
      }),
    );
    const { alerts } = (await clientView(h.deps, A, 'c'))!;
    expect(alerts.map((a) => [a.id, a.status, a.inSafetyMode])).toEqual([
      ['open', 'open', true],
      ['done', 'acknowledged', false],
    ]);
    expect(alerts[1]!.acknowledged).toEqual({
      at: daysAgo(3),
      by: 'Anne Terapeut',
      staffId: 'ther-a',
      note: 'Ringte, trygg nå',
    });
    expect(alerts[0]!.acknowledged).toBeUndefined();
  });

  it('pages the transcript newest first, with channel and direction', async () => {
    await write(async (tx) => {
      await insertAddress(tx, {
        id: 'addr-c-sms',
        channel: 'sms',
        address: '+4791111111',
        clientId: 'c',
        locale: 'nb',
        createdAt: daysAgo(10),
      });
      for (let i = 1; i <= 7; i++) {
        await appendTranscript(tx, {
          addressId: i <= 4 ? 'addr-c' : 'addr-c-sms',
          clientId: 'c',
          direction: i % 2 ? 'in' : 'out',
          text: `message ${i}`,
          payload: {},
          createdAt: daysAgo(8 - i),
        });
      }
    });
    const first = (await clientView(h.deps, A, 'c', { transcriptLimit: 3 }))!.transcript;
    expect(first.entries.map((e) => [e.text, e.channel, e.direction])).toEqual([
      ['message 7', 'sms', 'in'],
      ['message 6', 'sms', 'out'],
      ['message 5', 'sms', 'in'],
    ]);
    expect(first.olderBefore).toBe(first.entries[2]!.seq);
    const second = (await clientTranscript(h.deps, A, 'c', { before: first.olderBefore, limit: 3 }))!;
    expect(second.entries.map((e) => [e.text, e.channel])).toEqual([
      ['message 4', 'web'],
      ['message 3', 'web'],
      ['message 2', 'web'],
    ]);
    const last = (await clientTranscript(h.deps, A, 'c', { before: second.olderBefore, limit: 3 }))!;
    expect(last.entries.map((e) => e.text)).toEqual(['message 1']);
    expect(last.olderBefore).toBeUndefined();
    // The default page holds all seven; a page is never larger than the maximum.
    expect((await clientTranscript(h.deps, A, 'c'))!.entries).toHaveLength(7);
    expect((await clientTranscript(h.deps, A, 'c', { limit: 0 }))!.entries).toHaveLength(1);
    // A cursor that is no sequence number means the newest page.
    const newest = await clientTranscript(h.deps, A, 'c', { before: Number.NaN, limit: 2 });
    expect(newest!.entries.map((e) => e.text)).toEqual(['message 7', 'message 6']);
  });

  it('writes exactly one audit row per read, with who, how and which client', async () => {
    const before = (await auditRows()).length;
    await clientView(h.deps, A, 'c');
    const afterView = await auditRows();
    expect(afterView).toHaveLength(before + 1);
    expect(afterView[0]).toMatchObject({
      action: 'client.view',
      clientId: 'c',
      staffId: 'ther-a',
      staffEmail: 'ther-a@clinic.test',
      via: 'page',
      at: h.clock.now.toISOString(),
    });
    await clientTranscript(h.deps, { ...A, via: 'api' }, 'c', { before: 10 });
    const afterTranscript = await auditRows();
    expect(afterTranscript).toHaveLength(before + 2);
    expect(afterTranscript[0]).toMatchObject({
      action: 'client.transcript',
      clientId: 'c',
      via: 'api',
      detail: 'before 10',
    });
    await dashboardView(h.deps, A);
    const afterDashboard = await auditRows();
    expect(afterDashboard).toHaveLength(before + 3);
    expect(afterDashboard[0]).toMatchObject({ action: 'dashboard.view', detail: '1 client(s)' });
    expect(afterDashboard[0]!.clientId).toBeUndefined();
  });
});

describe('measurementPoints', () => {
  const at = (days: number) => new Date(Date.UTC(2026, 0, 1) + days * DAY).toISOString();
  it('pairs a PHQ-9 and a GAD-7 of one enrollment within a day, and nothing else', () => {
    expect(
      measurementPoints([
        { instrument: 'phq9', total: 10, completedAt: at(0), enrollmentId: 'e' },
        { instrument: 'phq2', total: 4, completedAt: at(0), enrollmentId: 'e' },
        { instrument: 'gad7', total: 8, completedAt: at(0.01), enrollmentId: 'e' },
        // A lone PHQ-9, then a GAD-7 two days later: two points.
        { instrument: 'phq9', total: 9, completedAt: at(10), enrollmentId: 'e' },
        { instrument: 'gad7', total: 7, completedAt: at(12), enrollmentId: 'e' },
        // Interleaved enrollments each keep their own point.
        { instrument: 'phq9', total: 5, completedAt: at(20), enrollmentId: 'a' },
        { instrument: 'phq9', total: 6, completedAt: at(20.001), enrollmentId: 'b' },
        { instrument: 'gad7', total: 4, completedAt: at(20.002), enrollmentId: 'a' },
        { instrument: 'gad7', total: 3, completedAt: at(20.003), enrollmentId: 'b' },
      ]),
    ).toEqual([
      { at: at(0), phq9: 10, gad7: 8 },
      { at: at(10), phq9: 9 },
      { at: at(12), gad7: 7 },
      { at: at(20), phq9: 5, gad7: 4 },
      { at: at(20.001), phq9: 6, gad7: 3 },
    ]);
  });
});
