// The RBAC model the least-privilege tests rely on (request -> attributes -> allowed by the manifests),
// and a tripwire on the operator's API call sites.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MANIFESTS_DIR, OPERATOR_NAME, OPERATOR_NAMESPACE, REPO_ROOT, loadKustomization, type K8sObject } from './load.js';
import { allows, grantedPermissions, grantsFor, requestAttributes, ruleAllows, type RequestAttributes } from './rbac.js';

const NP = '/apis/networking.k8s.io/v1';
const table: [string, string, RequestAttributes][] = [
  ['GET', '/api/v1/namespaces?limit=500', { verb: 'list', apiGroup: '', resource: 'namespaces' }],
  ['GET', '/api/v1/namespaces?watch=true&resourceVersion=5', { verb: 'watch', apiGroup: '', resource: 'namespaces' }],
  ['GET', '/api/v1/namespaces?watch=1', { verb: 'watch', apiGroup: '', resource: 'namespaces' }],
  ['GET', '/api/v1/namespaces/shop', { verb: 'get', apiGroup: '', resource: 'namespaces', namespace: 'shop', name: 'shop' }],
  ['PUT', '/api/v1/namespaces/shop/finalize', { verb: 'update', apiGroup: '', resource: 'namespaces/finalize', namespace: 'shop', name: 'shop' }],
  ['GET', '/api/v1/namespaces/shop/secrets', { verb: 'list', apiGroup: '', resource: 'secrets', namespace: 'shop' }],
  ['GET', `${NP}/networkpolicies?labelSelector=a%3Db`, { verb: 'list', apiGroup: 'networking.k8s.io', resource: 'networkpolicies' }],
  ['POST', `${NP}/namespaces/shop/networkpolicies?fieldManager=x`, { verb: 'create', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'shop' }],
  ['PATCH', `${NP}/namespaces/shop/networkpolicies/seg.p.dns`, { verb: 'patch', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'shop', name: 'seg.p.dns' }],
  ['DELETE', `${NP}/namespaces/shop/networkpolicies/seg.p.dns`, { verb: 'delete', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'shop', name: 'seg.p.dns' }],
  ['DELETE', `${NP}/namespaces/shop/networkpolicies`, { verb: 'deletecollection', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'shop' }],
  ['PATCH', '/apis/segmentation.dev/v1alpha1/segmentationprofiles/p/status', { verb: 'patch', apiGroup: 'segmentation.dev', resource: 'segmentationprofiles/status', name: 'p' }],
  ['PUT', '/apis/coordination.k8s.io/v1/namespaces/s/leases/l', { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 's', name: 'l' }],
  ['GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes&limit=500', { verb: 'list', apiGroup: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'default' }],
  ['GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?watch=true&labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes', { verb: 'watch', apiGroup: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'default' }],
];

describe('RBAC model: request attributes', () => {
  for (const [method, url, want] of table) it(`${method} ${url}`, () => assert.deepEqual(requestAttributes(method, url), want));

  it('refuses non-resource URLs', () => {
    assert.throws(() => requestAttributes('GET', '/version'));
    assert.throws(() => requestAttributes('GET', '/apis/networking.k8s.io/v1'));
  });
});

