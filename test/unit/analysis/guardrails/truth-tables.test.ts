// Guardrail semantics as truth tables, transcribed from the upstream sources:
// - ClusterNetworkPolicy: network-policy-api v0.2.0 conformance (tests/admin-network-policy-standard-
//   integration.go with base/api_integration/standard-anp-np-banp.yaml, and
//   tests/admin-network-policy-standard-priority.go with base/admin_tier/standard-priority-field.yaml):
//   namespaces gryffindor and slytherin (label conformance-house), servers on TCP 80.
// - Cilium: "deny policies take precedence over allow policies, including Kubernetes NetworkPolicies".
// - Calico: tiers in order; a policy that selects the endpoint and matches no rule hands it to the tier's
//   defaultAction; Pass goes to the next tier; Kubernetes NetworkPolicies are in the default tier, last.
import assert from 'node:assert/strict';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { buildClusterModel, type ClusterModel, type Endpoint, type Traffic } from '../../../../src/analysis/model.js';
import type { PolicyObject } from '../../../../src/api/networkpolicy.js';
import { parseIp } from '../../../../src/analysis/cidr.js';
import { evaluateConnection } from '../../../../src/analysis/evaluate.js';
import { guardrailsOf, type Guardrails } from '../../../../src/analysis/guardrails/objects.js';

const house = (h: string) => ({ matchLabels: { 'conformance-house': h } });
const namespaces: V1Namespace[] = ['gryffindor', 'slytherin'].map((h) => ({ metadata: { name: `network-policy-conformance-${h}`, labels: { 'conformance-house': h } } }));
const pod = (h: string, name: string): V1Pod => ({ metadata: { name, namespace: `network-policy-conformance-${h}`, labels: { 'conformance-house': h } }, status: { podIP: h === 'gryffindor' ? '10.0.1.1' : '10.0.2.1' } });
const pods = [pod('gryffindor', 'harry-potter-0'), pod('slytherin', 'draco-malfoy-0')];

function model(policies: PolicyObject[]): ClusterModel {
  return buildClusterModel({ policies, namespaces, pods });
}
const at = (m: ClusterModel, name: string): Endpoint => ({ kind: 'pod', pod: m.pods.find((p) => p.name === name)! });
const tcp80 = { protocol: 'TCP' as const, port: 80 };
/** The decision with these guardrails in the model, and each pod side's guardrail verdict. */
function guarded(m: ClusterModel, guards: Guardrails, from: Endpoint, to: Endpoint, traffic: Traffic) {
  const d = evaluateConnection({ ...m, guardrails: guards }, from, to, traffic);
  return { allowed: d.allowed, ...d.guardrails };
}

function cnp(name: string, tier: 'Admin' | 'Baseline', priority: number, action: string, subject: object, peerKey: 'namespaces' | 'pods', peer: object) {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier, priority, subject, ingress: [{ name: 'in', action, from: [{ [peerKey]: peer }] }], egress: [{ name: 'out', action, to: [{ [peerKey]: peer }] }] },
  };
}

