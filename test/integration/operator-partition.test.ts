// Leader election that fences, against the real control plane: the leader reaches the API server through a
// loopback TCP proxy that stops forwarding its requests (connections held open, nothing sent: a partition
// of that operator only; answers to requests already sent, such as its watches, still arrive, so it sees new
// namespaces and tries to write). It must step down within the renew deadline and never send a write
// after that; the standby (direct connection) takes over once the lease has not changed for its duration.
import assert from 'node:assert/strict';
import type { Operator } from '../../src/controller/operator.js';
import { kubeConfig } from './hooks.js';
import { applyProfile, createNamespace, ensureCrd, expectedNames, newOperator, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';
import { eventually } from './hooks.js';
import { TcpProxy } from './tcp-proxy.js';

const WRITES = ['networkpolicies', 'segmentationprofiles/status', 'events'];

describe('operator leader fencing under a partition (integration)', function () {
  this.timeout(180_000);
  const run = uid();
  const sel = `seg-part-${run}`;
  const profile = `part-${run}`;
  const spec = { namespaceSelector: { matchLabels: { [sel]: 'on' } } };
  const leaseNamespace = `lease-part-${run}`;
  const le = { enabled: true, namespace: leaseNamespace, name: 'segmentation-operator', leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
  let proxy: TcpProxy;
  let a: Operator;
  let b: Operator;

  before(async function () {
    await ensureCrd();
    await testApi().request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: leaseNamespace } } });
    await applyProfile(profile, spec);
    const direct = kubeConfig();
    const server = new URL(direct.getCurrentCluster()!.server);
    proxy = new TcpProxy(server.hostname, Number(server.port));
    const port = await proxy.listen();
    const viaProxy = kubeConfig();
    viaProxy.clusters = viaProxy.clusters.map((c) => ({ ...c, server: `${server.protocol}//${server.hostname}:${port}` }));
    a = newOperator({ kubeConfig: viaProxy, leaderElection: { ...le, identity: 'partitioned-a' } });
    await a.start();
    await eventually(async () => assert.ok(a.isLeader(), 'a leads (it started alone)'));
    b = newOperator({ leaderElection: { ...le, identity: 'standby-b' } });
    await b.start();
  });

  after(async function () {
    if (proxy) proxy.cut = 'none';
    await a?.stop({ abrupt: true });
    await b?.stop();
    await proxy?.close();
    await testApi().request('DELETE', `/api/v1/namespaces/${leaseNamespace}`).catch(() => {});
    await runCleanups();
  });

  it('the partitioned leader stops writing within the renew deadline, before the standby takes over after the lease duration', async () => {
    const before = await createNamespace('part-before', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(before), expectedNames(profile, spec, before, { [sel]: 'on' })));
    // Nothing of a's may be in flight at the cut: a lease renewal or a debounced status write sent just before
    // it completes through the proxy and is not a write during the partition. Also, a counts a write when its
    // answer has come back through the proxy, which can be after our direct list already sees the policies.
    await a.whenIdle();
    assert.ok(a.isLeader() && !b.isLeader(), `a still leads (a ${a.isLeader()}, b ${b.isLeader()})`);
    assert.ok(a.writes.total(['networkpolicies']) > 0, `a wrote while it led: ${JSON.stringify(a.writes.snapshot())}`);
    assert.equal(b.writes.lastAttemptAt(WRITES), 0, 'the standby sent no write');
    const writesBefore = a.writes.total(WRITES);

    proxy.cut = 'requests';
    const cutAt = Date.now();
    // a still receives watch events (answers to requests sent before the cut) and wants to write for this one.
    const during = await createNamespace('part-during', { [sel]: 'on' });
    let steppedDownAt = 0;
    let takenOverAt = 0;
    while (Date.now() - cutAt < 30_000 && !takenOverAt) {
      if (!steppedDownAt && !a.isLeader()) steppedDownAt = Date.now();
      if (b.isLeader()) takenOverAt = Date.now();
      await new Promise((r) => setTimeout(r, 10));
    }
    const lastWriteSent = a.writes.lastAttemptAt(WRITES);
    const timings = `cut -> a stepped down ${steppedDownAt - cutAt} ms, cut -> b leads ${takenOverAt - cutAt} ms, a's last write sent at cut ${lastWriteSent >= cutAt ? '+' : ''}${lastWriteSent - cutAt} ms`;
    process.stderr.write(`      [partition] ${timings}\n`);
    assert.ok(takenOverAt > 0, `b took over (${timings})`);
    assert.ok(steppedDownAt > 0 && steppedDownAt < takenOverAt, `a stepped down before b took over (${timings})`);
    assert.ok(steppedDownAt - cutAt <= le.renewDeadlineMs + 500, `a stepped down within the renew deadline (${timings})`);
    // b waits until the lease has not changed for leaseDuration (a's last renewal was at most a retry period before the cut).
    assert.ok(takenOverAt - cutAt >= le.leaseDurationMs - le.retryPeriodMs, `b waited for the lease to expire (${timings})`);
    assert.ok(takenOverAt - cutAt < le.leaseDurationMs + 3_000, `b took over within the lease duration plus slack (${timings})`);
    assert.ok(lastWriteSent >= cutAt, `a tried to write during the partition, so the fence had something to stop (${timings})`);
    assert.ok(lastWriteSent <= steppedDownAt, `a sent no write after it stepped down (${timings})`);
    assert.equal(a.writes.total(WRITES), writesBefore, 'no write of a completed during the partition');

    await eventually(async () => assert.deepEqual(await policyNames(during), expectedNames(profile, spec, during, { [sel]: 'on' })), { timeoutMs: 30_000 });

    // Heal: a's watches reconnect and it sees every change, but as a standby it sends nothing.
    proxy.cut = 'none';
    const after = await createNamespace('part-after', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(after), expectedNames(profile, spec, after, { [sel]: 'on' })), { timeoutMs: 30_000 });
    await eventually(async () => assert.ok(a.namespaces.get(after), 'a caught up through the healed proxy'), { timeoutMs: 60_000 });
    assert.equal(a.isLeader(), false);
    assert.ok(b.isLeader());
    assert.ok(a.writes.lastAttemptAt(WRITES) <= steppedDownAt, 'a still sent no write after the partition healed');
  });
});
