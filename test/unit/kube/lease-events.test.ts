import assert from 'node:assert/strict';
import { LeaderElector, type LeaseObject } from '../../../src/kube/lease.js';
import { EventRecorder } from '../../../src/kube/events.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { ManualClock } from '../../../src/controller/clock.js';

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

function elector(server: FakeLeaseServer, identity: string, clock: ManualClock) {
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
    clock,
  });
  return { e, log };
}

describe('LeaderElector (against an in-memory Lease)', () => {
  it('creates the lease, renews it, and keeps a second candidate out until it expires by the candidate\'s own clock', async () => {
    const server = new FakeLeaseServer();
    const clock = new ManualClock(1_000_000);
    const a = elector(server, 'a', clock);
    const b = elector(server, 'b', clock);
    assert.equal(await a.e.tryAcquireOrRenew(), true);
    assert.equal(server.lease?.spec?.holderIdentity, 'a');
    assert.equal(server.lease?.spec?.leaseDurationSeconds, 15);
    assert.equal(await b.e.tryAcquireOrRenew(), false, 'held by a');
    clock.advance(10_000);
    assert.equal(await a.e.tryAcquireOrRenew(), true, 'renewed');
    clock.advance(14_000);
    assert.equal(await b.e.tryAcquireOrRenew(), false, 'b sees the renewal now (its own clock starts here)');
    clock.advance(14_000);
    assert.equal(await b.e.tryAcquireOrRenew(), false, '14 s since b saw it change: not expired');
    clock.advance(2_000);
    assert.equal(await b.e.tryAcquireOrRenew(), true, '16 s without change: expired, b takes over');
    assert.equal(server.lease?.spec?.holderIdentity, 'b');
    assert.equal(server.lease?.spec?.leaseTransitions, 1);
  });

  it('loses a race on the resourceVersion instead of overwriting', async () => {
    const server = new FakeLeaseServer();
    const clock = new ManualClock(0);
    const a = elector(server, 'a', clock);
    await a.e.tryAcquireOrRenew();
    const realRequest = server.client().request;
    // b reads the (expired) lease, then a renews before b writes.
    const b = elector(server, 'b', clock);
    clock.advance(100_000);
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
    const clock = new ManualClock(0);
    const a = elector(server, 'a', clock);
    a.e.start();
    clock.advance(0);
    await new Promise((r) => setImmediate(r));
    assert.ok(a.e.isLeader());
    await a.e.stop({ release: true });
    assert.equal(server.lease?.spec?.holderIdentity, '');
    assert.equal(server.lease?.spec?.leaseDurationSeconds, 1);
    assert.deepEqual(a.log, ['start', 'stop']);
    const b = elector(server, 'b', clock);
    assert.equal(await b.e.tryAcquireOrRenew(), true, 'no expiry wait');
  });
});

describe('LeaderElector renew deadline (a renewal that hangs)', () => {
  it('steps down at lastRenew + renewDeadline while the renewal still hangs, cancels it, and bounded its requests by the deadline', async () => {
    const server = new FakeLeaseServer();
    const clock = new ManualClock(0);
    const a = elector(server, 'a', clock);
    const answering = server.client();
    let partitioned = false;
    const timeouts: number[] = [];
    let cancelled = 0;
    const client = {
      request: (method: string, path: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}) => {
        if (!partitioned) return answering.request(method, path, opts as never);
        timeouts.push(opts.timeoutMs ?? -1);
        // Never answers; only the round's signal ends it.
        return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => {
          cancelled++;
          reject(new Error('aborted'));
        }));
      },
    } as unknown as KubeClient;
    (a.e as unknown as { client: KubeClient }).client = client;
    const settle = () => new Promise((r) => setImmediate(r));
    a.e.start();
    clock.advance(0);
    await settle();
    assert.ok(a.e.isLeader(), 'acquired at t=0');
    partitioned = true;
    clock.advance(2_000); // retry period: the renewal is sent and hangs
    await settle();
    assert.deepEqual(timeouts, [8_000], 'the GET may take only what is left of the 10 s deadline');
    clock.advance(7_999);
    await settle();
    assert.ok(a.e.isLeader(), 'still within the deadline');
    clock.advance(1);
    await settle();
    assert.equal(a.e.isLeader(), false, 'stepped down at exactly lastRenew + renewDeadline = 10 s (< 15 s lease)');
    assert.deepEqual(a.log, ['start', 'stop']);
    assert.equal(cancelled, 1, 'the hanging renewal was cancelled');
    await a.e.stop({ release: false });
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
