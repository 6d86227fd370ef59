// SegmentationProfile (segmentation.dev/v1alpha1): the zod schema is the single source of the TypeScript
// types. crds/segmentationprofiles.segmentation.dev.yaml mirrors it for the API server; a test proves
// that both accept and reject the same corpus.
import { z } from 'zod';
import { isIPv4Mapped, isStrictSubset, parseCidr } from './cidr.js';

export const GROUP = 'segmentation.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'SegmentationProfile';
export const PLURAL = 'segmentationprofiles';

/** Namespaces that are never targeted unless a profile sets `includeSystemNamespaces: true`. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

export const DEFAULT_METADATA_CIDRS = ['169.254.169.254/32', 'fd00:ec2::254/128'];
export const DEFAULT_DNS_NAMESPACE = 'kube-system';
export const DEFAULT_DNS_POD_LABELS = { 'k8s-app': 'kube-dns' };
/**
 * DNS presets: extra DNS servers allowed on UDP and TCP 53 alongside cluster DNS. AKS LocalDNS answers on
 * 169.254.10.10 and 169.254.10.11 on every node.
 */
export const DNS_PRESETS = { AKSLocalDNS: ['169.254.10.0/24'] } as const;
export type DnsPreset = keyof typeof DNS_PRESETS;

/**
 * Name and label patterns, as strings in the RE2 subset that both JavaScript and the API server (OpenAPI
 * `pattern`, CEL `matches`) accept: src/api/crd.ts uses the same strings.
 */
export const PATTERNS = {
  dns1123Label: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  // Label keys: optional DNS-subdomain prefix and a name of at most 63 characters.
  labelKey: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
  labelValue: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$',
  // Namespace name globs: DNS-1123 label characters plus `*` and `?`.
  namespaceGlob: '^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$',
} as const;

const DNS1123_LABEL = new RegExp(PATTERNS.dns1123Label);
const LABEL_KEY = new RegExp(PATTERNS.labelKey);
const LABEL_VALUE = new RegExp(PATTERNS.labelValue);
const NAMESPACE_GLOB = new RegExp(PATTERNS.namespaceGlob);
// IANA service name, as accepted for named ports. (The CRD cannot use lookaheads: it checks the same rule
// with two CEL matches, see PORT_NAME in src/api/crd.ts.)
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?=[a-z0-9])){0,14}$/;

const labelKey = z
  .string()
  .max(317)
  .regex(LABEL_KEY, 'must be a valid label key (optional DNS prefix, then 1-63 alphanumerics, `-`, `_`, `.`)');
const labelValue = z.string().max(63).regex(LABEL_VALUE, 'must be a valid label value (at most 63 alphanumerics, `-`, `_`, `.`)');

export const labelSelectorRequirementSchema = z
  .strictObject({
    key: labelKey,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(labelValue).optional(),
  })
  .superRefine((req, ctx) => {
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    const count = req.values?.length ?? 0;
    if (needsValues && count === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be non-empty when operator is ${req.operator}` });
    if (!needsValues && count > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be empty when operator is ${req.operator}` });
  });

/** A standard Kubernetes LabelSelector. `{}` selects everything. */
export const labelSelectorSchema = z.strictObject({
  matchLabels: z.record(labelKey, labelValue).optional(),
  matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
});

const cidrString = z.string().refine((s) => parseCidr(s) !== undefined, { message: 'must be a CIDR such as 10.0.0.0/8 or fd00::/8' });

export const ipBlockSchema = z
  .strictObject({
    cidr: cidrString,
    except: z.array(cidrString).optional(),
  })
  .superRefine((block, ctx) => {
    const outer = parseCidr(block.cidr);
    if (!outer) return;
    block.except?.forEach((text, i) => {
      const inner = parseCidr(text);
      if (!inner) return;
      if (inner.family !== outer.family) ctx.addIssue({ code: 'custom', path: ['except', i], message: `${text} is not of the same IP family as ${block.cidr}` });
      else if (!isStrictSubset(outer, inner)) ctx.addIssue({ code: 'custom', path: ['except', i], message: `${text} must be a strict subset of ${block.cidr}` });
    });
  });

export const portSchema = z
  .strictObject({
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
    port: z.union([z.number().int().min(1).max(65535), z.string().regex(PORT_NAME, 'must be a port number (1-65535) or an IANA port name')]).optional(),
    endPort: z.number().int().min(1).max(65535).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.endPort === undefined) return;
    if (typeof p.port !== 'number') ctx.addIssue({ code: 'custom', path: ['endPort'], message: 'requires a numeric port' });
    else if (p.endPort < p.port) ctx.addIssue({ code: 'custom', path: ['endPort'], message: `must be >= port (${p.port})` });
  });

/**
 * One end of an allow rule: pods (podSelector, optionally namespaceSelector) or an ipBlock, not both.
 * Pods without namespaceSelector are pods in each namespace the profile targets (docs/policies.md#peers).
 */
