// Smoke test of the test control plane itself (test/controlplane/build.sh,
// src/devcluster/): the pinned version is what runs, NetworkPolicies are
// served, and kube-controller-manager's garbage collector and namespace
// controller do their jobs.

import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  NetworkingV1Api,
  VersionApi,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { pinnedVersions } from '../../src/devcluster/binaries.js';
import { controlPlane, eventually, kubeConfig, uniqueNamespace, type TestNamespace } from './hooks.js';

async function isNotFound(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return true;
    throw err;
  }
}

describe('test control plane', function () {
  let ns: TestNamespace;
  let core: CoreV1Api;

  before(async function () {
    core = kubeConfig().makeApiClient(CoreV1Api);
    ns = await uniqueNamespace('cp-smoke');
  });
  after(async function () {
    await ns?.delete();
  });

  it('serves the pinned Kubernetes version', async function () {
    const info = await kubeConfig().makeApiClient(VersionApi).getCode();
    const pinned = pinnedVersions().kubernetes;
    assert.equal(info.gitVersion, pinned);
    assert.equal(controlPlane().version, pinned);
    assert.equal(process.env.KUBECONFIG, controlPlane().kubeconfigPath);
  });

  it('stores and returns a NetworkPolicy', async function () {
    const net = kubeConfig().makeApiClient(NetworkingV1Api);
    const policy: V1NetworkPolicy = {
      metadata: { name: 'default-deny', namespace: ns.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
    await net.createNamespacedNetworkPolicy({ namespace: ns.name, body: policy });
    const read = await net.readNamespacedNetworkPolicy({ name: 'default-deny', namespace: ns.name });
    // JSON round trip: compare plain data, not client-node's model classes.
    assert.deepEqual(JSON.parse(JSON.stringify(read.spec)), {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('garbage-collects a dependent whose owner was deleted (kube-controller-manager runs)', async function () {
    this.timeout(90_000); // the GC first syncs informers for every resource type
    const owner = await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'owner' } },
    });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }],
        },
      },
    });
    // Not deleted on creation: the owner exists, so only the owner's deletion
    // below can make the garbage collector remove it.
    await core.readNamespacedConfigMap({ name: 'dependent', namespace: ns.name });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns.name });
    await eventually(
      async () => {
        assert.ok(
          await isNotFound(() => core.readNamespacedConfigMap({ name: 'dependent', namespace: ns.name })),
          'dependent ConfigMap still exists',
        );
      },
      { timeoutMs: 80_000 },
    );
  });

  it('completes a namespace deletion (namespace controller)', async function () {
    this.timeout(90_000);
    const doomed = await uniqueNamespace('cp-doomed');
    await core.createNamespacedConfigMap({ namespace: doomed.name, body: { metadata: { name: 'content' } } });
    await doomed.delete();
    await eventually(
      async () => {
        assert.ok(await isNotFound(() => core.readNamespace({ name: doomed.name })), 'namespace still exists');
      },
      { timeoutMs: 80_000 },
    );
  });

  for (const crash of [false, true]) {
    it(`restarts kube-apiserver on the same address (${crash ? 'crash' : 'graceful'})`, async function () {
      this.timeout(120_000);
      await controlPlane().restartApiServer({ crash });
      // The same kubeconfig (address, CA, token) still works, and the data
      // survived (it lives in etcd).
      const info = await kubeConfig().makeApiClient(VersionApi).getCode();
      assert.equal(info.gitVersion, pinnedVersions().kubernetes);
      const read = await core.readNamespace({ name: ns.name });
      assert.equal(read.metadata?.name, ns.name);
    });
  }
});
