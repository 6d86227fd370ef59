// The pieces of NetworkPolicy semantics the evaluator and the audit share: which directions a
// policy governs, which pods it selects, which peers and ports one of its rules admits.
import type { IPBlock, NetworkPolicyPeer, NetworkPolicyPort, PolicyObject } from '../api/networkpolicy.js';
import { parseCidr, rangeContainsIp, subtractRanges, intersectRanges, type IpAddress, type IpRange } from './cidr.js';
import { namespaceLabels, toProtocol, type ClusterModel, type PodInfo, type Traffic } from './model.js';
import { selectorMatches } from '../compile/select.js';

export type Direction = 'Ingress' | 'Egress';

/** One rule of a policy, as it is written: `ingress[i]` or `egress[i]`. */
export interface PolicyRule {
  peers: NetworkPolicyPeer[] | undefined;
  ports: NetworkPolicyPort[] | undefined;
}

/**
 * The directions a policy isolates. As the API defaults `policyTypes`: Ingress always, plus
 * Egress when the policy has at least one egress rule.
 */
export function effectivePolicyTypes(policy: PolicyObject): Direction[] {
  const declared = policy.spec?.policyTypes;
  if (declared && declared.length > 0) return (['Ingress', 'Egress'] as const).filter((d) => declared.includes(d));
  return (policy.spec?.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

export function policyNamespace(policy: PolicyObject): string {
  return policy.metadata?.namespace ?? 'default';
}

/** True when `policy` selects `pod` and isolates it for `direction`. */
export function isolates(policy: PolicyObject, pod: PodInfo, direction: Direction): boolean {
  return (
    policyNamespace(policy) === pod.namespace &&
    effectivePolicyTypes(policy).includes(direction) &&
    selectorMatches(policy.spec?.podSelector ?? {}, pod.labels)
  );
}

/** The rules of a policy for one direction; an absent list is an empty one (deny all). */
export function rulesOf(policy: PolicyObject, direction: Direction): PolicyRule[] {
  if (direction === 'Ingress') return (policy.spec?.ingress ?? []).map((r) => ({ peers: r.from ?? r._from, ports: r.ports }));
  return (policy.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
}

/**
 * True when a selector peer (podSelector and/or namespaceSelector) of a policy in `policyNs`
 * admits `pod`. Both selectors in one peer must hold (AND); podSelector alone means the policy's
 * own namespace. ipBlock peers never admit a pod here: see ipBlockAdmitsIp and docs/analysis.md.
 * hostNetwork pods are never admitted by selectors: their traffic carries the node's address.
 */
export function selectorPeerAdmitsPod(model: ClusterModel, policyNs: string, peer: NetworkPolicyPeer, pod: PodInfo): boolean {
  if (peer.ipBlock || pod.hostNetwork) return false;
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, namespaceLabels(model, pod.namespace))
    : pod.namespace === policyNs;
  return namespaceOk && (peer.podSelector ? selectorMatches(peer.podSelector, pod.labels) : true);
}

/** The address ranges an ipBlock admits: `cidr` minus every `except`. Empty if the cidr is invalid. */
export function ipBlockRanges(block: IPBlock): IpRange[] {
  const cidr = parseCidr(block.cidr);
  if (!cidr) return [];
  const holes = (block.except ?? []).map((e) => parseCidr(e)).filter((c): c is NonNullable<typeof c> => c !== undefined);
  return subtractRanges(cidr, holes);
}

export function ipBlockAdmitsIp(block: IPBlock, ip: IpAddress): boolean {
  return ipBlockRanges(block).some((r) => rangeContainsIp(r, ip));
}

/** True when some address of `target` is admitted by the ipBlock. */
export function ipBlockAdmitsSomeOf(block: IPBlock, target: IpRange): boolean {
  return ipBlockRanges(block).some((r) => intersectRanges(r, target) !== undefined);
}

/**
 * True when a port entry admits the traffic. Protocol defaults to TCP; no port = every port of
 * that protocol; `endPort` makes an inclusive range. A named port is resolved against the pod
 * that receives the traffic (`destination`): it matches when that pod declares a container port
 * of that name and protocol whose number is the traffic's port. Without a destination pod (an
 * external address, or a hypothetical pod with no declared ports) a named port matches nothing.
 */
export function portAdmits(entry: NetworkPolicyPort, traffic: Traffic, destination: PodInfo | undefined): boolean {
  const protocol = toProtocol(entry.protocol);
  if (protocol !== traffic.protocol) return false;
  const port = entry.port;
  if (port === undefined || port === null) return true;
  if (typeof port === 'number') {
    if (entry.endPort !== undefined && entry.endPort !== null) return port <= traffic.port && traffic.port <= entry.endPort;
    return port === traffic.port;
  }
  return (destination?.ports ?? []).some((cp) => cp.name === port && cp.protocol === protocol && cp.port === traffic.port);
}

/** A rule's port list admits the traffic: an empty or absent list admits everything. */
export function portsAdmit(ports: NetworkPolicyPort[] | undefined, traffic: Traffic, destination: PodInfo | undefined): boolean {
  return !ports || ports.length === 0 || ports.some((p) => portAdmits(p, traffic, destination));
}
