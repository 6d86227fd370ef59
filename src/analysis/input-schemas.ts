// zod schemas for what the analysis reads from files: NetworkPolicy (wire form), Namespace, Pod,
// DaemonSet, Node, and the cluster-scoped guardrail kinds. Loose (unknown fields pass through) but strict on every field the analysis uses,
// so a typo such as `podSelecter` or a bad CIDR is reported with its path instead of silently
// changing the answer.
import { z } from 'zod';
import { parseCidr } from './cidr.js';
import { parseCalicoSelector, UnsupportedSelectorError } from './guardrails/calico-selector.js';

const labels = z.record(z.string(), z.string());
const name = z.string().min(1);

const requirement = z
  .object({
    key: z.string().min(1),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .superRefine((req, ctx) => {
    const count = req.values?.length ?? 0;
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    if (needsValues && count === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be non-empty for ${req.operator}` });
    if (!needsValues && count > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be empty for ${req.operator}` });
  });

export const labelSelectorSchema = z.strictObject({
  matchLabels: labels.optional(),
  matchExpressions: z.array(requirement).optional(),
});

const cidr = z.string().refine((s) => parseCidr(s) !== undefined, { message: 'must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32' });

const ipBlock = z
  .strictObject({ cidr, except: z.array(cidr).optional() })
  .superRefine((block, ctx) => {
    const outer = parseCidr(block.cidr);
    block.except?.forEach((text, i) => {
      const inner = parseCidr(text);
      if (outer && inner && (inner.family !== outer.family || inner.first < outer.first || inner.last > outer.last))
        ctx.addIssue({ code: 'custom', path: ['except', i], message: `${text} is not inside ${block.cidr}` });
    });
  });

const peer = z
  .strictObject({ podSelector: labelSelectorSchema.optional(), namespaceSelector: labelSelectorSchema.optional(), ipBlock: ipBlock.optional() })
  .superRefine((p, ctx) => {
    const selectors = p.podSelector !== undefined || p.namespaceSelector !== undefined;
    if (p.ipBlock && selectors) ctx.addIssue({ code: 'custom', path: ['ipBlock'], message: 'cannot be combined with podSelector or namespaceSelector in one peer' });
    if (!p.ipBlock && !selectors) ctx.addIssue({ code: 'custom', message: 'a peer needs podSelector, namespaceSelector or ipBlock' });
  });

const portName = z.string().regex(/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, 'must be a port number or an IANA port name');

const port = z
  .strictObject({
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
    port: z.union([z.number().int().min(1).max(65535), portName]).optional(),
    endPort: z.number().int().min(1).max(65535).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.endPort === undefined) return;
    if (typeof p.port !== 'number') ctx.addIssue({ code: 'custom', path: ['endPort'], message: 'requires a numeric port' });
    else if (p.endPort < p.port) ctx.addIssue({ code: 'custom', path: ['endPort'], message: `must be >= port (${p.port})` });
  });

const namespacedMeta = z.object({ name, namespace: name, labels: labels.optional() }).loose();

export const networkPolicySchema = z
  .object({
    kind: z.literal('NetworkPolicy').optional(),
    metadata: namespacedMeta,
    spec: z
      .object({
        podSelector: labelSelectorSchema,
        policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
        ingress: z.array(z.object({ from: z.array(peer).optional(), ports: z.array(port).optional() }).strict()).optional(),
        egress: z.array(z.object({ to: z.array(peer).optional(), ports: z.array(port).optional() }).strict()).optional(),
      })
      .loose(),
  })
  .loose();

export const namespaceSchema = z
  .object({
    kind: z.literal('Namespace').optional(),
    metadata: z.object({ name, labels: labels.optional() }).loose(),
  })
  .loose();

const containerPort = z.object({ name: z.string().optional(), containerPort: z.number().int().min(1).max(65535), protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional() }).loose();
const container = z.object({ name: z.string().optional(), image: z.string().optional(), ports: z.array(containerPort).optional(), args: z.array(z.string()).optional(), command: z.array(z.string()).optional() }).loose();

