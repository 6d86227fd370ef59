import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/kube/ratelimit.js';
import { compactNamespace, compactPolicy, upgradedManagedFields } from '../../../src/kube/api.js';
import { FIELD_MANAGER } from '../../../src/compile/labels.js';
import { KubeApiError, isAlreadyExists, isNamespaceTerminating, isNotFound } from '../../../src/kube/errors.js';
import { microTime } from '../../../src/kube/lease.js';
import { WriteCounter } from '../../../src/kube/client.js';
import { Interner } from '../../../src/kube/intern.js';
import { KubeconfigError, kubeconfigSource, loadKubeConfig } from '../../../src/kube/config.js';

describe('TokenBucket', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    let now = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket({ qps: 10, burst: 3, now: () => now, sleep: async (ms) => void slept.push(ms) });
    for (let i = 0; i < 3; i++) await bucket.take();
    assert.deepEqual(slept, []);
    await bucket.take();
    await bucket.take();
    assert.deepEqual(slept.map(Math.round), [100, 200], 'each caller waits for its own token');
    now = 10_000;
    slept.length = 0;
    await bucket.take();
    assert.deepEqual(slept, [], 'refilled after a quiet period (capped at burst)');
  });

  it('qps 0 disables limiting', async () => {
    const bucket = new TokenBucket({ qps: 0, burst: 1, sleep: async () => assert.fail('must not sleep') });
    for (let i = 0; i < 100; i++) await bucket.take();
  });
});

describe('managedFields conversion (create with POST, then server-side apply)', () => {
  const update = { manager: FIELD_MANAGER, operation: 'Update', apiVersion: 'networking.k8s.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:podSelector': {} } } };
  const other = { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:metadata': {} } };

  it('turns our Update entry into an Apply entry and keeps other managers', () => {
    const out = upgradedManagedFields([other, update])!;
    assert.deepEqual(out, [other, { ...update, operation: 'Apply' }]);
  });

  it('merges into an existing Apply entry', () => {
    const apply = { manager: FIELD_MANAGER, operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:labels': {} } } };
    const out = upgradedManagedFields([apply, update])!;
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]!.fieldsV1, { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:podSelector': {} } });
  });

  it('returns undefined when nothing needs converting', () => {
    assert.equal(upgradedManagedFields([other, { ...update, operation: 'Apply' }]), undefined);
    assert.equal(upgradedManagedFields(undefined), undefined);
  });
});

describe('cache compaction', () => {
  it('keeps only our managedFields entries on policies', () => {
    const p = compactPolicy({ metadata: { name: 'a', managedFields: [{ manager: 'x' }, { manager: FIELD_MANAGER, operation: 'Update' }] }, spec: { podSelector: {} } });
    assert.deepEqual(p.metadata.managedFields, [{ manager: FIELD_MANAGER, operation: 'Update' }]);
    assert.equal('managedFields' in compactPolicy({ metadata: { name: 'a', managedFields: [{ manager: 'x' }] } }).metadata, false);
  });

  it('shares identical sub-objects between policies of different namespaces', () => {
    const interner = new Interner();
    const make = (ns: string) => ({ metadata: { name: 'seg.p.deny-all', namespace: ns, uid: `u-${ns}`, resourceVersion: '1', labels: { a: 'b' }, annotations: { d: 'x' }, ownerReferences: [{ apiVersion: 'v', kind: 'K', name: 'p', uid: 'pu' }], creationTimestamp: 't' }, spec: { podSelector: {}, policyTypes: ['Ingress' as const] } });
    const one = compactPolicy(make('a'), interner);
    const two = compactPolicy(make('b'), interner);
    assert.equal(one.spec, two.spec);
    assert.equal(one.metadata.labels, two.metadata.labels);
    assert.equal(one.metadata.ownerReferences, two.metadata.ownerReferences);
    assert.notEqual(one.metadata.uid, two.metadata.uid);
    assert.equal('creationTimestamp' in one.metadata, false);
  });

  it('keeps what the controller reads of a namespace', () => {
    const ns = compactNamespace({ metadata: { name: 'n', labels: { a: 'b' }, uid: 'u', resourceVersion: '1', deletionTimestamp: 't', ...({ managedFields: [{}], annotations: { big: 'x' } } as object) }, status: { phase: 'Terminating' } });
    assert.deepEqual(ns, { metadata: { name: 'n', uid: 'u', resourceVersion: '1', labels: { a: 'b' }, deletionTimestamp: 't' }, status: { phase: 'Terminating' } });
  });
});

describe('API errors', () => {
  it('classifies the errors the reconciler decides on', () => {
    assert.ok(isAlreadyExists(new KubeApiError(409, 'AlreadyExists', 'x', 'POST', '/')));
    assert.ok(!isAlreadyExists(new KubeApiError(409, 'Conflict', 'x', 'PUT', '/')));
    assert.ok(isNotFound(new KubeApiError(404, 'NotFound', 'x', 'GET', '/')));
    assert.ok(isNamespaceTerminating(new KubeApiError(403, 'Forbidden', 'unable to create new content in namespace a because it is being terminated', 'POST', '/')));
    assert.ok(!isNamespaceTerminating(new KubeApiError(403, 'Forbidden', 'RBAC: denied', 'POST', '/')));
  });
});

describe('misc', () => {
  it('formats MicroTime with microseconds', () => {
    assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
  });

  it('counts writes by resource and verb', () => {
    const c = new WriteCounter();
    c.record('networkpolicies', 'create');
    c.record('networkpolicies', 'create');
    c.record('leases', 'update');
    assert.equal(c.total(), 3);
    assert.equal(c.total(['networkpolicies']), 2);
    assert.deepEqual(c.snapshot(), { 'leases/update': 1, 'networkpolicies/create': 2 });
  });
});

describe('kubeconfig errors name the kubeconfig and where it came from', () => {
  const table: [string, string | undefined, string, NodeJS.ProcessEnv, boolean, { path: string; from: string }][] = [
    // case, path, from, env, ~/.kube/config exists, source
    ['a flag', '/x', '--kubeconfig', { KUBECONFIG: '/k' }, true, { path: '/x', from: 'from --kubeconfig' }],
    ['an environment variable of run', '/y', 'KUBECONFIG_PATH', {}, false, { path: '/y', from: 'from KUBECONFIG_PATH' }],
    ['KUBECONFIG', undefined, '--kubeconfig', { KUBECONFIG: '/k', HOME: '/h' }, true, { path: '/k', from: 'from KUBECONFIG' }],
    ['the default file', undefined, '--kubeconfig', { HOME: '/h' }, true, { path: '/h/.kube/config', from: 'the default' }],
    ['in-cluster', undefined, '--kubeconfig', { HOME: '/h', KUBERNETES_SERVICE_HOST: '10.0.0.1' }, false, { path: '/var/run/secrets/kubernetes.io/serviceaccount', from: 'in-cluster service account' }],
  ];
  for (const [what, path, from, env, exists, want] of table) {
    it(what, () => assert.deepEqual(kubeconfigSource(path, from, env, () => exists), want));
  }

  it('an unreadable file: one line with the path, the cause and its source', () => {
    assert.throws(
      () => loadKubeConfig('/nonexistent/kubeconfig', 'KUBECONFIG_PATH'),
      (err: unknown) => err instanceof KubeconfigError && err.message === "cannot load kubeconfig /nonexistent/kubeconfig: ENOENT: no such file or directory, open '/nonexistent/kubeconfig' (from KUBECONFIG_PATH)",
    );
  });
});
