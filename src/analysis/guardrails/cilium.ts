// Cilium deny precedence: an egressDeny (or ingressDeny) rule of a CiliumClusterwideNetworkPolicy that
// selects the pod and matches the traffic drops it, whatever any allow says. Only the rule parts the
// operator emits and a few common ones are understood (docs/analysis.md): toCIDR, toCIDRSet, toEntities
// (world, cluster, all; host and remote-node match no endpoint of the model: it has no nodes),
// toEndpoints, toPorts; fromCIDR, fromEntities, fromEndpoints for ingress.
import type { CiliumClusterwideNetworkPolicy } from '../../compile/guardrails/cilium.js';
import { CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX } from '../../compile/labels.js';
import type { LabelSelector } from '../../api/networkpolicy.js';
import type { ClusterModel, Endpoint, PodInfo, Protocol, Traffic } from '../model.js';
import { selectorMatches, type Labels } from '../../compile/select.js';
import { cidrAdmits, podNamespaceLabels, portInRange } from './match.js';
import type { Direction } from './cnp.js';

interface CiliumPeerRule {
  toCIDR?: string[];
  toCIDRSet?: { cidr: string; except?: string[] }[];
  toEntities?: string[];
  toEndpoints?: LabelSelector[];
  fromCIDR?: string[];
  fromCIDRSet?: { cidr: string; except?: string[] }[];
  fromEntities?: string[];
  fromEndpoints?: LabelSelector[];
  toPorts?: { ports?: { port?: string; endPort?: number; protocol?: string }[] }[];
}

/** The labels Cilium gives a pod's endpoint: its own, its namespace's name and its namespace's labels. */
export function ciliumEndpointLabels(model: ClusterModel, pod: PodInfo): Labels {
  const out: Record<string, string> = { ...pod.labels, [CILIUM_NAMESPACE_LABEL]: pod.namespace };
  for (const [k, v] of Object.entries(podNamespaceLabels(model, pod))) out[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
  return out;
}

function peerMatches(model: ClusterModel, rule: CiliumPeerRule, direction: Direction, peer: Endpoint): boolean {
  const cidrs = direction === 'Egress' ? rule.toCIDR : rule.fromCIDR;
  const sets = direction === 'Egress' ? rule.toCIDRSet : rule.fromCIDRSet;
  const entities = direction === 'Egress' ? rule.toEntities : rule.fromEntities;
  const endpoints = direction === 'Egress' ? rule.toEndpoints : rule.fromEndpoints;
  if (cidrs === undefined && sets === undefined && entities === undefined && endpoints === undefined) return true; // only ports: every peer
  // CIDR rules never match pods (nor nodes) on Cilium.
  if (peer.kind === 'ip' && (cidrs ?? []).some((c) => cidrAdmits(c, peer))) return true;
  if (peer.kind === 'ip' && (sets ?? []).some((s) => cidrAdmits(s.cidr, peer, s.except ?? []))) return true;
  for (const entity of entities ?? []) {
    if (entity === 'all') return true;
    if (entity === 'world' && peer.kind === 'ip') return true;
    if (entity === 'cluster' && peer.kind === 'pod') return true;
  }
  if (peer.kind === 'pod' && !peer.pod.hostNetwork) return (endpoints ?? []).some((sel) => selectorMatches(sel, ciliumEndpointLabels(model, peer.pod)));
  return false;
}

function portsMatch(rule: CiliumPeerRule, traffic: Traffic): boolean {
  if (!rule.toPorts || rule.toPorts.length === 0) return true;
  return rule.toPorts.some((pr) =>
    (pr.ports ?? []).some((p) => {
      const protocols: Protocol[] = !p.protocol || p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol as Protocol];
      const number = p.port === undefined ? 0 : Number(p.port);
      if (Number.isNaN(number)) return false; // named ports: not resolved here
      return protocols.some((protocol) => (number === 0 ? portInRange(traffic, protocol) : portInRange(traffic, protocol, number, p.endPort ?? number)));
    }),
  );
}

/** The deny rule that drops this side of the connection, if any: `CiliumClusterwideNetworkPolicy NAME egressDeny[i]`. */
export function ciliumDeny(model: ClusterModel, policies: readonly CiliumClusterwideNetworkPolicy[], subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic): string | undefined {
  if (subject.hostNetwork) return undefined;
  const labels = ciliumEndpointLabels(model, subject);
  for (const policy of [...policies].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    if (!selectorMatches(policy.spec.endpointSelector as LabelSelector, labels)) continue;
    const field = direction === 'Egress' ? 'egressDeny' : 'ingressDeny';
    const rules = ((policy.spec as unknown as Record<string, CiliumPeerRule[] | undefined>)[field] ?? []) as CiliumPeerRule[];
    const index = rules.findIndex((r) => peerMatches(model, r, direction, peer) && portsMatch(r, traffic));
    if (index >= 0) return `CiliumClusterwideNetworkPolicy ${policy.metadata.name} ${field}[${index}]`;
  }
  return undefined;
}
