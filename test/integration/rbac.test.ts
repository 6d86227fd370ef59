// Least privilege, proven on the real control plane: the operator runs as its own ServiceAccount (token from
// the TokenRequest API, RBAC exactly as in manifests/) and reconciles the AKS guidance profile end to end,
// while a recording proxy captures every API call it makes. Every call must be granted by the manifests
// and none refused; every permission the manifests grant must have been used; and the same identity is
// refused Secrets and writes outside its scope. The RBAC model the checks use is itself checked against
// the API server's authorizer.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentationProfileSchema } from '../../src/api/profile.js';
import { render } from '../../src/compile/render.js';
import { freePorts } from '../../src/devcluster/controlplane.js';
import { Api, ApiError, adminApi, applyAll } from '../unit/manifests/apply.js';
import { entrypointNodeFlags } from '../unit/manifests/dockerfile.js';
import { EXAMPLES_DIR, MANIFESTS_DIR, OPERATOR_NAME, OPERATOR_NAMESPACE, REPO_ROOT, loadKustomization, type K8sObject } from '../unit/manifests/load.js';
import { expandArgs, operatorContainer } from '../unit/manifests/operator-pod.js';
import { allows, grantUsedBy, grantedPermissions, grantsFor, requestAttributes, type RequestAttributes } from '../unit/manifests/rbac.js';
import { RecordingProxy } from '../unit/manifests/recording-proxy.js';
import { installGuardrailCrds } from './guardrail-crds.js';
import { controlPlane, eventually, kubeConfig, uniqueNamespace, type TestNamespace } from './hooks.js';

/**
 * Granted in manifests/rbac-cluster.yaml before the operator makes these calls (issue 13: the guardrail
 * kinds and the CRDs that tell whether they are installed). The scenario cannot use them yet; once the
 * operator does, they come off this list and the "nothing granted in excess" check covers them again.
 */
// Calico's v3 CRDs are not available to the test control plane: the operator's code for them is the same
// as for the two kinds exercised below, but no request of it can be recorded here.
const GRANTED_AHEAD_OF_CODE = ['projectcalico.org/globalnetworkpolicies', 'projectcalico.org/tiers'].flatMap((r) => ['create', 'delete', 'get', 'list', 'patch', 'watch'].map((verb) => `* ${r} ${verb}`));

