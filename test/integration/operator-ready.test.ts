// Honest Ready (GitOps health): a rollout slow enough that the status is written while it is under way
// (one worker, a low client rate limit, the status written at the latest 50 ms after a change) must report
// Ready=False/Progressing with Reconciling=True until every selected namespace has the current
// generation's policies, and Ready=True only then. Every status the profile goes through is seen by a watch
// on the profile (the test's own Informer), and checked against the policies at that moment.
import assert from 'node:assert/strict';
import type { Operator } from '../../src/controller/operator.js';
import { PROFILES_PATH, type ProfileObject } from '../../src/kube/api.js';
import { Informer } from '../../src/kube/informer.js';
import { eventually } from './hooks.js';
import { applyProfile, createNamespace, ensureCrd, expectedNames, getProfile, newOperator, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';

type Condition = { type: string; status: string; reason: string; observedGeneration?: number };
const conditionOf = (p: ProfileObject, type: string) => ((p.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);

describe('operator: Ready only when every selected namespace has the current generation (integration)', function () {
  this.timeout(180_000);
  const run = uid();
  const sel = `seg-ready-${run}`;
  const name = `ready-${run}`;
  const spec = (port: number) => ({ namespaceSelector: { matchLabels: { [sel]: 'on' } }, allow: [{ name: 'web', from: { podSelector: { matchLabels: { app: 'a' } } }, to: { podSelector: { matchLabels: { app: 'b' } } }, ports: [{ port }] }] });
  const namespaces: string[] = [];
  let op: Operator | undefined;
  let watch: Informer<ProfileObject> | undefined;
  /** Every status the profile went through, in order. */
  const seen: { ready?: Condition; reconciling?: Condition; matched: number }[] = [];

  before(async function () {
    this.timeout(120_000);
    await ensureCrd();
    for (let i = 0; i < 12; i++) namespaces.push(await createNamespace('ready', { [sel]: 'on' }));
    watch = new Informer<ProfileObject>(testApi(), { name: 'profile', path: PROFILES_PATH, fieldSelector: `metadata.name=${name}` });
    const record = (p: ProfileObject) => {
      if (!p.status) return;
      seen.push({ ready: conditionOf(p, 'Ready'), reconciling: conditionOf(p, 'Reconciling'), matched: (p.status as { matchedNamespaces?: number }).matchedNamespaces ?? 0 });
    };
    watch.on({ add: record, update: (_o, p) => record(p) });
    await watch.start();
  });

  after(async function () {
    this.timeout(120_000);
    await op?.stop();
    await watch?.stop();
    await runCleanups();
  });

  async function rollOut(port: number): Promise<number> {
    const from = seen.length;
    await applyProfile(name, spec(port));
    const generation = (await getProfile(name)).metadata.generation;
    await eventually(
      async () => {
        const last = seen.at(-1);
        assert.ok(last && last.ready?.observedGeneration === generation && last.ready.status === 'True', JSON.stringify(last));
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    for (const ns of namespaces) assert.deepEqual(await policyNames(ns), expectedNames(name, spec(port), ns, { [sel]: 'on' }), ns);
    // The statuses written for this generation (the first events after the update still carry the old one).
    const during = seen.slice(from).filter((s) => s.ready?.observedGeneration === generation);
    // Mid-rollout statuses were written (the test is only meaningful if so) and none of them said Ready.
    const progressing = during.filter((s) => s.ready?.status === 'False');
    assert.ok(progressing.length > 0, `no status was written during the rollout: ${JSON.stringify(during)}`);
    for (const s of progressing) {
      assert.equal(s.ready?.reason, 'Progressing', JSON.stringify(s));
      assert.equal(s.reconciling?.status, 'True', JSON.stringify(s));
    }
    const firstReady = during.findIndex((s) => s.ready?.status === 'True');
    assert.ok(during.slice(firstReady).every((s) => s.ready?.status === 'True' && s.ready.observedGeneration === generation && s.reconciling?.status === 'False'), JSON.stringify(during));
    return generation;
  }

  it('a new profile: Progressing while the rollout runs, Ready once every namespace has its policies', async () => {
    op = newOperator({ workers: 1, qps: 8, burst: 1, statusDebounceMs: 10, statusMaxDelayMs: 50 });
    await op.start();
    await rollOut(8080);
  });

  it('a spec change: Progressing for the new generation (a Ready of the previous one does not carry over), then Ready', async () => {
    const generation = await rollOut(9090);
    assert.ok(generation >= 2);
  });

  it('a restart on an unchanged cluster keeps Ready as it is: no status write', async () => {
    const before = seen.length;
    await op!.stop();
    op = newOperator({ workers: 1, qps: 8, burst: 1, statusDebounceMs: 10, statusMaxDelayMs: 50 });
    await op.start();
    await op.whenIdle();
    assert.equal(op.writes.total(), 0, JSON.stringify(op.writes.snapshot()));
    assert.equal(seen.length, before, JSON.stringify(seen.slice(before)));
  });
});
