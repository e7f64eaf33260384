/** How a `SendRate` tells time and waits: the real monotonic clock, or a test's fake one. */
export interface RateTime {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realRateTime: RateTime = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The pace of one sender (SMS: the number in TWILIO_FROM, SMS_SEND_RATE messages per second). Each send
 * takes the next free slot, slots 1/rate seconds apart and never before now, so no window of a second
 * ever holds more than `perSecond` sends, with no burst after a quiet spell. Twilio queues what a number
 * is sent faster than it can pass on, and a crisis reply sent then waits in that queue behind every
 * check-in notice sent before it; sent at the number's rate, the queue stays empty and a safety message
 * goes out as soon as it arrives there. Safety sends do not wait for a slot (deliver-outbox.ts) but still
 * take one, so the normal ones after them keep the pace.
 *
 * It lives in the process's memory (Node: one per server; a Worker: one per isolate), which is enough
 * for one server sending from one number: two processes sending from the same number would each keep
 * their own pace.
 */
export class SendRate {
  #next = Number.NEGATIVE_INFINITY;
  readonly #gapMs: number;

  constructor(
    readonly perSecond: number,
    readonly time: RateTime = realRateTime,
  ) {
    this.#gapMs = 1000 / perSecond;
  }

  /**
   * Takes the next slot if it starts before `deadline` (on `time.now()`'s clock); gives how long to wait
   * for it, or undefined, taking nothing, when it would start at the deadline or after.
   */
  take(deadline: number): number | undefined {
    const now = this.time.now();
    const slot = Math.max(now, this.#next);
    if (slot >= deadline) return undefined;
    this.#next = slot + this.#gapMs;
    return slot - now;
  }

  /** Counts a send that did not wait for its slot (a safety message): the next normal one waits for it. */
  count(): void {
    this.#next = Math.max(this.time.now(), this.#next) + this.#gapMs;
  }
}
