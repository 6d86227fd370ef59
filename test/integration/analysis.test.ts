// explain, matrix, audit and preflight against the real control plane: objects created through the
// API (client-node models, `_from` on the wire as `from`) are read back and evaluated.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ApiException, AppsV1Api, CoreV1Api, NetworkingV1Api, type V1NetworkPolicy } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';
import { runCli } from '../unit/analysis/fixtures/run-cli.js';
import { installGuardrailCrds } from './guardrail-crds.js';
import { controlPlane, eventually, kubeConfig, uniqueNamespace, type TestNamespace } from './hooks.js';

describe('analysis commands against the control plane (integration)', function () {
  this.timeout(120_000);
  let ns: TestNamespace;
  let kubeconfig: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    kubeconfig = controlPlane().kubeconfigPath;
    const kc = kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const net = kc.makeApiClient(NetworkingV1Api);
    ns = await uniqueNamespace('analysis', { team: 'shop' });
    cleanups.push(() => ns.delete());
    for (const app of ['frontend', 'backend', 'database']) {
      const ports = app === 'database' ? [{ name: 'postgres', containerPort: 5432 }] : [];
      // The namespace's default ServiceAccount appears shortly after the namespace: retry until then.
      await eventually(() => core.createNamespacedPod({ namespace: ns.name, body: { metadata: { name: app, labels: { app } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', ports }] } } }));
    }
    const policies: V1NetworkPolicy[] = [
      { metadata: { name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      { metadata: { name: 'backend-egress' }, spec: { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] } },
      { metadata: { name: 'database-ingress' }, spec: { podSelector: { matchLabels: { app: 'database' } }, policyTypes: ['Ingress'], ingress: [{ _from: [{ podSelector: { matchLabels: { app: 'backend' } } }], ports: [{ protocol: 'TCP', port: 'postgres' }] }] } },
      { metadata: { name: 'frontend-internet' }, spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } },
    ];
    for (const body of policies) await net.createNamespacedNetworkPolicy({ namespace: ns.name, body });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('explain reads pods and policies from the cluster and names the deciding rules', async () => {
    const allowed = await runCli(['explain', '--kubeconfig', kubeconfig, '--from', `${ns.name}/backend`, '--to', `${ns.name}/database`, '--port', '5432', '-o', 'json'], { realCluster: true });
    assert.equal(allowed.error, undefined, allowed.error?.message);
    const a = JSON.parse(allowed.stdout);
    assert.equal(a.allowed, true);
    assert.deepEqual(a.ingress.allowedBy, [{ policy: `${ns.name}/database-ingress`, direction: 'Ingress', ruleIndex: 0, peerIndex: 0 }], 'ingress peers read back from the API (from, not _from)');
    const denied = await runCli(['explain', '--kubeconfig', kubeconfig, '--from', `${ns.name}/frontend`, '--to', `${ns.name}/database`, '--port', '5432', '--exit-code'], { realCluster: true });
    assert.equal(denied.exitCode, 2);
    assert.match(denied.stdout, new RegExp(`ingress to ${ns.name}/database: DENIED: isolated by ${ns.name}/database-ingress, ${ns.name}/default-deny;`));
  });

  it('matrix over the namespace', async () => {
    const run = await runCli(['matrix', '--kubeconfig', kubeconfig, '--namespace', ns.name, '--port', '5432', '-o', 'json', '--no-dns'], { realCluster: true });
    assert.equal(run.error, undefined, run.error?.message);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.rows, ['backend', 'database', 'frontend'].map((p) => `${ns.name}/${p}`));
    assert.deepEqual(out.allowed, [
      [false, true, false, false, false, false],
      [false, false, false, false, false, false],
      [false, false, false, true, false, true],
    ]);
  });

  it('audit names the policy that opens the metadata endpoint', async () => {
    const run = await runCli(['audit', '--kubeconfig', kubeconfig, '--namespace', ns.name, '-o', 'json'], { realCluster: true });
    assert.equal(run.exitCode, 2);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.namespaces[0].openedBy.map((o: { policy: string; cidr: string; pods: string[] }) => [o.policy, o.cidr, o.pods]), [
      [`${ns.name}/frontend-internet`, '169.254.169.254/32', [`${ns.name}/frontend`]],
      [`${ns.name}/frontend-internet`, '100.100.100.200/32', [`${ns.name}/frontend`]],
    ]);
  });

  it('audit reads the guardrail objects the cluster serves (the real Cilium CRD, found by discovery)', async () => {
    const paths = await installGuardrailCrds(kubeConfig());
    const ccnps = paths.get('cilium.io/v2/CiliumClusterwideNetworkPolicy')!;
    const name = `${ns.name}-deny-metadata`;
    const args = ['audit', '--kubeconfig', kubeconfig, '--namespace', ns.name, '--metadata-cidr', '169.254.169.254/32'];
    const before = await runCli(args, { realCluster: true });
    assert.equal(before.exitCode, 2, before.stdout);
    const ccnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name },
      spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns.name } }, enableDefaultDeny: { egress: false, ingress: false }, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] },
    };
    await new KubeClient(kubeConfig()).request('POST', ccnps, { body: ccnp });
    cleanups.push(() => new KubeClient(kubeConfig()).request('DELETE', `${ccnps}/${name}`));
    const after = await runCli(args, { realCluster: true });
    assert.equal(after.exitCode, 0, after.stdout);
    assert.match(after.stdout, new RegExp(`blocked by guardrail: CiliumClusterwideNetworkPolicy ${name} egressDeny\\[0\\]`));
  });

  it('preflight: no engine (exit 2), an engine installed but not ready (exit 2), AKS node label (exit 0)', async () => {
    const kc = kubeConfig();
    const none = await runCli(['preflight', '--kubeconfig', kubeconfig], { realCluster: true });
    assert.equal(none.error, undefined, none.error?.message);
    assert.equal(none.exitCode, 2);
    assert.match(none.stdout, /no NetworkPolicy engine found/);

    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDaemonSet({
      namespace: ns.name,
      body: { metadata: { name: 'calico-node' }, spec: { selector: { matchLabels: { k: 'calico-node' } }, template: { metadata: { labels: { k: 'calico-node' } }, spec: { containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.30.2' }] } } } },
    });
    const notReady = await eventually(async () => {
      const run = await runCli(['preflight', '--kubeconfig', kubeconfig, '-o', 'json'], { realCluster: true });
      const finding = JSON.parse(run.stdout);
      assert.deepEqual(finding.engines.map((e: { engine: string; ready?: boolean }) => [e.engine, e.ready]), [['Calico', false]], 'status written by the DaemonSet controller');
      return run;
    });
    assert.equal(notReady.exitCode, 2);

    const core = kc.makeApiClient(CoreV1Api);
    const nodeName = `aks-test-${randomBytes(3).toString('hex')}`;
    await core.createNode({ body: { metadata: { name: nodeName, labels: { 'kubernetes.azure.com/network-policy': 'azure' } } } });
    cleanups.push(() => core.deleteNode({ name: nodeName }).catch((err) => (err instanceof ApiException && err.code === 404 ? undefined : Promise.reject(err))));
    const aks = await runCli(['preflight', '--kubeconfig', kubeconfig], { realCluster: true });
    assert.equal(aks.exitCode, 0);
    assert.match(aks.stdout, /enforced by Azure NPM/);
  });

  it('an unreachable cluster is a one-line error', async () => {
    const bad = `${controlPlane().kubeconfigPath}.missing`;
    const run = await runCli(['preflight', '--kubeconfig', bad], { realCluster: true });
    assert.ok(run.error);
    assert.match(run.error.message, /^cannot load kubeconfig .*\.missing: /);
    assert.doesNotMatch(run.error.message, /\n/);
  });
});
