// Calico tier order: tiers by `order` (lower first, unset last); in a tier, the GlobalNetworkPolicies that
// select the endpoint by `order` (unset last) then name, each rule in order: Allow or Deny decide, Pass
// leaves the tier, Log goes on. A tier in which some policy selected the endpoint but no rule matched ends
// with its defaultAction (Deny unless set). A tier with no selecting policy is skipped. Kubernetes
// NetworkPolicies come after every tier given here (they live in Calico's default tier). Policies with
// doNotTrack or preDNAT apply to host endpoints only: they select no pod.
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

/** A rule as read: wider than what we render (no destination, source nets, ingress rules). */
interface CalicoRuleRead {
  action: CalicoRule['action'];
  protocol?: string;
  source?: { nets?: string[] };
  destination?: { nets?: string[]; ports?: (number | string)[] };
}

/** Lower order first, unset order last, then by name. */
function byOrder(a: { metadata: { name: string }; spec: { order?: number } }, b: { metadata: { name: string }; spec: { order?: number } }): number {
  return (a.spec.order ?? Infinity) - (b.spec.order ?? Infinity) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}

function selects(model: ClusterModel, policy: GlobalNetworkPolicy, pod: PodInfo): boolean {
  const hostOnly = policy.spec as { doNotTrack?: boolean; preDNAT?: boolean };
  if (pod.hostNetwork || hostOnly.doNotTrack === true || hostOnly.preDNAT === true) return false;
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

/** `source` and `destination` are the connection's ends: for Egress the subject sends, for Ingress it receives. */
function ruleMatches(rule: CalicoRuleRead, source: Endpoint, destination: Endpoint, traffic: Traffic): boolean {
  if (rule.protocol !== undefined && rule.protocol !== traffic.protocol) return false;
  if (rule.source?.nets && !rule.source.nets.some((n) => cidrAdmits(n, source))) return false;
  const dest = rule.destination ?? {};
  if (dest.nets && !dest.nets.some((n) => cidrAdmits(n, destination))) return false;
  if (dest.ports && !dest.ports.some((p) => portMatches(p, (rule.protocol ?? traffic.protocol) as Protocol, traffic))) return false;
  return true;
}

/**
 * The deciding action of the given tiers for one side, or undefined when every tier passed (or none
 * applied): Kubernetes NetworkPolicy decides next. Rules are matched on protocol, `source.nets`,
 * `destination.nets` and `destination.ports` (the file schema refuses rules that use anything else).
 */
export function evaluateCalicoTiers(model: ClusterModel, tiers: readonly CalicoTier[], policies: readonly GlobalNetworkPolicy[], subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic): CalicoMatch | undefined {
  const self: Endpoint = { kind: 'pod', pod: subject };
  const [source, destination] = direction === 'Egress' ? [self, peer] : [peer, self];
  for (const tier of [...tiers].sort(byOrder)) {
    const inTier = policies.filter((p) => p.spec.tier === tier.metadata.name && p.spec.types.includes(direction) && selects(model, p, subject)).sort(byOrder);
    if (inTier.length === 0) continue;
    let passed = false;
    for (const policy of inTier) {
      const read = policy.spec as { egress?: CalicoRuleRead[]; ingress?: CalicoRuleRead[] };
      const rules = (direction === 'Egress' ? read.egress : read.ingress) ?? [];
      const index = rules.findIndex((r) => r.action !== 'Log' && ruleMatches(r, source, destination, traffic));
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
