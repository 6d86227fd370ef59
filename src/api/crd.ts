// The SegmentationProfile CustomResourceDefinition, built as data so that shared parts (label selectors,
// CIDRs) are written once. `npm run crd` writes crds/segmentationprofiles.segmentation.dev.yaml from it;
// a test fails if the committed file drifts. It mirrors src/api/profile.ts, and a test runs both over
// the same corpus of valid and invalid profiles.
import { CLUSTER_SCOPED_BACKENDS, DEFAULT_DENY_TIERS, DNS_PRESETS, DEFAULT_DNS_NAMESPACE, DEFAULT_DNS_POD_LABELS, DEFAULT_METADATA_CIDRS, DEFAULT_NODE_DENY_PORTS, GROUP, GUARDRAIL_BACKENDS, KIND, PATTERNS, PLURAL, VERSION } from './profile.js';

type Schema = Record<string, unknown>;

const { labelKey: LABEL_KEY, labelValue: LABEL_VALUE, dns1123Label: DNS1123_LABEL, namespaceGlob: NAMESPACE_GLOB } = PATTERNS;
// Named ports without the lookaheads RE2 lacks; the rule also requires a letter (see the port rule).
const PORT_NAME = '^[a-z0-9]([a-z0-9]|-[a-z0-9]){0,14}$';

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });

function cidr(description: string): Schema {
  return str(description, {
    maxLength: 64,
    'x-kubernetes-validations': [{ rule: 'isCIDR(self)', message: 'must be a CIDR such as 10.0.0.0/8 or fd00::/8' }],
  });
}

function labelSelector(description: string): Schema {
  return {
    type: 'object',
    description: `${description} A standard label selector: matchLabels and matchExpressions are ANDed; {} selects everything.`,
    properties: {
      matchLabels: {
        type: 'object',
        description: 'Labels that must all be present with these values.',
        maxProperties: 64,
        additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
        'x-kubernetes-validations': [{ rule: `self.all(k, size(k) <= 317 && k.matches('${LABEL_KEY.replace(/\\/g, '\\\\')}'))`, message: 'keys must be valid label keys' }],
      },
      matchExpressions: {
        type: 'array',
        description: 'Requirements on labels (In, NotIn, Exists, DoesNotExist).',
        maxItems: 32,
        items: {
          type: 'object',
          required: ['key', 'operator'],
          properties: {
            key: str('The label key.', { maxLength: 317, pattern: LABEL_KEY }),
            operator: str('In, NotIn, Exists or DoesNotExist.', { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }),
            values: { type: 'array', description: 'Values for In and NotIn; empty for Exists and DoesNotExist.', maxItems: 64, items: { type: 'string', maxLength: 63, pattern: LABEL_VALUE } },
          },
          'x-kubernetes-validations': [
            {
              rule: "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
              message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
              fieldPath: '.values',
            },
          ],
        },
      },
    },
  };
}

const ipBlock = (description: string): Schema => ({
  type: 'object',
  description,
  required: ['cidr'],
  properties: {
    cidr: cidr('The allowed range, e.g. 203.0.113.0/24.'),
    except: { type: 'array', description: 'Ranges inside cidr (same IP family, strictly smaller) that stay blocked.', maxItems: 32, items: cidr('A range to keep blocked.') },
  },
  'x-kubernetes-validations': [
    {
      rule: '!has(self.except) || !isCIDR(self.cidr) || self.except.all(e, !isCIDR(e) || (cidr(e).ip().family() == cidr(self.cidr).ip().family() && cidr(self.cidr).containsCIDR(e) && cidr(e).prefixLength() > cidr(self.cidr).prefixLength()))',
      message: 'every except must be a strict subset of cidr, of the same IP family',
      fieldPath: '.except',
    },
  ],
});

const port: Schema = {
  type: 'object',
  properties: {
    protocol: str('TCP (default), UDP or SCTP.', { enum: ['TCP', 'UDP', 'SCTP'], default: 'TCP' }),
    port: {
      'x-kubernetes-int-or-string': true,
      maxLength: 15,
      description: 'A port number (1-65535) or a named container port. Omitted: every port. Rules match after DNAT, so use the target port, not the Service port.',
      'x-kubernetes-validations': [
        {
          rule: `type(self) == int ? (self >= 1 && self <= 65535) : (string(self).matches('${PORT_NAME}') && string(self).matches('[a-z]'))`,
          message: 'must be a port number (1-65535) or an IANA port name',
        },
      ],
    },
    endPort: { type: 'integer', format: 'int32', minimum: 1, maximum: 65535, description: 'Last port of a range starting at port (needs a numeric port).' },
  },
  'x-kubernetes-validations': [
    { rule: '!has(self.endPort) || (has(self.port) && type(self.port) == int && self.endPort >= int(self.port))', message: 'endPort requires a numeric port and must be >= port', fieldPath: '.endPort' },
  ],
};

