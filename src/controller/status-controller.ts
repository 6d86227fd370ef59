// Profile status as a controller of its own (controller-runtime's shape): a WorkQueue keyed by profile
// name, fed by the namespace reconciler's outcomes and by periodic sources (the cluster scan). A change is
// debounced with addAfter; while the namespace queue is busy the write waits, at most maxDelayMs after the
// first change, so a bootstrap of thousands of namespaces writes each status a handful of times; a failed
// write is retried with addRateLimited (per-profile backoff), success forgets it. Time is the injected Clock.
import type { BackoffOptions } from './backoff.js';
import { realClock, type Clock } from './clock.js';
import { WorkQueue, runWorkers } from './queue.js';

export const STATUS_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000, jitter: 0.1 };

export interface StatusControllerOptions {
  /** Computes a profile's status and writes it when it changed. May throw; see isGone. */
  write: (profile: string) => Promise<void>;
  /** The failure means the profile is gone: nothing to retry. */
  isGone?: (err: unknown) => boolean;
  /** True while namespace reconciles are queued or running. */
  busy?: () => boolean;
  clock?: Clock;
  debounceMs?: number;
  maxDelayMs?: number;
  backoff?: BackoffOptions;
  onError?: (profile: string, err: unknown, retries: number) => void;
}

export class StatusController {
  private queue: WorkQueue<string>;
  private readonly clock: Clock;
  /** Profiles with a change not yet written, and when the first such change arrived. */
  private readonly pending = new Map<string, number>();
  /** Profiles whose last write failed: their retry (addRateLimited) writes even without a new change. */
  private readonly retrying = new Set<string>();
  private workers?: Promise<void>;

  constructor(private readonly opts: StatusControllerOptions) {
    this.clock = opts.clock ?? realClock();
    this.queue = this.newQueue();
    void this.queue.shutDown(); // runs only between start() and stop()
  }

  private newQueue(): WorkQueue<string> {
    return new WorkQueue<string>({ clock: this.clock, backoff: this.opts.backoff ?? STATUS_BACKOFF });
  }

  get running(): boolean {
    return !this.queue.isShuttingDown();
  }

  /** Starts the worker (when leading). */
  start(): void {
    if (this.running) return;
    this.queue = this.newQueue();
    const queue = this.queue;
    for (const profile of this.pending.keys()) queue.addAfter(profile, this.opts.debounceMs ?? 1_000);
    this.workers = runWorkers(queue, 1, (profile) => this.handle(profile), (profile, err) => this.opts.onError?.(profile, err, queue.retries(profile)));
  }

  /** The status of these profiles may have changed. */
  enqueue(profiles: Iterable<string>): void {
    const now = this.clock.now();
    for (const profile of profiles) {
      if (!this.pending.has(profile)) this.pending.set(profile, now);
      this.queue.addAfter(profile, this.opts.debounceMs ?? 1_000);
    }
  }

  /** A profile is gone: forget its pending change. */
  forget(profile: string): void {
    this.pending.delete(profile);
    this.retrying.delete(profile);
  }

  /** No change waits to be written and no write runs (failed writes waiting for their retry do not count). */
  idle(): boolean {
    return this.pending.size === 0 && this.queue.length === 0 && this.queue.processingCount === 0;
  }

  private async handle(profile: string): Promise<void> {
    const since = this.pending.get(profile) ?? (this.retrying.delete(profile) ? this.clock.now() - (this.opts.maxDelayMs ?? 5_000) : undefined);
    if (since === undefined) return; // forgotten meanwhile
    const debounce = this.opts.debounceMs ?? 1_000;
    if (this.opts.busy?.() && this.clock.now() - since < (this.opts.maxDelayMs ?? 5_000)) {
      this.queue.addAfter(profile, Math.min(debounce, since + (this.opts.maxDelayMs ?? 5_000) - this.clock.now()));
      return;
    }
    this.pending.delete(profile);
    try {
      await this.opts.write(profile);
    } catch (err) {
      if (this.opts.isGone?.(err)) return;
      this.retrying.add(profile);
      throw err; // runWorkers: onError, then addRateLimited
    }
  }

  /**
   * Stops the worker. With flush (graceful shutdown while leading) the pending changes are written first,
   * once each, without waiting for their debounce.
   */
  async stop({ flush = false }: { flush?: boolean } = {}): Promise<void> {
    await this.queue.shutDown();
    await this.workers;
    if (!flush) return;
    for (const profile of [...this.pending.keys()]) {
      this.pending.delete(profile);
      try {
        await this.opts.write(profile);
      } catch (err) {
        if (!this.opts.isGone?.(err)) this.opts.onError?.(profile, err, 0);
      }
    }
  }
}
