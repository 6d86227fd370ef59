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
  { name: 'from without podSelector', spec: { allow: [{ name: 'x', from: { namespaceSelector: {} }, to: { podSelector: {} } }] }, field: 'spec.allow[0].from.podSelector' },
  { name: 'duplicate rule names', spec: { allow: [rule({}), rule({})] }, field: 'spec.allow[1]', cel: true },
  { name: 'rule name not DNS label', spec: { allow: [{ ...rule({}), name: 'Backend_To_DB' }] }, field: 'spec.allow[0].name' },
  { name: 'profile name too long', spec: {}, metadataName: 'a'.repeat(64), field: 'metadata.name', cel: true },
];

export function corpusObject(c: CorpusCase, index: number, prefix = 'corpus'): Record<string, unknown> {
  return { apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: c.metadataName ?? `${prefix}-${index}` }, spec: c.spec };
}
