// One small builder per kind of generated NetworkPolicy. Each returns a complete, deterministic object;
// render.ts decides which ones a namespace needs.
import type {
  IPBlock,
  LabelSelector as WireSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from '../api/networkpolicy.js';
import type { LabelSelector, PortSpec } from '../api/profile.js';
import { DESCRIPTION_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, NAMESPACE_NAME_LABEL, PROFILE_LABEL, PURPOSE_LABEL, RULE_LABEL } from './labels.js';
import type { Purpose } from './names.js';
import { policyName } from './names.js';

export interface PolicyContext {
  profile: string;
  namespace: string;
}

type Direction = 'Ingress' | 'Egress';

interface PolicyShape {
  podSelector: LabelSelector;
  policyTypes: Direction[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

function policy(
  ctx: PolicyContext,
  purpose: Purpose,
  description: string,
  spec: PolicyShape,
  rule?: string,
): NetworkPolicy {
  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [PROFILE_LABEL]: ctx.profile,
    [PURPOSE_LABEL]: purpose,
  };
  // allow-metadata and allow-api-server carry an entry index in the name, not a rule.
  if (rule !== undefined && purpose !== 'allow-metadata' && purpose !== 'allow-api-server') labels[RULE_LABEL] = rule;
  const out: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policyName(ctx.profile, purpose, rule),
      namespace: ctx.namespace,
      labels,
      annotations: { [DESCRIPTION_ANNOTATION]: description },
    },
    spec: { podSelector: selector(spec.podSelector), policyTypes: spec.policyTypes },
  };
  if (spec.ingress !== undefined) out.spec.ingress = spec.ingress;
  if (spec.egress !== undefined) out.spec.egress = spec.egress;
  return out;
}

/** Copies a selector in a canonical form: keys sorted, empty parts dropped (so output is byte-stable). */
export function selector(sel: LabelSelector): WireSelector {
  const out: WireSelector = {};
  const labels = Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length > 0) out.matchLabels = Object.fromEntries(labels);
  if (sel.matchExpressions && sel.matchExpressions.length > 0)
    out.matchExpressions = sel.matchExpressions.map((e) => (e.values && e.values.length > 0 ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator }));
  return out;
}

export function namespaceByName(name: string): WireSelector {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: name } };
}

export function ports(specs: readonly PortSpec[] | undefined): NetworkPolicyPort[] | undefined {
  if (!specs || specs.length === 0) return undefined;
  return specs.map((p) => {
    const out: NetworkPolicyPort = { protocol: p.protocol };
    if (p.port !== undefined) out.port = p.port;
    if (p.endPort !== undefined) out.endPort = p.endPort;
    return out;
  });
}

function withPorts<T extends object>(rule: T, list: NetworkPolicyPort[] | undefined): T & { ports?: NetworkPolicyPort[] } {
  return list ? { ...rule, ports: list } : rule;
}

/** Default deny: selects every pod and allows nothing in the denied directions. */
export function denyAll(ctx: PolicyContext, directions: Direction[]): NetworkPolicy {
  return policy(ctx, 'deny-all', `Default deny (${directions.join(', ').toLowerCase()}) for every pod in the namespace; other policies of this profile allow what is needed.`, {
    podSelector: {},
    policyTypes: directions,
  });
}

/**
 * Egress stays open, but not to the metadata endpoint and/or node ports: every pod may reach every
 * address in `everywhere` (0.0.0.0/0 and ::/0 with their excepts; render splits node ranges out) and every
 * pod in the cluster, by selector, for CNIs whose ipBlock does not match pod IPs.
 */
export function openEgress(ctx: PolicyContext, purpose: 'deny-metadata' | 'deny-node-ports', description: string, everywhere: IPBlock[]): NetworkPolicy {
  return policy(ctx, purpose, description, {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [...everywhere.map((ipBlock) => ({ ipBlock })), { namespaceSelector: {} }] }],
  });
}

/** Pods that may reach the metadata endpoint although the profile blocks it (one allowFrom entry). */
export function allowMetadata(ctx: PolicyContext, index: number, description: string, pods: LabelSelector, metadata: IPBlock[], rulePorts: NetworkPolicyPort[] | undefined): NetworkPolicy {
  return policy(ctx, 'allow-metadata', description, { podSelector: pods, policyTypes: ['Egress'], egress: [withPorts({ to: metadata.map((ipBlock) => ({ ipBlock })) }, rulePorts)] }, String(index));
}

/** Pods that may reach the API server's real endpoints (one spec.apiServer.allowFrom entry). */
export function allowApiServer(ctx: PolicyContext, index: number, description: string, pods: LabelSelector, endpoints: IPBlock[], endpointPorts: NetworkPolicyPort[]): NetworkPolicy {
  return policy(ctx, 'allow-api-server', description, { podSelector: pods, policyTypes: ['Egress'], egress: [{ to: endpoints.map((ipBlock) => ({ ipBlock })), ports: endpointPorts }] }, String(index));
}

