// Cilium deny precedence: an egressDeny (or ingressDeny) rule of a CiliumClusterwideNetworkPolicy that
// selects the pod and matches the traffic drops it, whatever any allow says. Only the rule parts the
// operator emits and a few common ones are understood (the file schemas in src/analysis/input-schemas.ts
// refuse the others): toCIDR, toCIDRSet, toEntities (world, world-ipv4, world-ipv6, cluster, all; host and
// remote-node match no endpoint of the model: it has no nodes), toEndpoints, toPorts; fromCIDR,
// fromCIDRSet, fromEntities, fromEndpoints for ingress. A policy's `spec` and each of its `specs` are rules
// of their own; a rule with a nodeSelector (host policy) selects no pod.
// Also Cilium's default deny: a rule with deny (or allow) rules of a direction puts the pods it selects into
// default deny for it, unless its enableDefaultDeny says false for that direction (Cilium >= 1.16).
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
  toPorts?: { ports?: { port?: string | number; endPort?: number; protocol?: string }[] }[];
}

/** One Cilium rule as read (a policy's `spec` or an item of its `specs`): wider than what we render. */
interface CiliumRuleSpec {
  endpointSelector?: LabelSelector;
  nodeSelector?: LabelSelector;
  enableDefaultDeny?: { egress?: boolean; ingress?: boolean };
  egress?: unknown[];
  ingress?: unknown[];
  egressDeny?: CiliumPeerRule[];
  ingressDeny?: CiliumPeerRule[];
}

/** Each rule of each policy that selects pods, named as explanations print it, by policy name. */
function rulesOf(policies: readonly CiliumClusterwideNetworkPolicy[]): { name: string; spec: CiliumRuleSpec }[] {
  const sorted = [...policies].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return sorted.flatMap((policy) => {
    const read = policy as unknown as { spec?: CiliumRuleSpec; specs?: CiliumRuleSpec[] };
    const name = `CiliumClusterwideNetworkPolicy ${policy.metadata.name}`;
    return [...(read.spec ? [{ name, spec: read.spec }] : []), ...(read.specs ?? []).map((spec, i) => ({ name: `${name} specs[${i}]`, spec }))];
  });
}

/**
 * The labels Cilium gives a pod's endpoint: its own, its namespace's name and its namespace's labels; each
 * also with the `k8s:` and `any:` source prefixes that selectors may use.
 */
export function ciliumEndpointLabels(model: ClusterModel, pod: PodInfo): Labels {
  const plain: Record<string, string> = { ...pod.labels, [CILIUM_NAMESPACE_LABEL]: pod.namespace };
  for (const [k, v] of Object.entries(podNamespaceLabels(model, pod))) plain[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
  const out: Record<string, string> = { ...plain };
  for (const [k, v] of Object.entries(plain)) {
    out[`k8s:${k}`] = v;
    out[`any:${k}`] = v;
  }
  return out;
}

function selects(model: ClusterModel, spec: CiliumRuleSpec, subject: PodInfo): boolean {
  return !subject.hostNetwork && spec.endpointSelector !== undefined && selectorMatches(spec.endpointSelector, ciliumEndpointLabels(model, subject));
}

function entityMatches(entity: string, peer: Endpoint): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'world':
      return peer.kind === 'ip';
    case 'world-ipv4':
      return peer.kind === 'ip' && peer.ip.family === 4;
    case 'world-ipv6':
      return peer.kind === 'ip' && peer.ip.family === 6;
    case 'cluster':
      return peer.kind === 'pod';
    default:
      return false;
  }
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
  if ((entities ?? []).some((e) => entityMatches(e, peer))) return true;
  if (peer.kind === 'pod' && !peer.pod.hostNetwork) return (endpoints ?? []).some((sel) => selectorMatches(sel, ciliumEndpointLabels(model, peer.pod)));
  return false;
}

function portsMatch(rule: CiliumPeerRule, traffic: Traffic): boolean {
  if (!rule.toPorts || rule.toPorts.length === 0) return true;
  return rule.toPorts.some((pr) =>
    (pr.ports ?? []).some((p) => {
      const protocols: Protocol[] = !p.protocol || p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol as Protocol];
      const number = p.port === undefined ? 0 : Number(p.port);
      if (Number.isNaN(number)) return false; // named ports: refused by the file schema, never written by us
      return protocols.some((protocol) => (number === 0 ? portInRange(traffic, protocol) : portInRange(traffic, protocol, number, p.endPort ?? number)));
    }),
  );
}

/** The deny rule that drops this side of the connection, if any: `CiliumClusterwideNetworkPolicy NAME egressDeny[i]`. */
export function ciliumDeny(model: ClusterModel, policies: readonly CiliumClusterwideNetworkPolicy[], subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic): string | undefined {
  const field = direction === 'Egress' ? 'egressDeny' : 'ingressDeny';
  for (const { name, spec } of rulesOf(policies)) {
    if (!selects(model, spec, subject)) continue;
    const index = (spec[field] ?? []).findIndex((r) => peerMatches(model, r, direction, peer) && portsMatch(r, traffic));
    if (index >= 0) return `${name} ${field}[${index}]`;
  }
  return undefined;
}

/**
 * The rule that puts `subject` into Cilium's default deny for this direction, if any: it selects the pod,
 * has rules of the direction (allow or deny), and does not set enableDefaultDeny to false for it.
 */
export function ciliumDefaultDeny(model: ClusterModel, policies: readonly CiliumClusterwideNetworkPolicy[], subject: PodInfo, direction: Direction): string | undefined {
  const key = direction === 'Egress' ? 'egress' : 'ingress';
  for (const { name, spec } of rulesOf(policies)) {
    if (!selects(model, spec, subject)) continue;
    const hasRules = (spec[key]?.length ?? 0) + (spec[`${key}Deny`]?.length ?? 0) > 0;
    if (hasRules && spec.enableDefaultDeny?.[key] !== false) return `${name}: default deny for ${key} (rules of this direction, and enableDefaultDeny.${key} is not false)`;
  }
  return undefined;
}
