// The overview's findings from one read of the cluster or the files: is an engine enforcing (preflight),
// and which namespaces can reach a metadata endpoint (audit). Pure; both sources call it.
import type { V1DaemonSet, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import { auditMetadataExposure, type MetadataExposureReport } from '../analysis/audit-metadata.js';
import { detectEnforcement, type EnforcementFinding } from '../analysis/enforcement.js';
import type { NamespaceEntry, PolicyEntry } from './view/snapshot.js';

export interface FindingsInput {
  namespaces: readonly NamespaceEntry[];
  pods: readonly V1Pod[];
  policies: readonly PolicyEntry[];
  /** undefined when not read (offline): preflight then looks at pods only. */
  daemonSets?: readonly V1DaemonSet[];
  nodes?: readonly V1Node[];
}

export function computeFindings(input: FindingsInput): { preflight: EnforcementFinding | null; audit: MetadataExposureReport } {
  const namespaces: V1Namespace[] = input.namespaces.map((n) => ({ metadata: { name: n.name, labels: n.labels } }));
  const haveInventory = input.daemonSets !== undefined || input.nodes !== undefined || input.pods.length > 0;
  const preflight = haveInventory ? detectEnforcement({ daemonSets: input.daemonSets ?? [], nodes: input.nodes ?? [], pods: input.pods }) : null;
  return { preflight, audit: auditByNamespace(input.policies, namespaces, input.pods) };
}

/**
 * The metadata audit, one namespace at a time. It is a per-namespace question (egress policies select pods
 * of their own namespace; the metadata endpoint is an address, not a pod), and auditMetadataExposure
 * filters every policy for every namespace: 3.3 s for 2,000 namespaces and 20,000 policies in one call.
 */
export function auditByNamespace(policies: readonly PolicyEntry[], namespaces: readonly V1Namespace[], pods: readonly V1Pod[]): MetadataExposureReport {
  const group = <T>(items: readonly T[], nsOf: (t: T) => string) => {
    const out = new Map<string, T[]>();
    for (const item of items) {
      const key = nsOf(item);
      const list = out.get(key);
      if (list) list.push(item);
      else out.set(key, [item]);
    }
    return out;
  };
  const policiesBy = group(policies, (p) => p.metadata.namespace);
  const podsBy = group(pods, (p) => p.metadata?.namespace ?? 'default');
  const names = new Set([...namespaces.map((n) => n.metadata?.name ?? ''), ...policiesBy.keys(), ...podsBy.keys()]);
  const byName = new Map(namespaces.map((n) => [n.metadata?.name ?? '', n]));
  const withPods = pods.length > 0;
  const reports = [...names].sort().map((name) =>
    auditMetadataExposure(policiesBy.get(name) ?? [], [byName.get(name) ?? { metadata: { name } }], withPods ? (podsBy.get(name) ?? []) : undefined),
  );
  const namespacesOut = reports.flatMap((r) => r.namespaces);
  return { metadataCidrs: reports[0]?.metadataCidrs ?? auditMetadataExposure([], []).metadataCidrs, exposed: namespacesOut.some((n) => n.exposed), namespaces: namespacesOut };
}
