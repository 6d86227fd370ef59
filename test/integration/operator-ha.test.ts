// Two operators with leader election on one Lease: exactly one writes; killing the leader (abrupt stop:
// no drain, no lease release, as after SIGKILL) hands over within the lease duration; a graceful stop
// releases the lease so the successor takes over at once.
import assert from 'node:assert/strict';
import type { Operator } from '../../src/controller/operator.js';
import { eventually } from './hooks.js';
import { applyProfile, createNamespace, ensureCrd, expectedNames, newOperator, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';

describe('operator high availability (integration)', function () {
  this.timeout(180_000);
  const run = uid();
  const sel = `seg-ha-${run}`;
  const profile = `ha-${run}`;
  const spec = { namespaceSelector: { matchLabels: { [sel]: 'on' } } };
  const leaseNamespace = `lease-${run}`;
  const leaseDurationMs = 4_000;
  let a: Operator;
  let b: Operator;

  const ha = (identity: string) =>
    newOperator({ leaderElection: { enabled: true, namespace: leaseNamespace, name: 'segmentation-operator', identity, leaseDurationMs, renewDeadlineMs: 3_000, retryPeriodMs: 500 } });

  before(async function () {
    await ensureCrd();
    await testApi().request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: leaseNamespace } } });
    await applyProfile(profile, spec);
    a = ha('instance-a');
    await a.start();
    b = ha('instance-b');
    await b.start();
  });

  after(async function () {
    await a?.stop();
    await b?.stop();
    await testApi().request('DELETE', `/api/v1/namespaces/${leaseNamespace}`).catch(() => {});
    await runCleanups();
  });

  it('elects exactly one leader, and only the leader writes', async () => {
    await eventually(async () => assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1));
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    assert.deepEqual(standby.readiness(), { ready: true, reason: 'standing by' });
    const ns = await createNamespace('ha', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(profile, spec, ns, { [sel]: 'on' })));
    // The leader counts a write once its answer is read, which can be after our list already sees the objects.
    await leader.whenIdle();
    assert.ok(leader.writes.total(['networkpolicies']) > 0, `leader ${leader.identity} wrote: ${JSON.stringify(leader.writes.snapshot())}`);
    assert.equal(standby.writes.total(['networkpolicies', 'segmentationprofiles/status']), 0);
    await eventually(async () => assert.ok(standby.namespaces.get(ns), 'the standby keeps its caches warm'));
  });

  it('hands over within the lease duration when the leader dies without releasing the lease', async () => {
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    const killedAt = Date.now();
    await leader.stop({ abrupt: true });
    await eventually(async () => assert.ok(standby.isLeader()), { timeoutMs: 30_000, intervalMs: 100 });
    const handover = Date.now() - killedAt;
    // Not a timing assertion on speed, only the documented bound (lease duration plus retry slack).
    assert.ok(handover < leaseDurationMs + 3_000, `handover took ${handover} ms`);
    const ns = await createNamespace('ha-after', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(profile, spec, ns, { [sel]: 'on' })));
    // Restart the dead instance as a standby for the next test.
    if (leader === a) {
      a = ha('instance-a');
      await a.start();
    } else {
      b = ha('instance-b');
      await b.start();
    }
  });

  it('releases the lease on graceful stop so the standby takes over at once', async () => {
    await eventually(async () => assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1));
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    await leader.stop();
    const lease = await testApi().request<{ spec: { holderIdentity?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases/segmentation-operator`);
    assert.ok(!lease.spec.holderIdentity || lease.spec.holderIdentity === standby.identity, 'released');
    await eventually(async () => assert.ok(standby.isLeader()), { timeoutMs: 10_000, intervalMs: 100 });
    const ns = await createNamespace('ha-graceful', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(profile, spec, ns, { [sel]: 'on' })));
  });
});