function peer(side: 'Source' | 'Destination', ipDescription: string): Schema {
  const lower = side.toLowerCase();
  return {
    type: 'object',
    description: `${side}: pods (podSelector, optional namespaceSelector) or an ipBlock, not both.`,
    properties: {
      podSelector: labelSelector(`${side} pods by label.`),
      namespaceSelector: labelSelector(`Namespaces of the ${lower} pods. Omitted: the namespaces this profile targets.`),
      ipBlock: ipBlock(ipDescription),
    },
    'x-kubernetes-validations': [
      { rule: 'has(self.podSelector) != has(self.ipBlock)', message: 'exactly one of podSelector or ipBlock is required' },
      { rule: '!(has(self.ipBlock) && has(self.namespaceSelector))', message: 'a peer is either pods or an ipBlock, not both', fieldPath: '.ipBlock' },
    ],
  };
}

/** Pods by label in the targeted namespaces that namespaceSelector matches. */
function targetedPods(what: string, extra: Record<string, Schema> = {}): Schema {
  return {
    type: 'object',
    required: ['podSelector'],
    properties: {
      podSelector: labelSelector(`The pods that ${what}.`),
      namespaceSelector: labelSelector('Which of the targeted namespaces honour this entry. Omitted: all of them.'),
      ...extra,
    },
  };
}

const portList = (description: string): Schema => ({ type: 'array', description, maxItems: 64, items: port });

