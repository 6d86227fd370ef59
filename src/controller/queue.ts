// Keyed work queue with client-go's semantics (util/workqueue/queue.go):
// - a key is queued at most once however many times it is added (the *dirty* set);
// - a key being processed is never handed to a second worker (the *processing* set);
// - a key added while it is processed is queued again once, when the worker calls done();
// - failures are retried after a per-key exponential backoff; success forgets it.
import { ItemBackoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { type Clock, type TimerHandle, realClock } from './clock.js';

export interface WorkQueueOptions {
  clock?: Clock;
  backoff?: BackoffOptions;
}

/** FIFO with O(1) push and shift. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class WorkQueue<K> {
  private readonly queue = new Fifo<K>();
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; timer: TimerHandle }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly backoff: ItemBackoff<K>;
  private readonly clock: Clock;
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock();
    this.backoff = new ItemBackoff<K>(opts.backoff ?? DEFAULT_BACKOFF);
  }

  /** Queues `key` unless it is already queued; a key being processed is queued again when done. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.wake();
  }

  /** Queues `key` after `delayMs`; an earlier pending schedule for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.at <= at) return;
      this.clock.clearTimer(existing.timer);
    }
    const timer = this.clock.setTimer(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, timer });
  }

  /** Queues `key` again after its exponential backoff; returns the delay chosen. */
  addRateLimited(key: K): number {
    const delay = this.backoff.when(key);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the backoff of `key` (call after it was processed successfully). */
  forget(key: K): void {
    this.backoff.forget(key);
  }

  retries(key: K): number {
    return this.backoff.retries(key);
  }

  /** Next key to work on, or undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile it goes back in the queue. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.push(key);
      this.wake();
    }
    this.checkIdle();
  }

  /** Keys queued and not yet handed out. */
  get length(): number {
    return this.queue.length;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  get delayedCount(): number {
    return this.waiting.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Resolves when nothing is queued or processing (delayed retries do not count). */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops handing out keys: queued and delayed keys are dropped, blocked get() calls return undefined,
   * and the returned promise resolves once every key being processed is done (drain).
   */
  shutDown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimer(timer);
    this.waiting.clear();
    this.queue.clear();
    for (const key of [...this.dirty]) if (!this.processing.has(key)) this.dirty.delete(key);
    for (const getter of this.getters.splice(0)) getter(undefined);
    return this.whenIdle();
  }

  private take(): K | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private wake(): void {
    while (this.getters.length > 0 && this.queue.length > 0) {
      const getter = this.getters.shift()!;
      getter(this.take());
    }
  }

  private checkIdle(): void {
    if (this.queue.length !== 0 || this.processing.size !== 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/**
 * Runs `workers` loops that take keys from `queue` and call `handle`. A handler that throws, or returns
 * `{ requeue: true }`, sends the key back with backoff; success forgets the backoff.
 * Resolves when the queue is shut down and every loop has finished its current key.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  handle: (key: K) => Promise<{ requeue?: boolean } | void>,
  onError: (key: K, err: unknown) => void = () => {},
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await handle(key);
        if (result && result.requeue) queue.addRateLimited(key);
        else queue.forget(key);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
}
