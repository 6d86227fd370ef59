// fast-check generators for SegmentationProfile inputs (valid by construction) and namespaces.
import fc from 'fast-check';
import type { ClusterFacts } from '../../../src/compile/render.js';
import type { NamespaceInfo } from '../../../src/compile/select.js';

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const labelKey = fc.constantFrom('app', 'team', 'tier', 'env', 'example.com/role');
const labelValue = fc.constantFrom('a', 'b', 'backend', 'database', 'prod', 'dev');
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });

const selector = fc.oneof(
  fc.constant({}),
  labels.map((matchLabels) => ({ matchLabels })),
  fc.record({ matchExpressions: fc.array(fc.record({ key: labelKey, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(labelValue, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ matchExpressions: fc.array(fc.record({ key: labelKey, operator: fc.constantFrom('Exists', 'DoesNotExist') }), { minLength: 1, maxLength: 2 }) }),
);

const v4Cidr = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 })).map(([a, b, p]) => `${a}.${b}.0.0/${p}`);
const interestingV4 = fc.constantFrom('0.0.0.0/0', '169.254.0.0/16', '169.0.0.0/8', '100.64.0.0/10', '100.100.0.0/16', '203.0.113.0/24', '10.0.0.0/8');
const v6Cidr = fc.constantFrom('::/0', 'fd00::/8', 'fd00:ec2::/32', '2001:db8::/32', 'fc00::/7');
const anyCidr = fc.oneof(v4Cidr, interestingV4, v6Cidr);

const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.integer({ min: 1, max: 65535 }) }),
  fc.integer({ min: 1, max: 65000 }).chain((p) => fc.record({ port: fc.constant(p), endPort: fc.integer({ min: p, max: 65535 }) })),
  fc.record({ port: fc.constantFrom('http', 'metrics', 'grpc') }),
);

const podPeer = fc.record({ podSelector: selector, namespaceSelector: selector }, { requiredKeys: ['podSelector'] });
const blockPeer = fc.record({ ipBlock: fc.record({ cidr: anyCidr }) });
const destination = fc.oneof(podPeer, blockPeer);

// One end of a rule must be pods.
const rule = fc.oneof(
  fc.record({ name: dnsLabel, from: podPeer, to: destination, ports: fc.array(port, { maxLength: 3 }) }, { requiredKeys: ['name', 'from', 'to'] }),
  fc.record({ name: dnsLabel, from: blockPeer, to: podPeer, ports: fc.array(port, { maxLength: 3 }) }, { requiredKeys: ['name', 'from', 'to'] }),
);

const targetedPods = fc.record({ podSelector: selector, namespaceSelector: selector }, { requiredKeys: ['podSelector'] });
const numericPort = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.integer({ min: 1, max: 65535 }) }),
  fc.integer({ min: 1, max: 65000 }).chain((p) => fc.record({ port: fc.constant(p), endPort: fc.integer({ min: p, max: 65535 }) })),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP') }),
);
// Node ranges that overlap the interesting ipBlocks above (10.0.0.0/8, 0.0.0.0/0, ::/0, fd00::/8) and the API server below.
const nodeAccess = fc.record(
  { cidrs: fc.subarray(['10.224.0.0/16', '10.224.0.0/24', '203.0.113.0/28', 'fd10::/64', '10.0.0.0/8'], { minLength: 1 }), denyPorts: fc.array(numericPort, { minLength: 1, maxLength: 3 }) },
  { requiredKeys: ['cidrs'] },
);

/** The API server's endpoints that generated profiles compile against: on a node subnet, also on 22. */
export const ARBITRARY_FACTS: ClusterFacts = {
  apiServer: { addresses: ['10.224.0.4', '203.0.113.5', 'fd10::4'], ports: [{ protocol: 'TCP', port: 22 }, { protocol: 'TCP', port: 443 }] },
};

export function arbitraryProfileInput(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        namespaceSelector: selector,
        excludeNamespaces: fc.array(fc.constantFrom('sandbox-*', 'team-?', 'legacy'), { maxLength: 2 }),
        defaultDeny: fc.record({ ingress: fc.boolean(), egress: fc.boolean() }),
        instanceMetadata: fc.record(
          {
            deny: fc.boolean(),
            cidrs: fc.subarray(['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32'], { minLength: 1 }),
            allowFrom: fc.array(fc.record({ podSelector: selector, namespaceSelector: selector, ports: fc.array(port, { maxLength: 2 }) }, { requiredKeys: ['podSelector'] }), { maxLength: 2 }),
          },
          { requiredKeys: ['deny', 'cidrs'] },
        ),
        nodeAccess,
        apiServer: fc.record({ allowFrom: fc.array(targetedPods, { minLength: 1, maxLength: 2 }) }),
        dns: fc.record({ nodeLocalCIDRs: fc.subarray(['169.254.20.10/32', 'fd00::10/128']) }),
        allow: fc.uniqueArray(rule, { maxLength: 4, selector: (r) => r.name }),
      },
      { requiredKeys: [] },
    )
    .chain((spec) => dnsLabel.map((name) => ({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name }, spec })));
}

export function arbitraryNamespace(): fc.Arbitrary<NamespaceInfo> {
  return fc.tuple(dnsLabel, labels).map(([name, l]) => ({ name, labels: { ...l, 'kubernetes.io/metadata.name': name } }));
}

/**
 * Generated profiles that a cluster-scoped guardrails backend can express: no glob excludes and no named
 * ports in metadata exceptions (both are errors that name the field), with either default-deny tier.
 */
export function arbitraryGuardrailProfileInput(backend: 'Cilium' | 'ClusterNetworkPolicy' | 'Calico'): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(arbitraryProfileInput(), fc.constantFrom('NetworkPolicy', 'Baseline')).map(([input, tier]) => {
    const spec = { ...(input.spec as Record<string, unknown>) };
    if (Array.isArray(spec.excludeNamespaces)) spec.excludeNamespaces = (spec.excludeNamespaces as string[]).filter((g) => !/[*?]/.test(g));
    const meta = spec.instanceMetadata as { allowFrom?: { ports?: { port?: unknown }[] }[] } | undefined;
    if (meta?.allowFrom) spec.instanceMetadata = { ...meta, allowFrom: meta.allowFrom.map((e) => ({ ...e, ports: (e.ports ?? []).filter((p) => typeof p.port !== 'string') })) };
    spec.guardrails = { backend, defaultDenyTier: backend === 'ClusterNetworkPolicy' ? tier : 'NetworkPolicy' };
    return { ...input, spec };
  });
}
