// Self-check: the evaluator proves that what render() emits does what the profile says.
// For the reference scenarios (inline, and every test/golden scenario) and for generated profiles,
// every pod-to-pod and pod-to-external connection in a small world is evaluated on render()'s
// NetworkPolicies and compared with the profile's meaning (fixtures/profile-oracle.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { segmentationProfileSchema, type SegmentationProfile, type SegmentationProfileInput } from '../../../src/api/profile.js';
import { render, type ClusterFacts } from '../../../src/compile/render.js';
import { parseIp, type IpAddress } from '../../../src/analysis/cidr.js';
import { evaluateConnection, evaluateSide } from '../../../src/analysis/evaluate.js';
import { buildClusterModel, describePod, namespaceLabels, type ClusterModel, type PodInfo, type Traffic } from '../../../src/analysis/model.js';
import { ProfileOracle } from './fixtures/profile-oracle.js';

const NAMESPACES: V1Namespace[] = [
  { metadata: { name: 'shop', labels: { team: 'red' } } },
  { metadata: { name: 'payments', labels: { team: 'blue' } } },
  { metadata: { name: 'monitoring', labels: { team: 'blue' } } },
  { metadata: { name: 'sandbox-bob', labels: { team: 'red' } } },
  { metadata: { name: 'opted-out', labels: { team: 'red', 'segmentation.dev/ignore': 'true' } } },
  { metadata: { name: 'kube-system' } },
];
const APPS = ['frontend', 'backend', 'database', 'api', 'prometheus'];
const POD_LIST: V1Pod[] = [
  ...NAMESPACES.filter((n) => n.metadata!.name !== 'kube-system').flatMap((n, i) =>
    APPS.map((app, j): V1Pod => ({ metadata: { namespace: n.metadata!.name!, name: app, labels: { app } }, spec: { containers: [] }, status: { podIP: `10.244.${i}.${j + 1}` } })),
  ),
  { metadata: { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [] }, status: { podIP: '10.244.9.53' } },
  { metadata: { namespace: 'kube-system', name: 'metrics-server', labels: { 'k8s-app': 'metrics-server' } }, spec: { containers: [] }, status: { podIP: '10.244.9.54' } },
];
const TRAFFIC: Traffic[] = [
  { port: 80, protocol: 'TCP' },
  { port: 443, protocol: 'TCP' },
  { port: 5432, protocol: 'TCP' },
  { port: 9090, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
  { port: 22, protocol: 'TCP' }, // node SSH
];
const ip = (text: string): IpAddress => parseIp(text)!;
const METADATA = ['169.254.169.254', 'fd00:ec2::254'].map(ip);
const NODE = '10.224.0.4';
const EXTERNAL = [NODE, '203.0.113.10', '198.51.100.7', '8.8.8.8', '169.254.169.254', '169.254.20.10', '100.100.100.200', 'fd00:ec2::254', '2001:db8::5'].map(ip);

function profileOf(input: SegmentationProfileInput): SegmentationProfile {
  return segmentationProfileSchema.parse(input);
}

/** The API server at a node address (as on self-managed control planes), also on TCP 22. */
const FACTS: ClusterFacts = { apiServer: { addresses: [NODE], ports: [{ protocol: 'TCP', port: 22 }, { protocol: 'TCP', port: 443 }] } };

/** The cluster after applying what render() emits for every namespace. */
function renderedWorld(profile: SegmentationProfile): ClusterModel {
  const shell = buildClusterModel({ policies: [], namespaces: NAMESPACES, pods: POD_LIST });
  const policies = [...shell.namespaces.values()].flatMap((ns) => render(profile, { name: ns.name, labels: { ...ns.labels } }, FACTS));
  return buildClusterModel({ policies, namespaces: NAMESPACES, pods: POD_LIST });
}

function oracleFor(profile: SegmentationProfile, model: ClusterModel): ProfileOracle {
  const oracle = new ProfileOracle(profile, (ns) => namespaceLabels(model, ns));
  oracle.apiServerEndpoints = FACTS.apiServer;
  return oracle;
}

function pod(model: ClusterModel, id: string): PodInfo {
  const found = model.pods.find((p) => describePod(p) === id);
  assert.ok(found, id);
  return found;
}

const reach = (model: ClusterModel, from: string, to: string | IpAddress, t: Traffic) =>
  evaluateConnection(model, { kind: 'pod', pod: pod(model, from) }, typeof to === 'string' ? { kind: 'pod', pod: pod(model, to) } : { kind: 'ip', ip: to }, t).allowed;

/** Every disagreement between the evaluator (on render's output) and the profile's meaning. */
function disagreements(profile: SegmentationProfile): string[] {
  const model = renderedWorld(profile);
  const oracle = oracleFor(profile, model);
  const out: string[] = [];
  for (const src of model.pods) {
    for (const t of TRAFFIC) {
      for (const dst of model.pods) {
        if (src === dst) continue; // loopback is implementation-defined
        const actual = evaluateConnection(model, { kind: 'pod', pod: src }, { kind: 'pod', pod: dst }, t).allowed;
        const expected = oracle.podToPod(src, dst, t);
        if (actual !== expected) out.push(`${describePod(src)} -> ${describePod(dst)} ${t.protocol}/${t.port}: evaluator ${actual}, profile ${expected}`);
      }
      for (const address of EXTERNAL) {
        const actual = evaluateConnection(model, { kind: 'pod', pod: src }, { kind: 'ip', ip: address }, t).allowed;
        const expected = oracle.podToExternal(src, address, t);
        if (actual !== expected) out.push(`${describePod(src)} -> ${JSON.stringify(address.value.toString(16))} ${t.protocol}/${t.port}: evaluator ${actual}, profile ${expected}`);
      }
    }
  }
  return out;
}

function assertAgrees(profile: SegmentationProfile): void {
  const found = disagreements(profile);
  assert.deepEqual(found.slice(0, 8), [], `${found.length} disagreement(s)`);
}

/** Checks the promises that hold for every profile, whatever its rules. */
function assertInvariants(profile: SegmentationProfile): void {
  const model = renderedWorld(profile);
  const oracle = oracleFor(profile, model);
  for (const p of model.pods) {
    if (!oracle.targeted(p.namespace)) {
      // Excluded namespaces are untouched: nothing isolates their pods in either direction.
      const probe = { kind: 'ip' as const, ip: ip('8.8.8.8') };
      assert.equal(evaluateSide(model, p, 'Egress', probe, TRAFFIC[0]!).status, 'not-isolated', `${describePod(p)} egress`);
      assert.equal(evaluateSide(model, p, 'Ingress', probe, TRAFFIC[0]!).status, 'not-isolated', `${describePod(p)} ingress`);
      continue;
    }
    // DNS works from every segmented pod, on UDP and TCP.
    for (const t of TRAFFIC.filter((x) => x.port === 53)) assert.equal(reach(model, describePod(p), 'kube-system/coredns', t), true, `${describePod(p)} DNS ${t.protocol}`);
    // The metadata endpoint is unreachable over IPv4 and IPv6, on any port, except for the allowFrom pods.
    if (profile.spec.instanceMetadata.deny) {
      for (const m of METADATA) for (const t of TRAFFIC) if (!oracle.metadataException(p, t)) assert.equal(reach(model, describePod(p), m, t), false, `${describePod(p)} metadata ${t.port}`);
    }
    // The nodes' denied ports are unreachable, whatever the rules allow.
    for (const d of profile.spec.nodeAccess?.denyPorts ?? []) {
      if (typeof d.port === 'number') assert.equal(reach(model, describePod(p), ip(NODE), { protocol: d.protocol, port: d.port }), false, `${describePod(p)} node ${d.protocol}/${d.port}`);
    }
  }
}

const base = { apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile' } as const;

describe('self-check: render() does what the profile says', function () {
  // Thousands of evaluations per profile: a generous ceiling for loaded CI machines, not a timing assertion.
  this.timeout(120_000);
  describe('reference scenarios (AKS guidance)', () => {
    it('deny-all: no pod-to-pod traffic in targeted namespaces, DNS still works, metadata blocked', () => {
      const profile = profileOf({ ...base, metadata: { name: 'deny-all' }, spec: {} });
      const model = renderedWorld(profile);
      assert.equal(reach(model, 'shop/frontend', 'shop/backend', TRAFFIC[0]!), false);
      assert.equal(reach(model, 'opted-out/frontend', 'opted-out/backend', TRAFFIC[0]!), true);
      assert.equal(reach(model, 'shop/frontend', ip('8.8.8.8'), TRAFFIC[1]!), false);
      assertInvariants(profile);
      assertAgrees(profile);
    });

    it('deny-instance-metadata: everything open except the metadata endpoint (IPv4 and IPv6)', () => {
      const profile = profileOf({ ...base, metadata: { name: 'deny-imds' }, spec: { defaultDeny: { ingress: false, egress: false } } });
      const model = renderedWorld(profile);
      assert.equal(reach(model, 'shop/frontend', 'payments/database', TRAFFIC[2]!), true, 'in-cluster egress stays open (namespaceSelector peer, not ipBlock)');
      assert.equal(reach(model, 'shop/frontend', ip('8.8.8.8'), TRAFFIC[1]!), true);
      assert.equal(reach(model, 'shop/frontend', ip('2001:db8::5'), TRAFFIC[1]!), true);
      assert.equal(reach(model, 'shop/frontend', ip('169.254.169.254'), TRAFFIC[0]!), false);
      assert.equal(reach(model, 'shop/frontend', ip('fd00:ec2::254'), TRAFFIC[0]!), false);
      assert.equal(reach(model, 'shop/frontend', ip('169.254.20.10'), TRAFFIC[4]!), true, 'NodeLocal DNSCache is not blocked');
      assertInvariants(profile);
      assertAgrees(profile);
    });

    it('backend -> database on 5432, and nothing else reaches the database', () => {
      const profile = profileOf({
        ...base,
        metadata: { name: 'shop' },
        spec: { allow: [{ name: 'backend-to-database', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ protocol: 'TCP', port: 5432 }] }] },
      });
      const model = renderedWorld(profile);
      const db = { port: 5432, protocol: 'TCP' as const };
      assert.equal(reach(model, 'shop/backend', 'shop/database', db), true);
      assert.equal(reach(model, 'shop/backend', 'shop/database', { port: 5433, protocol: 'TCP' }), false);
      for (const other of model.pods.filter((p) => describePod(p) !== 'shop/backend' && describePod(p) !== 'shop/database')) {
        assert.equal(reach(model, describePod(other), 'shop/database', db), false, `${describePod(other)} must not reach shop/database`);
      }
      assert.equal(reach(model, 'payments/backend', 'shop/database', db), false, 'same-namespace rule: another namespace\'s backend is not allowed');
      assertInvariants(profile);
      assertAgrees(profile);
    });

    it('frontend -> 203.0.113.0/24 on 443 only', () => {
      const profile = profileOf({
        ...base,
        metadata: { name: 'shop' },
        spec: { allow: [{ name: 'frontend-to-api', from: { podSelector: { matchLabels: { app: 'frontend' } } }, to: { ipBlock: { cidr: '203.0.113.0/24' } }, ports: [{ protocol: 'TCP', port: 443 }] }] },
      });
      const model = renderedWorld(profile);
      assert.equal(reach(model, 'shop/frontend', ip('203.0.113.10'), TRAFFIC[1]!), true);
      assert.equal(reach(model, 'shop/frontend', ip('203.0.113.10'), TRAFFIC[0]!), false);
      assert.equal(reach(model, 'shop/frontend', ip('198.51.100.7'), TRAFFIC[1]!), false);
      assert.equal(reach(model, 'shop/backend', ip('203.0.113.10'), TRAFFIC[1]!), false);
      assertInvariants(profile);
      assertAgrees(profile);
    });
  });

  describe('golden scenarios (test/golden/scenarios/*/profile.yaml)', () => {
    const root = new URL('../../golden/scenarios/', import.meta.url);
    const scenarios = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    it('finds the scenarios', () => assert.ok(scenarios.length >= 4, scenarios.join(', ')));
    for (const name of scenarios) {
      it(name, () => {
        const text = readFileSync(new URL(`${name}/profile.yaml`, root), 'utf8');
        for (const doc of parseAllDocuments(text)) {
          const profile = profileOf(doc.toJS() as SegmentationProfileInput);
          assertInvariants(profile);
          assertAgrees(profile);
        }
      });
    }
  });

  describe('generated profiles (fast-check)', () => {
    const app = fc.constantFrom(...APPS);
    const podSelector = fc.oneof({ weight: 4, arbitrary: app.map((a) => ({ matchLabels: { app: a } })) }, { weight: 1, arbitrary: fc.constant({}) });
    const nsSelector = fc.option(fc.oneof(fc.constantFrom('red', 'blue').map((team) => ({ matchLabels: { team } })), fc.constantFrom('shop', 'monitoring', 'kube-system').map((n) => ({ matchLabels: { 'kubernetes.io/metadata.name': n } }))), { nil: undefined });
    const port = fc.oneof(
      fc.record({ protocol: fc.constantFrom('TCP' as const, 'UDP' as const), port: fc.constantFrom(53, 80, 443, 5432, 9090) }),
      fc.constant({ protocol: 'TCP' as const, port: 80, endPort: 443 }),
      fc.constant({ protocol: 'UDP' as const }),
    );
    const ports = fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: undefined });
    const ipBlock = fc.constantFrom(
      { cidr: '203.0.113.0/24' },
      { cidr: '198.51.100.0/24' },
      { cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] },
      { cidr: '0.0.0.0/0' },
      { cidr: '169.254.0.0/16' },
      { cidr: '::/0' },
      { cidr: 'fd00::/8' },
      { cidr: '2001:db8::/32' },
    );
    const to = fc.oneof(
      fc.record({ podSelector, namespaceSelector: nsSelector }).map((t) => (t.namespaceSelector ? t : { podSelector: t.podSelector })),
      ipBlock.map((block) => ({ ipBlock: block })),
    );
    const podFrom = fc.record({ podSelector, namespaceSelector: nsSelector }).map((f) => (f.namespaceSelector ? f : { podSelector: f.podSelector }));
    const podTo = fc.record({ podSelector, namespaceSelector: nsSelector }).map((t) => (t.namespaceSelector ? t : { podSelector: t.podSelector }));
    // One end must be pods: an ipBlock source goes with a pod destination.
    const rule = fc.oneof({ weight: 4, arbitrary: fc.record({ from: podFrom, to, ports }) }, { weight: 1, arbitrary: fc.record({ from: ipBlock.map((block) => ({ ipBlock: block })), to: podTo, ports }) });
    const exception = fc.record({ podSelector, namespaceSelector: nsSelector, ports }).map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));
    const spec = fc.record({
      defaultDeny: fc.record({ ingress: fc.boolean(), egress: fc.boolean() }),
      instanceMetadata: fc.record({ deny: fc.boolean(), allowFrom: fc.array(exception, { maxLength: 2 }) }),
      nodeAccess: fc.option(fc.constantFrom({ cidrs: ['10.224.0.0/16'] }, { cidrs: ['10.224.0.0/24', 'fd10::/64'], denyPorts: [{ protocol: 'TCP' as const, port: 22 }, { protocol: 'TCP' as const, port: 443 }] }), { nil: undefined }),
      apiServer: fc.option(fc.constant({ allowFrom: [{ podSelector: { matchLabels: { app: 'api' } } }] }), { nil: undefined }),
      namespaceSelector: fc.option(fc.constant({ matchLabels: { team: 'red' } }), { nil: undefined }),
      excludeNamespaces: fc.option(fc.constantFrom(['sandbox-*'], ['payments'], ['sandbox-*', 'payments']), { nil: undefined }),
      includeSystemNamespaces: fc.boolean(),
      dns: fc.option(fc.constant({ nodeLocalCIDRs: ['169.254.20.10/32'] }), { nil: undefined }),
      allow: fc.array(rule, { maxLength: 4 }),
    });
    const profile = spec.map((s) => {
      const cleaned = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
      return profileOf({
        ...base,
        metadata: { name: 'generated' },
        spec: { ...cleaned, allow: s.allow.map((r, i) => ({ name: `rule-${i}`, from: r.from, to: r.to, ...(r.ports ? { ports: r.ports } : {}) })) },
      } as SegmentationProfileInput);
    });

    it('the evaluator agrees with the profile on every connection, and the invariants hold', () => {
      fc.assert(
        fc.property(profile, (p) => {
          assertInvariants(p);
          assertAgrees(p);
        }),
        { numRuns: 60 },
      );
    });
  });
});
