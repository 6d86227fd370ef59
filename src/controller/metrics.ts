// Prometheus metrics on the operator's own Registry (never prom-client's global one, so several
// operators can run in one process: tests, the benchmark).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GaugeSources {
  queueDepth: () => number;
  managedNamespaces: () => number;
  managedPolicies: () => number;
  leader: () => boolean;
}

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram;
  readonly writes: Counter<'resource' | 'verb'>;
  readonly watchRestarts: Counter<'informer'>;
  readonly apiRequests: Counter<'method' | 'code'>;
  readonly statusWrites: Counter;
  readonly conflicts: Counter;

  constructor(sources: GaugeSources, { defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.reconciles = new Counter({ name: 'segmentation_reconciles_total', help: 'Namespace reconciles by result (success, error, skipped).', labelNames: ['result'], registers });
    this.reconcileDuration = new Histogram({
      name: 'segmentation_reconcile_duration_seconds',
      help: 'Time to reconcile one namespace, API calls included.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.writes = new Counter({ name: 'segmentation_writes_total', help: 'Write requests sent to the API server, by resource and verb.', labelNames: ['resource', 'verb'], registers });
    this.watchRestarts = new Counter({ name: 'segmentation_watch_restarts_total', help: 'List/watch restarts after errors, by informer.', labelNames: ['informer'], registers });
    this.apiRequests = new Counter({ name: 'segmentation_api_requests_total', help: 'Requests to the API server by method and HTTP status (0 = transport error).', labelNames: ['method', 'code'], registers });
    this.statusWrites = new Counter({ name: 'segmentation_status_writes_total', help: 'Profile status updates written.', registers });
    this.conflicts = new Counter({ name: 'segmentation_conflicts_total', help: 'Desired policies not created because a NetworkPolicy we do not manage has the name.', registers });
    new Gauge({ name: 'segmentation_queue_depth', help: 'Namespaces waiting in the work queue.', registers, collect() { this.set(sources.queueDepth()); } });
    new Gauge({ name: 'segmentation_managed_namespaces', help: 'Namespaces holding at least one managed NetworkPolicy.', registers, collect() { this.set(sources.managedNamespaces()); } });
    new Gauge({ name: 'segmentation_managed_policies', help: 'Managed NetworkPolicies in the cache.', registers, collect() { this.set(sources.managedPolicies()); } });
    new Gauge({ name: 'segmentation_leader', help: '1 when this instance is the leader (or leader election is off).', registers, collect() { this.set(sources.leader() ? 1 : 0); } });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'segmentation_' });
  }
}
