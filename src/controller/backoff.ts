// Per-key exponential backoff (client-go's ItemExponentialFailureRateLimiter) with injected jitter.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay added at random: delay * (1 + jitter * random()). 0 disables jitter. */
  jitter: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 60_000, jitter: 0.1 };

export class ItemBackoff<K> {
  private readonly failures = new Map<K, number>();
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.random = opts.random ?? Math.random;
  }

  /** Records one more failure of `key` and returns how long to wait before retrying it. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const exp = Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** Math.min(n, 52));
    return Math.min(this.opts.maxMs, Math.round(exp * (1 + this.opts.jitter * this.random())));
  }

  /** How many times `key` failed since it was last forgotten. */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}
