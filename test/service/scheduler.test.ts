import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScheduler } from '../../src/service/scheduler.ts';
import { type Harness, makeHarness } from '../support/harness.ts';
import { gatedChannel, PUSH, queueMessages } from '../support/outbox.ts';

let h: Harness;
let channel: ReturnType<typeof gatedChannel>;
let scheduler: ReturnType<typeof startScheduler> | undefined;
beforeEach(async () => {
  channel = gatedChannel();
  h = await makeHarness({ senders: { [PUSH]: channel.sender } });
});
afterEach(async () => {
  channel.releaseAll();
  await scheduler?.stop();
  h.close();
});

describe('scheduler', () => {
  it('sends a safety message at once on a kick while the running pass hangs on another send', async () => {
    scheduler = startScheduler(h.deps, 3_600_000);
    channel.hold('reminder');
    await queueMessages(h.deps, [{ to: '+4790000001', text: 'reminder', kind: 'normal' }]);
    scheduler.kick();
    await channel.until(() => channel.started.length === 1);

    await queueMessages(h.deps, [{ to: '+4790000002', text: 'crisis', kind: 'safety' }]);
    const kicked = performance.now();
    scheduler.kick();
    await channel.until(() => channel.finished.includes('crisis'));
    expect(performance.now() - kicked).toBeLessThan(500);
    expect(channel.finished).toEqual(['crisis']);
  });

  it("sends a safety message that falls due while a pass hangs (a retry, a timer's) at the next interval", async () => {
    channel.hold('reminder');
    await queueMessages(h.deps, [{ to: '+4790000001', text: 'reminder', kind: 'normal' }]);
    scheduler = startScheduler(h.deps, 100);
    await channel.until(() => channel.started.length === 1);

    await queueMessages(h.deps, [{ to: '+4790000002', text: 'Ring 113', kind: 'safety' }]);
    await channel.until(() => channel.finished.includes('Ring 113'));
    expect(channel.finished).toEqual(['Ring 113']);
  });
});
