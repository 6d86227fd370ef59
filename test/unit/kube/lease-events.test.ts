import assert from 'node:assert/strict';
import { LeaderElector, type LeaseObject } from '../../../src/kube/lease.js';
import { EventRecorder } from '../../../src/kube/events.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import type { KubeClient } from '../../../src/kube/client.js';

/** An in-memory Lease endpoint with resourceVersion checks, standing in for the API server. */
class FakeLeaseServer {
  lease?: LeaseObject;
  rv = 0;
  writes = 0;

  client(): KubeClient {
    return {
      request: async (method: string, _path: string, opts: { body?: unknown } = {}) => {
        if (method === 'GET') {
          if (!this.lease) throw new KubeApiError(404, 'NotFound', 'not found', method, _path);
          return structuredClone(this.lease);
        }
        const body = structuredClone(opts.body) as LeaseObject;
        if (method === 'POST') {
          if (this.lease) throw new KubeApiError(409, 'AlreadyExists', 'exists', method, _path);
        } else if (method === 'PUT') {
          if (body.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', 'stale', method, _path);
        }
        this.writes++;
        body.metadata.resourceVersion = String(++this.rv);
        this.lease = body;
        return structuredClone(body);
      },
    } as unknown as KubeClient;
  }
}

function elector(server: FakeLeaseServer, identity: string, clock: { now: number }) {
  const log: string[] = [];
  const e = new LeaderElector(server.client(), {
    namespace: 'ns',
    name: 'lease',
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    onStartedLeading: () => log.push('start'),
    onStoppedLeading: () => log.push('stop'),
    now: () => clock.now,
  });
  return { e, log };
}

describe('LeaderElector (against an in-memory Lease)', () => {
  it('creates the lease, renews it, and keeps a second candidate out until it expires by the candidate\'s own clock', async () => {
    const server = new FakeLeaseServer();
    const clock = { now: 1_000_000 };
    const a = elector(server, 'a', clock);
    const b = elector(server, 'b', clock);
    assert.equal(await a.e.tryAcquireOrRenew(), true);
    assert.equal(server.lease?.spec?.holderIdentity, 'a');
    assert.equal(server.lease?.spec?.leaseDurationSeconds, 15);
    assert.equal(await b.e.tryAcquireOrRenew(), false, 'held by a');
    clock.now += 10_000;
    assert.equal(await a.e.tryAcquireOrRenew(), true, 'renewed');
    clock.now += 14_000;
    assert.equal(await b.e.tryAcquireOrRenew(), false, 'b sees the renewal now (its own clock starts here)');
    clock.now += 14_000;
    assert.equal(await b.e.tryAcquireOrRenew(), false, '14 s since b saw it change: not expired');
    clock.now += 2_000;
    assert.equal(await b.e.tryAcquireOrRenew(), true, '16 s without change: expired, b takes over');
    assert.equal(server.lease?.spec?.holderIdentity, 'b');
    assert.equal(server.lease?.spec?.leaseTransitions, 1);
  });

  it('loses a race on the resourceVersion instead of overwriting', async () => {
    const server = new FakeLeaseServer();
    const clock = { now: 0 };
    const a = elector(server, 'a', clock);
    await a.e.tryAcquireOrRenew();
    const realRequest = server.client().request;
    // b reads the (expired) lease, then a renews before b writes.
    const b = elector(server, 'b', clock);
    clock.now = 100_000;
    const sneaky = {
      request: async (method: string, path: string, opts?: unknown) => {
        const out = await realRequest.call(null, method, path, opts as never);
        if (method === 'GET') {
          server.lease!.metadata.resourceVersion = String(++server.rv); // a's renewal lands here
        }
        return out;
      },
    } as unknown as KubeClient;
    (b.e as unknown as { client: KubeClient }).client = sneaky;
    assert.equal(await b.e.tryAcquireOrRenew(), false);
    assert.equal(server.lease?.spec?.holderIdentity, 'a');
  });

  it('release empties the holder so a successor need not wait', async () => {
    const server = new FakeLeaseServer();
    const clock = { now: 0 };
    const a = elector(server, 'a', clock);
    a.e.start();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(a.e.isLeader());
    await a.e.stop({ release: true });
    assert.equal(server.lease?.spec?.holderIdentity, '');
    assert.equal(server.lease?.spec?.leaseDurationSeconds, 1);
    assert.deepEqual(a.log, ['start', 'stop']);
    const b = elector(server, 'b', clock);
    assert.equal(await b.e.tryAcquireOrRenew(), true, 'no expiry wait');
  });
});

describe('EventRecorder', () => {
  it('records an event once per (object, reason, note) within the dedupe window', async () => {
    const posted: { path: string; body: { reason: string; regarding: { name: string }; type: string; note: string } }[] = [];
    const client = { request: async (_m: string, path: string, opts: { body: never }) => void posted.push({ path, body: opts.body }) } as unknown as KubeClient;
    const rec = new EventRecorder(client, { controller: 'c', instance: 'i', namespace: 'default', qps: 0 });
    const target = { apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', name: 'p', uid: 'u' };
    rec.record(target, 'Warning', 'PolicyConflict', 'ns-a: taken');
    rec.record(target, 'Warning', 'PolicyConflict', 'ns-a: taken');
    rec.record(target, 'Warning', 'PolicyConflict', 'ns-b: taken');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(posted.length, 2);
    assert.equal(rec.suppressed, 1);
    assert.equal(posted[0]!.path, '/apis/events.k8s.io/v1/namespaces/default/events');
    assert.equal(posted[0]!.body.regarding.name, 'p');
    assert.equal(posted[0]!.body.type, 'Warning');
  });
});