export const podSchema = z
  .object({
    kind: z.literal('Pod').optional(),
    metadata: namespacedMeta,
    spec: z.object({ hostNetwork: z.boolean().optional(), containers: z.array(container).optional(), initContainers: z.array(container).optional() }).loose().optional(),
    status: z.object({ podIP: z.string().optional(), podIPs: z.array(z.object({ ip: z.string() }).loose()).optional(), phase: z.string().optional() }).loose().optional(),
  })
  .loose();

export const daemonSetSchema = z
  .object({
    kind: z.literal('DaemonSet').optional(),
    metadata: namespacedMeta,
    spec: z
      .object({ template: z.object({ metadata: z.object({ labels: labels.optional() }).loose().optional(), spec: z.object({ containers: z.array(container).optional() }).loose().optional() }).loose().optional() })
      .loose()
      .optional(),
    status: z.object({ numberReady: z.number().int().optional(), desiredNumberScheduled: z.number().int().optional() }).loose().optional(),
  })
  .loose();

export const nodeSchema = z
  .object({
    kind: z.literal('Node').optional(),
    metadata: z.object({ name, labels: labels.optional() }).loose(),
  })
  .loose();

/** A CustomResourceDefinition as far as preflight reads it: which versions it serves, whether it is Established. */
export const crdSchema = z
  .object({
    kind: z.literal('CustomResourceDefinition').optional(),
    metadata: z.object({ name }).loose(),
    spec: z.object({ versions: z.array(z.object({ name: z.string(), served: z.boolean().optional() }).loose()).optional() }).loose().optional(),
    status: z.object({ conditions: z.array(z.object({ type: z.string(), status: z.string() }).loose()).optional() }).loose().optional(),
  })
  .loose();

// Cluster-scoped guardrail objects (docs/guardrails.md). Strict on every field the evaluator reads; a
// field of the upstream API that the evaluator does not model (and that would change the answer if it
// were ignored) is refused with "not evaluated by the analysis", naming it, rather than silently skipped.

/** An object whose known fields follow `shape`; any other field is refused, saying which ones are read. */
function onlyKnown<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z
    .object(shape)
    .loose()
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value))
        if (!known.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `not evaluated by the analysis (it reads ${known.join(', ')})` });
    });
}

const guardrailMeta = z.object({ name }).loose();
const portNumber = z.number().int().min(1).max(65535);
const nonEmpty = <T extends z.ZodType>(item: T) => z.array(item).min(1);

// Upstream ClusterNetworkPolicy, policy.networking.k8s.io/v1alpha2 (network-policy-api v0.2.0, standard).
const cnpPortSpec = onlyKnown({ number: portNumber.optional(), range: z.strictObject({ start: portNumber, end: portNumber }).refine((r) => r.start <= r.end, { message: 'start must be <= end' }).optional() }).refine(
  (p) => (p.number === undefined) !== (p.range === undefined),
  { message: 'needs exactly one of number and range' },
);
const cnpProtocolPort = onlyKnown({ destinationPort: cnpPortSpec.optional() });
const cnpProtocol = onlyKnown({ tcp: cnpProtocolPort.optional(), udp: cnpProtocolPort.optional(), sctp: cnpProtocolPort.optional(), destinationNamedPort: z.string().min(1).optional() }).refine(
  (p) => [p.tcp, p.udp, p.sctp, p.destinationNamedPort].filter((x) => x !== undefined).length === 1,
  { message: 'needs exactly one of tcp, udp, sctp and destinationNamedPort' },
);
const cnpPods = onlyKnown({ namespaceSelector: labelSelectorSchema, podSelector: labelSelectorSchema });
const exactlyOne = (keys: string[]) => (peer: Record<string, unknown>) => keys.filter((k) => peer[k] !== undefined).length === 1;
const cnpIngressPeer = onlyKnown({ namespaces: labelSelectorSchema.optional(), pods: cnpPods.optional() }).refine(exactlyOne(['namespaces', 'pods']), { message: 'needs exactly one of namespaces and pods' });
const cnpEgressPeer = onlyKnown({ namespaces: labelSelectorSchema.optional(), pods: cnpPods.optional(), networks: nonEmpty(cidr).optional() }).refine(exactlyOne(['namespaces', 'pods', 'networks']), {
  message: 'needs exactly one of namespaces, pods and networks',
});
const cnpAction = z.enum(['Accept', 'Deny', 'Pass']);