export const peerSchema = z
  .strictObject({
    podSelector: labelSelectorSchema.optional(),
    namespaceSelector: labelSelectorSchema.optional(),
    ipBlock: ipBlockSchema.optional(),
  })
  .superRefine((peer, ctx) => {
    const pods = peer.podSelector !== undefined;
    if (peer.ipBlock !== undefined && (pods || peer.namespaceSelector !== undefined))
      ctx.addIssue({ code: 'custom', path: ['ipBlock'], message: 'a peer is either pods (podSelector, namespaceSelector) or an ipBlock, not both' });
    if (peer.ipBlock === undefined && !pods) ctx.addIssue({ code: 'custom', path: ['podSelector'], message: 'exactly one of podSelector or ipBlock is required' });
  });

export const allowRuleSchema = z
  .strictObject({
    name: z.string().min(1).max(63).regex(DNS1123_LABEL, 'must be a DNS-1123 label (lowercase alphanumerics and `-`)'),
    description: z.string().max(1024).optional(),
    from: peerSchema,
    to: peerSchema,
    ports: z.array(portSchema).max(64).optional(),
  })
  .superRefine((rule, ctx) => {
    // NetworkPolicy governs pods: a flow between two address ranges has no pod end to put a policy on.
    if (rule.from.ipBlock !== undefined && rule.to.ipBlock !== undefined)
      ctx.addIssue({ code: 'custom', path: ['to', 'ipBlock'], message: 'from and to cannot both be ipBlocks: one end of a rule must be pods' });
  });

/** Pods by label, in the targeted namespaces that `namespaceSelector` matches (omitted: all of them). */
const targetedPodsSchema = z.strictObject({
  podSelector: labelSelectorSchema,
  namespaceSelector: labelSelectorSchema.optional(),
});

/** Pods that may reach the metadata CIDRs although the profile blocks them (spec.instanceMetadata.allowFrom). */
export const metadataExceptionSchema = targetedPodsSchema.extend({
  ports: z.array(portSchema).max(64).optional(),
});

// Ports a node listens on are numbers: a named port resolves on pods only.
const numericPortSchema = portSchema.refine((p) => p.port === undefined || typeof p.port === 'number', { message: 'must be a port number (named ports exist on pods, not nodes)', path: ['port'] });

export const DEFAULT_NODE_DENY_PORTS = [{ protocol: 'TCP' as const, port: 22 }];

/** An IPv4 address written as IPv6 (::ffff:a.b.c.d) is an IPv4 node address in the wrong family. */
const nodeCidrString = cidrString.refine((s) => !isIPv4Mapped(s), { message: 'is an IPv4-mapped IPv6 range: write the IPv4 range instead' });

export const nodeAccessSchema = z.strictObject({
  cidrs: z.array(nodeCidrString).min(1).max(32),
  denyPorts: z.array(numericPortSchema).min(1).max(16).default(DEFAULT_NODE_DENY_PORTS),
});

/**
 * Where the metadata block and the node-port block live (docs/guardrails.md). `NetworkPolicy`: today's
 * per-namespace policies only. The cluster-scoped backends add one set of objects per profile that no
 * namespace admin can reopen. `Auto`: picked from what the operator detects (offline: NetworkPolicy).
 */
export const GUARDRAIL_BACKENDS = ['Auto', 'NetworkPolicy', 'Cilium', 'ClusterNetworkPolicy', 'Calico'] as const;
export type GuardrailBackend = (typeof GUARDRAIL_BACKENDS)[number];
/** The backends whose objects are cluster-scoped (not Auto, not NetworkPolicy). */
export const CLUSTER_SCOPED_BACKENDS = ['Cilium', 'ClusterNetworkPolicy', 'Calico'] as const;
export type ClusterScopedBackend = (typeof CLUSTER_SCOPED_BACKENDS)[number];
export const DEFAULT_DENY_TIERS = ['NetworkPolicy', 'Baseline'] as const;
export const DEFAULT_GUARDRAILS = { backend: 'Auto' as const, defaultDenyTier: 'NetworkPolicy' as const };

export function isClusterScopedBackend(backend: string): backend is ClusterScopedBackend {
  return (CLUSTER_SCOPED_BACKENDS as readonly string[]).includes(backend);
}

/** A namespace glob that is not a plain name: cluster-scoped objects cannot express it as a selector. */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export const guardrailsSchema = z
  .strictObject({
    backend: z.enum(GUARDRAIL_BACKENDS).default('Auto'),
    defaultDenyTier: z.enum(DEFAULT_DENY_TIERS).default('NetworkPolicy'),
  })
  .superRefine((g, ctx) => {
    if (g.defaultDenyTier === 'Baseline' && g.backend !== 'ClusterNetworkPolicy')
      ctx.addIssue({ code: 'custom', path: ['defaultDenyTier'], message: 'Baseline needs backend: ClusterNetworkPolicy (the Baseline tier is part of ClusterNetworkPolicy)' });
  });

