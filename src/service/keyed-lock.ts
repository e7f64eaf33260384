/**
 * Runs tasks with the same key one after another, and tasks with different keys side by side.
 * This is what keeps two messages from one client from interleaving inside one process.
 *
 * It also remembers when the tasks of each key last finished, so that something read before taking a key
 * can be used under it if no task with that key finished since (`quietSince`).
 */
export class KeyedLock {
  #tails = new Map<string, Promise<unknown>>();
  /** Grows by one each time a task finishes, whatever its key. */
  #sequence = 0;
  /** The sequence at which a task of each key last finished, oldest first, at most `#tracked` keys. */
  #finished = new Map<string, number>();
  /** The highest sequence of a key no longer in `#finished`. */
  #forgottenUpTo = 0;
  readonly #tracked: number;

  constructor(options: { trackedKeys?: number } = {}) {
    this.#tracked = options.trackedKeys ?? 10_000;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    // The next task with this key starts only after this has recorded that the task finished.
    const finished = () => this.#finish(key);
    const tail = result.then(finished, finished);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `task` holding every key of `keys` at once: after the tasks already waiting for any of them, and
   * before any task for one of them that comes later. All keys are taken in one step, so two callers
   * that hold several keys can never wait for each other. (A batch of check-ins, one key per client.)
   */
  runAll<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const waiting: Promise<unknown>[] = [];
    for (const key of unique) {
      const tail = this.#tails.get(key);
      if (tail) waiting.push(tail);
    }
    // A tail never fails (see `run`): waiting for all of them is waiting until each key is free.
    const result = (waiting.length > 0 ? Promise.all(waiting) : Promise.resolve()).then(task);
    // One tail for every key of the task (a batch holds hundreds): each key is recorded as finished
    // before a later task for it starts.
    const finishAll = () => {
      for (const key of unique) this.#finish(key);
    };
    const tail = result.then(finishAll, finishAll);
    for (const key of unique) this.#tails.set(key, tail);
    void tail.then(() => {
      for (const key of unique) if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Now, as `quietSince` understands it. */
  sequence(): number {
    return this.#sequence;
  }

  /**
   * True when no task with `key` has finished since `sequence()` returned `since`. May answer false
   * when it cannot tell (the key was forgotten), never true wrongly.
   */
  quietSince(key: string, since: number): boolean {
    return (this.#finished.get(key) ?? this.#forgottenUpTo) <= since;
  }

  get size(): number {
    return this.#tails.size;
  }

  #finish(key: string): void {
    this.#finished.delete(key);
    this.#finished.set(key, ++this.#sequence);
    if (this.#finished.size > this.#tracked) {
      const [oldest, at] = this.#finished.entries().next().value as [string, number];
      this.#finished.delete(oldest);
      this.#forgottenUpTo = Math.max(this.#forgottenUpTo, at);
    }
  }
}
