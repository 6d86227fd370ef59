// The operator against the real control plane (test/integration/hooks.ts): every behaviour of issue 4,
// asserted on the end state, polling with a deadline (no sleeps as assertions, no timing assertions).
// Every test uses its own namespaces and profiles, selected by a label unique to the test.
import assert from 'node:assert/strict';
import { KIND } from '../../src/api/profile.js';
import { MANAGED_BY_LABEL, IGNORE_LABEL } from '../../src/compile/labels.js';
import type { SegmentationProfileInput } from '../../src/api/profile.js';
import type { Operator } from '../../src/controller/operator.js';
import type { ObservedPolicy } from '../../src/controller/compare.js';
import { controlPlane, eventually } from './hooks.js';
import { POLICIES, testApi, ensureCrd, uid, createNamespace, labelNamespace, applyProfile, deleteProfile, getProfile, policies, policyNames, expectedNames, newOperator, runCleanups } from './operator-fixtures.js';

const rule = (name: string) => ({ name, from: { podSelector: { matchLabels: { app: 'frontend' } } }, to: { podSelector: { matchLabels: { app: 'backend' } } }, ports: [{ port: 8080 }] });

describe('operator (integration)', function () {
  this.timeout(120_000);
  let op: Operator;
  const run = uid();
  const sel = `seg-test-${run}`;
  let preexisting: string;
  const baseSpec = (extra: Partial<SegmentationProfileInput['spec']> = {}) => ({ namespaceSelector: { matchLabels: { [sel]: 'on' } }, allow: [rule('web')], ...extra });

  before(async function () {
    this.timeout(300_000);
    await ensureCrd();
    // Exists before the operator starts: must be reconciled at start-up.
    await applyProfile(`base-${run}`, baseSpec());
    preexisting = await createNamespace('pre', { [sel]: 'on' });
    op = newOperator();
    await op.start();
  });

  after(async function () {
    this.timeout(120_000);
    await op?.stop();
    await runCleanups();
  });

  it('reconciles namespaces that existed at start-up, with ownerReferences to the profile', async () => {
    const want = expectedNames(`base-${run}`, baseSpec(), preexisting, { [sel]: 'on' });
    assert.ok(want.length >= 4);
    await eventually(async () => assert.deepEqual(await policyNames(preexisting), want));
    const profile = await getProfile(`base-${run}`);
    for (const p of await policies(preexisting)) {
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, KIND);
      assert.equal(p.metadata.ownerReferences?.[0]?.name, `base-${run}`);
      assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, (profile.metadata as { uid?: string }).uid);
    }
  });

  it('bootstraps a namespace created while running, and reports status', async () => {
    const ns = await createNamespace('new', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(`base-${run}`, baseSpec(), ns, { [sel]: 'on' })));
    await eventually(async () => {
      const p = await getProfile(`base-${run}`);
      assert.equal(p.status?.observedGeneration, p.metadata.generation);
      assert.equal(p.status?.matchedNamespaces, 2);
      const ready = p.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
      assert.equal(p.status?.policies, 2 * expectedNames(`base-${run}`, baseSpec(), ns, { [sel]: 'on' }).length);
    });
  });

  it('follows namespace labels in and out, and the opt-out label', async () => {
    const ns = await createNamespace('relabel');
    const want = expectedNames(`base-${run}`, baseSpec(), ns, { [sel]: 'on' });
    assert.deepEqual(await policyNames(ns), []);
    await labelNamespace(ns, { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), want));
    await labelNamespace(ns, { [sel]: null });
    await eventually(async () => assert.deepEqual(await policyNames(ns), []));
    await labelNamespace(ns, { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), want));
    await labelNamespace(ns, { [IGNORE_LABEL]: 'true' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), []));
  });

  it('restores a managed policy deleted or edited by hand', async () => {
    const ns = await createNamespace('drift', { [sel]: 'on' });
    const want = expectedNames(`base-${run}`, baseSpec(), ns, { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), want));
    const victim = want[0]!;
    const before = (await policies(ns)).find((p) => p.metadata.name === victim)!;
    await testApi().request('DELETE', `${POLICIES(ns)}/${victim}`);
    await eventually(async () => {
      const again = (await policies(ns)).find((p) => p.metadata.name === victim);
      assert.ok(again && again.metadata.uid !== before.metadata.uid, 'recreated');
      assert.deepEqual(again.spec, before.spec);
    });
    await testApi().request('PATCH', `${POLICIES(ns)}/${victim}`, { body: { spec: { podSelector: { matchLabels: { hacked: 'yes' } } } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => {
      const again = (await policies(ns)).find((p) => p.metadata.name === victim)!;
      assert.deepEqual(again.spec, before.spec);
    });
  });

  it('follows profile updates: a renamed rule replaces its policies; deleting the profile removes them', async () => {
    const name = `upd-${run}`;
    const label = `seg-upd-${run}`;
    const spec = (r: string) => ({ namespaceSelector: { matchLabels: { [label]: 'on' } }, allow: [rule(r)] });
    await applyProfile(name, spec('alpha'));
    const ns = await createNamespace('upd', { [label]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(name, spec('alpha'), ns, { [label]: 'on' })));
    await applyProfile(name, spec('beta'));
    await eventually(async () => {
      const names = await policyNames(ns);
      assert.deepEqual(names, expectedNames(name, spec('beta'), ns, { [label]: 'on' }));
      assert.ok(!names.some((n) => n.includes('.alpha.')));
    });
    await deleteProfile(name);
    await eventually(async () => assert.deepEqual(await policyNames(ns), []));
  });

  it('removes fields it stops setting (server-side apply after create), writing only the changed policies', async () => {
    const name = `fields-${run}`;
    const label = `seg-fields-${run}`;
    const spec = (sourceLabels: Record<string, string>) => ({ namespaceSelector: { matchLabels: { [label]: 'on' } }, allow: [{ ...rule('api'), from: { podSelector: { matchLabels: sourceLabels } } }] });
    await applyProfile(name, spec({ app: 'frontend', tier: 'web' }));
    const ns = await createNamespace('fields', { [label]: 'on' });
    const egress = `seg.${name}.allow.api.egress`;
    await eventually(async () => assert.deepEqual((await policies(ns)).find((p) => p.metadata.name === egress)?.spec?.podSelector, { matchLabels: { app: 'frontend', tier: 'web' } }));
    await op.whenIdle();
    const before = op.writes.total(['networkpolicies']);
    await applyProfile(name, spec({ app: 'frontend' }));
    await eventually(async () => assert.deepEqual((await policies(ns)).find((p) => p.metadata.name === egress)?.spec?.podSelector, { matchLabels: { app: 'frontend' } }));
    await op.whenIdle();
    // The ingress policy's peer changes too; both are updated, nothing else is written.
    const changed = op.writes.total(['networkpolicies']) - before;
    assert.ok(changed >= 2 && changed <= 4, `writes for two updated policies (first update converts managedFields): ${changed}`);
    await deleteProfile(name);
    await eventually(async () => assert.deepEqual(await policyNames(ns), []));
  });

  it('leaves a user-owned NetworkPolicy with a colliding name alone and reports the conflict', async () => {
    const name = `clash-${run}`;
    const label = `seg-clash-${run}`;
    const spec = { namespaceSelector: { matchLabels: { [label]: 'on' } } };
    const ns = await createNamespace('clash');
    const userPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `seg.${name}.deny-all`, namespace: ns, labels: { owner: 'user' } }, spec: { podSelector: { matchLabels: { app: 'mine' } }, policyTypes: ['Ingress'] } };
    const created = await testApi().request<ObservedPolicy>('POST', POLICIES(ns), { body: userPolicy });
    await applyProfile(name, spec);
    await labelNamespace(ns, { [label]: 'on' });
    const others = expectedNames(name, spec, ns, { [label]: 'on' }).filter((n) => n !== userPolicy.metadata.name);
    await eventually(async () => assert.deepEqual(await policyNames(ns), others));
    await eventually(async () => {
      const p = await getProfile(name);
      assert.equal(p.status?.failedNamespaces?.[0]?.namespace, ns);
      assert.equal(p.status?.failedNamespaces?.[0]?.reason, 'Conflict');
      assert.equal(p.status?.conditions?.find((c: { type: string }) => c.type === 'Degraded')?.status, 'True');
    });
    await eventually(async () => {
      const events = await testApi().request<{ items: { reason: string; regarding: { name: string }; note: string }[] }>('GET', '/apis/events.k8s.io/v1/namespaces/default/events');
      assert.ok(events.items.some((e) => e.reason === 'PolicyConflict' && e.regarding.name === name && e.note.includes(ns)));
    });
    const after = (await policies(ns)).find((p) => p.metadata.name === userPolicy.metadata.name)!;
    assert.equal(after.metadata.resourceVersion, created.metadata.resourceVersion, 'never written');
    assert.equal(after.metadata.labels?.[MANAGED_BY_LABEL], undefined);
    // Deleting the profile prunes its policies but still leaves the user's alone.
    await deleteProfile(name);
    await eventually(async () => assert.deepEqual(await policyNames(ns), []));
    assert.equal((await policies(ns)).find((p) => p.metadata.name === userPolicy.metadata.name)?.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('a 15 s old name clash is not retried on a timer, and our policy appears within 2 s of the user deleting theirs', async () => {
    const name = `clash15-${run}`;
    const label = `seg-clash15-${run}`;
    const spec = { namespaceSelector: { matchLabels: { [label]: 'on' } } };
    const ns = await createNamespace('clash15');
    const taken = `seg.${name}.deny-all`;
    const userPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: taken, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    await testApi().request('POST', POLICIES(ns), { body: userPolicy });
    await applyProfile(name, spec);
    await labelNamespace(ns, { [label]: 'on' });
    await eventually(async () => assert.equal((await getProfile(name)).status?.failedNamespaces?.[0]?.reason, 'Conflict'));
    const conflicts = async () => (await op.metrics.conflicts.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await conflicts();
    await new Promise((r) => setTimeout(r, 15_000));
    // The old behaviour retried with a backoff doubling from 100 ms: about 8 more clashes in these 15 s.
    assert.equal(await conflicts(), before, 'no retry while nothing changed');
    assert.equal((await getProfile(name)).status?.failedNamespaces?.[0]?.reason, 'Conflict', 'still reported');
    await testApi().request('DELETE', `${POLICIES(ns)}/${taken}`);
    const deletedAt = Date.now();
    await eventually(async () => assert.ok((await policyNames(ns)).includes(taken)), { timeoutMs: 10_000, intervalMs: 25 });
    const took = Date.now() - deletedAt;
    process.stderr.write(`      [conflict] our ${taken} created ${took} ms after the user deleted theirs\n`);
    assert.ok(took < 2_000, `created ${took} ms after the deletion`);
    await eventually(async () => assert.deepEqual((await getProfile(name)).status?.failedNamespaces ?? [], []));
    await deleteProfile(name);
    // Its policies are pruned before the next test counts writes.
    await eventually(async () => assert.deepEqual(await policyNames(ns), []));
    await op.whenIdle();
  });

  it('DryRun writes nothing and says what it would do', async () => {
    const name = `dry-${run}`;
    const label = `seg-dry-${run}`;
    const spec = { mode: 'DryRun' as const, namespaceSelector: { matchLabels: { [label]: 'on' } } };
    const ns = await createNamespace('dry', { [label]: 'on' });
    // Writes of earlier tests may still be in flight (counted when their answer is read).
    await op.whenIdle();
    const writesBefore = op.writes.total(['networkpolicies']);
    await applyProfile(name, spec);
    const want = expectedNames(name, { namespaceSelector: spec.namespaceSelector }, ns, { [label]: 'on' });
    await eventually(async () => {
      const p = await getProfile(name);
      assert.equal(p.status?.dryRun?.wouldCreate, want.length);
      assert.equal(p.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.reason, 'DryRun');
      assert.ok(p.status?.dryRun?.sample.includes(`create ${ns}/${want[0]}`));
    });
    assert.deepEqual(await policyNames(ns), []);
    await op.whenIdle();
    assert.equal(op.writes.total(['networkpolicies']), writesBefore);
  });

  it('marks a profile that does not compile Ready=False and applies nothing from it', async () => {
    const name = `bad-${run}`;
    const label = `seg-bad-${run}`;
    const spec = { namespaceSelector: { matchLabels: { [label]: 'on' } }, allow: [{ name: 'meta', from: { podSelector: {} }, to: { ipBlock: { cidr: '169.254.169.254/32' } } }] };
    const ns = await createNamespace('bad', { [label]: 'on' });
    await applyProfile(name, spec);
    await eventually(async () => {
      const p = await getProfile(name);
      const ready = p.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      assert.equal(ready?.status, 'False');
      assert.equal(ready?.reason, 'InvalidProfile');
    });
    assert.deepEqual(await policyNames(ns), []);
  });

  it('skips a namespace being deleted without failing, and stops counting it', async () => {
    const name = `gone-${run}`;
    const label = `seg-gone-${run}`;
    const spec = { namespaceSelector: { matchLabels: { [label]: 'on' } } };
    await applyProfile(name, spec);
    const keep = await createNamespace('gone-keep', { [label]: 'on' });
    const doomed = await createNamespace('gone', { [label]: 'on' });
    await eventually(async () => assert.equal((await getProfile(name)).status?.matchedNamespaces, 2));
    const kept = await policies(keep);
    await testApi().request('DELETE', `/api/v1/namespaces/${doomed}`);
    await eventually(async () => {
      const p = await getProfile(name);
      assert.equal(p.status?.matchedNamespaces, 1);
      assert.equal(p.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status, 'True');
    });
    // Deleting one namespace touches nothing in another.
    assert.deepEqual((await policies(keep)).map((p) => p.metadata.resourceVersion), kept.map((p) => p.metadata.resourceVersion));
    await deleteProfile(name);
    await eventually(async () => assert.deepEqual(await policyNames(keep), []));
  });

  it('issues zero writes when restarted on an unchanged cluster', async () => {
    // Earlier tests end with their last change made; let its watch events arrive before calling it idle.
    await new Promise((r) => setTimeout(r, 500));
    await op.whenIdle();
    await op.stop();
    op = newOperator();
    await op.start();
    // Give it every chance to write: wait for the queue to drain and status to settle.
    await op.whenIdle();
    await new Promise((r) => setTimeout(r, 500));
    await op.whenIdle();
    assert.deepEqual(op.writes.snapshot(), {}, 'no write of any kind');
    const ns = await createNamespace('after-restart', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(`base-${run}`, baseSpec(), ns, { [sel]: 'on' })));
  });

  it('documents the regression: with the operator down, deleting a profile lets the garbage collector remove its policies', async function () {
    this.timeout(180_000);
    const name = `gc-${run}`;
    const label = `seg-gc-${run}`;
    const spec = { namespaceSelector: { matchLabels: { [label]: 'on' } } };
    await applyProfile(name, spec);
    const ns = await createNamespace('gc', { [label]: 'on' });
    await eventually(async () => assert.ok((await policyNames(ns)).length > 0));
    await op.stop();
    try {
      await deleteProfile(name);
      await eventually(async () => assert.deepEqual(await policyNames(ns), []), { timeoutMs: 150_000, intervalMs: 1_000 });
    } finally {
      op = newOperator();
      await op.start();
    }
  });

  it('converges after kube-apiserver restarts, without being restarted', async function () {
    this.timeout(240_000);
    await controlPlane().restartApiServer();
    const ns = await eventually(() => createNamespace('apiserver-restart', { [sel]: 'on' }), { timeoutMs: 60_000 });
    await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(`base-${run}`, baseSpec(), ns, { [sel]: 'on' })), { timeoutMs: 90_000 });
    const victim = (await policyNames(ns))[0]!;
    await testApi().request('DELETE', `${POLICIES(ns)}/${victim}`);
    await eventually(async () => assert.ok((await policyNames(ns)).includes(victim)), { timeoutMs: 60_000 });
    const restarts = await op.metrics.registry.getSingleMetric('segmentation_watch_restarts_total')!.get();
    assert.ok(restarts.values.reduce((n, v) => n + v.value, 0) >= 1, 'the watch restarts were counted');
  });
});
