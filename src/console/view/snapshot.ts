// What the console server sends the browser (`GET /api/state`): the cluster (or the files) as the
// evaluator and compiler need it, plus the overview findings computed on the server. Types only.
import type { V1Pod } from '@kubernetes/client-node';
import type { EnforcementFinding } from '../../analysis/enforcement.js';
import type { MetadataExposureReport } from '../../analysis/audit-metadata.js';
import type { NetworkPolicySpec, ObjectMeta } from '../../api/networkpolicy.js';
import type { ApiServerEndpoints } from '../../api/apiserver-endpoints.js';

export interface NamespaceEntry {
  name: string;
  labels: Record<string, string>;
  terminating: boolean;
}

export interface PolicyEntry {
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'>;
  spec: Partial<NetworkPolicySpec> & Record<string, unknown>;
}

export interface ProfileEntry {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; resourceVersion?: string };
  spec: unknown;
  status?: Record<string, unknown>;
  /** Field managers of the object (from managedFields), to recognise a GitOps owner. */
  managers: string[];
  /** Where a profile from a file came from (offline). */
  source?: string;
}

export interface EventEntry {
  profile: string;
  type: string;
  reason: string;
  message: string;
  time: string;
}

export interface Snapshot {
  mode: 'live' | 'offline';
  /** The kubeconfig context or the files. */
  source: string;
  readOnly: boolean;
  namespaces: NamespaceEntry[];
  pods: V1Pod[];
  policies: PolicyEntry[];
  profiles: ProfileEntry[];
  events: EventEntry[];
  /** Cluster facts the compiler needs (spec.apiServer): the API server's endpoints, when known. */
  facts: { apiServer?: ApiServerEndpoints };
  /** null when it could not be determined (offline without pods). */
  preflight: EnforcementFinding | null;
  audit: MetadataExposureReport;
  /** Things the server could not read (e.g. forbidden to list nodes), said on the overview. */
  warnings: string[];
  loadedAt: string;
  loadMs: number;
}

export interface ApplyResult {
  outcome: 'applied' | 'dry-run' | 'conflict' | 'invalid' | 'forbidden' | 'error' | 'offline';
  message: string;
  /** The object the API server returned (applied or dry-run). */
  object?: unknown;
}
