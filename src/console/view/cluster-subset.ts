// The evaluator's model for the part of the cluster a page looks at. The evaluator scans every policy for
// every pair; with 20,000 policies a per-namespace matrix only needs the policies of the namespaces whose
// pods it evaluates (NetworkPolicies select pods of their own namespace only).
import type { V1Namespace } from '@kubernetes/client-node';
import { buildClusterModel, type ClusterModel } from '../../analysis/model.js';
import type { NamespaceEntry, PolicyEntry } from './snapshot.js';
import type { V1Pod } from '@kubernetes/client-node';

export interface ClusterData {
  namespaces: readonly NamespaceEntry[];
  pods: readonly V1Pod[];
  policies: readonly PolicyEntry[];
}

/** A model whose pods and policies are those of `namespaces` only; every namespace keeps its labels. */
export function modelFor(data: ClusterData, namespaces: readonly string[]): ClusterModel {
  const wanted = new Set(namespaces);
  const v1Namespaces: V1Namespace[] = data.namespaces.map((n) => ({ metadata: { name: n.name, labels: n.labels } }));
  return buildClusterModel({
    namespaces: v1Namespaces,
    pods: data.pods.filter((p) => wanted.has(p.metadata?.namespace ?? 'default')),
    policies: data.policies.filter((p) => wanted.has(p.metadata.namespace)),
  });
}
