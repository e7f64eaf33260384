import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  BudgetSpent,
  cronPass,
  deliverAfterInbound,
  guardSenders,
  SubrequestBudget,
} from '../../src/entry/worker-cron.ts';
import type { Logger, SendResult } from '../../src/service/deps.ts';
import { makeHarness } from '../support/harness.ts';

/** The Worker's cron pass and its subrequest budget, on Node (the workerd tests run the real Worker). */

function recordingLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> | undefined }[] = [];
  const log: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { log, lines };
}

describe('SubrequestBudget', () => {
  it('counts and refuses the subrequest past its limit', () => {
    const budget = new SubrequestBudget(3);
    budget.take();
    budget.take(2);
    expect(budget.used).toBe(3);
    expect(budget.left).toBe(0);
    expect(() => budget.take()).toThrow(BudgetSpent);
    expect(budget.used).toBe(3);
  });
});

describe('guardSenders', () => {
  const sent: string[] = [];
  const senders = guardSenders(
    {
      web: { mode: 'pull' },
      sms: {
        mode: 'push',
        send: async ({ address }): Promise<SendResult> => {
          sent.push(address);
          return { ok: true, providerId: 'SM1' };
        },
      },
    },
    () => budget,
  );
  let budget = new SubrequestBudget(100);
  const send = (address: string) => {
    const sms = senders.sms!;
    if (sms.mode !== 'push') throw new Error('sms is a push sender');
    return sms.send({ address, message: { text: 'x' }, outboxId: 1 });
  };

  it('counts a send and leaves pull senders alone', async () => {
    await send('+4791234567');
    expect(sent).toEqual(['+4791234567']);
    expect(budget.used).toBe(1);
    expect(senders.web).toEqual({ mode: 'pull' });
  });

  it('starts no provider call without room to record its outcome afterwards', async () => {
    budget = new SubrequestBudget(4);
    await expect(send('+4790000000')).rejects.toThrow(BudgetSpent);
    expect(sent).not.toContain('+4790000000');
    expect(budget.used).toBe(0);
    budget = new SubrequestBudget(5);
    await send('+4790000001');
    expect(sent).toContain('+4790000001');
  });
});

describe('guardSenders with a lookup', () => {
  it('takes a lookup whole, and starts none without room for it, a send after it and its record', async () => {
    let lookups = 0;
    let budget = new SubrequestBudget(100);
    const guarded = guardSenders(
      {
        sms: {
          mode: 'push',
          send: async (): Promise<SendResult> => ({ ok: true, providerId: 'SM1' }),
          lookup: async () => {
            lookups++;
            return { ok: true, providerIds: [] };
          },
        },
      },
      () => budget,
    ).sms!;
    if (guarded.mode !== 'push' || !guarded.lookup) throw new Error('the guarded sender lost its lookup');
    const query = { address: '+4791234567', message: { text: 'x' }, since: new Date(0) };
    expect(await guarded.lookup(query)).toEqual({ ok: true, providerIds: [] });
    expect(budget.used).toBe(3);
    // Three pages at most, then the send and the four subrequests that record it.
    budget = new SubrequestBudget(7);
    await expect(guarded.lookup(query)).rejects.toThrow(BudgetSpent);
    expect(budget.used).toBe(0);
    budget = new SubrequestBudget(8);
    await guarded.lookup(query);
    expect(lookups).toBe(2);
  });
});

describe('cronPass', () => {
  it("runs every step of the scheduler's tick", () => {
    // cronPass runs tick's steps one by one, each within the budget: a step added to tick must be added
    // there too, or the Worker would never run it.
    const scheduler = readFileSync(new URL('../../src/service/scheduler.ts', import.meta.url), 'utf8');
    const start = scheduler.indexOf('export async function tick');
    const body = scheduler.slice(start, scheduler.indexOf('\n}\n', start));
    const steps = [...body.matchAll(/await (\w+)\(deps/g)].map((m) => m[1]!);
    expect(steps.length).toBeGreaterThanOrEqual(6);
    const cron = readFileSync(new URL('../../src/entry/worker-cron.ts', import.meta.url), 'utf8');
    for (const name of steps) expect(cron, name).toMatch(new RegExp(`\\b${name}\\(deps`));
  });

  it('skips every step the budget cannot pay for, and says so in its one log line', async () => {
    const h = await makeHarness();
    try {
      const { log, lines } = recordingLogger();
      const result = await cronPass(h.deps, new SubrequestBudget(5), log);
      expect(result.skipped).toEqual([
        'safety',
        'timers',
        'checkins',
        'contact_reminders',
        'quiet',
        'outbox',
        'purge',
      ]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'info',
        message: 'cron pass',
        fields: { skipped: 'safety,timers,checkins,contact_reminders,quiet,outbox,purge', budget: 5 },
      });
    } finally {
      h.close();
    }
  });

  it('runs every step within a sufficient budget', async () => {
    const h = await makeHarness();
    try {
      const { log, lines } = recordingLogger();
      const result = await cronPass(h.deps, new SubrequestBudget(900), log);
      expect(result.skipped).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(lines.map((l) => l.message)).toEqual(['cron pass']);
    } finally {
      h.close();
    }
  });

  it('logs a failing step as an error line and goes on with the next', async () => {
    const h = await makeHarness();
    try {
      const read = h.deps.db.read.bind(h.deps.db);
      let calls = 0;
      h.deps.db.read = vi.fn(async (fn) => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('Network connection lost.'), { code: 'SERVER_ERROR' });
        return read(fn);
      }) as typeof h.deps.db.read;
      const { log, lines } = recordingLogger();
      const result = await cronPass(h.deps, new SubrequestBudget(900), log);
      expect(result.errors).toEqual([
        { step: 'safety', error: 'Error SERVER_ERROR: Network connection lost.' },
      ]);
      expect(calls).toBeGreaterThan(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.level).toBe('error');
    } finally {
      h.close();
    }
  });
});

describe('deliverAfterInbound', () => {
  it('sends nothing when the budget has no room for one message', async () => {
    const h = await makeHarness();
    try {
      const read = vi.spyOn(h.deps.db, 'read');
      await deliverAfterInbound(h.deps, new SubrequestBudget(6), recordingLogger().log);
      expect(read).not.toHaveBeenCalled();
      await deliverAfterInbound(h.deps, new SubrequestBudget(100), recordingLogger().log);
      expect(read).toHaveBeenCalledTimes(2); // the safety rows, then the rest
    } finally {
      h.close();
    }
  });
});
