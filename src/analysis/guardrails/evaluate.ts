// Connectivity with cluster-scoped guardrails: the order in which the engines decide one side of a
// connection, given what Kubernetes NetworkPolicy alone says about it (src/analysis/evaluate.ts, which
// calls this when the model carries guardrails):
//   1. Cilium egressDeny/ingressDeny (beats every allow),
//   2. Calico tiers given here (before the default tier, where Kubernetes NetworkPolicies live),
//   3. ClusterNetworkPolicy Admin tier (Accept / Deny decide; Pass goes on),
//   4. Kubernetes NetworkPolicy: decides for a pod it isolates,
//   5. Cilium default deny: a CiliumClusterwideNetworkPolicy with rules of this direction isolates the pod
//      unless its enableDefaultDeny says false; with no allow rule (NetworkPolicy) the side is denied,
//   6. ClusterNetworkPolicy Baseline tier (Accept / Deny; Pass = no decision),
//   7. default allow.
// A real cluster has one engine; the order only matters if objects of several are given together.
import type { SideVerdict } from '../evaluate.js';
import type { ClusterModel, Endpoint, PodInfo, Traffic } from '../model.js';
import { evaluateCalicoTiers } from './calico.js';
import { ciliumDefaultDeny, ciliumDeny } from './cilium.js';
import { evaluateCnpTier, type Direction } from './cnp.js';
import type { Guardrails } from './objects.js';

/** Which stage decided a side. */
export type Stage = 'cilium-deny' | 'calico' | 'admin' | 'networkpolicy' | 'cilium-default-deny' | 'baseline' | 'default';

/** One side of a connection through the engine's precedence. */
export interface GuardrailSide {
  allowed: boolean;
  stage: Stage;
  /** The guardrail object and rule that decided (every stage but networkpolicy and default). */
  by?: string;
}

/** True when a guardrail, not NetworkPolicy or the default, decided the side. */
export function decidedByGuardrail(side: GuardrailSide): boolean {
  return side.stage !== 'networkpolicy' && side.stage !== 'default';
}

export function guardSide(model: ClusterModel, guards: Guardrails, subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic, networkPolicy: SideVerdict): GuardrailSide {
  const cilium = ciliumDeny(model, guards.cilium, subject, direction, peer, traffic);
  if (cilium) return { allowed: false, stage: 'cilium-deny', by: cilium };
  const calico = evaluateCalicoTiers(model, guards.calicoTiers, guards.calicoPolicies, subject, direction, peer, traffic);
  if (calico) return { allowed: calico.action === 'Allow', stage: 'calico', by: calico.by };
  const admin = evaluateCnpTier(model, guards.clusterNetworkPolicies, 'Admin', subject, direction, peer, traffic);
  if (admin && admin.action !== 'Pass') return { allowed: admin.action === 'Accept', stage: 'admin', by: admin.by };
  if (networkPolicy.status === 'allowed' || networkPolicy.status === 'denied') return { allowed: networkPolicy.status === 'allowed', stage: 'networkpolicy' };
  const isolating = ciliumDefaultDeny(model, guards.cilium, subject, direction);
  if (isolating) return { allowed: false, stage: 'cilium-default-deny', by: isolating };
  const baseline = evaluateCnpTier(model, guards.clusterNetworkPolicies, 'Baseline', subject, direction, peer, traffic);
  if (baseline && baseline.action !== 'Pass') return { allowed: baseline.action === 'Accept', stage: 'baseline', by: baseline.by };
  return { allowed: true, stage: 'default' };
}