/** The guardrail kinds the scenario exercises: collection path and the profile backend that writes them. */
const GUARDRAIL_KINDS = [
  { backend: 'Cilium', path: '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies', apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', foreignSpec: { endpointSelector: {}, egressDeny: [{ toCIDR: ['10.1.2.3/32'] }] } },
  {
    backend: 'ClusterNetworkPolicy',
    path: '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies',
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    foreignSpec: { tier: 'Admin', priority: 999, subject: { namespaces: { matchLabels: { nobody: 'here' } } }, egress: [{ name: 'x', action: 'Deny', to: [{ networks: ['10.1.2.3/32'] }] }] },
  },
] as const;

const PROFILES = '/apis/segmentation.dev/v1alpha1/segmentationprofiles';
const policiesPath = (ns: string, name = '') => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies${name ? `/${name}` : ''}`;

const GITOPS_LABELS = { 'app.kubernetes.io/instance': 'segmentation-profiles', 'kustomize.toolkit.fluxcd.io/name': 'segmentation-profiles', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
const POLICY_LABELS = ['app.kubernetes.io/managed-by', 'segmentation.dev/profile', 'segmentation.dev/purpose', 'segmentation.dev/rule'];

interface Profile extends K8sObject {
  metadata: K8sObject['metadata'] & { generation?: number; resourceVersion?: string };
  spec: Record<string, unknown> & { namespaceSelector: { matchLabels: Record<string, string> }; defaultDeny: { ingress: boolean; egress: boolean } };
  status?: { observedGeneration?: number; matchedNamespaces?: number; policies?: number; conditions?: { type: string; status: string; reason: string }[]; failedNamespaces?: { namespace: string; reason: string }[] };
}
interface Policy extends K8sObject {
  metadata: K8sObject['metadata'] & { managedFields?: { manager: string }[] };
  spec: { policyTypes?: string[] };
}

describe('least privilege: the operator as its own ServiceAccount', function () {
  this.timeout(240_000);
  const objects = loadKustomization(MANIFESTS_DIR).map((d) => d.object);
  const grants = grantsFor(objects, { namespace: OPERATOR_NAMESPACE, name: OPERATOR_NAME });
  let admin: Api;
  let operatorApi: Api;
  let token: string;
  let caPem: string;

  before(async () => {
    const cp = controlPlane();
    admin = adminApi(cp);
    caPem = readFileSync(cp.caCertPath, 'utf8');
    await applyAll(admin, objects);
    const { body } = await admin.call<{ status: { token: string } }>('POST', `/api/v1/namespaces/${OPERATOR_NAMESPACE}/serviceaccounts/${OPERATOR_NAME}/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    token = body.status.token;
    operatorApi = new Api({ server: cp.server, token, caPem });
  });
  after(async () => {
    await operatorApi?.close();
    await admin?.close();
  });

  async function canI(a: RequestAttributes): Promise<boolean> {
    const [resource, subresource] = a.resource.split('/');
    const { body } = await operatorApi.call<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: a.verb, group: a.apiGroup, resource, ...(subresource ? { subresource } : {}), ...(a.namespace ? { namespace: a.namespace } : {}), ...(a.name ? { name: a.name } : {}) } },
      },
    });
    return body.status.allowed;
  }

  describe('what the identity may not do', () => {
    const denied: [string, RequestAttributes][] = [
      ['read Secrets in its namespace', { verb: 'get', apiGroup: '', resource: 'secrets', namespace: OPERATOR_NAMESPACE, name: 'any' }],
      ['list Secrets anywhere', { verb: 'list', apiGroup: '', resource: 'secrets' }],
      ['read ConfigMaps', { verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'default' }],
      ['create ConfigMaps', { verb: 'create', apiGroup: '', resource: 'configmaps', namespace: 'default' }],
      ['create Pods', { verb: 'create', apiGroup: '', resource: 'pods', namespace: 'default' }],
      ['exec into Pods', { verb: 'create', apiGroup: '', resource: 'pods/exec', namespace: OPERATOR_NAMESPACE }],
      ['delete a Namespace', { verb: 'delete', apiGroup: '', resource: 'namespaces', name: 'default' }],
      ['label a Namespace', { verb: 'patch', apiGroup: '', resource: 'namespaces', name: 'default' }],
      ['get a Namespace by name', { verb: 'get', apiGroup: '', resource: 'namespaces', name: 'default' }],
      ['replace a NetworkPolicy (it only patches)', { verb: 'update', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'default', name: 'x' }],
      ['delete all NetworkPolicies at once', { verb: 'deletecollection', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'default' }],
      ['change a profile spec', { verb: 'patch', apiGroup: 'segmentation.dev', resource: 'segmentationprofiles', name: 'x' }],
      ['create a profile', { verb: 'create', apiGroup: 'segmentation.dev', resource: 'segmentationprofiles' }],
      ['delete a profile', { verb: 'delete', apiGroup: 'segmentation.dev', resource: 'segmentationprofiles', name: 'x' }],
      ['take over another Lease in its namespace', { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: OPERATOR_NAMESPACE, name: 'someone-else' }],
      ['create Leases elsewhere', { verb: 'create', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system' }],
      ['create Events outside default', { verb: 'create', apiGroup: 'events.k8s.io', resource: 'events', namespace: 'kube-system' }],
      ['create core/v1 Events', { verb: 'create', apiGroup: '', resource: 'events', namespace: 'default' }],
      ['create tokens for ServiceAccounts', { verb: 'create', apiGroup: '', resource: 'serviceaccounts/token', namespace: OPERATOR_NAMESPACE, name: OPERATOR_NAME }],
      ['edit its own RBAC', { verb: 'patch', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: OPERATOR_NAME }],
      ['bind a ClusterRole', { verb: 'bind', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' }],
      ['change the CRD', { verb: 'update', apiGroup: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', name: 'segmentationprofiles.segmentation.dev' }],
      ['scale its Deployment', { verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: OPERATOR_NAMESPACE, name: OPERATOR_NAME }],
      ['list EndpointSlices outside default', { verb: 'list', apiGroup: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'kube-system' }],
      ['list EndpointSlices cluster-wide', { verb: 'list', apiGroup: 'discovery.k8s.io', resource: 'endpointslices' }],
      ['change the kubernetes EndpointSlice', { verb: 'patch', apiGroup: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'default', name: 'kubernetes' }],
      ['read core/v1 Endpoints', { verb: 'list', apiGroup: '', resource: 'endpoints', namespace: 'default' }],
    ];
    const granted: [string, RequestAttributes][] = [
      ['read CustomResourceDefinitions (which guardrail kinds are installed)', { verb: 'watch', apiGroup: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }],
      ['patch a CiliumClusterwideNetworkPolicy', { verb: 'patch', apiGroup: 'cilium.io', resource: 'ciliumclusterwidenetworkpolicies', name: 'seg.p.deny-metadata' }],
      ['delete a ClusterNetworkPolicy', { verb: 'delete', apiGroup: 'policy.networking.k8s.io', resource: 'clusternetworkpolicies', name: 'seg.p.deny-metadata' }],
      ['create a Calico Tier', { verb: 'create', apiGroup: 'projectcalico.org', resource: 'tiers' }],
      ['watch Namespaces', { verb: 'watch', apiGroup: '', resource: 'namespaces' }],
      ['patch NetworkPolicies in any namespace', { verb: 'patch', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'kube-public', name: 'x' }],
      ['patch profile status', { verb: 'patch', apiGroup: 'segmentation.dev', resource: 'segmentationprofiles/status', name: 'x' }],
      ['renew its Lease', { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: OPERATOR_NAMESPACE, name: 'segmentation-operator' }],
      ['create Events in default', { verb: 'create', apiGroup: 'events.k8s.io', resource: 'events', namespace: 'default' }],
      ["watch the API server's EndpointSlices in default", { verb: 'watch', apiGroup: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'default' }],
    ];

    for (const [what, a] of denied)
      it(`may not ${what} (SelfSubjectAccessReview; the manifests' RBAC model agrees)`, async () => {
        assert.equal(await canI(a), false);
        assert.equal(allows(grants, a), false);
      });
    for (const [what, a] of granted)
      it(`may ${what} (SelfSubjectAccessReview; the manifests' RBAC model agrees)`, async () => {
        assert.equal(await canI(a), true);
        assert.equal(allows(grants, a), true);
      });

    it('is refused for real: reading a Secret, creating a ConfigMap, deleting a Namespace, replacing a NetworkPolicy', async () => {
      const refused = async (method: string, path: string, body?: unknown) => {
        await assert.rejects(operatorApi.call(method, path, body === undefined ? {} : { body }), (err) => err instanceof ApiError && err.status === 403 && err.statusMessage.includes(`system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_NAME}`));
      };
      await refused('GET', `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets`);
      await refused('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
      await refused('DELETE', '/api/v1/namespaces/default');
      await refused('PUT', policiesPath('default', 'x'), { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'default' }, spec: { podSelector: {} } });
    });
  });

  describe('the operator at work under that identity', () => {
    const suffix = randomBytes(3).toString('hex');
    const profileName = `aks-guidance-${suffix}`;
    const tierLabel = { 'segmentation.dev/tier': 'apps', 'segmentation-e2e': suffix };
    let recorder: RecordingProxy;
    let child: ChildProcess | undefined;
    let output = '';
    let exit: Promise<number | null>;
    let dir: string;
    let healthPort: number;
    let metricsPort: number;
    let shop: TestNamespace;
    let taken: TestNamespace;

    const exampleProfile = (): Profile => {
      const p = structuredClone(loadKustomization(EXAMPLES_DIR).find((d) => d.object.kind === 'SegmentationProfile')!.object) as Profile;
      p.metadata.name = profileName;
      // What Argo CD and Flux put on objects they apply: none of it may reach the generated policies.
      p.metadata.labels = { ...GITOPS_LABELS };
      p.metadata.annotations = { 'argocd.argoproj.io/tracking-id': `segmentation-profiles:segmentation.dev/SegmentationProfile:/${profileName}` };
      // Only this test's namespaces (other tests share the control plane).
      p.spec.namespaceSelector = { matchLabels: tierLabel };
      return p;
    };
    const expectedNames = (profile: Profile, ns: TestNamespace) =>
      render(segmentationProfileSchema.parse(profile), { name: ns.name, labels: { ...tierLabel, 'kubernetes.io/metadata.name': ns.name } }).map((p) => p.metadata.name).sort();
    const policies = async (ns: TestNamespace) => (await admin.call<{ items: Policy[] }>('GET', policiesPath(ns.name))).body.items;
    const names = async (ns: TestNamespace, managed = true) =>
      (await policies(ns)).filter((p) => (p.metadata.labels?.['app.kubernetes.io/managed-by'] === 'segmentation-operator') === managed).map((p) => p.metadata.name).sort();
    const profile = async () => (await admin.call<Profile>('GET', `${PROFILES}/${profileName}`)).body;
    const guardrailProfile = (backend: string) => `gr-${backend.toLowerCase()}-${suffix}`;
    const guardrailProfileObject = (backend: string, denyMetadata: boolean) => ({
      apiVersion: 'segmentation.dev/v1alpha1',
      kind: 'SegmentationProfile',
      metadata: { name: guardrailProfile(backend) },
      // No namespace carries this label: the guardrail objects are cluster-scoped and rendered all the same.
      spec: { namespaceSelector: { matchLabels: { 'segmentation-e2e-guardrails': suffix } }, defaultDeny: { ingress: true, egress: false }, instanceMetadata: { deny: denyMetadata }, nodeAccess: { cidrs: ['10.240.0.0/16'] }, guardrails: { backend } },
    });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'segmentation-rbac-'));
      recorder = new RecordingProxy(controlPlane().server, caPem);
      const proxyUrl = await recorder.start();
      const kubeconfig = join(dir, 'operator.kubeconfig');
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          // Plain HTTP to the recording proxy on loopback (the proxy verifies the API server's certificate);
          // client-node only accepts http:// with this flag set, though there is no TLS to verify on this hop.
          clusters: [{ name: 'proxy', cluster: { server: proxyUrl, 'insecure-skip-tls-verify': true } }],
          users: [{ name: OPERATOR_NAME, user: { token } }],
          contexts: [{ name: 'operator', context: { cluster: 'proxy', user: OPERATOR_NAME } }],
          'current-context': 'operator',
        }),
        { mode: 0o600 },
      );
      // A clean slate: the Lease (other tests may have left one) and this test's namespaces.
      await admin.call('DELETE', `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/segmentation-operator`).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      });
      shop = await uniqueNamespace('rbac-shop', tierLabel);
      taken = await uniqueNamespace('rbac-taken', tierLabel);
      // A policy someone else made, with the name the operator wants: it must be left alone.
      await admin.call('POST', policiesPath(taken.name), {
        body: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `seg.${profileName}.dns`, labels: { team: 'netops' } }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      });
      await admin.call('POST', PROFILES, { body: exampleProfile() });
      // Guardrails: the CRDs installed before the operator starts; per kind a profile whose node-port
      // guardrail's name is taken by an object someone else made (read on the clash, left alone).
      await installGuardrailCrds(kubeConfig());
      for (const g of GUARDRAIL_KINDS) {
        await admin.call('POST', g.path, { body: { apiVersion: g.apiVersion, kind: g.kind, metadata: { name: `seg.${guardrailProfile(g.backend)}.deny-node-ports`, labels: { team: 'netops' } }, spec: g.foreignSpec } });
        await admin.call('POST', PROFILES, { body: guardrailProfileObject(g.backend, true) });
      }

      [healthPort, metricsPort] = (await freePorts(2)) as [number, number];
      const podName = `${OPERATOR_NAME}-e2e-${suffix}`;
      const args = expandArgs(operatorContainer(loadKustomization(MANIFESTS_DIR)).args ?? [], { POD_NAME: podName, POD_NAMESPACE: OPERATOR_NAMESPACE }).map((a) =>
        a.startsWith('--health-port=') ? `--health-port=${healthPort}` : a.startsWith('--metrics-port=') ? `--metrics-port=${metricsPort}` : a,
      );
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'KUBECONFIG' && k !== 'NODE_OPTIONS' && !k.startsWith('SEGMENTATION_')));
      // The container's own environment (plain values; the downward API ones resolved as the kubelet would).
      const containerEnv = Object.fromEntries((operatorContainer(loadKustomization(MANIFESTS_DIR)).env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
      // Node started as the image starts it: the ENTRYPOINT's node flags, then the container's environment.
      const nodeFlags = entrypointNodeFlags(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
      child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'src/cli/main.ts', 'run', '--kubeconfig', kubeconfig, ...args], {
        cwd: REPO_ROOT,
        env: { ...env, ...containerEnv, POD_NAME: podName, POD_NAMESPACE: OPERATOR_NAMESPACE },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (b: Buffer) => void (output += b.toString()));
      child.stderr!.on('data', (b: Buffer) => void (output += b.toString()));
      exit = new Promise((resolve) => child!.on('exit', (code) => resolve(code)));
    });

    after(async function () {
      if (this.currentTest?.state === 'failed' || process.env.SEGMENTATION_TEST_VERBOSE) process.stderr.write(`--- operator output ---\n${output.slice(-8000)}\n`);
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
      await recorder.stop();
      await admin.call('DELETE', `${PROFILES}/${profileName}`).catch(() => {});
      for (const g of GUARDRAIL_KINDS) {
        await admin.call('DELETE', `${PROFILES}/${guardrailProfile(g.backend)}`).catch(() => {});
        for (const purpose of ['deny-metadata', 'deny-node-ports']) await admin.call('DELETE', `${g.path}/seg.${guardrailProfile(g.backend)}.${purpose}`).catch(() => {});
      }
      await shop?.delete();
      await taken?.delete();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reconciles the AKS guidance profile end to end: policies, conflicts left alone, status, events, updates, deletes, lease', async () => {
      const want = exampleProfile();
      // 1. Every policy the profile renders appears in the namespace.
      await eventually(async () => assert.deepEqual(await names(shop), expectedNames(want, shop)), { timeoutMs: 60_000 });
      // Only our labels, our annotation and our field manager; no GitOps tracking metadata from the profile.
      for (const p of (await policies(shop)).filter((x) => x.metadata.labels?.['app.kubernetes.io/managed-by'])) {
        assert.deepEqual(Object.keys(p.metadata.labels ?? {}).filter((k) => !POLICY_LABELS.includes(k)), [], p.metadata.name);
        assert.deepEqual(Object.keys(p.metadata.annotations ?? {}), ['segmentation.dev/description'], p.metadata.name);
        assert.deepEqual([...new Set((p.metadata.managedFields ?? []).map((m) => m.manager))], ['segmentation-operator'], p.metadata.name);
      }
      // 2. The taken name is left as it was, the rest is in place, and the profile says so.
      await eventually(async () => {
        const mine = await names(taken);
        assert.deepEqual(mine, expectedNames(want, taken).filter((n) => n !== `seg.${profileName}.dns`));
        const p = await profile();
        assert.equal(p.status?.observedGeneration, p.metadata.generation);
        assert.deepEqual(p.status?.failedNamespaces?.map((f) => [f.namespace, f.reason]), [[taken.name, 'Conflict']]);
      });
      const foreign = (await policies(taken)).find((p) => p.metadata.name === `seg.${profileName}.dns`)!;
      assert.deepEqual(foreign.metadata.labels, { team: 'netops' });
      assert.deepEqual(foreign.spec.policyTypes, ['Ingress']);
      await eventually(async () => {
        const events = (await admin.call<{ items: { reason: string; regarding: { name: string; kind: string } }[] }>('GET', '/apis/events.k8s.io/v1/namespaces/default/events')).body.items;
        assert.ok(events.some((e) => e.reason === 'PolicyConflict' && e.regarding.kind === 'SegmentationProfile' && e.regarding.name === profileName), 'no PolicyConflict event');
      });
      // 3. Once the name is free, the operator takes it and the profile is Ready.
      await admin.call('DELETE', policiesPath(taken.name, `seg.${profileName}.dns`));
      await admin.call('PATCH', `/api/v1/namespaces/${taken.name}`, { body: { metadata: { labels: { touched: 'yes' } } }, contentType: 'application/merge-patch+json' });
      await eventually(
        async () => {
          assert.deepEqual(await names(taken), expectedNames(want, taken));
          const p = await profile();
          assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', JSON.stringify(p.status));
          assert.equal(p.status?.matchedNamespaces, 2);
        },
        { timeoutMs: 90_000 },
      );
      // 4. A changed profile (egress left open) updates, deletes and creates policies, and the status follows.
      const current = await profile();
      const changed = { ...exampleProfile(), metadata: { name: profileName, resourceVersion: current.metadata.resourceVersion } } as Profile;
      changed.spec.defaultDeny = { ingress: true, egress: false };
      await admin.call('PUT', `${PROFILES}/${profileName}`, { body: changed });
      await eventually(async () => {
        assert.deepEqual(await names(shop), expectedNames(changed, shop));
        const denyAll = (await policies(shop)).find((p) => p.metadata.name === `seg.${profileName}.deny-all`);
        assert.deepEqual(denyAll?.spec.policyTypes, ['Ingress']);
        const p = await profile();
        assert.equal(p.status?.observedGeneration, p.metadata.generation);
        assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
      });
      assert.ok(expectedNames(changed, shop).includes(`seg.${profileName}.deny-metadata`), 'the changed profile should add deny-metadata');
      // 5a. Guardrails, per kind: created, a name clash left alone and reported, a hand edit reverted, pruned.
      for (const g of GUARDRAIL_KINDS) {
        const name = guardrailProfile(g.backend);
        const denyMetadata = `${g.path}/seg.${name}.deny-metadata`;
        const guardrails = async () => (await admin.call<Profile>('GET', `${PROFILES}/${name}`)).body.status?.conditions?.find((c) => c.type === 'Guardrails');
        await eventually(async () => {
          const mine = (await admin.call<Policy>('GET', denyMetadata)).body;
          assert.equal(mine.metadata.labels?.['segmentation.dev/profile'], name);
          assert.equal((await guardrails())?.reason, 'Conflict');
        });
        const foreign = (await admin.call<Policy & { spec: unknown }>('GET', `${g.path}/seg.${name}.deny-node-ports`)).body;
        assert.deepEqual(foreign.metadata.labels, { team: 'netops' });
        const before = (await admin.call<{ spec: unknown }>('GET', denyMetadata)).body.spec;
        await admin.call('PATCH', denyMetadata, { body: { metadata: { annotations: { 'segmentation.dev/description': 'edited by hand' } } }, contentType: 'application/merge-patch+json' });
        await eventually(async () => {
          const got = (await admin.call<{ metadata: { annotations?: Record<string, string> }; spec: unknown }>('GET', denyMetadata)).body;
          assert.notEqual(got.metadata.annotations?.['segmentation.dev/description'], 'edited by hand');
          assert.deepEqual(got.spec, before);
        });
        const current = (await admin.call<Profile>('GET', `${PROFILES}/${name}`)).body;
        await admin.call('PUT', `${PROFILES}/${name}`, { body: { ...guardrailProfileObject(g.backend, false), metadata: { name, resourceVersion: current.metadata.resourceVersion } } });
        await eventually(async () => {
          await assert.rejects(admin.call('GET', denyMetadata), (err) => err instanceof ApiError && err.status === 404);
        });
      }
      // 5. Probes and metrics answer on the ports the Deployment declares.
      for (const [port, path] of [[healthPort, '/healthz'], [healthPort, '/readyz'], [metricsPort, '/metrics']] as const) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(res.status, 200, `${path} on ${port}`);
        await res.text();
      }
      // 6. SIGTERM: drain, release the Lease, exit 0.
      child!.kill('SIGTERM');
      assert.equal(await exit, 0, 'operator did not exit cleanly');
      const lease = (await admin.call<{ spec: { holderIdentity?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/segmentation-operator`)).body;
      assert.ok(!lease.spec.holderIdentity, `lease not released: ${JSON.stringify(lease.spec)}`);
    });

    it('made only calls that the manifests grant, and none was refused', () => {
      const requests = recorder.requests;
      assert.ok(requests.length > 20, `only ${requests.length} requests recorded`);
      const refused = requests.filter((r) => r.status === 401 || r.status === 403).map((r) => `${r.status} ${r.method} ${r.url}`);
      assert.deepEqual(refused, []);
      const ungranted = requests.filter((r) => !allows(grants, requestAttributes(r.method, r.url))).map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(ungranted, [], 'the operator called APIs that manifests/ does not grant: add them to the RBAC (and to this test) or stop calling them');
    });

    it('used every permission the manifests grant (nothing granted in excess)', () => {
      const used = new Set(recorder.requests.map((r) => grantUsedBy(grants, requestAttributes(r.method, r.url))).filter((k): k is string => k !== undefined));
      const unused = grantedPermissions(grants).filter((k) => !used.has(k) && !GRANTED_AHEAD_OF_CODE.includes(k));
      assert.deepEqual(unused, [], 'granted but never used during the scenario: remove from manifests/ or exercise it here');
      const nowUsed = GRANTED_AHEAD_OF_CODE.filter((k) => used.has(k));
      assert.deepEqual(nowUsed, [], 'the operator uses these now: take them off GRANTED_AHEAD_OF_CODE, so that the check above covers them');
    });
  });
});
