// The overview's findings from one read of the cluster or the files: is an engine enforcing (preflight),
// and which namespaces can reach a metadata endpoint (audit). Pure; both sources call it.
import type { V1DaemonSet, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import { auditMetadataExposure, type MetadataExposureReport } from '../analysis/audit-metadata.js';
import { detectEnforcement, type EnforcementFinding } from '../analysis/enforcement.js';
import type { PolicyObject } from '../analysis/policy-object.js';
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
  const audit = auditMetadataExposure(input.policies as PolicyObject[], namespaces, input.pods.length > 0 ? input.pods : undefined);
  return { preflight, audit };
}
