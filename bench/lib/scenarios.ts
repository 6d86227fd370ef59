// The benchmark scenarios, independent of which control plane they run on: bench/run.ts drives them
// at scale on its own control plane, test/integration/bench-smoke.test.ts at a tiny scale on the test
// control plane (correctness only). Every "policy is there" moment comes from the driver's own watch
// (PolicyWatch), never from the operator.
import type { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { GROUP, PLURAL, VERSION, type SegmentationProfileInput } from '../../src/api/profile.js';
import { FIELD_MANAGER } from '../../src/compile/labels.js';
import { renderNamespace } from '../../src/compile/render.js';
import { withOwner } from '../../src/controller/plan.js';
import { understandProfile } from '../../src/controller/profiles.js';
import { createPolicy, type ProfileObject } from '../../src/kube/api.js';
import type { KubeClient } from '../../src/kube/client.js';
import { apiserverCpuSeconds, diffTotals, readRequestCounts, readWriteTotals, topDiff } from './apiserver-metrics.js';
import { createNamespace, pool, withRetry } from './kube.js';
import { OperatorProcess, diffWrites, policyWrites, statusWrites, type ReadyInfo, type SpawnOptions } from './operator-process.js';
import { BENCH_LABEL, benchProfile, renderedNames } from './profile.js';
import { cpuDiff, type CpuBreakdown, type CpuMeter } from './proc-cpu.js';
import type { PolicyWatch } from './policy-watch.js';
import { percentile } from './stats.js';

export interface BenchContext {
  kc: KubeConfig;
  /** Unlimited client for the driver's own requests. */
  client: KubeClient;
  watch: PolicyWatch;
  /** Value of BENCH_LABEL on every namespace the profile selects; also part of names. */
  runId: string;
  profileName: string;
  log: (message: string) => void;
  /** Quiet time after the operator reports idle before counting writes (status is debounced). */
  settleMs?: number;
  /** CPU accounting of the control plane, the operator and the driver (bench/run.ts only). */
  cpu?: CpuMeter;
}

const PROFILE_PATH = (name: string) => `/apis/${GROUP}/${VERSION}/${PLURAL}/${encodeURIComponent(name)}`;

export function namespaceNames(prefix: string, count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + offset).padStart(5, '0')}`);
}

/** Creates (server-side applies) the benchmark profile and returns it as stored (uid, generation). */
export async function applyProfile(ctx: BenchContext, withFanoutRule = false): Promise<ProfileObject> {
  return ctx.client.request<ProfileObject>('PATCH', PROFILE_PATH(ctx.profileName), {
    query: { fieldManager: `${FIELD_MANAGER}-bench`, force: true },
    body: benchProfile(ctx.profileName, ctx.runId, withFanoutRule),
    contentType: 'application/apply-patch+yaml',
  });
}

export async function deleteProfile(ctx: BenchContext): Promise<void> {
  await ctx.client.request('DELETE', PROFILE_PATH(ctx.profileName)).catch(() => {});
}

export function expectedNames(ctx: BenchContext, withFanoutRule = false): string[] {
  return renderedNames(benchProfile(ctx.profileName, ctx.runId, withFanoutRule), ctx.runId);
}

const elapsed = (from: number, to = performance.now()) => (to - from) / 1000;

async function cpuOf(ctx: BenchContext): Promise<number> {
  return apiserverCpuSeconds(ctx.kc).catch(() => Number.NaN);
}

export interface ConvergenceResult {
  seconds: number;
  namespaces: number;
  policies: number;
  /** kube-apiserver CPU seconds used during the run (process_cpu_seconds_total). */
  apiserverCpuSeconds: number;
  /** Driver (this process) CPU seconds during the run. */
  driverCpuSeconds: number;
  /** The largest request counts kube-apiserver served during the run, by verb and resource. */
  apiserverRequests: Record<string, number>;
  /** CPU seconds per process during the run, `other` = the rest of the machine, `idle` (from /proc). */
  cpuBreakdown?: CpuBreakdown;
}

async function countsOf(ctx: BenchContext): Promise<Map<string, number>> {
  return readRequestCounts(ctx.kc).catch(() => new Map<string, number>());
}

async function timed(ctx: BenchContext, names: string[], expected: string[], work: () => Promise<void>): Promise<ConvergenceResult> {
  const cpu0 = await cpuOf(ctx);
  const req0 = await countsOf(ctx);
  const proc0 = ctx.cpu?.read();
  const driver0 = process.cpuUsage();
  const t0 = performance.now();
  const done = ctx.watch.waitFor(names, expected);
  const progress = setInterval(() => ctx.log(`  ... ${ctx.watch.pending()} policies still missing`), 10_000);
  try {
    await work();
    const doneAt = await done;
    const last = Math.max(...doneAt.values());
    const driver = process.cpuUsage(driver0);
    const proc1 = ctx.cpu?.read();
    return {
      ...(proc0 && proc1 ? { cpuBreakdown: cpuDiff(proc1, proc0) } : {}),
      seconds: elapsed(t0, last),
      namespaces: names.length,
      policies: names.length * expected.length,
      apiserverCpuSeconds: (await cpuOf(ctx)) - cpu0,
      driverCpuSeconds: (driver.user + driver.system) / 1e6,
      apiserverRequests: topDiff(await countsOf(ctx), req0),
    };
  } finally {
    clearInterval(progress);
  }
}

/**
 * Operator convergence: create `names` (selected by the profile) with `concurrency` creates in flight
 * while the operator runs; the time from the first create to the moment the driver's watch has seen
 * every expected policy in every namespace.
 */
export async function operatorConvergence(ctx: BenchContext, names: string[], concurrency: number): Promise<ConvergenceResult> {
  const expected = expectedNames(ctx);
  return timed(ctx, names, expected, () => pool(names, concurrency, (ns) => withRetry(() => createNamespace(ctx.client, ns, { [BENCH_LABEL]: ctx.runId }))));
}

/**
 * Baseline: a minimal client, no operator. The same namespaces (same labels) created with the same
 * concurrency; after each namespace's create returns, exactly the objects the operator would create
 * (renderNamespace + the owner reference, POSTed with the operator's field manager), in parallel as
 * the operator's reconcile does. Timed the same way, through the same watch.
 */
export async function baselineConvergence(ctx: BenchContext, names: string[], concurrency: number, profile: ProfileObject): Promise<ConvergenceResult> {
  const createPolicies = baselinePolicyCreator(ctx, profile);
  return timed(ctx, names, expectedNames(ctx), () =>
    pool(names, concurrency, async (ns) => {
      await withRetry(() => createNamespace(ctx.client, ns, { [BENCH_LABEL]: ctx.runId }));
      await createPolicies(ns);
    }),
  );
}

/** The baseline's policy step: exactly what the operator creates in a new namespace, POSTed in parallel. */
export function baselinePolicyCreator(ctx: BenchContext, profile: ProfileObject): (ns: string) => Promise<void> {
  const known = understandProfile(profile);
  const compiled = known.view.compiled;
  if (!compiled) throw new Error(`benchmark profile does not compile: ${known.errors.join('; ')}`);
  return async (ns) => {
    const policies = renderNamespace(compiled, { name: ns, labels: { [BENCH_LABEL]: ctx.runId } }).map((p) => withOwner(p, known.view));
    await Promise.all(policies.map((p) => withRetry(() => createPolicy(ctx.client, p))));
  };
}

export interface BootstrapResult {
  namespaces: number;
  /** Requested and achieved namespace creation rate (per second). */
  rate: number;
  achievedRate: number;
  /** From the namespace create call's return to all its policies seen by the driver's watch. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The same, measured from the moment the create request was sent. */
  fromRequestP99Ms: number;
  createP99Ms: number;
  apiserverRequests: Record<string, number>;
  cpuBreakdown?: CpuBreakdown;
}

/**
 * Namespaces created open-loop at `rate` per second while the operator runs; per-namespace latency.
 * `afterCreate` (the baseline) creates the policies itself once the namespace create has returned.
 */
export async function bootstrapLatency(ctx: BenchContext, names: string[], rate: number, expected = expectedNames(ctx), afterCreate?: (ns: string) => Promise<void>): Promise<BootstrapResult> {
  const req0 = await countsOf(ctx);
  const proc0 = ctx.cpu?.read();
  const sent = new Map<string, number>();
  const returned = new Map<string, number>();
  const done = ctx.watch.waitFor(names, expected);
  const t0 = performance.now();
  const creates: Promise<void>[] = [];
  for (let i = 0; i < names.length; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const ns = names[i]!;
    sent.set(ns, performance.now());
    creates.push(
      withRetry(() => createNamespace(ctx.client, ns, { [BENCH_LABEL]: ctx.runId })).then(() => {
        returned.set(ns, performance.now());
        return afterCreate?.(ns);
      }),
    );
  }
  await Promise.all(creates);
  const lastReturn = Math.max(...returned.values());
  const doneAt = await done;
  const proc1 = ctx.cpu?.read();
  const fromReturn = names.map((ns) => doneAt.get(ns)! - returned.get(ns)!);
  const fromRequest = names.map((ns) => doneAt.get(ns)! - sent.get(ns)!);
  const createMs = names.map((ns) => returned.get(ns)! - sent.get(ns)!);
  return {
    namespaces: names.length,
    rate,
    achievedRate: names.length / elapsed(t0, lastReturn),
    p50Ms: percentile(fromReturn, 50),
    p95Ms: percentile(fromReturn, 95),
    p99Ms: percentile(fromReturn, 99),
    maxMs: Math.max(...fromReturn),
    fromRequestP99Ms: percentile(fromRequest, 99),
    createP99Ms: percentile(createMs, 99),
    apiserverRequests: topDiff(await countsOf(ctx), req0),
    ...(proc0 && proc1 ? { cpuBreakdown: cpuDiff(proc1, proc0) } : {}),
  };
}

/** Waits until the operator is idle, stays idle for `settleMs`, and is idle again. */
export async function settle(ctx: BenchContext, op: OperatorProcess): Promise<void> {
  await op.idle();
  await sleep(ctx.settleMs ?? 2_000);
  await op.idle();
}

export interface RestartResult {
  /** Writes to networkpolicies counted by the restarted operator itself. */
  writes: number;
  /** Mutating networkpolicies requests counted by kube-apiserver (apiserver_request_total) over the restart. */
  apiserverWrites: number;
  /** Profile status writes (operator's count / kube-apiserver's count); zero expected too. */
  statusWrites: number;
  apiserverStatusWrites: number;
  /** Every write the restarted operator made, by resource/verb. */
  writesByKind: Record<string, number>;
  /** Operator.start() until caches synced (what /readyz reports). */
  readySeconds: number;
  /** Process spawn (node and tsx start-up included) until caches synced. */
  processReadySeconds: number;
  /** Operator.start() until its first full pass over every namespace finished (queue idle). */
  resyncedSeconds: number;
  apiserverRequests: Record<string, number>;
}

/**
 * Zero-write steady state: gracefully stop the running operator on a converged cluster, start a new
 * one, let it re-check every namespace, count writes both ways.
 */
export async function restartOperator(ctx: BenchContext, current: OperatorProcess, spawn: () => Promise<{ proc: OperatorProcess; ready: ReadyInfo }>): Promise<{ result: RestartResult; proc: OperatorProcess }> {
  await settle(ctx, current);
  await current.stop();
  const before = await readWriteTotals(ctx.kc);
  const req0 = await countsOf(ctx);
  const { proc, ready } = await spawn();
  const readyAt = performance.now();
  await proc.idle();
  const resyncedSeconds = ready.startSeconds + elapsed(readyAt);
  await settle(ctx, proc);
  const stats = await proc.stats();
  const api = diffTotals(await readWriteTotals(ctx.kc), before);
  return {
    proc,
    result: {
      writes: policyWrites(stats.writes),
      apiserverWrites: api.networkpolicies,
      statusWrites: statusWrites(stats.writes),
      apiserverStatusWrites: api.profileStatus,
      writesByKind: stats.writes,
      readySeconds: ready.startSeconds,
      processReadySeconds: ready.sinceSpawnSeconds,
      resyncedSeconds,
      apiserverRequests: topDiff(await countsOf(ctx), req0),
    },
  };
}

export interface FanoutResult {
  namespaces: number;
  /** From the profile update's return to the new policy seen in every namespace. */
  seconds: number;
  /** Writes to networkpolicies by the operator (expected: exactly one per namespace). */
  writes: number;
  apiserverWrites: number;
  /** Profile status writes, counted separately. */
  statusWrites: number;
  writesByKind: Record<string, number>;
  apiserverRequests: Record<string, number>;
  /** The operator's event-loop delay during the fan-out. */
  loopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
}

/** Profile change fan-out: add one rule (one new policy per namespace) on a converged cluster. */
export async function profileFanout(ctx: BenchContext, op: OperatorProcess, namespaces: string[]): Promise<FanoutResult> {
  await settle(ctx, op);
  const s0 = await op.stats({ resetLoopDelay: true });
  const a0 = await readWriteTotals(ctx.kc);
  const req0 = await countsOf(ctx);
  const before = new Set(expectedNames(ctx));
  const added = expectedNames(ctx, true).filter((n) => !before.has(n));
  const done = ctx.watch.waitFor(namespaces, added);
  await applyProfile(ctx, true);
  const tPatched = performance.now();
  const doneAt = await done;
  const seconds = elapsed(tPatched, Math.max(tPatched, ...doneAt.values()));
  const { loopDelay } = await op.stats();
  await settle(ctx, op);
  const s1 = await op.stats();
  const api = diffTotals(await readWriteTotals(ctx.kc), a0);
  const writes = diffWrites(s1.writes, s0.writes);
  return {
    namespaces: namespaces.length,
    seconds,
    writes: policyWrites(writes),
    apiserverWrites: api.networkpolicies,
    statusWrites: statusWrites(writes),
    writesByKind: writes,
    apiserverRequests: topDiff(await countsOf(ctx), req0),
    loopDelay,
  };
}

export function spawner(opts: SpawnOptions): () => Promise<{ proc: OperatorProcess; ready: ReadyInfo }> {
  return () => OperatorProcess.start(opts);
}

export type { SegmentationProfileInput };