describe('guardrail truth tables: ClusterNetworkPolicy (network-policy-api v0.2.0 conformance)', () => {
  const allowNp: PolicyObject = {
    metadata: { name: 'allow-gress-from-to-slytherin-to-gryffindor', namespace: 'network-policy-conformance-gryffindor' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: house('slytherin') }] }], egress: [{ to: [{ namespaceSelector: house('slytherin') }] }] },
  };
  const integration = (adminIngress: string, adminEgress: string, withNp: boolean) => {
    const admin = cnp('pass-example', 'Admin', 10, 'Deny', { namespaces: house('gryffindor') }, 'namespaces', house('slytherin'));
    admin.spec.ingress[0]!.action = adminIngress;
    admin.spec.egress[0]!.action = adminEgress;
    const baseline = cnp('default', 'Baseline', 10, 'Deny', { namespaces: house('gryffindor') }, 'namespaces', house('slytherin'));
    return { guards: guardrailsOf([admin, baseline] as never), m: model(withNp ? [allowNp] : []) };
  };

  // [subtest of CNPAdminTierIntegration, admin ingress action, admin egress action, NP present, from, to, expected]
  const rows: [string, string, string, boolean, string, string, boolean][] = [
    ['Should Deny traffic from slytherin to gryffindor respecting admin CNP', 'Deny', 'Deny', true, 'draco-malfoy-0', 'harry-potter-0', false],
    ['Should Deny traffic to slytherin from gryffindor respecting admin CNP', 'Deny', 'Deny', true, 'harry-potter-0', 'draco-malfoy-0', false],
    ["Should support a 'pass-ingress' policy for admin CNP and respect the match for network policy", 'Pass', 'Deny', true, 'draco-malfoy-0', 'harry-potter-0', true],
    ["Should support a 'pass-egress' policy for admin CNP and respect the match for network policy", 'Pass', 'Pass', true, 'harry-potter-0', 'draco-malfoy-0', true],
    ["Should support a 'pass-ingress' policy for admin CNP and respect the match for baseline cluster network policy", 'Pass', 'Pass', false, 'draco-malfoy-0', 'harry-potter-0', false],
    ["Should support a 'pass-egress' policy for admin CNP and respect the match for baseline cluster network policy", 'Pass', 'Pass', false, 'harry-potter-0', 'draco-malfoy-0', false],
  ];
  for (const [name, ingress, egress, withNp, from, to, expected] of rows) {
    it(`${name}: ${expected ? 'allowed' : 'denied'}`, () => {
      const { guards, m } = integration(ingress, egress, withNp);
      assert.equal(guarded(m, guards, at(m, from), at(m, to), tcp80).allowed, expected);
    });
  }

  const priority = (passPriority: number) => {
    const pods50 = { pods: { namespaceSelector: house('gryffindor'), podSelector: house('gryffindor') } };
    const peer = { namespaceSelector: house('slytherin'), podSelector: house('slytherin') };
    return guardrailsOf([
      cnp('priority-50-example', 'Admin', 50, 'Deny', pods50, 'pods', peer),
      cnp('old-priority-60-new-priority-40-example', 'Admin', passPriority, 'Pass', pods50, 'pods', peer),
      cnp('default', 'Baseline', 10, 'Accept', pods50, 'pods', peer),
    ] as never);
  };
  const m = model([]);
  it('CNPAdminTierPriorityField: deny at 50 beats pass at 60, both ways', () => {
    assert.equal(guarded(m, priority(60), at(m, 'draco-malfoy-0'), at(m, 'harry-potter-0'), tcp80).allowed, false);
    assert.equal(guarded(m, priority(60), at(m, 'harry-potter-0'), at(m, 'draco-malfoy-0'), tcp80).allowed, false);
  });
  it('CNPAdminTierPriorityField: pass moved to 40 hands both ways to the baseline Accept', () => {
    const d = guarded(m, priority(40), at(m, 'draco-malfoy-0'), at(m, 'harry-potter-0'), tcp80);
    assert.equal(d.allowed, true);
    assert.equal(d.ingress!.stage, 'baseline');
    assert.equal(guarded(m, priority(40), at(m, 'harry-potter-0'), at(m, 'draco-malfoy-0'), tcp80).allowed, true);
  });
  it('no implicit isolation: a subject with no matching rule is decided by NetworkPolicy, then allowed by default', () => {
    const guards = guardrailsOf([cnp('unrelated', 'Admin', 1, 'Deny', { namespaces: house('gryffindor') }, 'namespaces', house('ravenclaw'))] as never);
    const d = guarded(m, guards, at(m, 'draco-malfoy-0'), at(m, 'harry-potter-0'), tcp80);
    assert.equal(d.allowed, true);
    assert.equal(d.ingress!.stage, 'default');
  });
  it('egress networks: a Deny to a CIDR blocks an external address, protocols narrow it', () => {
    const deny = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'cidr' }, spec: { tier: 'Admin', priority: 5, subject: { namespaces: {} }, egress: [{ name: 'x', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }], protocols: [{ tcp: { destinationPort: { number: 80 } } }] }] } };
    const guards = guardrailsOf([deny] as never);
    const metadata: Endpoint = { kind: 'ip', ip: parseIp('169.254.169.254')! };
    assert.equal(guarded(m, guards, at(m, 'harry-potter-0'), metadata, tcp80).allowed, false);
    assert.equal(guarded(m, guards, at(m, 'harry-potter-0'), metadata, { protocol: 'TCP', port: 443 }).allowed, true);
    assert.equal(guarded(m, guards, at(m, 'harry-potter-0'), { kind: 'ip', ip: parseIp('169.254.169.253')! }, tcp80).allowed, true);
  });
});

