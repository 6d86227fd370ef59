// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection: acquire or
// renew every retry period with resourceVersion-guarded updates; a lease is free when it has no holder
// or its holder has not renewed it (as observed by our own clock) within leaseDuration; the leader that
// cannot renew within renewDeadline steps down; release() empties the holder so a successor need not
// wait for the lease to expire.
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
  now?: () => number;
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
  private lastRenew = 0;
  /** The last read showed another holder (then a failed renew means we lost the lease). */
  private observedHolderIsOther = false;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.now = opts.now ?? Date.now;
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
    this.timer = setTimeout(() => {
      this.tick = this.runOnce().finally(() => this.schedule(this.opts.retryPeriodMs));
    }, ms);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    try {
      const ok = await this.tryAcquireOrRenew();
      if (ok) {
        this.lastRenew = this.now();
        if (!this.leading && !this.stopped) {
          this.leading = true;
          this.opts.onStartedLeading();
        }
        return;
      }
    } catch (err) {
      this.opts.onError?.(err);
    }
    if (this.leading && this.now() - this.lastRenew > this.opts.renewDeadlineMs) this.stepDown();
    else if (this.leading && this.observedHolderIsOther) this.stepDown();
  }

  private stepDown(): void {
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
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    let lease: LeaseObject;
    try {
      lease = await this.client.request<LeaseObject>('GET', this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const body: LeaseObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: this.desired(undefined, now),
      };
      try {
        await this.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`, { body, write: { resource: 'leases', verb: 'create' } });
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
    if (this.timer) clearTimeout(this.timer);
    await this.tick?.catch(() => {});
    const wasLeading = this.leading;
    this.leading = false;
    if (release && wasLeading) {
      try {
        const lease = await this.client.request<LeaseObject>('GET', this.path);
        if (lease.spec?.holderIdentity === this.opts.identity) {
          await this.client.request('PUT', this.path, {
            body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) } },
            write: { resource: 'leases', verb: 'update' },
          });
        }
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    if (wasLeading) this.opts.onStoppedLeading();
  }
}
