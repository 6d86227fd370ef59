// A namespace's connectivity matrix for the console: workloads (pods grouped by their labels, without
// the per-rollout hash labels) against the same workloads plus DNS, the metadata endpoint and an external
// address. Each cell carries the explain query that reproduces it.
import { parseIp } from '../../analysis/cidr.js';
import { sideDenies } from '../../analysis/evaluate.js';
import { buildMatrix, wellKnownColumns } from '../../analysis/matrix.js';
import type { ClusterModel, PodInfo, Protocol } from '../../analysis/model.js';
import { describeEndpoint } from '../../analysis/model.js';
import type { ExplainQuery } from './explain.js';

const VOLATILE_LABELS = ['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index'];

export interface Workload {
  /** `app=backend,tier=api`, or the pod name when it has no labels. */
  label: string;
  pods: PodInfo[];
}

export function workloadLabels(pod: PodInfo): string {
  const parts = Object.entries(pod.labels)
    .filter(([k]) => !VOLATILE_LABELS.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(',') : `pod ${pod.name}`;
}

/** Pods of one namespace grouped by workload labels, sorted. hostNetwork pods are left out. */
export function workloadsOf(model: ClusterModel, namespace: string): Workload[] {
  const groups = new Map<string, PodInfo[]>();
  for (const pod of model.pods) {
    if (pod.namespace !== namespace || pod.hostNetwork) continue;
    const key = workloadLabels(pod);
    groups.set(key, [...(groups.get(key) ?? []), pod]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, pods]) => ({ label, pods }));
}

export type CellVerdict = 'allowed' | 'denied';

export interface MatrixCell {
  verdict: CellVerdict;
  /** Which side denies, for the cell's title. */
  deniedBy: Array<'egress' | 'ingress'>;
  query: ExplainQuery;
}

export interface MatrixView {
  rows: Workload[];
  columns: Array<{ label: string; kind: 'pod' | 'dns' | 'metadata' | 'external' }>;
  cells: MatrixCell[][];
}

export interface MatrixOptions {
  port: number;
  protocol: Protocol;
  dns?: { namespace: string; labels: Record<string, string> };
  metadata?: string;
  external?: string;
}

/** The query that names a pod end: the pod itself when it is real, its labels when hypothetical. */
function endText(pod: PodInfo): string {
  return pod.hypothetical ? `${pod.namespace}/${Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(',')}` : `${pod.namespace}/${pod.name}`;
}

export function namespaceMatrix(model: ClusterModel, namespace: string, options: MatrixOptions): MatrixView {
  const rows = workloadsOf(model, namespace);
  const reps = rows.map((w) => w.pods[0]!);
  const metadataIp = parseIp(options.metadata ?? '169.254.169.254');
  const externalIp = parseIp(options.external ?? '203.0.113.10');
  const extra = wellKnownColumns(model, {
    ...(options.dns ? { dns: options.dns } : {}),
    metadata: metadataIp ? [{ ip: metadataIp, port: 80 }] : [],
    external: externalIp ? [{ ip: externalIp, port: 443 }] : [],
  });
  const matrix = buildMatrix(model, reps, { port: options.port, protocol: options.protocol }, extra);
  const columns = matrix.columns.map((c, i) => ({ label: i < rows.length ? rows[i]!.label : c.id, kind: c.kind }));
  const cells = matrix.decisions.map((row, r) =>
    row.map((decision, c) => {
      const col = matrix.columns[c]!;
      const to = col.endpoint.kind === 'pod' ? endText(col.endpoint.pod) : describeEndpoint(col.endpoint);
      const deniedBy = (['egress', 'ingress'] as const).filter((side) => sideDenies(decision, side));
      return { verdict: decision.allowed ? 'allowed' : 'denied', deniedBy, query: { from: endText(reps[r]!), to, port: `${col.traffic.port}/${col.traffic.protocol}` } } satisfies MatrixCell;
    }),
  );
  return { rows, columns, cells };
}
