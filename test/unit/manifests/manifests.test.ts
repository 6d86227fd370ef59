// manifests/ as `kubectl apply -k` sees it: complete, parseable, consistent with itself, the CRD and the
// operator's flags, hardened, and never labelled as something the operator manages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_PATH } from '../../../src/api/crd-file.js';
import { segmentationProfileSchema } from '../../../src/api/profile.js';
import { render } from '../../../src/compile/render.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../../src/compile/labels.js';
import {
  EXAMPLES_DIR,
  MANIFESTS_DIR,
  OPERATOR_NAME,
  OPERATOR_NAMESPACE,
  filesBelow,
  findObject,
  loadKustomization,
  parseYamlFile,
  readKustomization,
  type K8sObject,
} from './load.js';
import { operatorContainer, operatorPodSpec, parsedOperatorArgs, type Container } from './operator-pod.js';

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
const docs = loadKustomization(MANIFESTS_DIR);
const objects = docs.map((d) => d.object);

function matches(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

describe('manifests/ kustomization', () => {
  it('lists every file in manifests/ (examples/ has its own kustomization), each once', () => {
    const listed = readKustomization(MANIFESTS_DIR).resources;
    assert.equal(new Set(listed).size, listed.length, 'a resource is listed twice');
    const onDisk = filesBelow(MANIFESTS_DIR).filter((f) => f !== 'kustomization.yaml' && !f.startsWith('examples/'));
    assert.deepEqual([...listed].sort(), onDisk);
    const examples = readKustomization(EXAMPLES_DIR).resources;
    assert.deepEqual([...examples].sort(), filesBelow(EXAMPLES_DIR).filter((f) => f !== 'kustomization.yaml'));
  });

  it('uses only `resources` (what the tests apply is exactly what kubectl apply -k applies)', () => {
    for (const dir of [MANIFESTS_DIR, EXAMPLES_DIR]) {
      const keys = Object.keys(readKustomization(dir)).sort();
      assert.deepEqual(keys, ['apiVersion', 'kind', 'resources'], `${dir}/kustomization.yaml`);
    }
  });

  it('every YAML file parses and every document is an object with apiVersion, kind and name', () => {
    let count = 0;
    for (const f of filesBelow(MANIFESTS_DIR)) {
      assert.match(f, /\.yaml$/, `${f}: only .yaml files belong in manifests/`);
      for (const doc of parseYamlFile(join(MANIFESTS_DIR, f))) {
        const o = doc as K8sObject;
        if (f.endsWith('kustomization.yaml')) continue;
        assert.ok(o.apiVersion && o.kind && o.metadata?.name, `${f}: document without apiVersion/kind/metadata.name`);
        count++;
      }
    }
    assert.ok(count >= 15, `only ${count} objects`);
  });

  it('includes the CRD exactly as crds/ has it (copy it after `npm run crd`: cp crds/*.yaml manifests/crd/)', () => {
    assert.equal(readFileSync(join(MANIFESTS_DIR, 'crd', 'segmentationprofiles.segmentation.dev.yaml'), 'utf8'), readFileSync(CRD_PATH, 'utf8'));
  });

  it('has no duplicate objects, and sets the namespace of every namespaced object explicitly', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const o of objects) {
      if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind} ${o.metadata.name} is cluster-scoped`);
      else assert.ok(o.metadata.namespace, `${o.kind} ${o.metadata.name} has no namespace`);
    }
    // Everything lives in the operator's namespace, except the Roles that let it write Events in `default`
    // and watch the `kubernetes` EndpointSlices there.
    const elsewhere = objects.filter((o) => o.metadata.namespace && o.metadata.namespace !== OPERATOR_NAMESPACE).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    assert.deepEqual(elsewhere.sort(), [
      'Role/default/segmentation-operator-api-server-endpoints',
      'Role/default/segmentation-operator-events',
      'RoleBinding/default/segmentation-operator-api-server-endpoints',
      'RoleBinding/default/segmentation-operator-events',
    ]);
  });

  it('never labels an object as managed by the operator (it would prune or overwrite it)', () => {
    for (const d of [...docs, ...loadKustomization(EXAMPLES_DIR)])
      assert.notEqual(d.object.metadata.labels?.[MANAGED_BY_LABEL], MANAGED_BY_VALUE, `${d.file}: ${d.object.kind} ${d.object.metadata.name}`);
  });

  it('applies the Namespace before anything in it and the CRD before the Deployment', () => {
    const index = (kind: string, name?: string) => objects.findIndex((o) => o.kind === kind && (!name || o.metadata.name === name));
    const nsIndex = index('Namespace', OPERATOR_NAMESPACE);
    assert.equal(nsIndex, 0);
    assert.ok(index('CustomResourceDefinition') < index('Deployment'));
  });
});

describe('manifests/ operator namespace', () => {
  it('enforces, audits and warns on the restricted Pod Security Standard', () => {
    const labels = findObject(docs, 'Namespace', OPERATOR_NAMESPACE).metadata.labels ?? {};
    for (const mode of ['enforce', 'audit', 'warn']) assert.equal(labels[`pod-security.kubernetes.io/${mode}`], 'restricted', mode);
  });

  it('is never targeted by a profile (segmentation.dev/ignore=true): a default deny would cut the operator off', () => {
    const ns = findObject(docs, 'Namespace', OPERATOR_NAMESPACE);
    assert.equal(ns.metadata.labels?.['segmentation.dev/ignore'], 'true');
    // A profile for every namespace renders nothing there, and does render for the same namespace unlabelled.
    const everything = segmentationProfileSchema.parse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'all' }, spec: {} });
    const labels: Record<string, string> = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': OPERATOR_NAMESPACE };
    assert.deepEqual(render(everything, { name: OPERATOR_NAMESPACE, labels }), []);
    const { ['segmentation.dev/ignore']: _ignored, ...unlabelled } = labels;
    assert.ok(render(everything, { name: OPERATOR_NAMESPACE, labels: unlabelled }).length > 0);
  });
});

describe('manifests/ Deployment', () => {
  const deployment = findObject(docs, 'Deployment', OPERATOR_NAME) as K8sObject & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } } };
  const pod = operatorPodSpec(docs);
  const container: Container = operatorContainer(docs);
  const podLabels = deployment.spec.template.metadata.labels;

  it('runs two replicas with leader election, spread over nodes', () => {
    assert.equal(deployment.spec.replicas, 2);
    assert.ok(matches(deployment.spec.selector, podLabels), 'selector does not select the template');
    const keys = (pod.topologySpreadConstraints ?? []).filter((c) => matches(c.labelSelector, podLabels)).map((c) => c.topologyKey);
    assert.ok(keys.includes('kubernetes.io/hostname'), 'no spread over nodes');
  });

  it('passes flags that `segmentation run` accepts, with leader election on and the probe and metrics ports declared', async () => {
    const options = await parsedOperatorArgs(docs, { POD_NAMESPACE: OPERATOR_NAMESPACE, POD_NAME: 'segmentation-operator-abc' });
    assert.equal(options.leaderElect, true);
    assert.equal(options.leaseNamespace, OPERATOR_NAMESPACE);
    const ports = Object.fromEntries((container.ports ?? []).map((p) => [p.name, p.containerPort]));
    assert.equal(ports.health, options.healthPort);
    assert.equal(ports.metrics, options.metricsPort);
    for (const probe of [container.livenessProbe, container.readinessProbe]) assert.equal(probe?.httpGet?.port, 'health');
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
  });

  it('gives the pod name and namespace through the downward API', () => {
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
    assert.equal(env.POD_NAME, 'metadata.name');
    assert.equal(env.POD_NAMESPACE, 'metadata.namespace');
  });

  it('has the Lease and Events RBAC where the flags put them (lease name, lease namespace, events namespace)', async () => {
    const options = await parsedOperatorArgs(docs, { POD_NAMESPACE: deployment.metadata.namespace!, POD_NAME: 'x' });
    const leaseRole = objects.find((o) => o.kind === 'Role' && (o as { rules?: { resources?: string[] }[] }).rules?.some((r) => r.resources?.includes('leases'))) as K8sObject & { rules: { resourceNames?: string[] }[] };
    assert.equal(leaseRole.metadata.namespace, options.leaseNamespace);
    assert.ok(leaseRole.rules.some((r) => r.resourceNames?.includes(options.leaseName)), 'lease Role is not scoped to --lease-name');
    const eventsRole = objects.find((o) => o.kind === 'Role' && (o as { rules?: { resources?: string[] }[] }).rules?.some((r) => r.resources?.includes('events')));
    assert.equal(eventsRole?.metadata.namespace, options.eventsNamespace);
  });

  it('requests and limits CPU and memory, and caps the V8 heap well below the memory limit', () => {
    for (const kind of ['requests', 'limits'] as const) {
      assert.ok(container.resources?.[kind]?.cpu, `${kind}.cpu`);
      assert.ok(container.resources?.[kind]?.memory, `${kind}.memory`);
    }
    const mi = /^(\d+)Mi$/.exec(container.resources!.limits!.memory!);
    assert.ok(mi, 'memory limit in Mi');
    const heap = /--max-old-space-size=(\d+)/.exec(container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '');
    assert.ok(heap, 'NODE_OPTIONS --max-old-space-size not set');
    assert.ok(Number(heap[1]) <= Number(mi[1]) * 0.8, `heap ${heap[1]} MB leaves too little of ${mi[1]} Mi for the rest of the process`);
  });

  it('sets NODE_OPTIONS that node accepts there (node refuses most V8 flags in NODE_OPTIONS and does not start)', () => {
    const value = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    const run = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: value }, encoding: 'utf8' });
    assert.equal(run.status, 0, `node with NODE_OPTIONS=${value}: ${run.stderr}`);
    // The check has teeth: a V8 flag node refuses there.
    assert.notEqual(spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: `${value} --optimize-for-size` } }).status, 0);
  });

  it('is hardened: non-root numeric user, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root', () => {
    const sc = container.securityContext ?? {};
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    assert.ok(Number.isInteger(pod.securityContext?.runAsUser) && pod.securityContext!.runAsUser! > 0);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.deepEqual(sc.capabilities?.drop, ['ALL']);
    assert.equal(sc.capabilities?.add, undefined);
    assert.notEqual(sc.privileged, true);
    assert.equal(pod.hostNetwork ?? false, false);
    assert.equal((pod.volumes ?? []).length, 0, 'no volumes: nothing is written');
  });

  it('mounts a ServiceAccount token only in the operator pod', () => {
    const sa = findObject(docs, 'ServiceAccount', OPERATOR_NAME) as K8sObject & { automountServiceAccountToken?: boolean };
    assert.equal(sa.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, OPERATOR_NAME);
    assert.equal(pod.automountServiceAccountToken, true);
  });

  it('names an image with an explicit version (never latest)', () => {
    assert.match(container.image, /^[^:@]+(:(?!latest$)[\w.-]+|@sha256:[a-f0-9]{64})$/);
  });

  it('is covered by a PodDisruptionBudget (minAvailable 1) and a metrics Service that select its pods', () => {
    const pdb = findObject(docs, 'PodDisruptionBudget', OPERATOR_NAME) as K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    assert.equal(pdb.spec.minAvailable, 1);
    assert.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'the PDB would block every drain');
    assert.ok(matches(pdb.spec.selector, podLabels));
    const svc = objects.find((o) => o.kind === 'Service') as K8sObject & { spec: { selector: Record<string, string>; ports: { targetPort: string; port: number }[] } };
    assert.ok(matches({ matchLabels: svc.spec.selector }, podLabels));
    assert.deepEqual(svc.spec.ports.map((p) => p.targetPort), ['metrics']);
  });
});

describe("manifests/ NetworkPolicies of the operator's namespace", () => {
  type Peer = { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: { matchLabels?: Record<string, string> }; podSelector?: { matchLabels?: Record<string, string> } };
  type Rule = { to?: Peer[]; from?: Peer[]; ports?: { protocol?: string; port?: number }[] };
  type Policy = K8sObject & { spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] } };
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
  const podLabels = (findObject(docs, 'Deployment', OPERATOR_NAME) as K8sObject & { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
  const selecting = policies.filter((p) => matches(p.spec.podSelector, podLabels));
  const portsOf = (rules: Rule[]) => rules.flatMap((r) => (r.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`)).sort();

  it('deny all ingress and egress of every pod by default', () => {
    assert.ok(policies.every((p) => p.metadata.namespace === OPERATOR_NAMESPACE));
    assert.ok(policies.some((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.includes('Ingress') && p.spec.policyTypes.includes('Egress') && !p.spec.ingress && !p.spec.egress));
  });

  it('let the operator in only on its metrics and probe ports', () => {
    const ingress = selecting.flatMap((p) => p.spec.ingress ?? []);
    const container = operatorContainer(docs);
    assert.deepEqual(portsOf(ingress), (container.ports ?? []).map((p) => `TCP/${p.containerPort}`).sort());
  });

  it('let the operator out only to DNS (UDP and TCP 53 on the kube-dns pods) and TCP 443/6443, never the metadata endpoints', () => {
    const egress = selecting.flatMap((p) => p.spec.egress ?? []);
    assert.deepEqual(portsOf(egress), ['TCP/443', 'TCP/53', 'TCP/6443', 'UDP/53']);
    const dns = egress.find((r) => portsOf([r]).includes('UDP/53'))!;
    assert.deepEqual(portsOf([dns]), ['TCP/53', 'UDP/53']);
    assert.deepEqual(dns.to, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
    const blocks = egress.flatMap((r) => (r.to ?? []).flatMap((p) => (p.ipBlock ? [p.ipBlock] : [])));
    const v4 = blocks.find((b) => b.cidr === '0.0.0.0/0');
    const v6 = blocks.find((b) => b.cidr === '::/0');
    assert.ok(v4?.except?.includes('169.254.169.254/32') && v4.except.includes('100.100.100.200/32'), 'IPv4 metadata endpoints not excepted');
    assert.ok(v6?.except?.includes('fd00:ec2::254/128'), 'IPv6 metadata endpoint not excepted');
  });
});

describe('manifests/ RBAC', () => {
  type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] };
  const rules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => ((o as { rules?: Rule[] }).rules ?? []).map((r) => ({ role: `${o.kind}/${o.metadata.name}`, ...r })));

  it('has no wildcards, no non-resource URLs and no way to escalate', () => {
    assert.ok(rules.length > 0);
    for (const r of rules) {
      for (const v of [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs]) assert.ok(!v.includes('*'), `${r.role}: wildcard`);
      assert.equal(r.nonResourceURLs, undefined, r.role);
      for (const v of ['escalate', 'bind', 'impersonate', 'deletecollection']) assert.ok(!r.verbs.includes(v), `${r.role}: ${v}`);
    }
  });

  it('grants nothing on Secrets, ConfigMaps, Pods, RBAC objects or ServiceAccount tokens', () => {
    const forbidden = ['secrets', 'configmaps', 'pods', 'pods/exec', 'serviceaccounts', 'serviceaccounts/token', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'];
    for (const r of rules) for (const res of r.resources ?? []) assert.ok(!forbidden.includes(res), `${r.role}: ${res}`);
  });

  it('reads CustomResourceDefinitions only (which guardrail kinds are installed), and never writes one', () => {
    const crds = rules.filter((r) => r.resources?.includes('customresourcedefinitions'));
    assert.ok(crds.length > 0);
    for (const r of crds) assert.deepEqual([r.apiGroups, r.verbs.filter((v) => !['get', 'list', 'watch'].includes(v))], [['apiextensions.k8s.io'], []], r.role);
  });

  it('writes namespaces never, and profiles only through the status subresource', () => {
    for (const r of rules) {
      if (r.resources?.includes('namespaces')) assert.deepEqual(r.verbs.filter((v) => !['get', 'list', 'watch'].includes(v)), [], r.role);
      if (r.resources?.includes('segmentationprofiles')) assert.deepEqual(r.verbs.filter((v) => !['get', 'list', 'watch'].includes(v)), [], r.role);
    }
  });
});

