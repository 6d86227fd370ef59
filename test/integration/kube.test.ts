// src/kube against the real API server: the informer waits for a resource that does not exist yet (a CRD
// installed later), relists to recover a delete it missed, and survives errors without stopping.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KubeClient } from '../../src/kube/client.js';
import { Informer, type KubeObject } from '../../src/kube/informer.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { eventually, kubeConfig } from './hooks.js';

describe('kube: informer and client (integration)', function () {
  this.timeout(120_000);
  let client: KubeClient;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(() => {
    client = new KubeClient(kubeConfig(), { qps: 0 });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('keeps retrying while a resource is not served, and syncs once its CRD is installed', async () => {
    const group = `t${randomBytes(3).toString('hex')}.example.dev`;
    const path = `/apis/${group}/v1/widgets`;
    const restarts: unknown[] = [];
    const informer = new Informer<KubeObject>(client, { name: 'widgets', path, backoffBaseMs: 100, backoffMaxMs: 500, onRestart: (_n, err) => restarts.push(err) });
    let synced = false;
    const started = informer.start().then(() => (synced = true));
    await eventually(async () => assert.ok(restarts.length >= 2, 'retried'));
    assert.equal(synced, false, 'not synced while the list fails');
    assert.ok(restarts.every((e) => e instanceof KubeApiError && e.statusCode === 404));
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Cluster',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd });
    cleanups.push(() => client.request('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`));
    await started;
    assert.ok(informer.hasSynced());
    const added: string[] = [];
    informer.on({ add: (o) => added.push(o.metadata?.name ?? '') });
    await eventually(() => client.request('POST', path, { body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'one' } } }));
    await eventually(async () => assert.deepEqual(added, ['one']));
    await informer.stop();
  });

  it('relists to recover a delete missed while not watching, and passes old and new objects on update', async () => {
    const ns = `informer-${randomBytes(3).toString('hex')}`;
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    cleanups.push(() => client.request('DELETE', `/api/v1/namespaces/${ns}`));
    const cmPath = `/api/v1/namespaces/${ns}/configmaps`;
    await client.request('POST', cmPath, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { t: 'x' } }, data: { v: '1' } } });
    await client.request('POST', cmPath, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', labels: { t: 'x' } }, data: { v: '1' } } });
    const informer = new Informer<KubeObject & { data?: Record<string, string> }>(client, { name: 'configmaps', path: cmPath, labelSelector: 't=x' });
    const deleted: string[] = [];
    const updates: [string | undefined, string | undefined][] = [];
    informer.on({ delete: (o) => deleted.push(o.metadata?.name ?? ''), update: (o, n) => updates.push([o.data?.v, n.data?.v]) });
    await informer.start();
    assert.deepEqual(informer.list(ns).map((o) => o.metadata?.name).sort(), ['a', 'b']);

    await client.request('PATCH', `${cmPath}/a`, { body: { data: { v: '2' } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => assert.deepEqual(updates, [['1', '2']]));

    await client.request('DELETE', `${cmPath}/b`);
    await eventually(async () => assert.deepEqual(deleted, ['b'])); // seen through the watch
    deleted.length = 0;
    // A delete the watch cannot see: stop the informer, delete, start again over the old cache.
    await informer.stop();
    await client.request('DELETE', `${cmPath}/a`);
    await informer.start();
    await eventually(async () => assert.deepEqual(deleted, ['a']));
    assert.deepEqual(informer.list(ns), []);
    await informer.stop();
  });

  it('relist() emits deletes the watch did not deliver', async () => {
    const ns = `relist-${randomBytes(3).toString('hex')}`;
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    cleanups.push(() => client.request('DELETE', `/api/v1/namespaces/${ns}`));
    const cmPath = `/api/v1/namespaces/${ns}/configmaps`;
    await client.request('POST', cmPath, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } });
    const informer = new Informer<KubeObject>(client, { name: 'configmaps', path: cmPath });
    const deleted: string[] = [];
    informer.on({ delete: (o) => deleted.push(o.metadata?.name ?? '') });
    await informer.start();
    // Plant a ghost in the cache, as if its delete event had been lost during a reconnect.
    (informer as unknown as { upsert(o: KubeObject): void }).upsert({ metadata: { name: 'ghost', namespace: ns, resourceVersion: '1' } });
    assert.ok(informer.get('ghost', ns));
    informer.relist();
    await eventually(async () => assert.deepEqual(deleted, ['ghost']));
    assert.ok(informer.get('c', ns), 'real objects stay');
    await informer.stop();
  });
});