describe('RBAC model: rules and bindings', () => {
  const patchPolicies = { verb: 'patch', apiGroup: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'a', name: 'x' };

  it('matches verb, group, resource and resourceNames; a named rule never allows create or list', () => {
    assert.equal(ruleAllows({ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['patch'] }, patchPolicies), true);
    assert.equal(ruleAllows({ apiGroups: [''], resources: ['networkpolicies'], verbs: ['patch'] }, patchPolicies), false);
    assert.equal(ruleAllows({ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies/status'], verbs: ['patch'] }, patchPolicies), false);
    const named = { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['l'], verbs: ['get', 'create', 'list'] };
    assert.equal(ruleAllows(named, { verb: 'get', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 's', name: 'l' }), true);
    assert.equal(ruleAllows(named, { verb: 'get', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 's', name: 'm' }), false);
    assert.equal(ruleAllows(named, { verb: 'create', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 's' }), false);
    assert.equal(ruleAllows(named, { verb: 'list', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 's' }), false);
    assert.equal(ruleAllows({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, patchPolicies), true);
  });

  it('a Role grants only in its namespace, a ClusterRoleBinding everywhere, and only to the bound ServiceAccount', () => {
    const objects = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'a' }, rules: [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['patch'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r', namespace: 'a' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'c' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'c' }, roleRef: { kind: 'ClusterRole', name: 'c' }, subjects: [{ kind: 'ServiceAccount', name: 'other', namespace: 'ns' }] },
    ] as unknown as K8sObject[];
    const g = grantsFor(objects, { namespace: 'ns', name: 'sa' });
    assert.equal(allows(g, patchPolicies), true);
    assert.equal(allows(g, { ...patchPolicies, namespace: 'b' }), false);
    assert.equal(allows(g, { ...patchPolicies, namespace: undefined }), false);
    assert.equal(allows(g, { verb: 'list', apiGroup: '', resource: 'namespaces' }), false, 'the ClusterRoleBinding binds another ServiceAccount');
    assert.deepEqual(grantedPermissions(g), ['a networking.k8s.io/networkpolicies patch']);
    assert.throws(() => grantsFor(objects.slice(1), { namespace: 'ns', name: 'sa' }), /do not define/);
  });

  it("the manifests grant the operator's ServiceAccount exactly these permissions", () => {
    const g = grantsFor(loadKustomization(MANIFESTS_DIR).map((d) => d.object), { namespace: OPERATOR_NAMESPACE, name: OPERATOR_NAME });
    assert.deepEqual(grantedPermissions(g), [
      '* apiextensions.k8s.io/customresourcedefinitions list',
      '* apiextensions.k8s.io/customresourcedefinitions watch',
      '* apps/daemonsets list',
      '* cilium.io/ciliumclusterwidenetworkpolicies create',
      '* cilium.io/ciliumclusterwidenetworkpolicies delete',
      '* cilium.io/ciliumclusterwidenetworkpolicies get',
      '* cilium.io/ciliumclusterwidenetworkpolicies list',
      '* cilium.io/ciliumclusterwidenetworkpolicies patch',
      '* cilium.io/ciliumclusterwidenetworkpolicies watch',
      '* core/namespaces list',
      '* core/namespaces watch',
      '* core/nodes list',
      '* networking.k8s.io/networkpolicies create',
      '* networking.k8s.io/networkpolicies delete',
      '* networking.k8s.io/networkpolicies get',
      '* networking.k8s.io/networkpolicies list',
      '* networking.k8s.io/networkpolicies patch',
      '* networking.k8s.io/networkpolicies watch',
      '* policy.networking.k8s.io/clusternetworkpolicies create',
      '* policy.networking.k8s.io/clusternetworkpolicies delete',
      '* policy.networking.k8s.io/clusternetworkpolicies get',
      '* policy.networking.k8s.io/clusternetworkpolicies list',
      '* policy.networking.k8s.io/clusternetworkpolicies patch',
      '* policy.networking.k8s.io/clusternetworkpolicies watch',
      '* projectcalico.org/globalnetworkpolicies create',
      '* projectcalico.org/globalnetworkpolicies delete',
      '* projectcalico.org/globalnetworkpolicies get',
      '* projectcalico.org/globalnetworkpolicies list',
      '* projectcalico.org/globalnetworkpolicies patch',
      '* projectcalico.org/globalnetworkpolicies watch',
      '* projectcalico.org/tiers create',
      '* projectcalico.org/tiers delete',
      '* projectcalico.org/tiers get',
      '* projectcalico.org/tiers list',
      '* projectcalico.org/tiers patch',
      '* projectcalico.org/tiers watch',
      '* segmentation.dev/segmentationprofiles list',
      '* segmentation.dev/segmentationprofiles watch',
      '* segmentation.dev/segmentationprofiles/status patch',
      'default discovery.k8s.io/endpointslices list',
      'default discovery.k8s.io/endpointslices watch',
      'default events.k8s.io/events create',
      'segmentation-system coordination.k8s.io/leases create',
      'segmentation-system coordination.k8s.io/leases get',
      'segmentation-system coordination.k8s.io/leases update',
    ]);
  });
});

// Tripwire: every place the operator's code (src/kube, src/controller) calls the API server, by file and
// method. test/integration/rbac.test.ts proves that the calls the end-to-end scenario makes are granted; a
// new call site must be reviewed against manifests/ RBAC and exercised there, then added here.
const KNOWN_CALL_SITES: Record<string, string> = {
  'src/kube/api.ts DELETE': '1 networkpolicies delete',
  'src/kube/api.ts GET': '2 networkpolicies get + listAll: paginated lists of namespaces, networkpolicies, segmentationprofiles, endpointslices in default (informers) and of all networkpolicies, apps daemonsets, nodes (cluster scan)',
  'src/kube/api.ts PATCH': '3 networkpolicies patch (apply, managedFields) + segmentationprofiles/status patch',
  'src/kube/api.ts POST': '1 networkpolicies create',
  'src/kube/cluster-reader.ts GET': '1 API discovery of the guardrail groups (GET /apis/<group>/<version>): the CLI only (explain, matrix, audit with the user\'s credentials), never the operator',
  'src/kube/events.ts POST': '1 events.k8s.io events create',
  'src/kube/guardrail-api.ts DELETE': '1 guardrail kinds delete (cilium.io ciliumclusterwidenetworkpolicies, policy.networking.k8s.io clusternetworkpolicies, projectcalico.org tiers and globalnetworkpolicies)',
  'src/kube/guardrail-api.ts GET': '1 guardrail kinds get (on a name clash, and before converting managedFields); their lists and the customresourcedefinitions list go through listAll in api.ts',
  'src/kube/guardrail-api.ts PATCH': '2 guardrail kinds patch (server-side apply; the managedFields conversion of objects created with POST)',
  'src/kube/guardrail-api.ts POST': '1 guardrail kinds create',
  'src/kube/watch.ts watch': '1 watch of the same (transport.stream with watch=true, used by the informers)',
  'src/kube/lease.ts GET': '2 leases get',
  'src/kube/lease.ts POST': '1 leases create',
  'src/kube/lease.ts PUT': '2 leases update',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('API call sites of the operator', () => {
  it('are the known ones (a new one needs RBAC review: manifests/rbac-*.yaml and test/integration/rbac.test.ts)', () => {
    const found = new Map<string, number>();
    for (const file of [...sourceFiles(join(REPO_ROOT, 'src/kube')), ...sourceFiles(join(REPO_ROOT, 'src/controller'))]) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(REPO_ROOT, file);
      const add = (key: string) => found.set(`${rel} ${key}`, (found.get(`${rel} ${key}`) ?? 0) + 1);
      // KubeClient.request hands every call to its transport: that forward is not a call site of its own.
      for (const m of text.matchAll(/(?<!transport)\.request(?:<[^(]*>)?\(\s*'([A-Z]+)'/g)) add(m[1]!);
      for (const _ of text.matchAll(/(?<!transport)\.request(?:<[^(]*>)?\(\s*(?!['\s])/g)) add('with a computed method');
      for (const _ of text.matchAll(/\btransport\.stream\(/g)) add('watch');
      for (const m of text.matchAll(/\bmakeApiClient\(\s*(\w+)/g)) add(`typed client ${m[1]}`);
    }
    const got = Object.fromEntries([...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => [k, n]));
    const want = Object.fromEntries(Object.entries(KNOWN_CALL_SITES).map(([k, v]) => [k, Number(v.split(' ')[0])]));
    assert.deepEqual(got, want);
  });
});