export const clusterNetworkPolicySchema = z
  .object({
    apiVersion: z.literal('policy.networking.k8s.io/v1alpha2'),
    kind: z.literal('ClusterNetworkPolicy'),
    metadata: guardrailMeta,
    spec: onlyKnown({
      tier: z.enum(['Admin', 'Baseline']),
      priority: z.number().int().min(0).max(1000),
      subject: onlyKnown({ namespaces: labelSelectorSchema.optional(), pods: cnpPods.optional() }).refine(exactlyOne(['namespaces', 'pods']), { message: 'needs exactly one of namespaces and pods' }),
      ingress: z.array(onlyKnown({ name: z.string().optional(), action: cnpAction, from: nonEmpty(cnpIngressPeer), protocols: nonEmpty(cnpProtocol).optional() })).optional(),
      egress: z.array(onlyKnown({ name: z.string().optional(), action: cnpAction, to: nonEmpty(cnpEgressPeer), protocols: nonEmpty(cnpProtocol).optional() })).optional(),
    }),
  })
  .loose();

// Cilium CiliumClusterwideNetworkPolicy, cilium.io/v2: the deny rules and default deny (allow rules would
// join NetworkPolicy's allows, which the evaluator does not model: refused).
const ciliumPort = onlyKnown({
  port: z.union([z.number().int().min(0).max(65535), z.string().regex(/^\d{1,5}$/, 'must be a port number ("80"); named ports are not resolved by the analysis')]).optional(),
  endPort: portNumber.optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ANY']).optional(),
});
const ciliumToPorts = nonEmpty(onlyKnown({ ports: nonEmpty(ciliumPort).optional() }));
const ciliumCidrSet = onlyKnown({ cidr, except: z.array(cidr).optional() });
const ciliumEgressDeny = onlyKnown({ toCIDR: nonEmpty(cidr).optional(), toCIDRSet: nonEmpty(ciliumCidrSet).optional(), toEntities: nonEmpty(z.string()).optional(), toEndpoints: nonEmpty(labelSelectorSchema).optional(), toPorts: ciliumToPorts.optional() });
const ciliumIngressDeny = onlyKnown({ fromCIDR: nonEmpty(cidr).optional(), fromCIDRSet: nonEmpty(ciliumCidrSet).optional(), fromEntities: nonEmpty(z.string()).optional(), fromEndpoints: nonEmpty(labelSelectorSchema).optional(), toPorts: ciliumToPorts.optional() });
const noAllowRules = z.array(z.unknown()).max(0, 'allow rules are not evaluated by the analysis (only egressDeny and ingressDeny): leave this object out of the input');
const ciliumRule = onlyKnown({
  description: z.string().optional(),
  labels: z.array(z.unknown()).optional(),
  endpointSelector: labelSelectorSchema.optional(),
  nodeSelector: labelSelectorSchema.optional(),
  enableDefaultDeny: onlyKnown({ egress: z.boolean().optional(), ingress: z.boolean().optional() }).optional(),
  egressDeny: z.array(ciliumEgressDeny).optional(),
  ingressDeny: z.array(ciliumIngressDeny).optional(),
  egress: noAllowRules.optional(),
  ingress: noAllowRules.optional(),
}).refine((r) => (r.endpointSelector === undefined) !== (r.nodeSelector === undefined), { message: 'needs exactly one of endpointSelector and nodeSelector' });

