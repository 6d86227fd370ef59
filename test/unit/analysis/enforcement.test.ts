// Enforcement preflight: engines recognised from DaemonSets, pods and AKS node labels.
import assert from 'node:assert/strict';
import type { V1Container, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { detectEnforcement } from '../../../src/analysis/enforcement.js';

function ds(namespace: string, name: string, containers: V1Container[], opts: { labels?: Record<string, string>; ready?: [number, number] } = {}): V1DaemonSet {
  return {
    metadata: { namespace, name, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { selector: {}, template: { spec: { containers } } },
    ...(opts.ready ? { status: { numberReady: opts.ready[0], desiredNumberScheduled: opts.ready[1], currentNumberScheduled: opts.ready[1], numberMisscheduled: 0 } } : {}),
  };
}
const c = (name: string, image: string, args?: string[]): V1Container => ({ name, image, ...(args ? { args } : {}) });
const node = (name: string, labels: Record<string, string>): V1Node => ({ metadata: { name, labels } });
const kubeProxy = ds('kube-system', 'kube-proxy', [c('kube-proxy', 'registry.k8s.io/kube-proxy:v1.33.0')]);

describe('detectEnforcement', () => {
  const engines: Array<[string, V1DaemonSet, string]> = [
    ['Calico by name', ds('calico-system', 'calico-node', [c('calico-node', 'docker.io/calico/node:v3.30.0')]), 'Calico'],
    ['Calico by image under another name', ds('kube-system', 'net', [c('n', 'quay.io/calico/node:v3.28.1')]), 'Calico'],
    ['Canal', ds('kube-system', 'canal', [c('calico-node', 'calico/node:v3.27'), c('kube-flannel', 'flannel/flannel:v0.25')]), 'Canal (Calico policy)'],
    ['Cilium', ds('kube-system', 'cilium', [c('cilium-agent', 'quay.io/cilium/cilium:v1.17.0')]), 'Cilium'],
    ['Cilium on AKS (mcr image)', ds('kube-system', 'cilium', [c('cilium-agent', 'mcr.microsoft.com/oss/cilium/cilium:1.16.5')]), 'Cilium'],
    ['Cilium by label', ds('kube-system', 'agent', [c('a', 'example/agent')], { labels: { 'k8s-app': 'cilium' } }), 'Cilium'],
    ['GKE Dataplane V2', ds('kube-system', 'anetd', [c('cilium-agent', 'gke.gcr.io/cilium/cilium:v1.14')]), 'Cilium (GKE Dataplane V2)'],
    ['Azure NPM', ds('kube-system', 'azure-npm', [c('azure-npm', 'mcr.microsoft.com/containernetworking/azure-npm:v1.5.45')]), 'Azure NPM'],
    ['Antrea', ds('kube-system', 'antrea-agent', [c('antrea-agent', 'antrea/antrea-agent-ubuntu:v2.2.0')]), 'Antrea'],
    ['kube-router', ds('kube-system', 'kube-router', [c('kube-router', 'docker.io/cloudnativelabs/kube-router:v2.4', ['--run-router=true', '--run-firewall=true'])]), 'kube-router'],
    ['Weave Net with weave-npc', ds('kube-system', 'weave-net', [c('weave', 'weaveworks/weave-kube:2.8.1'), c('weave-npc', 'weaveworks/weave-npc:2.8.1')]), 'Weave Net'],
    ['Romana', ds('kube-system', 'romana-agent', [c('romana-agent', 'quay.io/romana/agent:v2.0')]), 'Romana'],
    ['OVN-Kubernetes', ds('ovn-kubernetes', 'ovnkube-node', [c('ovnkube-controller', 'ovn-kube:latest')]), 'OVN-Kubernetes'],
    ['kube-network-policies', ds('kube-system', 'kube-network-policies', [c('kube-network-policies', 'registry.k8s.io/networking/kube-network-policies:v0.7.0')]), 'kube-network-policies'],
    [
      'AWS VPC CNI with the policy agent enabled',
      ds('kube-system', 'aws-node', [c('aws-node', 'amazon-k8s-cni:v1.19'), c('aws-eks-nodeagent', 'amazon/aws-network-policy-agent:v1.2', ['--enable-network-policy=true'])]),
      'AWS VPC CNI network policy agent',
    ],
  ];
  for (const [name, daemonSet, engine] of engines) {
    it(`recognises ${name}`, () => {
      const finding = detectEnforcement({ daemonSets: [kubeProxy, daemonSet], nodes: [] });
      assert.equal(finding.enforced, true, finding.message);
      assert.deepEqual(finding.engines.map((e) => e.engine), [engine]);
      assert.match(finding.message, new RegExp(`enforced by ${engine.replace(/[()]/g, '\\$&')}`));
    });
  }

  const disabled: Array<[string, V1DaemonSet, RegExp]> = [
    ['kube-router with the firewall off', ds('kube-system', 'kube-router', [c('kube-router', 'cloudnativelabs/kube-router:v2.4', ['--run-firewall=false'])]), /run-firewall=false/],
    ['Weave Net without weave-npc', ds('kube-system', 'weave-net', [c('weave', 'weaveworks/weave-kube:2.8.1')]), /without its weave-npc/],
    ['AWS VPC CNI with the agent disabled', ds('kube-system', 'aws-node', [c('aws-node', 'amazon-k8s-cni'), c('aws-eks-nodeagent', 'amazon/aws-network-policy-agent', ['--enable-network-policy=false'])]), /enable-network-policy=true/],
    ['AWS VPC CNI without the agent', ds('kube-system', 'aws-node', [c('aws-node', 'amazon-k8s-cni')]), /without its aws-eks-nodeagent/],
    ['Flannel alone', ds('kube-flannel', 'kube-flannel-ds', [c('kube-flannel', 'flannel/flannel:v0.26')]), /Flannel does not enforce/],
  ];
  for (const [name, daemonSet, note] of disabled) {
    it(`does not count ${name}, and says why`, () => {
      const finding = detectEnforcement({ daemonSets: [kubeProxy, daemonSet], nodes: [] });
      assert.equal(finding.enforced, false);
      assert.deepEqual(finding.engines, []);
      assert.ok(finding.evidence.some((e) => note.test(e)), finding.evidence.join('\n'));
      assert.match(finding.message, /no NetworkPolicy engine found/);
    });
  }

  it('finds nothing on a bare cluster and says policies are not enforced', () => {
    const finding = detectEnforcement({ daemonSets: [kubeProxy], nodes: [node('n1', {})] });
    assert.deepEqual(finding, { enforced: false, engines: [], evidence: [], message: 'no NetworkPolicy engine found: NetworkPolicies are stored but NOT enforced (checked 1 DaemonSets, 1 nodes)' });
  });

  it('an installed engine with no ready pod does not count', () => {
    const finding = detectEnforcement({ daemonSets: [ds('kube-system', 'calico-node', [c('calico-node', 'calico/node:v3')], { ready: [0, 3] })], nodes: [] });
    assert.equal(finding.enforced, false);
    assert.deepEqual(finding.engines.map((e) => [e.engine, e.ready]), [['Calico', false]]);
    assert.match(finding.message, /none of its pods is ready/);
  });

  it('reports readiness when the DaemonSet has status', () => {
    const finding = detectEnforcement({ daemonSets: [ds('kube-system', 'cilium', [c('cilium-agent', 'quay.io/cilium/cilium:v1.17')], { ready: [2, 3] })], nodes: [] });
    assert.deepEqual(finding.engines, [{ engine: 'Cilium', source: 'DaemonSet kube-system/cilium (2/3 ready)', ready: true, version: '1.17.0' }]);
  });

  it("reads the engine's version from its image tag (what the Auto backend choice needs), and none from a tag that is no version", () => {
    const versions = (d: V1DaemonSet) => detectEnforcement({ daemonSets: [d], nodes: [] }).engines.map((e) => e.version);
    assert.deepEqual(versions(ds('calico-system', 'calico-node', [c('calico-node', 'quay.io/calico/node:v3.32.1@sha256:0123')])), ['3.32.1']);
    assert.deepEqual(versions(ds('kube-system', 'canal', [c('kube-flannel', 'flannel/flannel:v0.25.1'), c('calico-node', 'calico/node:v3.27')])), ['3.27.0'], 'Canal: the calico/node image, not flannel');
    assert.deepEqual(versions(ds('kube-system', 'cilium', [c('cilium-agent', 'mcr.microsoft.com/oss/cilium/cilium:1.16.5')])), ['1.16.5']);
    assert.deepEqual(versions(ds('kube-system', 'antrea-agent', [c('antrea-agent', 'antrea/antrea-agent-ubuntu:v2.7.0')])), ['2.7.0']);
    assert.deepEqual(versions(ds('kube-system', 'cilium', [c('cilium-agent', 'localhost:5000/cilium/cilium:latest')])), [undefined]);
    assert.deepEqual(versions(ds('kube-system', 'cilium', [c('cilium-agent', 'localhost:5000/cilium/cilium')])), [undefined], 'a registry port is no tag');
  });

  describe('AKS node labels', () => {
    for (const [value, engine] of [['azure', 'Azure NPM'], ['calico', 'Calico'], ['cilium', 'Cilium']] as const) {
      it(`kubernetes.azure.com/network-policy=${value} -> ${engine}`, () => {
        const finding = detectEnforcement({ daemonSets: [], nodes: [node('n1', { 'kubernetes.azure.com/network-policy': value }), node('n2', { 'kubernetes.azure.com/network-policy': value })] });
        assert.equal(finding.enforced, true);
        assert.deepEqual(finding.engines, [{ engine, source: `node label kubernetes.azure.com/network-policy=${value} (2 of 2 nodes)` }]);
      });
    }
    it('network-policy=none is evidence, not an engine', () => {
      const finding = detectEnforcement({ daemonSets: [], nodes: [node('n1', { 'kubernetes.azure.com/network-policy': 'none' })] });
      assert.equal(finding.enforced, false);
      assert.deepEqual(finding.evidence, ['node label kubernetes.azure.com/network-policy=none (1 of 1 nodes): no network policy engine configured by AKS']);
    });
    it('ebpf-dataplane=cilium counts as Cilium', () => {
      const finding = detectEnforcement({ daemonSets: [], nodes: [node('n1', { 'kubernetes.azure.com/ebpf-dataplane': 'cilium' })] });
      assert.deepEqual(finding.engines.map((e) => e.engine), ['Cilium']);
    });
  });

  describe('pods', () => {
    const calicoPod = (name: string, phase: string): V1Pod => ({
      metadata: { namespace: 'calico-system', name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'calico-node', uid: 'u' }] },
      spec: { containers: [c('calico-node', 'calico/node:v3.30')] },
      status: { phase },
    });
    it('recognises an engine from its pods when DaemonSets are not available, grouped by owner', () => {
      const finding = detectEnforcement({ daemonSets: [], nodes: [], pods: [calicoPod('calico-node-1', 'Pending'), calicoPod('calico-node-2', 'Running')] });
      assert.equal(finding.enforced, true);
      assert.deepEqual(finding.engines, [{ engine: 'Calico', source: 'Pod calico-system/calico-node (Running)', ready: true, version: '3.30.0' }]);
    });
    it('does not double count pods of a DaemonSet already seen', () => {
      const finding = detectEnforcement({ daemonSets: [ds('calico-system', 'calico-node', [c('calico-node', 'calico/node:v3')])], nodes: [], pods: [calicoPod('calico-node-1', 'Running')] });
      assert.equal(finding.engines.length, 1);
    });
  });
});