const DNS_PORTS: NetworkPolicyPort[] = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

/** Under default-deny egress: every pod may query cluster DNS (UDP and TCP 53; TCP for large answers). */
export function dnsEgress(ctx: PolicyContext, dnsNamespace: string, dnsPods: LabelSelector, nodeLocal: IPBlock[]): NetworkPolicy {
  // Namespace and pod selector in ONE peer: the DNS pods in the DNS namespace (AND), not any pod there.
  const peers: NetworkPolicyPeer[] = [{ namespaceSelector: namespaceByName(dnsNamespace), podSelector: selector(dnsPods) }];
  for (const ipBlock of nodeLocal) peers.push({ ipBlock });
  return policy(ctx, 'dns', `Allows every pod to reach cluster DNS (${dnsNamespace} pods matching the DNS selector${nodeLocal.length > 0 ? ', and NodeLocal DNSCache' : ''}) on UDP and TCP 53.`, {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: peers, ports: DNS_PORTS }],
  });
}

/**
 * In the DNS namespace itself: keep the DNS servers reachable from every pod and node (ingress on 53) and
 * able to reach their upstreams and the API server (egress, never the metadata endpoint), so that
 * segmenting the DNS namespace cannot take DNS down for the whole cluster.
 */
export function dnsServer(ctx: PolicyContext, dnsPods: LabelSelector, directions: Direction[], allExceptMetadata: IPBlock[]): NetworkPolicy {
  const everywhere: NetworkPolicyPeer[] = [{ namespaceSelector: {} }, ...allExceptMetadata.map((ipBlock) => ({ ipBlock }))];
  const spec: PolicyShape = { podSelector: dnsPods, policyTypes: directions };
  if (directions.includes('Ingress')) spec.ingress = [{ from: everywhere, ports: DNS_PORTS }];
  if (directions.includes('Egress')) spec.egress = [{ to: everywhere }];
  return policy(ctx, 'dns-server', 'Keeps the cluster DNS servers reachable on UDP and TCP 53 and able to reach their upstreams, so segmenting this namespace cannot break DNS.', spec);
}

/**
 * In the DNS namespace with ingress open: an allow rule whose destination selector also selects DNS pods
 * isolates them, and DNS would go down for the cluster. This keeps 53 open on exactly those pods (the
 * intersection of both selectors), so it isolates nothing the rule did not.
 */
export function dnsServerForRule(ctx: PolicyContext, rule: string, pods: LabelSelector, allExceptMetadata: IPBlock[]): NetworkPolicy {
  const everywhere: NetworkPolicyPeer[] = [{ namespaceSelector: {} }, ...allExceptMetadata.map((ipBlock) => ({ ipBlock }))];
  return policy(
    ctx,
    'dns-server',
    `Allow rule "${rule}" selects DNS server pods here: keeps them reachable on UDP and TCP 53, so the rule cannot break DNS.`,
    { podSelector: pods, policyTypes: ['Ingress'], ingress: [{ from: everywhere, ports: DNS_PORTS }] },
    rule,
  );
}

/** Both selectors at once (requirements AND together); undefined when they contradict on a matchLabels key. */
export function intersectSelectors(a: LabelSelector, b: LabelSelector): LabelSelector | undefined {
  const labels: Record<string, string> = { ...(a.matchLabels ?? {}) };
  for (const [k, v] of Object.entries(b.matchLabels ?? {})) {
    if (k in labels && labels[k] !== v) return undefined;
    labels[k] = v;
  }
  return { matchLabels: labels, matchExpressions: [...(a.matchExpressions ?? []), ...(b.matchExpressions ?? [])] };
}

/** Ingress side of an allow rule: the destination pods accept the source peer on the rule's ports. */
export function allowIngress(ctx: PolicyContext, rule: string, description: string, toPods: LabelSelector, from: NetworkPolicyPeer, rulePorts: NetworkPolicyPort[] | undefined): NetworkPolicy {
  return policy(ctx, 'allow-ingress', description, { podSelector: toPods, policyTypes: ['Ingress'], ingress: [withPorts({ from: [from] }, rulePorts)] }, rule);
}

/** Egress side of an allow rule: the source pods may reach the destination peer on the rule's ports. */
export function allowEgress(ctx: PolicyContext, rule: string, description: string, fromPods: LabelSelector, to: NetworkPolicyPeer, rulePorts: NetworkPolicyPort[] | undefined): NetworkPolicy {
  return policy(ctx, 'allow-egress', description, { podSelector: fromPods, policyTypes: ['Egress'], egress: [withPorts({ to: [to] }, rulePorts)] }, rule);
}