describe('guardrail truth tables: Cilium deny precedence', () => {
  const metadata: Endpoint = { kind: 'ip', ip: parseIp('169.254.169.254')! };
  const allowAllEgress: PolicyObject = { metadata: { name: 'allow-all', namespace: 'network-policy-conformance-gryffindor' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } };
  const ccnp = (egressDeny: object[], endpointSelector: object = {}) => guardrailsOf([{ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny' }, spec: { endpointSelector, enableDefaultDeny: { egress: false, ingress: false }, egressDeny } }] as never);
  const m = model([allowAllEgress]);
  const rows: [string, object[], object, boolean][] = [
    ['egressDeny toCIDR beats a NetworkPolicy allowing 0.0.0.0/0', [{ toCIDR: ['169.254.169.254/32'] }], {}, false],
    ['egressDeny on other ports leaves TCP 80 to the NetworkPolicy', [{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }], {}, true],
    ['egressDeny whose endpointSelector misses the pod does nothing', [{ toCIDR: ['169.254.169.254/32'] }], { matchLabels: { 'conformance-house': 'slytherin' } }, true],
    ['namespace labels are selected through io.cilium.k8s.namespace.labels.*', [{ toCIDR: ['169.254.169.254/32'] }], { matchLabels: { 'io.cilium.k8s.namespace.labels.conformance-house': 'gryffindor' } }, false],
    ['port 0 means every port of the protocol', [{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }], {}, false],
    ['toEntities world covers an external address', [{ toEntities: ['world'] }], {}, false],
    ['toEntities world-ipv4 covers an IPv4 address', [{ toEntities: ['world-ipv4'] }], {}, false],
    ['toEntities world-ipv6 does not cover an IPv4 address', [{ toEntities: ['world-ipv6'] }], {}, true],
    ['selector keys may carry the k8s: source prefix', [{ toCIDR: ['169.254.169.254/32'] }], { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'network-policy-conformance-gryffindor' } }, false],
  ];
  for (const [name, rules, selector, expected] of rows) {
    it(`${name}: ${expected ? 'allowed' : 'denied'}`, () => {
      assert.equal(guarded(m, ccnp(rules, selector), at(m, 'harry-potter-0'), metadata, tcp80).allowed, expected);
    });
  }
  it('CIDR rules never match pods on Cilium', () => {
    const d = guarded(m, ccnp([{ toCIDR: ['10.0.0.0/8'] }]), at(m, 'harry-potter-0'), at(m, 'draco-malfoy-0'), tcp80);
    assert.equal(d.egress!.stage, 'networkpolicy');
  });

  // "enableDefaultDeny ... If not specified, the default is true for each traffic direction that has rules,
  // and false otherwise ... that endpoint's default deny will be enabled if any policy requests it."
  describe('default deny (the pitfall of a deny-only policy without enableDefaultDeny)', () => {
    const policy = (enableDefaultDeny: object | undefined, field: 'spec' | 'specs' = 'spec') => {
      const rule = { endpointSelector: {}, ...(enableDefaultDeny ? { enableDefaultDeny } : {}), egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] };
      return guardrailsOf([{ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny' }, ...(field === 'spec' ? { spec: rule } : { specs: [rule] }) }] as never);
    };
    const external: Endpoint = { kind: 'ip', ip: parseIp('203.0.113.10')! };
    const bare = model([]);
    const rows: [string, object | undefined, boolean][] = [
      ['enableDefaultDeny unset: every other egress of a pod no NetworkPolicy isolates is cut', undefined, false],
      ['enableDefaultDeny.egress true: the same', { egress: true }, false],
      ['enableDefaultDeny.egress false: only the denied CIDR is cut', { egress: false, ingress: false }, true],
    ];
    for (const [name, enable, expected] of rows)
      it(`${name}: ${expected ? 'allowed' : 'denied'}`, () => {
        const d = guarded(bare, policy(enable), at(bare, 'harry-potter-0'), external, tcp80);
        assert.equal(d.allowed, expected);
        if (!expected) assert.match(d.egress!.by!, /^CiliumClusterwideNetworkPolicy deny: default deny for egress/);
      });
    it('a NetworkPolicy that isolates the pod decides instead (its allows still count)', () => {
      assert.equal(guarded(m, policy(undefined), at(m, 'harry-potter-0'), external, tcp80).allowed, true);
      assert.equal(guarded(m, policy(undefined), at(m, 'harry-potter-0'), metadata, tcp80).allowed, false);
    });
    it('ingress is untouched by an egress-only policy', () => {
      assert.equal(guarded(bare, policy(undefined), at(bare, 'draco-malfoy-0'), at(bare, 'harry-potter-0'), tcp80).allowed, false, "draco's egress is in default deny");
      assert.equal(guarded(bare, policy(undefined), at(bare, 'draco-malfoy-0'), at(bare, 'harry-potter-0'), tcp80).ingress!.allowed, true);
    });
    it('each item of specs is a rule of its own, named as such', () => {
      const d = guarded(m, policy({ egress: false }, 'specs'), at(m, 'harry-potter-0'), metadata, tcp80);
      assert.equal(d.egress!.by, 'CiliumClusterwideNetworkPolicy deny specs[0] egressDeny[0]');
    });
  });
});

describe('guardrail truth tables: Calico tiers', () => {
  const metadata: Endpoint = { kind: 'ip', ip: parseIp('169.254.169.254')! };
  const allowAllEgress: PolicyObject = { metadata: { name: 'allow-all', namespace: 'network-policy-conformance-gryffindor' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } };
  const tier = (defaultAction?: 'Pass' | 'Deny') => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'guard' }, spec: { order: 100, ...(defaultAction ? { defaultAction } : {}) } });
  const gnp = (name: string, order: number, egress: object[], selector = 'all()') => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { tier: 'guard', order, namespaceSelector: 'has(projectcalico.org/name)', selector, types: ['Egress'], egress } });
  const deny = { action: 'Deny', destination: { nets: ['169.254.169.254/32'] } };
  const pass = { action: 'Pass', destination: { nets: ['169.254.169.254/32'] } };
  const other = { action: 'Deny', destination: { nets: ['192.0.2.0/24'] } };
  const m = model([allowAllEgress]);
  const rows: [string, object[], boolean][] = [
    ['a Deny in our tier beats the NetworkPolicy allow', [tier('Pass'), gnp('deny', 110, [deny])], false],
    ['a Pass at a lower order goes on to the NetworkPolicy (allowed there)', [tier('Pass'), gnp('deny', 110, [deny]), gnp('exception', 100, [pass], 'conformance-house == "gryffindor"')], true],
    ['the Pass only for its selector: another selector leaves the Deny', [tier('Pass'), gnp('deny', 110, [deny]), gnp('exception', 100, [pass], 'conformance-house == "slytherin"')], false],
    ['selected, no rule matches, defaultAction Pass: NetworkPolicy decides', [tier('Pass'), gnp('other', 110, [other])], true],
    ['selected, no rule matches, defaultAction Deny: denied whatever the NetworkPolicy says', [tier('Deny'), gnp('other', 110, [other])], false],
    ['selected, no rule matches, defaultAction unset means Deny (the pitfall)', [tier(), gnp('other', 110, [other])], false],
    ['no policy of the tier selects the pod: the tier is skipped', [tier('Deny'), gnp('other', 110, [other], 'app == "none"')], true],
  ];
  for (const [name, objects, expected] of rows) {
    it(`${name}: ${expected ? 'allowed' : 'denied'}`, () => {
      assert.equal(guarded(m, guardrailsOf(objects as never), at(m, 'harry-potter-0'), metadata, tcp80).allowed, expected);
    });
  }

  it('a policy without order comes after every ordered one (a Pass at 100 beats an unordered Deny)', () => {
    const unordered = { ...gnp('deny', 0, [deny]), spec: { ...gnp('deny', 0, [deny]).spec, order: undefined } };
    assert.equal(guarded(m, guardrailsOf([tier('Pass'), unordered, gnp('exception', 100, [pass])] as never), at(m, 'harry-potter-0'), metadata, tcp80).allowed, true);
  });
  it('ingress rules match the source on source.nets and the port on destination.ports', () => {
    const ingress = (rules: object[]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'in' }, spec: { tier: 'guard', order: 1, selector: 'all()', types: ['Ingress'], ingress: rules } });
    const from: Endpoint = { kind: 'ip', ip: parseIp('192.0.2.7')! };
    const denyFrom = { action: 'Deny', protocol: 'TCP', source: { nets: ['192.0.2.0/24'] }, destination: { ports: [80] } };
    const d = guarded(m, guardrailsOf([tier('Pass'), ingress([denyFrom])] as never), from, at(m, 'harry-potter-0'), tcp80);
    assert.deepEqual([d.allowed, d.ingress!.by], [false, 'GlobalNetworkPolicy in ingress[0] (tier guard)']);
    assert.equal(guarded(m, guardrailsOf([tier('Pass'), ingress([denyFrom])] as never), { kind: 'ip', ip: parseIp('198.51.100.1')! }, at(m, 'harry-potter-0'), tcp80).allowed, true);
  });
  it('doNotTrack and preDNAT policies apply to host endpoints only: they select no pod', () => {
    for (const flag of ['doNotTrack', 'preDNAT']) {
      const hostOnly = gnp('deny', 110, [deny]);
      (hostOnly.spec as Record<string, unknown>)[flag] = true;
      assert.equal(guarded(m, guardrailsOf([tier('Deny'), hostOnly] as never), at(m, 'harry-potter-0'), metadata, tcp80).allowed, true, flag);
    }
  });
});
