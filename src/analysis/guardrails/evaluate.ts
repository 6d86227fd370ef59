// Connectivity with cluster-scoped guardrails: for each side of a connection, in the order the engines
// apply them:
//   1. Cilium egressDeny/ingressDeny (beats every allow),
//   2. Calico tiers given here (before the default tier, where Kubernetes NetworkPolicies live),
//   3. ClusterNetworkPolicy Admin tier (Accept / Deny decide; Pass goes on),
//   4. Kubernetes NetworkPolicy (src/analysis/evaluate.ts, unchanged): decides for a pod it isolates,
//   5. ClusterNetworkPolicy Baseline tier (Accept / Deny; Pass = no decision),
//   6. default allow.
// A real cluster has one engine; the order only matters if objects of several are given together.
import type { GuardrailObject } from '../../compile/guardrails/backend.js';
import type { CalicoTier, GlobalNetworkPolicy } from '../../compile/guardrails/calico.js';
import type { CiliumClusterwideNetworkPolicy } from '../../compile/guardrails/cilium.js';
import type { ClusterNetworkPolicy } from '../../compile/guardrails/cluster-network-policy.js';
import { evaluateSide, type SideVerdict } from '../evaluate.js';
import type { ClusterModel, Endpoint, PodInfo, Traffic } from '../model.js';
import { evaluateCalicoTiers } from './calico.js';
import { ciliumDeny } from './cilium.js';
import { evaluateCnpTier, type Direction } from './cnp.js';

export interface Guardrails {
  clusterNetworkPolicies: ClusterNetworkPolicy[];
  cilium: CiliumClusterwideNetworkPolicy[];
  calicoTiers: CalicoTier[];
  calicoPolicies: GlobalNetworkPolicy[];
}

export const NO_GUARDRAILS: Guardrails = { clusterNetworkPolicies: [], cilium: [], calicoTiers: [], calicoPolicies: [] };

/** Sorts guardrail objects (as render emits them, or read from files) by kind; other kinds are ignored. */
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

/** Which stage decided a side. */
export type Stage = 'cilium-deny' | 'calico' | 'admin' | 'networkpolicy' | 'baseline' | 'default';

export interface GuardedSide {
  allowed: boolean;
  stage: Stage;
  /** The guardrail object and rule that decided (stages other than networkpolicy and default). */
  by?: string;
  /** What Kubernetes NetworkPolicy alone says (always computed, for comparison). */
  networkPolicy: SideVerdict;
}

export interface GuardedDecision {
  allowed: boolean;
  egress?: GuardedSide;
  ingress?: GuardedSide;
}

export function evaluateGuardedSide(model: ClusterModel, guards: Guardrails, subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic): GuardedSide {
  const networkPolicy = evaluateSide(model, subject, direction, peer, traffic);
  const cilium = ciliumDeny(model, guards.cilium, subject, direction, peer, traffic);
  if (cilium) return { allowed: false, stage: 'cilium-deny', by: cilium, networkPolicy };
  const calico = evaluateCalicoTiers(model, guards.calicoTiers, guards.calicoPolicies, subject, direction, peer, traffic);
  if (calico) return { allowed: calico.action === 'Allow', stage: 'calico', by: calico.by, networkPolicy };
  const admin = evaluateCnpTier(model, guards.clusterNetworkPolicies, 'Admin', subject, direction, peer, traffic);
  if (admin && admin.action !== 'Pass') return { allowed: admin.action === 'Accept', stage: 'admin', by: admin.by, networkPolicy };
  if (networkPolicy.status === 'allowed' || networkPolicy.status === 'denied') return { allowed: networkPolicy.status === 'allowed', stage: 'networkpolicy', networkPolicy };
  const baseline = evaluateCnpTier(model, guards.clusterNetworkPolicies, 'Baseline', subject, direction, peer, traffic);
  if (baseline && baseline.action !== 'Pass') return { allowed: baseline.action === 'Accept', stage: 'baseline', by: baseline.by, networkPolicy };
  return { allowed: true, stage: 'default', networkPolicy };
}

/** `from -> to` with guardrails: both sides must allow (an external end has no side). */
export function evaluateGuardedConnection(model: ClusterModel, guards: Guardrails, from: Endpoint, to: Endpoint, traffic: Traffic): GuardedDecision {
  const egress = from.kind === 'pod' ? evaluateGuardedSide(model, guards, from.pod, 'Egress', to, traffic) : undefined;
  const ingress = to.kind === 'pod' ? evaluateGuardedSide(model, guards, to.pod, 'Ingress', from, traffic) : undefined;
  const out: GuardedDecision = { allowed: (egress?.allowed ?? true) && (ingress?.allowed ?? true) };
  if (egress) out.egress = egress;
  if (ingress) out.ingress = ingress;
  return out;
}
