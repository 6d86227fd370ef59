// Calico tier order: tiers by `order` (lower first); in a tier, the GlobalNetworkPolicies that select the
// endpoint by `order` then name, each rule in order: Allow or Deny decide, Pass leaves the tier, Log goes
// on. A tier in which some policy selected the endpoint but no rule matched ends with its defaultAction
// (Deny unless set). A tier with no selecting policy is skipped. Kubernetes NetworkPolicies come after
// every tier given here (they live in Calico's default tier).
import type { CalicoRule, CalicoTier, GlobalNetworkPolicy } from '../../compile/guardrails/calico.js';
import { CALICO_NAMESPACE_NAME_LABEL } from '../../compile/labels.js';
import type { ClusterModel, Endpoint, PodInfo, Protocol, Traffic } from '../model.js';
import { cidrAdmits, podNamespaceLabels, portInRange } from './match.js';
import { parseCalicoSelector, UnsupportedSelectorError } from './calico-selector.js';
import type { Direction } from './cnp.js';

export interface CalicoMatch {
  action: 'Allow' | 'Deny';
  by: string;
}

function selects(model: ClusterModel, policy: GlobalNetworkPolicy, pod: PodInfo): boolean {
  if (pod.hostNetwork) return false;
  const ns = { ...podNamespaceLabels(model, pod), [CALICO_NAMESPACE_NAME_LABEL]: pod.namespace };
  try {
    const inNamespace = policy.spec.namespaceSelector === undefined || parseCalicoSelector(policy.spec.namespaceSelector)(ns);
    return inNamespace && parseCalicoSelector(policy.spec.selector ?? 'all()')(pod.labels);
  } catch (err) {
    if (err instanceof UnsupportedSelectorError) return false; // not understood: never claimed to apply
    throw err;
  }
}

function portMatches(port: number | string, protocol: Protocol, traffic: Traffic): boolean {
  if (typeof port === 'number') return portInRange(traffic, protocol, port);
  const range = /^(\d+):(\d+)$/.exec(port);
  return range ? portInRange(traffic, protocol, Number(range[1]), Number(range[2])) : false;
}

function ruleMatches(rule: CalicoRule, peer: Endpoint, traffic: Traffic): boolean {
  if (rule.protocol !== undefined && rule.protocol !== traffic.protocol) return false;
  const dest = rule.destination;
  if (dest.nets && !dest.nets.some((n) => cidrAdmits(n, peer))) return false;
  if (dest.ports && !dest.ports.some((p) => portMatches(p, rule.protocol ?? traffic.protocol, traffic))) return false;
  return true;
}

/**
 * The deciding action of the given tiers for one side, or undefined when every tier passed (or none
 * applied): Kubernetes NetworkPolicy decides next. Only egress rules with `destination.nets/ports` are
 * understood (what the operator writes); other rules never match.
 */
export function evaluateCalicoTiers(model: ClusterModel, tiers: readonly CalicoTier[], policies: readonly GlobalNetworkPolicy[], subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic): CalicoMatch | undefined {
  const ordered = [...tiers].sort((a, b) => a.spec.order - b.spec.order || (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const tier of ordered) {
    const inTier = policies
      .filter((p) => p.spec.tier === tier.metadata.name && p.spec.types.includes(direction) && selects(model, p, subject))
      .sort((a, b) => a.spec.order - b.spec.order || (a.metadata.name < b.metadata.name ? -1 : 1));
    if (inTier.length === 0) continue;
    let passed = false;
    for (const policy of inTier) {
      const rules = direction === 'Egress' ? policy.spec.egress : ((policy.spec as { ingress?: CalicoRule[] }).ingress ?? []);
      const index = direction === 'Egress' ? rules.findIndex((r) => r.action !== 'Log' && ruleMatches(r, peer, traffic)) : -1;
      if (index < 0) continue;
      const rule = rules[index]!;
      if (rule.action === 'Pass') {
        passed = true;
        break;
      }
      return { action: rule.action as 'Allow' | 'Deny', by: `GlobalNetworkPolicy ${policy.metadata.name} ${direction.toLowerCase()}[${index}] (tier ${tier.metadata.name})` };
    }
    if (passed) continue;
    const fallback = tier.spec.defaultAction ?? 'Deny';
    if (fallback === 'Deny') return { action: 'Deny', by: `Tier ${tier.metadata.name} defaultAction Deny (a policy selected the pod, no rule matched)` };
  }
  return undefined;
}
