// One corpus of SegmentationProfiles that the zod schema, the CRD's OpenAPI schema (offline, with ajv)
// and the real API server (integration) must all accept or reject alike. `field` is the path an error
// for an invalid case must name; `cel` marks cases only the CRD's CEL rules catch (ajv cannot run CEL).
export interface CorpusCase {
  name: string;
  spec: unknown;
  field?: string;
  cel?: boolean;
  /** Overrides metadata.name (default: a name derived from the case). */
  metadataName?: string;
}

const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const rule = (extra: Record<string, unknown>) => ({ name: 'r', from: { podSelector: sel({ app: 'a' }) }, to: { podSelector: sel({ app: 'b' }) }, ...extra });

export const validCases: CorpusCase[] = [
  { name: 'empty spec (all defaults)', spec: {} },
  { name: 'dry run', spec: { mode: 'DryRun' } },
  { name: 'selector and globs', spec: { namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'tmp', operator: 'DoesNotExist' }] }, excludeNamespaces: ['sandbox-*', 'team-?', 'legacy'] } },
  { name: 'system namespaces opt-in', spec: { includeSystemNamespaces: true } },
  { name: 'open egress with metadata block', spec: { defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: true, cidrs: ['169.254.169.254/32', '100.100.100.200/32', 'fd00:ec2::254/128'] } } },
  { name: 'custom dns', spec: { dns: { namespace: 'dns-system', podSelector: sel({ 'app.kubernetes.io/name': 'coredns' }), nodeLocalCIDRs: ['169.254.20.10/32'] } } },
  { name: 'backend to database', spec: { allow: [rule({ ports: [{ protocol: 'TCP', port: 5432 }] })] } },
  { name: 'external api', spec: { allow: [{ name: 'ext', from: { podSelector: sel({ app: 'frontend' }) }, to: { ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }, ports: [{ port: 443 }] }] } },
  { name: 'ipv6 block', spec: { allow: [{ name: 'v6', from: { podSelector: {} }, to: { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } } }] } },
  { name: 'port range and named port', spec: { allow: [rule({ ports: [{ port: 8000, endPort: 8080 }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP' }] })] } },
  { name: 'cross namespace peers', spec: { allow: [{ name: 'scrape', from: { podSelector: {}, namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'monitoring' }) }, to: { podSelector: {}, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } } }] } },
  { name: 'two rules', spec: { allow: [rule({}), { ...rule({}), name: 'r2' }] } },
  { name: 'ingress from external ranges', spec: { defaultDeny: { ingress: false, egress: false }, allow: [{ name: 'lb', from: { ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } }, to: { podSelector: sel({ app: 'frontend' }) }, ports: [{ port: 443 }] }, { name: 'lb6', from: { ipBlock: { cidr: '2001:db8::/32' } }, to: { podSelector: {} } }] } },
  { name: 'metadata exceptions', spec: { instanceMetadata: { allowFrom: [{ podSelector: sel({ app: 'agent' }) }, { podSelector: sel({ app: 'csi' }), namespaceSelector: sel({ team: 'infra' }), ports: [{ port: 80 }] }] } } },
  { name: 'node ssh block (default ports)', spec: { nodeAccess: { cidrs: ['10.224.0.0/16', 'fd10::/64'] } } },
  { name: 'node ports', spec: { nodeAccess: { cidrs: ['10.224.0.0/16'], denyPorts: [{ port: 22 }, { protocol: 'TCP', port: 2375, endPort: 2376 }, { protocol: 'UDP' }] } } },
  { name: 'AKS LocalDNS preset', spec: { dns: { preset: 'AKSLocalDNS' } } },
  { name: 'guardrails on Cilium', spec: { guardrails: { backend: 'Cilium' }, excludeNamespaces: ['legacy'], nodeAccess: { cidrs: ['10.224.0.0/16'] } } },
  { name: 'guardrails on ClusterNetworkPolicy with Baseline default deny', spec: { guardrails: { backend: 'ClusterNetworkPolicy', defaultDenyTier: 'Baseline' } } },
  { name: 'guardrails on Calico', spec: { guardrails: { backend: 'Calico', defaultDenyTier: 'NetworkPolicy' }, instanceMetadata: { allowFrom: [{ podSelector: sel({ app: 'agent' }) }] } } },
  { name: 'guardrails Auto keeps glob excludes', spec: { guardrails: { backend: 'Auto' }, excludeNamespaces: ['sandbox-*'] } },
  { name: 'api server access', spec: { apiServer: { allowFrom: [{ podSelector: sel({ role: 'operator' }) }, { podSelector: {}, namespaceSelector: sel({ team: 'ci' }) }] } } },
];

export const invalidCases: CorpusCase[] = [
  { name: 'unknown mode', spec: { mode: 'Audit' }, field: 'spec.mode' },
  { name: 'unknown field', spec: { defaultDenny: {} }, field: 'spec.defaultDenny' },
  { name: 'defaultDeny not boolean', spec: { defaultDeny: { ingress: 'yes' } }, field: 'spec.defaultDeny.ingress' },
  { name: 'bad glob', spec: { excludeNamespaces: ['Bad_Name'] }, field: 'spec.excludeNamespaces[0]' },
  { name: 'bad label value', spec: { namespaceSelector: { matchLabels: { team: 'not valid!' } } }, field: 'spec.namespaceSelector.matchLabels.team' },
  { name: 'bad operator', spec: { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] } }, field: 'spec.namespaceSelector.matchExpressions[0].operator' },
  { name: 'In without values', spec: { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, field: 'spec.namespaceSelector.matchExpressions[0].values', cel: true },
  { name: 'Exists with values', spec: { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }, field: 'spec.namespaceSelector.matchExpressions[0].values', cel: true },
  { name: 'invalid cidr', spec: { instanceMetadata: { cidrs: ['169.254.169.254'] } }, field: 'spec.instanceMetadata.cidrs[0]', cel: true },
  { name: 'empty metadata cidrs', spec: { instanceMetadata: { cidrs: [] } }, field: 'spec.instanceMetadata.cidrs' },
  { name: 'cidr garbage', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: { ipBlock: { cidr: '300.1.2.3/8' } } }] }, field: 'spec.allow[0].to.ipBlock.cidr', cel: true },
  { name: 'except outside cidr', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: { ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } } }] }, field: 'spec.allow[0].to.ipBlock.except', cel: true },
  { name: 'except of other family', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: { ipBlock: { cidr: '::/0', except: ['169.254.169.254/32'] } } }] }, field: 'spec.allow[0].to.ipBlock.except', cel: true },
  { name: 'except equal to cidr', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: { ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } } }] }, field: 'spec.allow[0].to.ipBlock.except', cel: true },
  { name: 'port out of range', spec: { allow: [rule({ ports: [{ port: 70000 }] })] }, field: 'spec.allow[0].ports[0].port', cel: true },
  { name: 'port zero', spec: { allow: [rule({ ports: [{ port: 0 }] })] }, field: 'spec.allow[0].ports[0].port', cel: true },
  { name: 'bad protocol', spec: { allow: [rule({ ports: [{ protocol: 'ICMP', port: 1 }] })] }, field: 'spec.allow[0].ports[0].protocol' },
  { name: 'endPort below port', spec: { allow: [rule({ ports: [{ port: 8080, endPort: 8000 }] })] }, field: 'spec.allow[0].ports[0].endPort', cel: true },
  { name: 'endPort without port', spec: { allow: [rule({ ports: [{ endPort: 8000 }] })] }, field: 'spec.allow[0].ports[0].endPort', cel: true },
  { name: 'endPort with named port', spec: { allow: [rule({ ports: [{ port: 'http', endPort: 8000 }] })] }, field: 'spec.allow[0].ports[0].endPort', cel: true },
  { name: 'bad named port', spec: { allow: [rule({ ports: [{ port: 'Not_A_Name' }] })] }, field: 'spec.allow[0].ports[0].port', cel: true },
  { name: 'rule without to', spec: { allow: [{ name: 'x', from: { podSelector: {} } }] }, field: 'spec.allow[0].to' },
  { name: 'peer with pods and ipBlock', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: { podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } } }] }, field: 'spec.allow[0].to', cel: true },
  { name: 'peer with neither', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: {} }] }, field: 'spec.allow[0].to', cel: true },
  { name: 'namespaceSelector with ipBlock', spec: { allow: [{ name: 'x', from: { podSelector: {} }, to: { namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } } }] }, field: 'spec.allow[0].to', cel: true },
  { name: 'from without podSelector', spec: { allow: [{ name: 'x', from: { namespaceSelector: {} }, to: { podSelector: {} } }] }, field: 'spec.allow[0].from', cel: true },
  { name: 'ipBlocks on both ends', spec: { allow: [{ name: 'x', from: { ipBlock: { cidr: '10.0.0.0/8' } }, to: { ipBlock: { cidr: '192.0.2.0/24' } } }] }, field: 'spec.allow[0].to.ipBlock', cel: true },
  { name: 'from ipBlock with namespaceSelector', spec: { allow: [{ name: 'x', from: { namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }, to: { podSelector: {} } }] }, field: 'spec.allow[0].from', cel: true },
  { name: 'metadata exception without podSelector', spec: { instanceMetadata: { allowFrom: [{ namespaceSelector: {} }] } }, field: 'spec.instanceMetadata.allowFrom[0].podSelector' },
  { name: 'node access without cidrs', spec: { nodeAccess: { denyPorts: [{ port: 22 }] } }, field: 'spec.nodeAccess.cidrs' },
  { name: 'node cidr garbage', spec: { nodeAccess: { cidrs: ['10.224.0.0'] } }, field: 'spec.nodeAccess.cidrs[0]', cel: true },
  { name: 'node cidr IPv4-mapped IPv6', spec: { nodeAccess: { cidrs: ['::ffff:10.224.0.0/112'] } }, field: 'spec.nodeAccess.cidrs[0]', cel: true },
  { name: 'named node port', spec: { nodeAccess: { cidrs: ['10.224.0.0/16'], denyPorts: [{ port: 'ssh' }] } }, field: 'spec.nodeAccess.denyPorts[0].port', cel: true },
  { name: 'api server without allowFrom', spec: { apiServer: {} }, field: 'spec.apiServer.allowFrom' },
  { name: 'api server allowFrom empty', spec: { apiServer: { allowFrom: [] } }, field: 'spec.apiServer.allowFrom' },
  { name: 'unknown DNS preset', spec: { dns: { preset: 'GKE' } }, field: 'spec.dns.preset' },
  { name: 'unknown guardrails backend', spec: { guardrails: { backend: 'Antrea' } }, field: 'spec.guardrails.backend' },
  { name: 'Baseline default deny without ClusterNetworkPolicy', spec: { guardrails: { backend: 'Cilium', defaultDenyTier: 'Baseline' } }, field: 'spec.guardrails.defaultDenyTier', cel: true },
  { name: 'Baseline default deny on Auto', spec: { guardrails: { defaultDenyTier: 'Baseline' } }, field: 'spec.guardrails.defaultDenyTier', cel: true },
  { name: 'glob exclude with a cluster-scoped backend', spec: { guardrails: { backend: 'Calico' }, excludeNamespaces: ['legacy', 'sandbox-*'] }, field: 'spec.excludeNamespaces', cel: true },
  { name: 'unknown guardrails field', spec: { guardrails: { tier: 'Admin' } }, field: 'spec.guardrails.tier' },
  { name: 'duplicate rule names', spec: { allow: [rule({}), rule({})] }, field: 'spec.allow[1]', cel: true },
  { name: 'rule name not DNS label', spec: { allow: [{ ...rule({}), name: 'Backend_To_DB' }] }, field: 'spec.allow[0].name' },
  { name: 'profile name too long', spec: {}, metadataName: 'a'.repeat(64), field: 'metadata.name', cel: true },
];

export function corpusObject(c: CorpusCase, index: number, prefix = 'corpus'): Record<string, unknown> {
  return { apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: c.metadataName ?? `${prefix}-${index}` }, spec: c.spec };
}
