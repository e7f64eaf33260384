import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/service/keyed-lock.ts';

const gate = () => {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};

describe('KeyedLock', () => {
  it('runs one key strictly in order and other keys side by side', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = gate();
    const a1 = lock.run('a', async () => {
      await slow.opened;
      order.push('a1');
    });
    const a2 = lock.run('a', async () => {
      order.push('a2');
    });
    await lock.run('b', async () => {
      order.push('b');
    });
    slow.open();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['b', 'a1', 'a2']);
  });

  it('tells whether a task of a key finished since a moment, also one that was running then', async () => {
    const lock = new KeyedLock();
    const since = lock.sequence();
    expect(lock.quietSince('client:1', since)).toBe(true);
    await lock.run('client:2', async () => {});
    expect(lock.quietSince('client:1', since)).toBe(true);
    expect(lock.quietSince('client:2', since)).toBe(false);

    const running = gate();
    const task = lock.run('client:1', () => running.opened);
    const duringTask = lock.sequence();
    running.open();
    await task;
    expect(lock.quietSince('client:1', duringTask)).toBe(false);
    expect(lock.quietSince('client:1', lock.sequence())).toBe(true);
    // A task queued behind a running one starts only once that one's finish is recorded.
    const first = gate();
    const t1 = lock.run('client:1', () => first.opened);
    const queuedAt = lock.sequence();
    const t2 = lock.run('client:1', async () => lock.quietSince('client:1', queuedAt));
    first.open();
    await t1;
    expect(await t2).toBe(false);
  });

  it('answers "not quiet" for a key it no longer tracks, never "quiet" wrongly', async () => {
    const lock = new KeyedLock({ trackedKeys: 2 });
    const since = lock.sequence();
    for (const key of ['a', 'b', 'c', 'd']) await lock.run(key, async () => {});
    // "a" and "b" were forgotten: their finish is unknown, so they count as not quiet.
    expect(lock.quietSince('a', since)).toBe(false);
    expect(lock.quietSince('d', since)).toBe(false);
    expect(lock.quietSince('never-seen', lock.sequence())).toBe(true);
  });
  it('runs a task holding several keys after the tasks before it on any of them, before those after', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = gate();
    const a = lock.run('client:a', async () => {
      await slow.opened;
      order.push('a before');
    });
    const both = lock.runAll(['client:a', 'client:b', 'client:a'], async () => {
      order.push('batch');
    });
    const b = lock.run('client:b', async () => {
      order.push('b after');
    });
    await lock.run('client:c', async () => {
      order.push('c');
    });
    slow.open();
    await Promise.all([a, both, b]);
    expect(order).toEqual(['c', 'a before', 'batch', 'b after']);
    expect(lock.quietSince('client:b', 0)).toBe(false);
    expect(lock.size).toBe(0);
  });
});
