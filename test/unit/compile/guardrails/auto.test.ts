// Auto's backend from a cluster scan: the served guardrail APIs and the detected engine, as a table.
import assert from 'node:assert/strict';
import { detectEnforcement } from '../../../../src/analysis/enforcement.js';
import { chooseAutoBackend, GUARDRAIL_RESOURCES, type ScannedEngine } from '../../../../src/compile/guardrails/auto.js';
import type { ResolvedBackend } from '../../../../src/compile/guardrails/index.js';

const CCNP = GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies;
const CNP = GUARDRAIL_RESOURCES.clusterNetworkPolicies;
const CALICO_V3 = [GUARDRAIL_RESOURCES.calicoTiers, GUARDRAIL_RESOURCES.calicoGlobalNetworkPolicies];
const CALICO_V1 = ['globalnetworkpolicies.crd.projectcalico.org', 'tiers.crd.projectcalico.org'];

const ds = (engine: string, name: string, version?: string, ready = true): ScannedEngine => ({ engine, source: `DaemonSet kube-system/${name} (3/3 ready)`, ready, ...(version ? { version } : {}) });
const cilium = ds('Cilium', 'cilium', '1.18.2');
const calico = (version?: string) => ds('Calico', 'calico-node', version);
const aksLabel = (engine: string, value: string): ScannedEngine => ({ engine, source: `node label kubernetes.azure.com/network-policy=${value} (3 of 3 nodes)` });

