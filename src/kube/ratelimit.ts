// Client-side token bucket: client-node has none, so without it a storm of reconciles would hit the
// API server as fast as the event loop can send. Time and sleeping are injectable for tests.
import { setTimeout as sleep } from 'node:timers/promises';

export interface TokenBucketOptions {
  /** Sustained requests per second; 0 or less disables limiting. */
  qps: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<unknown>;

  constructor(private readonly opts: TokenBucketOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? ((ms) => sleep(ms));
    this.tokens = Math.max(1, opts.burst);
    this.last = this.now();
  }

  /** Takes one token, waiting for it if the bucket is empty. Callers are served in order. */
  async take(): Promise<void> {
    if (this.opts.qps <= 0) return;
    const now = this.now();
    this.tokens = Math.min(Math.max(1, this.opts.burst), this.tokens + ((now - this.last) / 1000) * this.opts.qps);
    this.last = now;
    // Reserve the token now (the balance may go negative) so that concurrent callers queue fairly.
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    await this.sleep((-this.tokens / this.opts.qps) * 1000);
  }
}
