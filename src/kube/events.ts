// Kubernetes Events (events.k8s.io/v1) about profiles, rate-limited: the same (object, reason, note) is
// reported at most once per interval, and all events share a token bucket, so a failing storm cannot
// flood etcd with events.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from './client.js';
import { microTime } from './lease.js';
import { TokenBucket } from './ratelimit.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  namespace?: string;
}

export interface RecorderOptions {
  controller: string;
  instance: string;
  /** Namespace for events about cluster-scoped objects. */
  namespace?: string;
  dedupeMs?: number;
  qps?: number;
  burst?: number;
  onError?: (err: unknown) => void;
}

export class EventRecorder {
  private readonly recent = new Map<string, number>();
  private readonly bucket: TokenBucket;
  emitted = 0;
  suppressed = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: RecorderOptions,
  ) {
    this.bucket = new TokenBucket({ qps: opts.qps ?? 1, burst: opts.burst ?? 20 });
  }

  /** Fire and forget: errors are reported to onError, never thrown. */
  record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, note: string, action = 'Reconcile'): void {
    const key = `${target.uid ?? target.name}|${reason}|${note}`;
    const now = Date.now();
    const last = this.recent.get(key);
    if (last !== undefined && now - last < (this.opts.dedupeMs ?? 10 * 60_000)) {
      this.suppressed++;
      return;
    }
    this.recent.set(key, now);
    if (this.recent.size > 10_000) for (const [k, t] of this.recent) if (now - t > (this.opts.dedupeMs ?? 600_000)) this.recent.delete(k);
    const namespace = target.namespace ?? this.opts.namespace ?? 'default';
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${target.name}.${randomBytes(8).toString('hex')}`, namespace },
      eventTime: microTime(now),
      reportingController: this.opts.controller,
      reportingInstance: this.opts.instance.slice(0, 128),
      action,
      reason,
      note: note.slice(0, 1024),
      type,
      regarding: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, ...(target.uid ? { uid: target.uid } : {}), ...(target.namespace ? { namespace: target.namespace } : {}) },
    };
    void this.bucket
      .take()
      .then(() => this.client.request('POST', `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, { body, write: { resource: 'events', verb: 'create' } }))
      .then(
        () => void this.emitted++,
        (err) => this.opts.onError?.(err),
      );
  }
}
