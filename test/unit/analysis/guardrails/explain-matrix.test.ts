// explain and matrix with guardrails in the model: a flow's verdict follows the engine's precedence, and
// the explanation names the guardrail object and rule that decided it. The guardrails are the ones render
// emits for a profile, the reopening is a team's NetworkPolicy allowing 0.0.0.0/0.
import assert from 'node:assert/strict';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { segmentationProfileSchema } from '../../../../src/api/profile.js';
import { renderNamespace } from '../../../../src/compile/render.js';
import { renderAllGuardrails, type ResolvedBackend } from '../../../../src/compile/guardrails/index.js';
import { parseIp } from '../../../../src/analysis/cidr.js';
import { explainConnection, formatExplanation } from '../../../../src/analysis/explain.js';
import { buildMatrix, wellKnownColumns } from '../../../../src/analysis/matrix.js';
import { matrixToText } from '../../../../src/analysis/matrix-render/text.js';
import { buildClusterModel, type ClusterModel, type Endpoint } from '../../../../src/analysis/model.js';
import type { PolicyObject } from '../../../../src/api/networkpolicy.js';
import { namespaceMatrix } from '../../../../src/console/view/matrix.js';
import { compileFor } from '../../compile/guardrails/helpers.js';

const profile = segmentationProfileSchema.parse({
  apiVersion: 'segmentation.dev/v1alpha1',
  kind: 'SegmentationProfile',
  metadata: { name: 'p' },
  spec: { defaultDeny: { ingress: true, egress: false } },
});
const namespaces: V1Namespace[] = [{ metadata: { name: 'shop', labels: {} } }];
const pods: V1Pod[] = [
  { metadata: { namespace: 'shop', name: 'web', labels: { app: 'web' } }, status: { podIP: '10.1.0.5' } },
  { metadata: { namespace: 'shop', name: 'db', labels: { app: 'db' } }, status: { podIP: '10.1.0.6' } },
];
/** A namespace admin's policy that allows all egress: it reopens the metadata endpoint for NetworkPolicy alone. */
const reopening: PolicyObject = {
  metadata: { namespace: 'shop', name: 'team-allow-all' },
  spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
};

function modelFor(backend: ResolvedBackend): ClusterModel {
  const compiled = compileFor(profile, backend);
  const ns = { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } };
  return buildClusterModel({ policies: [...renderNamespace(compiled, ns), reopening], namespaces, pods, guardrails: renderAllGuardrails([compiled]) });
}
const pod = (m: ClusterModel, name: string): Endpoint => ({ kind: 'pod', pod: m.pods.find((p) => p.name === name)! });
const metadata: Endpoint = { kind: 'ip', ip: parseIp('169.254.169.254')! };
const tcp80 = { protocol: 'TCP' as const, port: 80 };

