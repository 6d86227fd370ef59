// The benchmark's scenarios (bench/lib/scenarios.ts) at a tiny scale against this run's control plane:
// correctness only, no timing assertions. The operator runs as the benchmark runs it, in a child
// process (through tsx here, to skip the build step).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { readWriteTotals } from '../../bench/lib/apiserver-metrics.js';
import { unlimitedClient } from '../../bench/lib/kube.js';
import { OperatorProcess, policyWrites } from '../../bench/lib/operator-process.js';
import { PolicyWatch } from '../../bench/lib/policy-watch.js';
import {
  applyProfile,
  baselineConvergence,
  bootstrapLatency,
  deleteProfile,
  expectedNames,
  namespaceNames,
  operatorConvergence,
  profileFanout,
  restartOperator,
  settle,
  spawner,
  type BenchContext,
} from '../../bench/lib/scenarios.js';
import { NAMESPACES_PATH } from '../../src/kube/api.js';
import { installCrd } from './crd-install.js';
import { controlPlane, eventually, kubeConfig } from './hooks.js';

const N = 20;

describe('benchmark smoke test (bench/ scenarios at N=20)', function () {
  this.timeout(240_000);
  const id = randomBytes(3).toString('hex');
  const created: string[] = [];
  let ctx: BenchContext;
  let kc: KubeConfig;
  let proc: OperatorProcess | undefined;
  let spawn: ReturnType<typeof spawner>;

  before(async () => {
    kc = kubeConfig();
    const client = unlimitedClient(kc);
    ctx = { kc, client, watch: new PolicyWatch(kc, client), runId: `smoke-${id}`, profileName: `bench-smoke-${id}`, log: () => {}, settleMs: 500 };
    spawn = spawner({ kubeconfigPath: controlPlane().kubeconfigPath, workers: 4, logLevel: 'warn', logFile: join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'operator.log'), runtime: 'tsx' });
    await installCrd(kc);
    await ctx.watch.start();
  });

  after(async () => {
    if (!ctx) return;
    await proc?.stop().catch(() => proc?.kill());
    await ctx.watch.stop();
    await deleteProfile(ctx);
    await Promise.all(created.map((ns) => ctx.client.request('DELETE', `${NAMESPACES_PATH}/${ns}`).catch(() => {})));
  });

  /** Other tests' namespaces being deleted make the namespace controller delete their policies: wait until none are counted. */
  async function quietPolicyWrites(): Promise<void> {
    await eventually(
      async () => {
        const a = await readWriteTotals(kc);
        await sleep(1_500);
        const b = await readWriteTotals(kc);
        assert.equal(b.networkpolicies - a.networkpolicies, 0, 'other NetworkPolicy writes are still going on in the cluster');
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
  }

  it('baseline and operator create the same objects; restart writes nothing; fan-out writes one policy per namespace; bootstrap converges', async () => {
    const profile = await applyProfile(ctx);
    const expected = expectedNames(ctx);
    assert.equal(expected.length, 4);

    // Baseline first: the minimal client creates what the operator would, with no operator running.
    const baselineNames = namespaceNames(`bsb-${id}`, N);
    created.push(...baselineNames);
    const baseline = await baselineConvergence(ctx, baselineNames, 4, profile);
    assert.equal(baseline.policies, N * 4);
    for (const ns of baselineNames) assert.deepEqual(ctx.watch.names(ns).sort(), [...expected].sort(), ns);

    // The operator then finds the baseline namespaces already converged: the objects are identical.
    ({ proc } = await spawn());
    await settle(ctx, proc);
    assert.equal(policyWrites((await proc.stats()).writes), 0, 'the operator rewrote objects the baseline created: they are not the same objects');

    // Convergence.
    const names = namespaceNames(`bso-${id}`, N);
    created.push(...names);
    const convergence = await operatorConvergence(ctx, names, 4);
    assert.equal(convergence.policies, N * 4);
    for (const ns of names) assert.deepEqual(ctx.watch.names(ns).sort(), [...expected].sort(), ns);
    await settle(ctx, proc);
    assert.equal(policyWrites((await proc.stats()).writes), N * 4, 'one create per policy, nothing else');

    // Zero writes after a restart, by the operator's count and by kube-apiserver's.
    await quietPolicyWrites();
    const restarted = await restartOperator(ctx, proc, spawn);
    proc = restarted.proc;
    assert.equal(restarted.result.writes, 0, JSON.stringify(restarted.result.writesByKind));
    assert.equal(restarted.result.apiserverWrites, 0);
    assert.ok(restarted.result.readySeconds > 0);

    // Fan-out: one new policy in every selected namespace (the baseline's too), one write each.
    await quietPolicyWrites();
    const all = [...baselineNames, ...names];
    const fanout = await profileFanout(ctx, proc, all);
    assert.equal(fanout.writes, all.length, JSON.stringify(fanout.writesByKind));
    assert.equal(fanout.apiserverWrites, all.length);
    const withRule = expectedNames(ctx, true);
    for (const ns of all) assert.deepEqual(ctx.watch.names(ns).sort(), [...withRule].sort(), ns);

    // Bootstrap at a steady rate: every namespace gets its policies; latencies are finite.
    const bootNames = namespaceNames(`bsn-${id}`, 10);
    created.push(...bootNames);
    const boot = await bootstrapLatency(ctx, bootNames, 20, withRule);
    assert.equal(boot.namespaces, 10);
    assert.ok(Number.isFinite(boot.p99Ms) && Number.isFinite(boot.maxMs));

    const stats = await proc.stats({ gc: true });
    assert.ok(stats.peakRssMb > 0 && stats.afterGc !== undefined);
  });
});
