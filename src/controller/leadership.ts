// Leadership and the write fence. Without leader election the process leads from the start; with it, a
// standby's writes are fenced until it holds the lease, and each term of leadership gets its own fence,
// aborted the moment the term ends (writes in flight included, e.g. ones hanging on a partition).
import type { KubeClient } from '../kube/client.js';
import { LeaderElector } from '../kube/lease.js';
import { errorMessage, type Logger } from './log.js';
import type { LeaderElectionConfig } from './options.js';

export interface LeadershipOptions {
  client: KubeClient;
  config: LeaderElectionConfig;
  identity: string;
  log: Logger;
  /** The lease was won. */
  onStarted: () => void;
  /** The lease was lost (never called for a stop()). */
  onStopped: () => void;
}

export class Leadership {
  private readonly elector?: LeaderElector;
  private term?: AbortController;

  constructor(private readonly opts: LeadershipOptions) {
    const { client, config: le, identity, log } = opts;
    if (!le.enabled) return;
    // A standby writes nothing until it leads: its writes are fenced from the start.
    client.setWriteFence(AbortSignal.abort());
    this.elector = new LeaderElector(client, {
      namespace: le.namespace,
      name: le.name,
      identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      onStartedLeading: () => {
        log.info('became leader', { identity, lease: `${le.namespace}/${le.name}` });
        opts.onStarted();
      },
      onStoppedLeading: () => {
        log.warn('stopped leading', { identity });
        opts.onStopped();
      },
      onError: (err) => log.warn(`leader election: ${errorMessage(err)}`, { identity }),
    });
  }

  get elected(): boolean {
    return this.elector !== undefined;
  }

  /** Leads now: always without leader election, else while holding the lease. */
  holdsLease(): boolean {
    return !this.elector || this.elector.isLeader();
  }

  start(): void {
    this.elector?.start();
  }

  /** A term of leadership begins: writes are allowed until endTerm(). */
  beginTerm(): void {
    this.term = new AbortController();
    this.opts.client.setWriteFence(this.term.signal);
  }

  /** No write of this term may land any more, including those in flight. */
  endTerm(): void {
    this.term?.abort();
  }

  /** Stops campaigning; `release` gives the lease up so a successor need not wait for it to expire. */
  async stop(release: boolean): Promise<void> {
    await this.elector?.stop({ release }).catch(() => {});
  }
}