const spec: Schema = {
  type: 'object',
  description: 'What every targeted namespace gets.',
  'x-kubernetes-validations': [
    {
      rule: `!has(self.guardrails) || !has(self.guardrails.backend) || !(self.guardrails.backend in [${CLUSTER_SCOPED_BACKENDS.map((b) => `'${b}'`).join(', ')}]) || !has(self.excludeNamespaces) || self.excludeNamespaces.all(n, !n.contains('*') && !n.contains('?'))`,
      message: 'globs cannot be expressed as a namespace selector for a cluster-scoped guardrails backend: list the names, or label those namespaces segmentation.dev/ignore=true',
      fieldPath: '.excludeNamespaces',
    },
  ],
  properties: {
    mode: str('Enforce (default) writes NetworkPolicies; DryRun only reports in status what it would create, change and delete.', { enum: ['Enforce', 'DryRun'], default: 'Enforce' }),
    namespaceSelector: labelSelector('Which namespaces to target. Omitted: every namespace.'),
    excludeNamespaces: {
      type: 'array',
      description: 'Namespace names or globs (* and ?) never targeted, e.g. "sandbox-*".',
      maxItems: 256,
      items: str('A namespace name or glob.', { maxLength: 63, pattern: NAMESPACE_GLOB }),
    },
    includeSystemNamespaces: {
      type: 'boolean',
      default: false,
      description: 'Also target kube-system, kube-public and kube-node-lease (never targeted otherwise). Namespaces labelled segmentation.dev/ignore=true are never targeted.',
    },
    defaultDeny: {
      type: 'object',
      default: {},
      description: 'Deny all traffic that no policy allows.',
      properties: {
        ingress: { type: 'boolean', default: true, description: 'Deny all ingress by default (default true).' },
        egress: { type: 'boolean', default: true, description: 'Deny all egress by default (default true); DNS stays allowed.' },
      },
    },
    dns: {
      type: 'object',
      default: {},
      description: 'Cluster DNS, allowed on UDP and TCP 53 whenever egress is denied.',
      properties: {
        namespace: str('Namespace of the DNS pods (matched by its kubernetes.io/metadata.name label).', { default: DEFAULT_DNS_NAMESPACE, maxLength: 63, pattern: DNS1123_LABEL }),
        podSelector: { ...labelSelector('The DNS pods (default k8s-app=kube-dns).'), default: { matchLabels: DEFAULT_DNS_POD_LABELS } },
        nodeLocalCIDRs: { type: 'array', description: 'NodeLocal DNSCache addresses, e.g. 169.254.20.10/32.', maxItems: 8, items: cidr('A NodeLocal DNSCache address.') },
        preset: str('Extra DNS servers of a platform, allowed on UDP and TCP 53 alongside cluster DNS: AKSLocalDNS adds 169.254.10.0/24 (AKS LocalDNS answers on 169.254.10.10 and .11). On Cilium an ipBlock never matches node addresses: see docs/policies.md.', {
          enum: Object.keys(DNS_PRESETS),
        }),
      },
    },
    instanceMetadata: {
      type: 'object',
      default: {},
      description: 'The cloud instance-metadata endpoint, which can hand out cloud credentials.',
      properties: {
        deny: { type: 'boolean', default: true, description: 'Block pod egress to the metadata CIDRs (default true), also inside every ipBlock this profile allows.' },
        cidrs: {
          type: 'array',
          description: 'Metadata endpoints (default 169.254.169.254/32 and fd00:ec2::254/128; add e.g. Alibaba 100.100.100.200/32).',
          default: DEFAULT_METADATA_CIDRS,
          minItems: 1,
          maxItems: 16,
          items: cidr('A metadata endpoint range.'),
        },
        allowFrom: {
          type: 'array',
          description: 'Label-scoped exceptions: the selected pods, and only they, may reach the metadata CIDRs (on every port, or the listed ports), whether egress is denied or open. No effect while deny is false.',
          maxItems: 32,
          items: targetedPods('may reach the metadata endpoint', { ports: portList('Ports of the metadata endpoint. Omitted: every port.') }),
        },
      },
    },
    nodeAccess: {
      type: 'object',
      description:
        'Block pod access to node ports (SSH by default). Every ipBlock allow this profile emits that covers part of a node range is split so the nodes stay reachable on every port except denyPorts. With egress denied and no allow covering the nodes, the default deny blocks them already. On Cilium, ipBlocks never match nodes: see docs/policies.md.',
      required: ['cidrs'],
      properties: {
        cidrs: { type: 'array', description: "The nodes' address ranges (the node subnets), IPv4 or IPv6.", minItems: 1, maxItems: 32, items: cidr('A node subnet.') },
        denyPorts: {
          type: 'array',
          description: 'Node ports pods may not reach (default TCP 22). Numbers only: named ports exist on pods, not nodes.',
          default: DEFAULT_NODE_DENY_PORTS,
          minItems: 1,
          maxItems: 16,
          items: {
            ...port,
            'x-kubernetes-validations': [...((port['x-kubernetes-validations'] as unknown[]) ?? []), { rule: '!has(self.port) || type(self.port) == int', message: 'must be a port number (named ports exist on pods, not nodes)', fieldPath: '.port' }],
          },
        },
      },
    },
    apiServer: {
      type: 'object',
      description:
        "Pods that may reach the Kubernetes API server under default-deny egress. NetworkPolicy is evaluated after the Service DNAT, so the API server's real endpoint addresses and ports (the kubernetes EndpointSlice in default) are allowed and kept up to date.",
      required: ['allowFrom'],
      properties: {
        allowFrom: { type: 'array', description: 'The pods, by label.', minItems: 1, maxItems: 32, items: targetedPods('may reach the API server') },
      },
    },
    guardrails: {
      type: 'object',
      default: {},
      description:
        'Where the metadata block and the node-port block live (docs/guardrails.md). A cluster-scoped backend adds one set of cluster-scoped deny objects per profile that no namespace admin can reopen; the per-namespace policies keep their excepts.',
      properties: {
        backend: str(
          'Auto (default: picked from the engine the operator detects; NetworkPolicy offline), NetworkPolicy (per-namespace policies only), Cilium (CiliumClusterwideNetworkPolicy egressDeny), ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, Admin tier) or Calico (projectcalico.org/v3 GlobalNetworkPolicy in its own Tier). The cluster-scoped backends reject glob excludes.',
          { enum: [...GUARDRAIL_BACKENDS], default: 'Auto' },
        ),
        defaultDenyTier: str(
          'NetworkPolicy (default): the default deny is a NetworkPolicy in each namespace. Baseline (backend ClusterNetworkPolicy only): one Baseline-tier ClusterNetworkPolicy denies what no NetworkPolicy decides, so namespace owners\' own NetworkPolicies decide; it cannot deny ingress from outside the cluster.',
          { enum: [...DEFAULT_DENY_TIERS], default: 'NetworkPolicy' },
        ),
      },
      'x-kubernetes-validations': [
        { rule: "!has(self.defaultDenyTier) || self.defaultDenyTier != 'Baseline' || (has(self.backend) && self.backend == 'ClusterNetworkPolicy')", message: 'Baseline needs backend: ClusterNetworkPolicy (the Baseline tier is part of ClusterNetworkPolicy)', fieldPath: '.defaultDenyTier' },
      ],
    },
    allow: {
      type: 'array',
      description: 'Flows to allow, by label or from an address range. A rule always isolates its destination pods for ingress (as a NetworkPolicy on them would); the egress side on the source pods is emitted only when egress is denied by default.',
      default: [],
      maxItems: 128,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        required: ['name', 'from', 'to'],
        'x-kubernetes-validations': [{ rule: '!(has(self.from.ipBlock) && has(self.to.ipBlock))', message: 'from and to cannot both be ipBlocks: one end of a rule must be pods', fieldPath: '.to.ipBlock' }],
        properties: {
          name: str('Unique name of the rule; part of the generated policy names.', { maxLength: 63, pattern: DNS1123_LABEL }),
          description: str('Why this flow exists.', { maxLength: 1024 }),
          from: peer('Source', 'Addresses outside the cluster that may connect (e.g. a load balancer or on-premises range); only the ingress side exists for such a rule.'),
          to: peer('Destination', 'Addresses outside the cluster. Instance-metadata CIDRs inside it are added to except automatically.'),
          ports: { type: 'array', description: 'Ports of the flow. Omitted: every port.', maxItems: 64, items: port },
        },
      },
    },
  },
};

