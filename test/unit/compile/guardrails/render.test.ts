// What the per-namespace NetworkPolicies become with a cluster-scoped guardrails backend: the metadata and
// node-port blocks move to the guardrail objects, every ipBlock keeps its excepts (defence in depth), and
// nothing that the allow side needs is lost.
import assert from 'node:assert/strict';
import { compileProfile, renderNamespace } from '../../../../src/compile/render.js';
import type { SegmentationProfileInput } from '../../../../src/api/profile.js';
import { ns, profile } from '../helpers.js';
import { compileFor } from './helpers.js';

const names = (spec: SegmentationProfileInput['spec'], backend: 'NetworkPolicy' | 'Cilium' | 'ClusterNetworkPolicy' | 'Calico') =>
  renderNamespace(compileFor(profile('p', spec), backend), ns('shop')).map((p) => p.metadata.name);

describe('guardrails: per-namespace policies with a cluster-scoped backend', () => {
  const openEgress = { defaultDeny: { ingress: true, egress: false }, instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } } }] } };
  const deniedEgress = { defaultDeny: { ingress: true, egress: true }, instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } } }] } };

  // [case, spec, NetworkPolicy backend, any cluster-scoped backend]
  const table: [string, SegmentationProfileInput['spec'], string[], string[]][] = [
    ['open egress with an exception: deny-metadata and the exception policy go (they would isolate the pods)', openEgress, ['seg.p.allow-metadata.0', 'seg.p.deny-all', 'seg.p.deny-metadata'], ['seg.p.deny-all']],
    ['denied egress with an exception: the exception policy stays (the default deny isolates the pods)', deniedEgress, ['seg.p.allow-metadata.0', 'seg.p.deny-all', 'seg.p.dns'], ['seg.p.allow-metadata.0', 'seg.p.deny-all', 'seg.p.dns']],
    ['open egress, metadata not blocked, nodeAccess: deny-node-ports goes', { defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: false }, nodeAccess: { cidrs: ['10.224.0.0/16'] } }, ['seg.p.deny-node-ports'], []],
  ];
  for (const [name, spec, plain, clustered] of table) {
    it(name, () => {
      assert.deepEqual(names(spec, 'NetworkPolicy'), plain);
      for (const backend of ['Cilium', 'ClusterNetworkPolicy', 'Calico'] as const) assert.deepEqual(names(spec, backend), clustered, backend);
    });
  }

  it('the Baseline default-deny tier replaces the deny-all NetworkPolicy, nothing else', () => {
    const spec = { guardrails: { backend: 'ClusterNetworkPolicy' as const, defaultDenyTier: 'Baseline' as const } };
    assert.deepEqual(names(spec, 'ClusterNetworkPolicy'), ['seg.p.dns']);
    assert.deepEqual(names({}, 'ClusterNetworkPolicy'), ['seg.p.deny-all', 'seg.p.dns']);
  });

  it('every ipBlock keeps its metadata except and its node split (defence in depth)', () => {
    const spec = { allow: [{ name: 'out', from: { podSelector: {} }, to: { ipBlock: { cidr: '0.0.0.0/0' } } }], nodeAccess: { cidrs: ['10.224.0.0/16'] } };
    for (const backend of ['NetworkPolicy', 'Cilium', 'ClusterNetworkPolicy', 'Calico'] as const) {
      const egress = renderNamespace(compileFor(profile('p', spec), backend), ns('shop')).find((p) => p.metadata.name === 'seg.p.allow.out.egress')!;
      assert.deepEqual(egress.spec.egress![0]!.to![0]!.ipBlock, { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.224.0.0/16'] }, backend);
    }
  });

  const errors: [string, SegmentationProfileInput['spec'], string][] = [
    ['a glob exclude', { excludeNamespaces: ['legacy', 'sandbox-*'] }, 'spec.excludeNamespaces[1]: the glob "sandbox-*"'],
    ['a named port in a metadata exception', { instanceMetadata: { allowFrom: [{ podSelector: {}, ports: [{ port: 'http' }] }] } }, 'spec.instanceMetadata.allowFrom[0].ports[0].port'],
  ];
  for (const [what, spec, path] of errors) {
    it(`render --backend Calico on a profile with ${what} fails naming the field`, () => {
      const result = compileProfile(profile('p', spec), {}, { guardrails: { override: 'Calico' } });
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.errors.some((e) => e.startsWith(path)), JSON.stringify(result));
      assert.ok(compileProfile(profile('p', spec), {}, { guardrails: {} }).ok, 'Auto renders as NetworkPolicy and accepts it');
    });
  }

  it('render --backend Cilium on a profile with the Baseline tier fails naming the field', () => {
    const result = compileProfile(profile('p', { guardrails: { backend: 'ClusterNetworkPolicy', defaultDenyTier: 'Baseline' } }), {}, { guardrails: { override: 'Cilium' } });
    assert.ok(!result.ok && result.errors[0]!.startsWith('spec.guardrails.defaultDenyTier: Baseline needs the ClusterNetworkPolicy backend'));
  });
});
