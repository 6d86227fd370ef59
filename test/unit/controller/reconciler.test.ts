// The Reconciler on plain caches, a ManualClock and an in-memory NetworkPolicy endpoint that behaves like
// the API server for the calls it makes (create fails with AlreadyExists on a taken name, apply stores,
// delete removes). Asserts the end state and the outcomes, never a call sequence.
import assert from 'node:assert/strict';
import { API_VERSION, KIND } from '../../../src/api/profile.js';
import { MANAGED_BY_LABEL } from '../../../src/compile/labels.js';
import { ManualClock } from '../../../src/controller/clock.js';
import type { ObservedPolicy } from '../../../src/controller/compare.js';
import { Expectations } from '../../../src/controller/expectations.js';
import { createLogger } from '../../../src/controller/log.js';
import { OutcomeStore } from '../../../src/controller/outcomes.js';
import { ProfileRegistry } from '../../../src/controller/profiles.js';
import { Reconciler } from '../../../src/controller/reconciler.js';
import type { NamespaceObject } from '../../../src/kube/api.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { KubeApiError } from '../../../src/kube/errors.js';

class PolicyStore {
  readonly objects = new Map<string, ObservedPolicy>();
  writes = 0;
  private rv = 100;

  client(): KubeClient {
    const request = async (method: string, path: string, opts: { body?: ObservedPolicy } = {}) => {
      const m = /namespaces\/([^/]+)\/networkpolicies(?:\/([^/?]+))?/.exec(path)!;
      const ns = decodeURIComponent(m[1]!);
      const name = m[2] ? decodeURIComponent(m[2]) : opts.body?.metadata.name ?? '';
      const key = `${ns}/${name}`;
      const stored = (body: ObservedPolicy) => {
        const obj = structuredClone({ ...body, metadata: { ...body.metadata, namespace: ns, resourceVersion: String(++this.rv), uid: `uid-${key}` } });
        this.objects.set(key, obj);
        this.writes++;
        return structuredClone(obj);
      };
      if (method === 'GET') {
        const obj = this.objects.get(key);
        if (!obj) throw new KubeApiError(404, 'NotFound', 'not found', method, path);
        return structuredClone(obj);
      }
      if (method === 'POST') {
        if (this.objects.has(key)) throw new KubeApiError(409, 'AlreadyExists', `networkpolicies "${name}" already exists`, method, path);
        return stored(opts.body!);
      }
      if (method === 'PATCH') return stored(opts.body!);
      if (method === 'DELETE') {
        this.writes++;
        this.objects.delete(key);
        return {};
      }
      throw new Error(`unexpected ${method}`);
    };
    return { request } as unknown as KubeClient;
  }

  /** The managed policies of a namespace, as the label-selected informer would cache them. */
  managed(ns: string): ObservedPolicy[] {
    return [...this.objects.entries()].filter(([k, p]) => k.startsWith(`${ns}/`) && p.metadata.labels?.[MANAGED_BY_LABEL]).map(([, p]) => p);
  }

  names(ns: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(`${ns}/`)).map((k) => k.slice(ns.length + 1)).sort();
  }
}

function harness(clashesWatched = true) {
  const store = new PolicyStore();
  const namespaces = new Map<string, NamespaceObject>();
  const registry = new ProfileRegistry();
  registry.set({ apiVersion: API_VERSION, kind: KIND, metadata: { name: 'p', uid: 'uid-p', generation: 1 }, spec: { namespaceSelector: { matchLabels: { tier: 'apps' } } } });
  const outcomes = new OutcomeStore();
  const clashes = new Map<string, readonly string[]>();
  const reconciler = new Reconciler({
    client: store.client(),
    namespaces: { get: (name: string) => namespaces.get(name) },
    policies: { list: (ns?: string) => store.managed(ns ?? '') },
    expectations: new Expectations({ clock: new ManualClock(0) }),
    profiles: registry,
    outcomes,
    log: createLogger('error'),
    onOutcomes: () => {},
    onClashes: (ns, names) => {
      clashes.set(ns, names);
      return clashesWatched;
    },
  });
  const addNamespace = (name: string, labels: Record<string, string>) => namespaces.set(name, { metadata: { name, labels: { ...labels, 'kubernetes.io/metadata.name': name } } });
  return { store, namespaces, outcomes, clashes, reconciler, addNamespace };
}

