// `kubectl apply -k manifests/` on the real control plane: every object applies server-side with strict
// field validation and without a single warning (the namespace warns on `restricted` violations, so a
// silent apply also means the Deployment's pod template passes); applying again changes nothing; the
// example profile applies once the CRD is established.
import assert from 'node:assert/strict';
import { Api, ApiError, adminApi, applyAll, collectionPath, objectPath } from '../unit/manifests/apply.js';
import { EXAMPLES_DIR, MANIFESTS_DIR, OPERATOR_NAME, OPERATOR_NAMESPACE, findObject, loadKustomization, type K8sObject } from '../unit/manifests/load.js';
import { controlPlane, eventually, uniqueNamespace } from './hooks.js';

describe('manifests/ on the real API server', function () {
  this.timeout(120_000);
  const docs = loadKustomization(MANIFESTS_DIR);
  let api: Api;

  before(() => {
    api = adminApi(controlPlane());
  });
  after(() => api.close());

  it('applies server-side in kustomization order, with strict validation and no warnings', async () => {
    const results = await applyAll(api, docs.map((d) => d.object));
    assert.equal(results.length, docs.length);
    const warned = results.filter((r) => r.warnings.length > 0).map((r) => `${r.object.kind}/${r.object.metadata.name}: ${r.warnings.join(' | ')}`);
    assert.deepEqual(warned, []);
    for (const d of docs) {
      const { body } = await api.call<K8sObject & { metadata: { uid?: string } }>('GET', objectPath(d.object));
      assert.ok(body.metadata.uid, `${d.object.kind} ${d.object.metadata.name} not stored`);
    }
  });

  it('applying again changes nothing (same resourceVersions)', async () => {
    const versions = async () => Promise.all(docs.map(async (d) => (await api.call<{ metadata: { resourceVersion: string } }>('GET', objectPath(d.object))).body.metadata.resourceVersion));
    const before = await versions();
    await applyAll(api, docs.map((d) => d.object));
    assert.deepEqual(await versions(), before);
  });

  it('an install made with client-side apply (kubectl apply -k) moves to server-side apply without conflicts', async () => {
    // Every namespaced object of the manifests, created the way client-side apply does (a create with the
    // kubectl-client-side-apply manager), in a scratch namespace; then server-side applied without force.
    const ns = await uniqueNamespace('manifests-csa');
    try {
      for (const d of docs) {
        if (!d.object.metadata.namespace || d.object.metadata.namespace !== OPERATOR_NAMESPACE) continue;
        const o = structuredClone({ ...d.object, metadata: { ...d.object.metadata, namespace: ns.name } });
        await api.call('POST', collectionPath(o), { body: o, query: { fieldManager: 'kubectl-client-side-apply' } });
        await api.apply(o, { force: false });
      }
    } finally {
      await ns.delete();
    }
  });

  it('the warning check is live: a weakened pod template in the operator namespace is warned about', async () => {
    const deployment = structuredClone(findObject(docs, 'Deployment', OPERATOR_NAME)) as K8sObject & { spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } } };
    deployment.spec.template.spec.containers[0]!.securityContext.allowPrivilegeEscalation = true;
    const { warnings } = await api.apply(deployment, { dryRun: true });
    assert.ok(warnings.some((w) => w.includes('violate PodSecurity "restricted') && w.includes('allowPrivilegeEscalation')), `no PodSecurity warning: ${JSON.stringify(warnings)}`);
  });

  it('the example (AKS guidance profile and its namespace) applies after the CRD, without warnings', async () => {
    const examples = loadKustomization(EXAMPLES_DIR).map((d) => d.object);
    // Dry run: a real `shop` namespace and profile would be picked up by other tests' operators.
    for (const o of examples) {
      const { warnings, object } = await api.apply(o, { dryRun: true });
      assert.deepEqual(warnings, [], `${o.kind} ${o.metadata.name}`);
      assert.equal(object.metadata.name, o.metadata.name);
    }
  });

  it('the API server publishes a description for every spec and status field (what kubectl explain shows)', async () => {
    type Node = { description?: string; properties?: Record<string, Node>; items?: Node; allOf?: Node[]; $ref?: string };
    const schema = await eventually(async () => {
      const { body } = await api.call<{ components: { schemas: Record<string, Node> } }>('GET', '/openapi/v3/apis/segmentation.dev/v1alpha1');
      const found = body.components.schemas['dev.segmentation.v1alpha1.SegmentationProfile'];
      assert.ok(found?.properties?.spec?.properties, 'schema not published yet');
      return found;
    });
    const missing: string[] = [];
    let count = 0;
    const walk = (node: Node, path: string) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        count++;
        if (!child.description?.trim()) missing.push(`${path}.${name}`);
        walk(child, `${path}.${name}`);
        if (child.items) walk(child.items, `${path}.${name}[]`);
      }
    };
    for (const top of ['spec', 'status']) walk(schema.properties![top]!, top);
    assert.ok(count > 40, `only ${count} fields published`);
    assert.deepEqual(missing, []);
  });

  it('a strict server refuses a typo: the apply path really validates fields', async () => {
    const ns = structuredClone(findObject(docs, 'Namespace', OPERATOR_NAMESPACE)) as K8sObject & { spce?: unknown };
    ns.spce = {};
    await assert.rejects(api.apply(ns, { dryRun: true }), (err) => err instanceof ApiError && err.status >= 400 && err.statusMessage.includes('.spce: field not declared in schema'));
  });
});
