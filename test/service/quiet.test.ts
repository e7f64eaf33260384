import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLINIC_CONTRACT_DEFAULTS,
  type ContractFields,
  defaultContract,
  quietAction,
} from '../../src/domain/contract.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { applyQuietRule } from '../../src/service/quiet.ts';
import { actorOf, createStaff } from '../../src/service/staff.ts';
import { dashboardView } from '../../src/service/workspace.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { typed } from '../support/inbound.ts';

const DAY = 86_400_000;
const rule = { reminderAfterDays: 7, taskAfterDays: 14 };

describe('quietAction (the contract\'s "goes quiet" rule)', () => {
  const last = new Date('2026-11-01T10:00:00.000Z');
  const at = (days: number) => new Date(last.getTime() + days * DAY);

  it('reminds once after the reminder days, then gives a task once after the task days (both counted from the last word)', () => {
    expect(quietAction({ now: at(6.9), lastActivity: last, rule })).toBeUndefined();
    expect(quietAction({ now: at(7), lastActivity: last, rule })).toBe('remind');
    expect(quietAction({ now: at(8), lastActivity: last, remindedAt: at(7), rule })).toBeUndefined();
    expect(quietAction({ now: at(13.9), lastActivity: last, remindedAt: at(7), rule })).toBeUndefined();
    expect(quietAction({ now: at(14), lastActivity: last, remindedAt: at(7), rule })).toBe('task');
    expect(
      quietAction({ now: at(40), lastActivity: last, remindedAt: at(7), taskAt: at(14), rule }),
    ).toBeUndefined();
  });

  it('starts again after the client writes', () => {
    const wrote = at(25);
    expect(
      quietAction({ now: at(26), lastActivity: wrote, remindedAt: at(7), taskAt: at(21), rule }),
    ).toBeUndefined();
    expect(quietAction({ now: at(32), lastActivity: wrote, remindedAt: at(7), taskAt: at(21), rule })).toBe(
      'remind',
    );
  });
});

describe('applyQuietRule', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeHarness();
  });
  afterEach(() => h.close());

  /** A linked client whose contract was signed just now, and who has not written since. */
  async function signedClient() {
    const created = await createClient(h.deps, { course: 'intro', displayName: 'Stille' });
    if (!created.ok) throw new Error();
    await handleInbound(h.deps, {
      channel: 'terminal',
      address: 'a',
      createAddress: true,
      content: typed(created.accessCode),
    });
    const draft = defaultContract(CLINIC_CONTRACT_DEFAULTS, {
      course: 'depression',
      today: '2026-11-23',
      texts: { dataSharing: 'Veilederen ser svarene.', ending: 'Siste samtale.' },
    });
    const fields: ContractFields = { ...draft, focus: 'Nedstemthet', goals: ['Gå tur'] } as ContractFields;
    const now = h.clock.now.toISOString();
    await h.deps.db.write((tx) =>
      tx.execute({
        sql: `INSERT INTO contracts (id, client_id, version, status, fields, client_signed_at, client_signed_via, created_at, updated_at)
              VALUES ('k1', ?, 1, 'signed', ?, ?, 'web', ?, ?)`,
        args: [created.clientId, JSON.stringify(fields), now, now, now],
      }),
    );
    return created.clientId;
  }

  const outboundTexts = (clientId: string) =>
    h.deps.db.read(async (q) =>
      (
        await q.execute({
          sql: "SELECT text FROM transcript WHERE client_id = ? AND direction = 'out' ORDER BY seq",
          args: [clientId],
        })
      ).rows.map((r) => String(r.text)),
    );

  it('reminds a silent client once, then flags the therapist, and starts over when the client writes', async () => {
    const clientId = await signedClient();
    const reminder = h.deps.catalog.text('nb', 'contract.quiet_reminder');
    h.clock.advance(6 * DAY);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 0, tasks: 0 });
    h.clock.advance(DAY);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 1, tasks: 0 });
    expect((await outboundTexts(clientId)).filter((t) => t === reminder)).toHaveLength(1);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 0, tasks: 0 });

    // Day 14 without a word, as the contract tells the client: the therapist's task.
    h.clock.advance(6 * DAY);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 0, tasks: 0 });
    h.clock.advance(DAY);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 0, tasks: 1 });
    const created = await createStaff(h.deps, { email: 'a@x.no', name: 'A', role: 'admin' });
    if (!created.ok) throw new Error();
    const admin = actorOf(created.staff, 'page');
    const flagged = async () =>
      (await dashboardView(h.deps, admin)).caseload.find((e) => e.clientId === clientId)!.flags.goneQuiet;
    expect(await flagged()).toBe(true);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 0, tasks: 0 });

    h.clock.advance(DAY);
    await handleInbound(h.deps, { channel: 'terminal', address: 'a', content: typed('hei igjen') });
    expect(await flagged()).toBe(false);
    h.clock.advance(7 * DAY);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 1, tasks: 0 });
  });

  it('sends nothing to a client in safety mode', async () => {
    await signedClient();
    await handleInbound(h.deps, {
      channel: 'terminal',
      address: 'a',
      content: typed('jeg skal ta livet mitt i kveld'),
    });
    h.clock.advance(30 * DAY);
    expect(await applyQuietRule(h.deps)).toEqual({ reminded: 0, tasks: 0 });
  });
});