export const ciliumClusterwideNetworkPolicySchema = z
  .object({ apiVersion: z.literal('cilium.io/v2'), kind: z.literal('CiliumClusterwideNetworkPolicy'), metadata: guardrailMeta, spec: ciliumRule.optional(), specs: z.array(ciliumRule).optional() })
  .loose()
  .refine((p) => p.spec !== undefined || (p.specs?.length ?? 0) > 0, { message: 'needs spec or specs' });

// Calico, projectcalico.org/v3 (never crd.projectcalico.org/v1, Calico's internal storage).
const calicoApiVersion = z.literal('projectcalico.org/v3', {
  message: "must be projectcalico.org/v3 (crd.projectcalico.org/v1 is Calico's internal storage, without defaults: read the objects through the v3 API, e.g. calicoctl get or kubectl with the Calico API server)",
});
const calicoSelectorText = z.string().superRefine((text, ctx) => {
  try {
    parseCalicoSelector(text);
  } catch (err) {
    if (!(err instanceof UnsupportedSelectorError)) throw err;
    ctx.addIssue({ code: 'custom', message: `${err.message}: the analysis reads terms joined by && (all(), has(k), !has(k), ==, !=, in, not in)` });
  }
});
const calicoPort = z.union([portNumber, z.string().regex(/^\d{1,5}:\d{1,5}$/, 'must be a port number or a range "from:to"; named ports are not resolved by the analysis')]);
const calicoRule = onlyKnown({
  action: z.enum(['Allow', 'Deny', 'Pass', 'Log']),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'UDPLite']).optional(),
  source: onlyKnown({ nets: nonEmpty(cidr).optional() }).optional(),
  destination: onlyKnown({ nets: nonEmpty(cidr).optional(), ports: nonEmpty(calicoPort).optional() }).optional(),
  metadata: z.unknown().optional(),
}).refine((r) => r.destination?.ports === undefined || ['TCP', 'UDP', 'SCTP'].includes(r.protocol ?? ''), { message: 'destination.ports needs protocol TCP, UDP or SCTP', path: ['protocol'] });

export const calicoTierSchema = z
  .object({
    apiVersion: calicoApiVersion,
    kind: z.literal('Tier'),
    metadata: guardrailMeta,
    spec: z.object({ order: z.number().optional(), defaultAction: z.enum(['Pass', 'Deny']).optional() }).loose(),
  })
  .loose();

export const globalNetworkPolicySchema = z
  .object({
    apiVersion: calicoApiVersion,
    kind: z.literal('GlobalNetworkPolicy'),
    metadata: guardrailMeta,
    spec: onlyKnown({
      tier: z
        .string()
        .refine((t) => t !== 'default', {
          message: "policies in Calico's default tier are ordered together with the Kubernetes NetworkPolicies there, which the analysis does not model; it reads GlobalNetworkPolicies in tiers of their own",
        }),
      order: z.number().optional(),
      selector: calicoSelectorText.optional(),
      namespaceSelector: calicoSelectorText.optional(),
      serviceAccountSelector: z.literal('', { message: 'not evaluated by the analysis (pods carry no service account in its model)' }).optional(),
      types: nonEmpty(z.enum(['Ingress', 'Egress'])),
      egress: z.array(calicoRule).optional(),
      ingress: z.array(calicoRule).optional(),
      doNotTrack: z.boolean().optional(),
      preDNAT: z.boolean().optional(),
      applyOnForward: z.boolean().optional(),
      performanceHints: z.unknown().optional(),
    }),
  })
  .loose();

/** The guardrail kinds the analysis reads from files, each with its schema (which also pins the apiVersion). */
export const GUARDRAIL_SCHEMAS = {
  CiliumClusterwideNetworkPolicy: ciliumClusterwideNetworkPolicySchema,
  ClusterNetworkPolicy: clusterNetworkPolicySchema,
  GlobalNetworkPolicy: globalNetworkPolicySchema,
  Tier: calicoTierSchema,
} as const;
export type GuardrailKind = keyof typeof GUARDRAIL_SCHEMAS;
