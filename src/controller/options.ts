// What `segmentation run` (and tests, the benchmark) can set on the Operator, and the defaults.
import type { ClientOptions } from '../kube/client.js';
import type { KubeConfigLike } from '../kube/kubeconfig.js';
import type { BackoffOptions } from './backoff.js';
import type { Logger, LogLevel } from './log.js';
import type { OperatorMetrics } from './metrics.js';

export interface LeaderElectionConfig {
  enabled: boolean;
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface OperatorOptions {
  /** A kubeconfig already loaded (ours or client-node's KubeConfig); else kubeconfigPath / the defaults. */
  kubeConfig?: KubeConfigLike;
  kubeconfigPath?: string;
  /** What gave kubeconfigPath (a flag, an environment variable), for the error when it cannot be read. */
  kubeconfigFrom?: string;
  workers?: number;
  leaderElection?: Partial<LeaderElectionConfig>;
  /** Full relist of every informer (catches deletes missed across reconnects). 0 disables. */
  resyncMs?: number;
  qps?: number;
  burst?: number;
  /** Bound on every API request (default 30 s); the lease's requests are bounded by the renew deadline. */
  requestTimeoutMs?: number;
  /** 0 = off. */
  healthPort?: number;
  metricsPort?: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** Status is recomputed once the queue is idle, at least this long after the first change... */
  statusDebounceMs?: number;
  /** ...and at the latest this long after it, even if the queue never idles. */
  statusMaxDelayMs?: number;
  backoff?: BackoffOptions;
  /** Namespace for Events about (cluster-scoped) profiles. */
  eventsNamespace?: string;
  /** How often the leader re-checks the policy engine and metadata exposure (finding conditions). 0 = never. */
  scanPeriodMs?: number;
  /** After a profile change, scan again this soon (default 5 s). */
  rescanDelayMs?: number;
  /** Register process metrics (CPU, memory) in the registry. */
  processMetrics?: boolean;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionConfig = {
  enabled: false,
  namespace: 'segmentation-system',
  name: 'segmentation-operator',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};


/** The KubeClient's options: the limits that were set, and every write and request counted in the metrics. */
export function clientOptions({ qps, burst, requestTimeoutMs }: Pick<OperatorOptions, 'qps' | 'burst' | 'requestTimeoutMs'>, metrics: Pick<OperatorMetrics, 'writes' | 'apiRequests'>): ClientOptions {
  return {
    ...(qps !== undefined ? { qps } : {}),
    ...(burst !== undefined ? { burst } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    onWrite: (resource, verb) => metrics.writes.inc({ resource, verb }),
    onRequest: (method, code) => metrics.apiRequests.inc({ method, code: String(code) }),
  };
}
