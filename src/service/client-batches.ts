import type { ServiceDeps } from './deps.ts';

/**
 * Runs `run` over due items (check-ins, timers) in batches of at most `batchSize`, at most one item per
 * client in a batch: a client's next item waits for a later batch, so one client's turns still run one
 * after the other and in the order given (the due order). Each batch runs under every one of its clients'
 * locks at once, as one client's message would: their turns do not interleave with it. Returns the sum
 * of what the batches returned.
 */
export async function inClientBatches<T extends { clientId: string }>(
  deps: ServiceDeps,
  items: T[],
  batchSize: number,
  run: (batch: T[]) => Promise<number>,
): Promise<number> {
  let pending = items;
  let total = 0;
  while (pending.length > 0) {
    const batch: T[] = [];
    const later: T[] = [];
    const clients = new Set<string>();
    for (const item of pending) {
      if (batch.length < batchSize && !clients.has(item.clientId)) {
        clients.add(item.clientId);
        batch.push(item);
      } else later.push(item);
    }
    pending = later;
    total += await deps.locks.runAll(
      batch.map((item) => `client:${item.clientId}`),
      () => run(batch),
    );
  }
  return total;
}