describe('manifests/examples/ AKS guidance profile', () => {
  const example = loadKustomization(EXAMPLES_DIR);
  const profileDoc = example.find((d) => d.object.kind === 'SegmentationProfile')!;
  const ns = example.find((d) => d.object.kind === 'Namespace')!.object;

  it('is a valid profile that gives its example namespace deny-all, DNS and backend -> database on 5432 both sides', () => {
    const profile = segmentationProfileSchema.parse(profileDoc.object);
    assert.equal(profile.spec.defaultDeny.ingress && profile.spec.defaultDeny.egress, true);
    assert.equal(profile.spec.instanceMetadata.deny, true);
    assert.ok(profile.spec.instanceMetadata.cidrs.includes('169.254.169.254/32'));
    const labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
    const policies = render(profile, { name: ns.metadata.name, labels });
    const name = profile.metadata.name;
    assert.deepEqual(policies.map((p) => p.metadata.name).sort(), [`seg.${name}.allow.backend-to-database.egress`, `seg.${name}.allow.backend-to-database.ingress`, `seg.${name}.deny-all`, `seg.${name}.dns`]);
    const ingress = policies.find((p) => p.metadata.name.endsWith('.ingress'))!;
    assert.deepEqual(ingress.spec.podSelector, { matchLabels: { app: 'database' } });
    assert.deepEqual(ingress.spec.ingress?.[0]?.ports, [{ protocol: 'TCP', port: 5432 }]);
  });
});
