// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection: acquire or
// renew every retry period with resourceVersion-guarded updates; a lease is free when it has no holder
// or its holder has not renewed it (as observed by our own clock) within leaseDuration; the leader that
// cannot renew within renewDeadline steps down; release() empties the holder so a successor need not
// wait for the lease to expire. Unlike a renewal that only steps down after a request fails, every
// request of a round is bounded by the renew deadline and a watchdog steps down at the deadline even
// while a request hangs (a partition that holds the connection open and answers nothing).
import { realClock, type Clock, type TimerHandle } from '../controller/clock.js';
import type { KubeClient } from './client.js';
import { isConflict, isNotFound } from './errors.js';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  /** Called when leadership is lost (renew failed past the deadline) or released. */
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
  /** Time and timers (retry period, renew-deadline watchdog); tests pass a ManualClock. */
  clock?: Clock;
}

/** RFC 3339 with microseconds, as metav1.MicroTime. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading = false;
  private stopped = true;
  private observedRv = '';
  private observedAt = 0;
  /** When the last successful renewal was sent (not answered): the lease runs from no earlier than that. */
  private lastRenew = 0;
  /** The last read showed another holder (then a failed renew means we lost the lease). */
  private observedHolderIsOther = false;
  private timer?: TimerHandle;
  private watchdog?: TimerHandle;
  /** Cancels the round in flight (its requests) when the renew deadline passes. */
  private round?: AbortController;
  private tick?: Promise<void>;
  private readonly clock: Clock;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.clock = opts.clock ?? realClock();
  }

  isLeader(): boolean {
    return this.leading;
  }

  get identity(): string {
    return this.opts.identity;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases/${encodeURIComponent(this.opts.name)}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.tick = this.runOnce().finally(() => {
        this.tick = undefined;
        this.schedule(this.opts.retryPeriodMs);
      });
    }, ms);
  }

  /**
   * One acquire-or-renew round. A leader's round may not outlast its renew deadline (the last successful
   * renewal plus renewDeadline): its requests time out then, and the watchdog steps down at that moment
   * even if a request is still hanging, so the leader stops before its lease can expire for anyone else.
   */
  private async runOnce(): Promise<void> {
    const sentAt = this.clock.now();
    const deadline = this.leading ? this.lastRenew + this.opts.renewDeadlineMs : sentAt + this.opts.renewDeadlineMs;
    const round = new AbortController();
    this.round = round;
    try {
      const ok = await this.tryAcquireOrRenew({ deadline, signal: round.signal });
      if (ok && !round.signal.aborted && !this.stopped) {
        this.lastRenew = sentAt;
        if (!this.leading) {
          this.leading = true;
          this.opts.onStartedLeading();
        }
        this.armWatchdog();
        return;
      }
    } catch (err) {
      if (!round.signal.aborted) this.opts.onError?.(err);
    } finally {
      if (this.round === round) this.round = undefined;
    }
    if (this.leading && this.clock.now() - this.lastRenew >= this.opts.renewDeadlineMs) this.stepDown();
    else if (this.leading && this.observedHolderIsOther) this.stepDown();
  }

  /** Steps down at lastRenew + renewDeadline unless a renewal lands first (re-armed on every renewal). */
  private armWatchdog(): void {
    if (this.watchdog) this.clock.clearTimer(this.watchdog);
    this.watchdog = this.clock.setTimer(() => {
      this.watchdog = undefined;
      if (!this.leading || this.clock.now() - this.lastRenew < this.opts.renewDeadlineMs) return;
      this.opts.onError?.(new Error(`lease not renewed within the renew deadline (${this.opts.renewDeadlineMs} ms)`));
      this.round?.abort();
      this.stepDown();
    }, this.lastRenew + this.opts.renewDeadlineMs - this.clock.now());
  }

  private stepDown(): void {
    if (this.watchdog) this.clock.clearTimer(this.watchdog);
    this.watchdog = undefined;
    if (!this.leading) return;
    this.leading = false;
    this.opts.onStoppedLeading();
  }

  private desired(existing: LeaseSpec | undefined, now: number): LeaseSpec {
    const takingOver = existing?.holderIdentity !== this.opts.identity;
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.opts.leaseDurationMs / 1000)),
      acquireTime: takingOver ? microTime(now) : (existing?.acquireTime ?? microTime(now)),
      renewTime: microTime(now),
      leaseTransitions: (existing?.leaseTransitions ?? 0) + (takingOver && existing?.holderIdentity ? 1 : 0),
    };
  }

  /** One round: true when we hold the lease afterwards. */
  async tryAcquireOrRenew(bound: { deadline?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const now = this.clock.now();
    const deadline = bound.deadline ?? now + this.opts.renewDeadlineMs;
    // Every request of the round is bounded by what is left of the deadline.
    const limits = () => ({ timeoutMs: Math.max(1, deadline - this.clock.now()), ...(bound.signal ? { signal: bound.signal } : {}) });
    let lease: LeaseObject;
    try {
      lease = await this.client.request<LeaseObject>('GET', this.path, limits());
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const body: LeaseObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: this.desired(undefined, now),
      };
      try {
        await this.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`, { body, write: { resource: 'leases', verb: 'create' }, unfenced: true, ...limits() });
        return true;
      } catch (e) {
        if (isConflict(e)) return false;
        throw e;
      }
    }
    const rv = lease.metadata.resourceVersion ?? '';
    if (rv !== this.observedRv) {
      this.observedRv = rv;
      this.observedAt = now;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    this.observedHolderIsOther = holder !== '' && holder !== this.opts.identity;
    if (this.observedHolderIsOther && this.observedAt + durationMs > now) return false;
    try {
      const updated = await this.client.request<LeaseObject>('PUT', this.path, {
        body: { ...lease, spec: this.desired(lease.spec, now) },
        write: { resource: 'leases', verb: 'update' },
        unfenced: true,
        ...limits(),
      });
      this.observedRv = updated.metadata.resourceVersion ?? '';
      this.observedAt = now;
      this.observedHolderIsOther = false;
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // someone else wrote it first
      throw err;
    }
  }

  /**
   * Stops campaigning. With release (graceful shutdown) the lease is handed back at once: holder emptied,
   * duration 1 s, so a standby acquires it on its next retry instead of waiting for expiry.
   */
  async stop({ release }: { release: boolean }): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (this.watchdog) this.clock.clearTimer(this.watchdog);
    this.watchdog = undefined;
    await this.tick?.catch(() => {});
    const wasLeading = this.leading;
    this.leading = false;
    if (release && wasLeading) {
      try {
        const lease = await this.client.request<LeaseObject>('GET', this.path);
        if (lease.spec?.holderIdentity === this.opts.identity) {
          await this.client.request('PUT', this.path, {
            body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock.now()) } },
            write: { resource: 'leases', verb: 'update' },
            unfenced: true,
          });
        }
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    if (wasLeading) this.opts.onStoppedLeading();
  }
}