export const apiServerSchema = z.strictObject({
  allowFrom: z.array(targetedPodsSchema).min(1).max(32),
});

export const specSchema = z
  .strictObject({
    mode: z.enum(['Enforce', 'DryRun']).default('Enforce'),
    namespaceSelector: labelSelectorSchema.optional(),
    excludeNamespaces: z.array(z.string().max(63).regex(NAMESPACE_GLOB, 'must be a namespace name or a glob using * and ?')).max(256).optional(),
    includeSystemNamespaces: z.boolean().default(false),
    defaultDeny: z
      .strictObject({
        ingress: z.boolean().default(true),
        egress: z.boolean().default(true),
      })
      .default({ ingress: true, egress: true }),
    dns: z
      .strictObject({
        namespace: z.string().max(63).regex(DNS1123_LABEL, 'must be a namespace name').default(DEFAULT_DNS_NAMESPACE),
        podSelector: labelSelectorSchema.default({ matchLabels: DEFAULT_DNS_POD_LABELS }),
        nodeLocalCIDRs: z.array(cidrString).max(8).optional(),
        preset: z.enum(Object.keys(DNS_PRESETS) as [DnsPreset]).optional(),
      })
      .default({ namespace: DEFAULT_DNS_NAMESPACE, podSelector: { matchLabels: DEFAULT_DNS_POD_LABELS } }),
    instanceMetadata: z
      .strictObject({
        deny: z.boolean().default(true),
        cidrs: z.array(cidrString).min(1).max(16).default(DEFAULT_METADATA_CIDRS),
        allowFrom: z.array(metadataExceptionSchema).max(32).optional(),
      })
      .default({ deny: true, cidrs: DEFAULT_METADATA_CIDRS }),
    nodeAccess: nodeAccessSchema.optional(),
    apiServer: apiServerSchema.optional(),
    guardrails: guardrailsSchema.default(DEFAULT_GUARDRAILS),
    allow: z.array(allowRuleSchema).max(128).default([]),
  })
  .superRefine((spec, ctx) => {
    if (isClusterScopedBackend(spec.guardrails.backend)) {
      spec.excludeNamespaces?.forEach((pattern, i) => {
        if (isGlob(pattern))
          ctx.addIssue({ code: 'custom', path: ['excludeNamespaces', i], message: `the glob "${pattern}" cannot be expressed as a namespace selector for the ${spec.guardrails.backend} backend: list the names, or label those namespaces segmentation.dev/ignore=true` });
      });
    }
    const seen = new Map<string, number>();
    spec.allow.forEach((rule, i) => {
      const first = seen.get(rule.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['allow', i, 'name'], message: `duplicate rule name "${rule.name}" (also allow[${first}])` });
      else seen.set(rule.name, i);
    });
  });

export const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: z.string(),
});

export const statusSchema = z.object({
  observedGeneration: z.number().int().optional(),
  conditions: z.array(conditionSchema).optional(),
  matchedNamespaces: z.number().int().optional(),
  policies: z.number().int().optional(),
  failedNamespaces: z.array(z.object({ namespace: z.string(), reason: z.string(), message: z.string() })).optional(),
  dryRun: z
    .object({
      wouldCreate: z.number().int(),
      wouldUpdate: z.number().int(),
      wouldDelete: z.number().int(),
      sample: z.array(z.string()),
    })
    .optional(),
});

export const metadataSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(63, 'must be at most 63 characters (it is used as a label value)')
    .regex(DNS1123_LABEL, 'must be a DNS-1123 label (lowercase alphanumerics and `-`)'),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const segmentationProfileSchema = z.object({
  apiVersion: z.literal(API_VERSION, { message: `must be ${API_VERSION}` }),
  kind: z.literal(KIND, { message: `must be ${KIND}` }),
  metadata: metadataSchema.loose(),
  spec: specSchema,
  status: statusSchema.optional(),
});

/** A validated profile with every default filled in. */
export type SegmentationProfile = z.output<typeof segmentationProfileSchema>;
/** What a user writes: defaults may be omitted. */
export type SegmentationProfileInput = z.input<typeof segmentationProfileSchema>;
export type ProfileSpec = SegmentationProfile['spec'];
export type ProfileStatus = z.output<typeof statusSchema>;
export type AllowRule = ProfileSpec['allow'][number];
export type LabelSelector = z.output<typeof labelSelectorSchema>;
export type PortSpec = z.output<typeof portSchema>;
export type Peer = z.output<typeof peerSchema>;
export type MetadataException = z.output<typeof metadataExceptionSchema>;
export type NodeAccess = z.output<typeof nodeAccessSchema>;
export type ApiServerAccess = z.output<typeof apiServerSchema>;
export type Guardrails = z.output<typeof guardrailsSchema>;
export type Condition = z.output<typeof conditionSchema>;