describe('Reconciler (plain caches, in-memory policy endpoint)', () => {
  it('creates what the profile renders for a selected namespace, then writes nothing on a second pass', async () => {
    const h = harness();
    h.addNamespace('shop', { tier: 'apps' });
    assert.deepEqual(await h.reconciler.reconcile('shop'), {});
    assert.deepEqual(h.store.names('shop'), ['seg.p.deny-all', 'seg.p.dns']);
    assert.deepEqual(h.outcomes.outcomes('p').get('shop'), { generation: 1, backend: 'NetworkPolicy', selected: true, desired: 2, inPlace: 2 });
    const writes = h.store.writes;
    assert.deepEqual(await h.reconciler.reconcile('shop'), {});
    assert.equal(h.store.writes, writes, 'in sync: zero writes');
  });

  it('removes its policies when the namespace stops matching, and leaves unmatched namespaces alone', async () => {
    const h = harness();
    h.addNamespace('shop', { tier: 'apps' });
    h.addNamespace('other', {});
    await h.reconciler.reconcile('shop');
    await h.reconciler.reconcile('other');
    assert.deepEqual(h.store.names('other'), []);
    h.addNamespace('shop', {});
    await h.reconciler.reconcile('shop');
    assert.deepEqual(h.store.names('shop'), []);
  });

  it('a clash with a policy it does not own is reported and watched, not requeued; the user object is untouched', async () => {
    const h = harness(true);
    h.addNamespace('shop', { tier: 'apps' });
    h.store.objects.set('shop/seg.p.deny-all', { metadata: { name: 'seg.p.deny-all', namespace: 'shop', resourceVersion: '1' }, spec: { podSelector: {} } });
    assert.deepEqual(await h.reconciler.reconcile('shop'), {}, 'terminal: no requeue');
    assert.deepEqual(h.clashes.get('shop'), ['seg.p.deny-all']);
    assert.equal(h.outcomes.outcomes('p').get('shop')?.failure?.reason, 'Conflict');
    assert.equal(h.store.objects.get('shop/seg.p.deny-all')?.metadata.resourceVersion, '1', 'never written');
    assert.deepEqual(h.store.names('shop'), ['seg.p.deny-all', 'seg.p.dns'], 'the rest is in place');
    // The user deletes theirs: the next reconcile (triggered by the watch) creates ours and clears the clash.
    h.store.objects.delete('shop/seg.p.deny-all');
    assert.deepEqual(await h.reconciler.reconcile('shop'), {});
    assert.deepEqual(h.clashes.get('shop'), []);
    assert.equal(h.store.objects.get('shop/seg.p.deny-all')?.metadata.labels?.[MANAGED_BY_LABEL], 'segmentation-operator');
    assert.equal(h.outcomes.outcomes('p').get('shop')?.failure, undefined);
  });

  it('a clash that cannot be watched (over the cap) is retried with backoff', async () => {
    const h = harness(false);
    h.addNamespace('shop', { tier: 'apps' });
    h.store.objects.set('shop/seg.p.dns', { metadata: { name: 'seg.p.dns', namespace: 'shop', resourceVersion: '1' }, spec: { podSelector: {} } });
    assert.deepEqual(await h.reconciler.reconcile('shop'), { requeue: true });
  });

  it('a namespace that is gone clears its outcomes and clashes', async () => {
    const h = harness();
    h.addNamespace('shop', { tier: 'apps' });
    await h.reconciler.reconcile('shop');
    h.namespaces.delete('shop');
    assert.deepEqual(await h.reconciler.reconcile('shop'), {});
    assert.equal(h.outcomes.outcomes('p').has('shop'), false);
    assert.deepEqual(h.clashes.get('shop'), []);
  });
});
