// Upstream ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) evaluation for one side of a
// connection in one tier: the policies whose subject selects the pod, by priority (lower first; equal
// priorities by name, a stable stand-in for "undefined"), and in each the rules in order; the first
// rule whose peers and protocols match decides with its action (Accept, Deny or Pass).
import type { ClusterNetworkPolicy, CnpPeer, CnpProtocol, CnpRule } from '../../compile/guardrails/cluster-network-policy.js';
import type { ClusterModel, Endpoint, PodInfo, Protocol, Traffic } from '../model.js';
import { selectorMatches } from '../../compile/select.js';
import { cidrAdmits, podNamespaceLabels, portInRange } from './match.js';

export type Direction = 'Ingress' | 'Egress';

export interface CnpMatch {
  action: 'Accept' | 'Deny' | 'Pass';
  /** `ClusterNetworkPolicy NAME egress[i] "rule name" (Admin, priority P)` */
  by: string;
}

export function subjectSelects(model: ClusterModel, policy: ClusterNetworkPolicy, pod: PodInfo): boolean {
  if (pod.hostNetwork) return false;
  const ns = podNamespaceLabels(model, pod);
  const subject = policy.spec.subject;
  if ('namespaces' in subject) return selectorMatches(subject.namespaces, ns);
  return selectorMatches(subject.pods.namespaceSelector, ns) && selectorMatches(subject.pods.podSelector, pod.labels);
}

function peerMatches(model: ClusterModel, peer: CnpPeer, endpoint: Endpoint): boolean {
  if (peer.networks) return peer.networks.some((n) => cidrAdmits(n, endpoint));
  if (endpoint.kind !== 'pod' || endpoint.pod.hostNetwork) return false;
  const ns = podNamespaceLabels(model, endpoint.pod);
  if (peer.namespaces) return selectorMatches(peer.namespaces, ns);
  if (peer.pods) return selectorMatches(peer.pods.namespaceSelector, ns) && selectorMatches(peer.pods.podSelector, endpoint.pod.labels);
  return false;
}

function protocolMatches(entry: CnpProtocol, traffic: Traffic, destination: PodInfo | undefined): boolean {
  const named = (entry as { destinationNamedPort?: string }).destinationNamedPort;
  if (named !== undefined) return (destination?.ports ?? []).some((p) => p.name === named && p.protocol === traffic.protocol && p.port === traffic.port);
  for (const protocol of ['TCP', 'UDP', 'SCTP'] as Protocol[]) {
    const spec = (entry as Record<string, { destinationPort?: { number?: number; range?: { start: number; end: number } } } | undefined>)[protocol.toLowerCase()];
    if (!spec) continue;
    const port = spec.destinationPort;
    if (!port) return portInRange(traffic, protocol);
    if (port.number !== undefined) return portInRange(traffic, protocol, port.number);
    if (port.range) return portInRange(traffic, protocol, port.range.start, port.range.end);
    return portInRange(traffic, protocol);
  }
  return false;
}

function ruleMatches(model: ClusterModel, rule: CnpRule, direction: Direction, peer: Endpoint, traffic: Traffic, destination: PodInfo | undefined): boolean {
  const peers = (direction === 'Egress' ? rule.to : rule.from) ?? [];
  if (!peers.some((p) => peerMatches(model, p, peer))) return false;
  return !rule.protocols || rule.protocols.some((p) => protocolMatches(p, traffic, destination));
}

/** The deciding rule of one tier for `subject`'s side, or undefined when no rule of the tier matches. */
export function evaluateCnpTier(
  model: ClusterModel,
  policies: readonly ClusterNetworkPolicy[],
  tier: 'Admin' | 'Baseline',
  subject: PodInfo,
  direction: Direction,
  peer: Endpoint,
  traffic: Traffic,
): CnpMatch | undefined {
  const destination = direction === 'Ingress' ? subject : peer.kind === 'pod' ? peer.pod : undefined;
  const ordered = policies
    .filter((p) => p.spec.tier === tier && subjectSelects(model, p, subject))
    .sort((a, b) => a.spec.priority - b.spec.priority || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const policy of ordered) {
    const rules = (direction === 'Egress' ? policy.spec.egress : policy.spec.ingress) ?? [];
    const index = rules.findIndex((r) => ruleMatches(model, r, direction, peer, traffic, destination));
    if (index < 0) continue;
    const rule = rules[index]!;
    return { action: rule.action, by: `ClusterNetworkPolicy ${policy.metadata.name} ${direction.toLowerCase()}[${index}]${rule.name ? ` "${rule.name}"` : ''} (${tier}, priority ${policy.spec.priority})` };
  }
  return undefined;
}