describe('chooseAutoBackend', () => {
  const rows: [string, string[], ScannedEngine[], ResolvedBackend, RegExp][] = [
    // Cilium: its own CCNP.
    ['Cilium with its CRD', [CCNP], [cilium], 'Cilium', /^Auto: Cilium \(ciliumclusterwidenetworkpolicies\.cilium\.io installed, Cilium 1\.18\.2 found: DaemonSet kube-system\/cilium \(3\/3 ready\)\)$/],
    ['AKS Azure CNI powered by Cilium (node label only)', [CCNP], [aksLabel('Cilium', 'cilium')], 'Cilium', /^Auto: Cilium \(.* found: node label kubernetes\.azure\.com\/network-policy=cilium/],
    ['Cilium without its CRD', [], [cilium], 'NetworkPolicy', /^Auto: NetworkPolicy \(Cilium 1\.18\.2 found: .*; ciliumclusterwidenetworkpolicies\.cilium\.io not installed\)$/],
    ['Cilium with both CRDs: its own CCNP, not the opt-in ClusterNetworkPolicy', [CCNP, CNP], [ds('Cilium', 'cilium', '1.20.2')], 'Cilium', /^Auto: Cilium \(/],
    ['Cilium 1.20 with only the ClusterNetworkPolicy CRD: opt-in, not seen', [CNP], [ds('Cilium', 'cilium', '1.20.2')], 'NetworkPolicy', /clusternetworkpolicies\.policy\.networking\.k8s\.io installed, but Cilium implements it only from 1\.20 and when enabled/],
    // A CRD alone is not proof.
    ['Cilium CRDs but the engine is Calico', [CCNP], [calico('3.30.0')], 'NetworkPolicy', /ciliumclusterwidenetworkpolicies\.cilium\.io installed, but Calico does not enforce it/],
    ['every CRD but no engine', [CCNP, CNP, ...CALICO_V3], [], 'NetworkPolicy', /^Auto: NetworkPolicy \(no NetworkPolicy engine detected\)$/],
    ['Cilium installed but not ready', [CCNP], [ds('Cilium', 'cilium', '1.18.2', false)], 'NetworkPolicy', /^Auto: NetworkPolicy \(Cilium found but none of its pods is ready\)$/],
    ['two engines (a migration)', [CCNP, ...CALICO_V3], [cilium, calico('3.30.0')], 'NetworkPolicy', /several engines detected \(Cilium, Calico\)/],
    // Calico: the v3 API first, then ClusterNetworkPolicy from 3.32.
    ['Calico with the v3 API', CALICO_V3, [calico('3.30.0')], 'Calico', /^Auto: Calico \(tiers\.projectcalico\.org and globalnetworkpolicies\.projectcalico\.org installed, Calico 3\.30\.0 found/],
    ['Calico 3.32 with the v3 API and the ClusterNetworkPolicy CRD: its own API', [...CALICO_V3, CNP], [calico('3.32.0')], 'Calico', /^Auto: Calico \(/],
    ['Calico 3.32 with only the ClusterNetworkPolicy CRD', [CNP, ...CALICO_V1], [calico('3.32.0')], 'ClusterNetworkPolicy', /^Auto: ClusterNetworkPolicy \(clusternetworkpolicies\.policy\.networking\.k8s\.io installed, Calico 3\.32\.0 found: .* \(implements it from 3\.32\)\)$/],
    ['Calico 3.31 with only the ClusterNetworkPolicy CRD', [CNP], [calico('3.31.2')], 'NetworkPolicy', /but Calico implements it from 3\.32 and its version is 3\.31\.2/],
    ['Calico of unknown version with only the ClusterNetworkPolicy CRD', [CNP], [calico()], 'NetworkPolicy', /its version is unknown/],
    ["Calico with only its internal crd.projectcalico.org/v1 CRDs", CALICO_V1, [calico('3.30.0')], 'NetworkPolicy', /only Calico's internal crd\.projectcalico\.org\/v1 API is installed, not the projectcalico\.org\/v3 API/],
    ['Calico with half the v3 API', [GUARDRAIL_RESOURCES.calicoGlobalNetworkPolicies], [calico('3.30.0')], 'NetworkPolicy', /tiers\.projectcalico\.org not installed/],
    ['AKS-managed Calico (no API server)', CALICO_V1, [aksLabel('Calico', 'calico')], 'NetworkPolicy', /crd\.projectcalico\.org\/v1/],
    ['Canal counts as Calico', CALICO_V3, [ds('Canal (Calico policy)', 'canal', '3.30.0')], 'Calico', /^Auto: Calico \(/],
    // Engines that implement only ClusterNetworkPolicy.
    ['Antrea 2.7 with the CRD', [CNP], [ds('Antrea', 'antrea-agent', '2.7.0')], 'ClusterNetworkPolicy', /^Auto: ClusterNetworkPolicy \(/],
    ['Antrea 2.6 with the CRD', [CNP], [ds('Antrea', 'antrea-agent', '2.6.1')], 'NetworkPolicy', /Antrea implements it from 2\.7/],
    ['Antrea 2.7 without the CRD', [], [ds('Antrea', 'antrea-agent', '2.7.0')], 'NetworkPolicy', /clusternetworkpolicies\.policy\.networking\.k8s\.io not installed/],
    ['kube-network-policies with the CRD', [CNP], [ds('kube-network-policies', 'kube-network-policies', '0.7.0')], 'ClusterNetworkPolicy', /^Auto: ClusterNetworkPolicy \(/],
    ['GKE Dataplane V2 with the CRD', [CNP], [ds('Cilium (GKE Dataplane V2)', 'anetd')], 'ClusterNetworkPolicy', /^Auto: ClusterNetworkPolicy \(/],
    ['GKE Dataplane V2 with a CCNP CRD only: not chosen', [CCNP], [ds('Cilium (GKE Dataplane V2)', 'anetd')], 'NetworkPolicy', /ciliumclusterwidenetworkpolicies\.cilium\.io installed, but Cilium \(GKE Dataplane V2\) does not enforce it/],
    // Everything else.
    ['Azure NPM', [CNP], [aksLabel('Azure NPM', 'azure')], 'NetworkPolicy', /clusternetworkpolicies\.policy\.networking\.k8s\.io installed, but Azure NPM does not enforce it; Azure NPM has no cluster-scoped policy API the operator writes/],
    ['kube-router', [], [ds('kube-router', 'kube-router', '2.1.0')], 'NetworkPolicy', /kube-router has no cluster-scoped policy API/],
  ];
  for (const [name, resources, engines, backend, reason] of rows)
    it(`${name}: ${backend}`, () => {
      const choice = chooseAutoBackend({ resources, engines });
      assert.equal(choice.backend, backend, choice.reason);
      assert.match(choice.reason, reason);
      assert.doesNotMatch(choice.reason, /\n/);
    });

  it('takes detectEnforcement output as it is (the version from the image tag decides for Calico)', () => {
    const scan = (image: string) =>
      detectEnforcement({ daemonSets: [{ metadata: { namespace: 'calico-system', name: 'calico-node' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'calico-node', image }] } } } }], nodes: [] }).engines;
    assert.equal(chooseAutoBackend({ resources: [CNP], engines: scan('quay.io/calico/node:v3.32.0') }).backend, 'ClusterNetworkPolicy');
    assert.equal(chooseAutoBackend({ resources: [CNP], engines: scan('quay.io/calico/node:v3.31.0') }).backend, 'NetworkPolicy');
  });
});
