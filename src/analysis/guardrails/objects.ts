// The guardrail objects the evaluator reads, sorted by kind: rendered by `render --backend`, or read from
// files (through the schemas in src/analysis/input-schemas.ts). Other kinds are ignored.
import type { GuardrailObject } from '../../compile/guardrails/backend.js';
import type { CalicoTier, GlobalNetworkPolicy } from '../../compile/guardrails/calico.js';
import type { CiliumClusterwideNetworkPolicy } from '../../compile/guardrails/cilium.js';
import type { ClusterNetworkPolicy } from '../../compile/guardrails/cluster-network-policy.js';

export interface Guardrails {
  clusterNetworkPolicies: ClusterNetworkPolicy[];
  cilium: CiliumClusterwideNetworkPolicy[];
  calicoTiers: CalicoTier[];
  calicoPolicies: GlobalNetworkPolicy[];
}

export function guardrailsOf(objects: readonly (GuardrailObject | { kind?: string })[]): Guardrails {
  const out: Guardrails = { clusterNetworkPolicies: [], cilium: [], calicoTiers: [], calicoPolicies: [] };
  for (const o of objects) {
    if (o.kind === 'ClusterNetworkPolicy') out.clusterNetworkPolicies.push(o as ClusterNetworkPolicy);
    else if (o.kind === 'CiliumClusterwideNetworkPolicy') out.cilium.push(o as CiliumClusterwideNetworkPolicy);
    else if (o.kind === 'Tier') out.calicoTiers.push(o as CalicoTier);
    else if (o.kind === 'GlobalNetworkPolicy') out.calicoPolicies.push(o as GlobalNetworkPolicy);
  }
  return out;
}

export function hasGuardrails(g: Guardrails | undefined): g is Guardrails {
  return g !== undefined && g.clusterNetworkPolicies.length + g.cilium.length + g.calicoTiers.length + g.calicoPolicies.length > 0;
}