const condition: Schema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: str('Ready, Degraded, ...'),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('A CamelCase reason.'),
    message: str('Human-readable details.'),
    observedGeneration: { type: 'integer', format: 'int64', description: 'The generation this condition was computed for.' },
    lastTransitionTime: str('When status last changed.', { format: 'date-time' }),
  },
};

const status: Schema = {
  type: 'object',
  description: 'What the operator observed and did.',
  properties: {
    observedGeneration: { type: 'integer', format: 'int64', description: 'The spec generation this status describes.' },
    conditions: { type: 'array', description: 'Ready and Degraded, following Kubernetes conventions.', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], items: condition },
    matchedNamespaces: { type: 'integer', description: 'Namespaces this profile targets.' },
    policies: { type: 'integer', description: 'NetworkPolicies in place for this profile.' },
    failedNamespaces: {
      type: 'array',
      description: 'A bounded sample of namespaces that could not be reconciled, with why.',
      maxItems: 20,
      items: { type: 'object', properties: { namespace: str('The namespace.'), reason: str('A CamelCase reason.'), message: str('What went wrong.') } },
    },
    dryRun: {
      type: 'object',
      description: 'In DryRun mode: what Enforce would do.',
      properties: {
        wouldCreate: { type: 'integer', description: 'Policies that would be created.' },
        wouldUpdate: { type: 'integer', description: 'Policies that would be changed.' },
        wouldDelete: { type: 'integer', description: 'Policies that would be deleted.' },
        sample: { type: 'array', description: 'A bounded sample, e.g. "create shop/seg.baseline.deny-all".', maxItems: 20, items: { type: 'string' } },
      },
    },
  },
};

export function buildCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}`, labels: { 'app.kubernetes.io/name': 'segmentation-operator', 'app.kubernetes.io/part-of': 'segmentation-operator' } },
    spec: {
      group: GROUP,
      scope: 'Cluster',
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: 'segmentationprofile', shortNames: ['segprof'], categories: ['segmentation'] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Mode', type: 'string', jsonPath: '.spec.mode' },
            { name: 'Namespaces', type: 'integer', jsonPath: '.status.matchedNamespaces' },
            { name: 'Policies', type: 'integer', jsonPath: '.status.policies' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Metadata-Exceptions', type: 'string', priority: 1, description: 'Pods allowed to reach the metadata endpoint (spec.instanceMetadata.allowFrom).', jsonPath: '.spec.instanceMetadata.allowFrom[*].podSelector.matchLabels' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'SegmentationProfile keeps default-deny, instance-metadata blocking, DNS and label-based allow NetworkPolicies in every namespace it targets.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'segmentation.dev/v1alpha1' },
                kind: { type: 'string', description: 'SegmentationProfile' },
                metadata: { type: 'object' },
                spec,
                status,
              },
              'x-kubernetes-validations': [
                { rule: `size(self.metadata.name) <= 63 && self.metadata.name.matches('${DNS1123_LABEL}')`, message: 'metadata.name must be a DNS-1123 label of at most 63 characters (it is used as a label value)' },
              ],
            },
          },
        },
      ],
    },
  };
}