describe('explain with guardrails', () => {
  it('NetworkPolicy backend: the team policy reopens the metadata endpoint (no guardrails, nothing changes)', () => {
    const m = modelFor('NetworkPolicy');
    assert.equal(m.guardrails, undefined);
    const e = explainConnection(m, pod(m, 'web'), metadata, tcp80);
    assert.equal(e.allowed, true);
    assert.equal(e.guardrails, undefined);
    assert.match(formatExplanation(e), /egress from shop\/web: allowed by shop\/team-allow-all egress\[0\] peer\[0\]/);
  });

  const expected: [ResolvedBackend, RegExp][] = [
    ['Cilium', /egress from shop\/web: DENIED by guardrail CiliumClusterwideNetworkPolicy seg\.p\.deny-metadata egressDeny\[0\] \(NetworkPolicy alone: allowed by shop\/team-allow-all egress\[0\] peer\[0\]/],
    ['ClusterNetworkPolicy', /egress from shop\/web: DENIED by guardrail ClusterNetworkPolicy seg\.p\.deny-metadata egress\[0\] "deny-metadata" \(Admin, priority 110\) \(NetworkPolicy alone: allowed by shop\/team-allow-all/],
    ['Calico', /egress from shop\/web: DENIED by guardrail GlobalNetworkPolicy segmentation-guardrails\.seg\.p\.deny-metadata egress\[0\] \(tier segmentation-guardrails\) \(NetworkPolicy alone: allowed by shop\/team-allow-all/],
  ];
  for (const [backend, line] of expected) {
    it(`${backend}: the metadata flow is denied by the guardrail although a namespace NetworkPolicy allows 0.0.0.0/0`, () => {
      const m = modelFor(backend);
      const e = explainConnection(m, pod(m, 'web'), metadata, tcp80);
      assert.equal(e.allowed, false);
      assert.equal(e.egress.status, 'allowed', 'NetworkPolicy alone allows it');
      assert.equal(e.guardrails?.egress?.allowed, false);
      const text = formatExplanation(e);
      assert.match(text, /^shop\/web -> 169\.254\.169\.254 on TCP\/80: DENIED$/m);
      assert.match(text, line);
    });

    it(`${backend}: an allowed flow is unchanged (external address through the team policy, pod to pod)`, () => {
      const m = modelFor(backend);
      const out = explainConnection(m, pod(m, 'web'), { kind: 'ip', ip: parseIp('203.0.113.10')! }, { protocol: 'TCP', port: 443 });
      assert.equal(out.allowed, true);
      assert.equal(out.guardrails?.egress?.stage, 'networkpolicy');
      assert.match(formatExplanation(out), /egress from shop\/web: allowed by shop\/team-allow-all egress\[0\] peer\[0\] \(isolated by shop\/team-allow-all\)$/m);
      // The profile denies ingress by default: web -> db stays denied by NetworkPolicy, not by a guardrail.
      const inside = explainConnection(m, pod(m, 'web'), pod(m, 'db'), tcp80);
      assert.equal(inside.allowed, false);
      assert.equal(inside.guardrails?.ingress?.stage, 'networkpolicy');
      assert.match(formatExplanation(inside), /ingress to shop\/db: DENIED: isolated by shop\/seg\.p\.deny-all/);
    });
  }
});

describe('matrix with guardrails', () => {
  const columns = (m: ClusterModel) => wellKnownColumns(m, { dns: false, metadata: [{ ip: parseIp('169.254.169.254')!, port: 80 }], external: [{ ip: parseIp('203.0.113.10')!, port: 443 }] });

  for (const backend of ['Cilium', 'ClusterNetworkPolicy', 'Calico'] as const) {
    it(`${backend}: the metadata cells turn denied, every other cell stays as NetworkPolicy says`, () => {
      const plain = modelFor('NetworkPolicy');
      const guarded = modelFor(backend);
      const before = buildMatrix(plain, plain.pods, tcp80, columns(plain));
      const after = buildMatrix(guarded, guarded.pods, tcp80, columns(guarded));
      const metadataColumn = after.columns.findIndex((c) => c.kind === 'metadata');
      for (let r = 0; r < after.rows.length; r++) {
        for (let c = 0; c < after.columns.length; c++) {
          const [was, is] = [before.decisions[r]![c]!.allowed, after.decisions[r]![c]!.allowed];
          assert.equal(is, c === metadataColumn ? false : was, `${after.rows[r]} -> ${after.columns[c]!.id}`);
        }
        assert.equal(before.decisions[r]![metadataColumn]!.allowed, true, 'NetworkPolicy alone leaves it open');
      }
      assert.match(matrixToText(before), /metadata 169\.254\.169\.254:80/);
      assert.notEqual(matrixToText(after), matrixToText(before));
    });
  }

  it("the console's namespace matrix (same entry point) marks the guardrail's side as the denying one", () => {
    const m = modelFor('Cilium');
    const view = namespaceMatrix(m, 'shop', { port: 80, protocol: 'TCP' });
    const col = view.columns.findIndex((c) => c.kind === 'metadata');
    for (const row of view.cells) assert.deepEqual([row[col]!.verdict, row[col]!.deniedBy], ['denied', ['egress']]);
  });
});
