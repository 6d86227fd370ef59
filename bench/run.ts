// `npm run bench`: the operator at scale on its own real control plane (etcd + kube-apiserver +
// kube-controller-manager, started here and stopped at the end), side by side with a minimal baseline
// client. Prints a table and writes bench/results/latest.json, a dated copy, report.md and SVG charts.
// docs/benchmark.md explains every number.
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { entrypointNodeFlags } from '../test/unit/manifests/dockerfile.js';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBinaries, type Binaries } from '../src/devcluster/binaries.js';
import { startControlPlane, type ControlPlane } from '../src/devcluster/controlplane.js';
import { installCrd } from './lib/cluster.js';
import { loadKubeConfig, unlimitedClient } from './lib/kube.js';
import { buildChild, measureImportCost, type ChildRuntime, type ImportCost, type OperatorProcess } from './lib/operator-process.js';
import { PolicyWatch } from './lib/policy-watch.js';
import { controlPlanePids, CpuMeter } from './lib/proc-cpu.js';
import { renderMarkdown, renderTable, writeCharts } from './lib/report.js';
import { checkTargets, type BenchOptions, type BenchResults, type LoopDelay, type Machine, type ScaleResult } from './lib/results.js';
import {
  applyProfile,
  baselineConvergence,
  baselinePolicyCreator,
  bootstrapLatency,
  expectedNames,
  namespaceNames,
  operatorConvergence,
  profileFanout,
  restartOperator,
  settle,
  spawner,
  type BenchContext,
  type ConvergenceResult,
} from './lib/scenarios.js';
import { median, round } from './lib/stats.js';
import { measureDataplaneBootstrap, type DataplaneBootstrap } from './lib/dataplane-bootstrap.js';

const OPERATOR_DEFAULT_WORKERS = 12;

const list = (v: string) => v.split(',').map((s) => Number(s.trim()));
const int = (v: string) => Number.parseInt(v, 10);

const program = new Command('bench')
  .description('Benchmark the operator on its own local control plane (see docs/benchmark.md)')
  .option('--scales <list>', 'namespace counts, comma-separated', list, [1000])
  .option('--rate <n>', 'bootstrap: namespaces created per second', Number, 50)
  .option('--bootstrap-count <n>', 'bootstrap: namespaces created at --rate', int, 500)
  .option('--workers <n>', 'operator workers (concurrent namespace reconciles)', int, OPERATOR_DEFAULT_WORKERS)
  .option('--concurrency <n>', 'namespace creates in flight, for the operator run and the baseline (default: --workers)', int)
  .option('--qps <n>', "operator's client-side rate limit (default: the operator's default)", Number)
  .option('--burst <n>', "operator's client-side burst (default: the operator's default)", int)
  .option('--rounds <n>', 'convergence runs per scale, alternating baseline/operator order (ABBA) to cancel drift', int, 1)
  .option('--log-level <level>', "operator log level (its logs go to a file; 'info' is the operator's default)", 'info')
  .option('--settle-ms <n>', 'quiet time before counting writes', int, 2000)
  .option('--runtime <kind>', "operator child: 'compiled' (tsc output, as in production) or 'tsx'", 'compiled')
  .option('--operator-node-options <flags>', "node flags for the operator process, space-separated (default: what ships: the Dockerfile ENTRYPOINT's node flags and the Deployment's NODE_OPTIONS; the Deployment's MALLOC_* variables are passed too)")
  .option('--operator-env <NAME=VALUE...>', 'extra environment for the operator process, over the Deployment\'s (experiments: what ships is what manifests/deployment.yaml sets)')
  .option('--cpu-prof', 'write a V8 CPU profile of every operator process (node --cpu-prof)', false)
  .option('--dataplane-namespaces <n>', 'data-plane bootstrap window: namespaces measured on a real NetworkPolicy engine (needs root; 0 = off)', int, 30)
  .option('--out <dir>', 'results directory', 'bench/results')
  .option('--no-write', 'print the table only; do not write results files');

/**
 * The environment the Deployment gives the operator container (NODE_OPTIONS, glibc's MALLOC_* tunables): the
 * benchmark measures the shipped configuration.
 */
function manifestEnv(): Record<string, string> {
  const deployment = parseYaml(readFileSync(resolve('manifests/deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } };
  const env = deployment.spec.template.spec.containers[0]?.env ?? [];
  return Object.fromEntries(env.filter((e) => e.value !== undefined && (e.name === 'NODE_OPTIONS' || e.name.startsWith('MALLOC_'))).map((e) => [e.name, e.value!]));
}

/** The node flags of the image's ENTRYPOINT (V8 flags node refuses in NODE_OPTIONS live there). */
function imageNodeFlags(): string[] {
  return entrypointNodeFlags(readFileSync(resolve('Dockerfile'), 'utf8'));
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface Cluster {
  cp: ControlPlane;
  ctx: BenchContext;
  stop(): Promise<void>;
}

async function freshCluster(binaries: Binaries, runId: string, settleMs: number): Promise<Cluster> {
  const cp = await startControlPlane({ binaries, handleSignals: true });
  const kc = loadKubeConfig(cp.kubeconfigPath);
  const client = unlimitedClient(kc);
  await installCrd(client);
  const watch = new PolicyWatch(kc, client);
  await watch.start();
  const cpu = new CpuMeter({ ...controlPlanePids(cp.dataDir), driver: process.pid });
  const ctx: BenchContext = { kc, client, watch, runId, profileName: 'bench', log, settleMs, cpu };
  return {
    cp,
    ctx,
    async stop() {
      await watch.stop();
      await cp.stop();
    },
  };
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    scales: number[];
    rate: number;
    bootstrapCount: number;
    workers: number;
    concurrency?: number;
    qps?: number;
    burst?: number;
    rounds: number;
    logLevel: 'error' | 'warn' | 'info' | 'debug';
    settleMs: number;
    cpuProf: boolean;
    runtime: ChildRuntime;
    operatorNodeOptions?: string;
    operatorEnv?: string[];
    out: string;
    write: boolean;
    dataplaneNamespaces: number;
  }>();
  if (o.scales.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--scales: positive integers, comma-separated');
  const options: BenchOptions = {
    scales: o.scales,
    rate: o.rate,
    bootstrapCount: o.bootstrapCount,
    workers: o.workers,
    concurrency: o.concurrency ?? o.workers,
    ...(o.qps !== undefined ? { qps: o.qps } : {}),
    ...(o.burst !== undefined ? { burst: o.burst } : {}),
    rounds: Math.max(1, o.rounds),
    logLevel: o.logLevel,
    settleMs: o.settleMs,
    cpuProf: o.cpuProf,
    runtime: o.runtime,
    operatorNodeOptions: o.operatorNodeOptions !== undefined ? o.operatorNodeOptions.split(/\s+/).filter(Boolean) : [...imageNodeFlags(), ...(manifestEnv().NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)],
    operatorEnv: {
      ...Object.fromEntries(Object.entries(manifestEnv()).filter(([k]) => k !== 'NODE_OPTIONS')),
      ...Object.fromEntries((o.operatorEnv ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    },
  };
  for (const kv of o.operatorEnv ?? []) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(kv)) throw new Error(`--operator-env: expected NAME=VALUE, got ${JSON.stringify(kv)}`);
  if (o.runtime !== 'compiled' && o.runtime !== 'tsx') throw new Error("--runtime: 'compiled' or 'tsx'");
  const work = mkdtempSync(join(tmpdir(), 'segmentation-bench-'));
  log(`operator logs and profiles: ${work}`);
  const binaries = await ensureBinaries({ onProgress: log });
  const code = sourceState();
  log(`operator source: ${code.commit}${code.uncommittedSourceFiles.length > 0 ? ` plus uncommitted changes in ${code.uncommittedSourceFiles.join(', ')}` : ''}`);
  let importCost: ImportCost | undefined;
  if (options.runtime === 'compiled') {
    log('compiling the operator child (tsc -p bench/tsconfig.child.json)');
    await buildChild();
    importCost = await measureImportCost();
    log(`code alone: node ${importCost.nodeRssMb.toFixed(0)} MB RSS, operator modules ${importCost.operatorCodeRssMb.toFixed(0)} MB (for comparison, node + @kubernetes/client-node ${importCost.clientNodeRssMb.toFixed(0)} MB)`);
  }

  let version = 'unknown';
  const loadBefore = loadavg().map((v) => round(v, 2));
  const scales: ScaleResult[] = [];
  let bootstrap: { dataplane: DataplaneBootstrap } | { skipped: string } | undefined;
  const startedAt = new Date().toISOString();
  /** Writes the results so far (after every scale, so a failure at a large scale keeps the smaller ones). */
  const emit = (final: boolean) => {
    const machine: Machine = {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: round(totalmem() / 1024 ** 3, 1),
      os: `${platform()} ${release()}`,
      node: process.version,
      kubeApiserver: version,
      etcd: binaries.versions.etcd,
      date: startedAt,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg().map((v) => round(v, 2)),
    };
    const results: BenchResults = { machine, code, options, method: METHOD, ...(importCost ? { importCost: roundAll(importCost) } : {}), scales, ...(bootstrap ? { bootstrap: 'skipped' in bootstrap ? bootstrap : bootstrap.dataplane } : {}) };
    if (final) {
      process.stdout.write(`${renderTable(results)}\n`);
      for (const t of checkTargets(results)) process.stdout.write(`${t.met ? 'met    ' : 'NOT met'}  N=${t.n}  ${t.target}: ${t.value}\n`);
      if (results.bootstrap && 'dataplaneP99Ms' in results.bootstrap) {
        const b = results.bootstrap;
        process.stdout.write(`bootstrap.dataplaneP50Ms ${b.dataplaneP50Ms}  bootstrap.dataplaneP99Ms ${b.dataplaneP99Ms}  (max ${b.dataplaneMaxMs}; policy in the API p50 ${b.apiP50Ms} / p99 ${b.apiP99Ms} ms; ${b.namespaces} namespaces, ${b.engine})\n`);
      } else if (results.bootstrap) process.stdout.write(`bootstrap.dataplane: skipped (${results.bootstrap.skipped})\n`);
    }
    if (!o.write) return;
    const out = resolve(o.out);
    mkdirSync(out, { recursive: true });
    const json = `${JSON.stringify(results, null, 2)}\n`;
    writeFileSync(join(out, 'latest.json'), json);
    const stamp = startedAt.slice(0, 16).replace(/:/g, '-');
    writeFileSync(join(out, `${stamp}.json`), json);
    writeCharts(results, out);
    writeFileSync(join(out, 'report.md'), renderMarkdown(results));
    log(`wrote ${join(out, 'latest.json')}, ${stamp}.json, report.md and charts${final ? '' : ` (${scales.length} of ${options.scales.length} scales so far)`}`);
  };
  for (const n of options.scales) {
    const started = performance.now();
    log(`=== scale ${n} ===`);
    const operatorSamples: number[] = [];
    const baselineSamples: number[] = [];
    let lastBaseline: ConvergenceResult | undefined;
    let baselineBootstrap: ScaleResult['bootstrap']['baseline'] | undefined;
    let full: (Omit<ScaleResult, 'convergence' | 'wallSeconds' | 'n'> & { convergence: ConvergenceResult; operatorCpu: number; operatorLoopDelay: LoopDelay }) | undefined;
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? (['baseline', 'operator'] as const) : (['operator', 'baseline'] as const);
      for (const kind of order) {
        const runId = `s${n}-r${r}-${kind}`;
        const cluster = await freshCluster(binaries, runId, options.settleMs);
        version = cluster.cp.version;
        try {
          if (kind === 'baseline') {
            const profile = await applyProfile(cluster.ctx);
            log(`baseline round ${r + 1}: ${n} namespaces, ${expectedNames(cluster.ctx).length} policies each, concurrency ${options.concurrency}`);
            lastBaseline = await baselineConvergence(cluster.ctx, namespaceNames('bl', n), options.concurrency, profile);
            baselineSamples.push(lastBaseline.seconds);
            log(`baseline: ${lastBaseline.seconds.toFixed(2)} s`);
            if (r === options.rounds - 1) {
              // The same bootstrap as the operator's (same profile, 5 policies), by the minimal client.
              const withRule = await applyProfile(cluster.ctx, true);
              const boot = await bootstrapLatency(cluster.ctx, namespaceNames('boot', options.bootstrapCount), options.rate, expectedNames(cluster.ctx, true), baselinePolicyCreator(cluster.ctx, withRule));
              baselineBootstrap = { p50Ms: round(boot.p50Ms, 1), p95Ms: round(boot.p95Ms, 1), p99Ms: round(boot.p99Ms, 1), maxMs: round(boot.maxMs, 1), createP99Ms: round(boot.createP99Ms, 1), apiserverRequests: boot.apiserverRequests, ...(boot.cpuBreakdown ? { cpuBreakdown: boot.cpuBreakdown } : {}) };
              log(`baseline bootstrap: p50 ${boot.p50Ms.toFixed(0)} ms, p99 ${boot.p99Ms.toFixed(0)} ms, max ${boot.maxMs.toFixed(0)} ms`);
            }
          } else {
            const last = r === options.rounds - 1;
            const result = await operatorScenarios(cluster, n, options, work, `s${n}-r${r}`, last);
            operatorSamples.push(result.convergence.seconds);
            if (last) full = result as typeof full;
          }
        } finally {
          await cluster.stop();
        }
      }
    }
    if (!full || !lastBaseline || !baselineBootstrap) throw new Error('internal: missing runs');
    full.bootstrap.baseline = baselineBootstrap;
    const seconds = median(operatorSamples);
    const baselineSeconds = median(baselineSamples);
    const { convergence: c, operatorCpu, operatorLoopDelay, ...rest } = full;
    scales.push({
      n,
      convergence: {
        seconds: round(seconds, 3),
        baselineSeconds: round(baselineSeconds, 3),
        ratio: round(seconds / baselineSeconds, 3),
        policiesPerNamespace: c.policies / c.namespaces,
        operatorSamples: operatorSamples.map((s) => round(s, 3)),
        baselineSamples: baselineSamples.map((s) => round(s, 3)),
        throughput: round(c.policies / seconds, 1),
        baselineThroughput: round(lastBaseline.policies / baselineSeconds, 1),
        cpu: {
          apiserver: round(c.apiserverCpuSeconds),
          operator: round(operatorCpu),
          driver: round(c.driverCpuSeconds),
          baselineApiserver: round(lastBaseline.apiserverCpuSeconds),
          baselineDriver: round(lastBaseline.driverCpuSeconds),
        },
        apiserverRequests: c.apiserverRequests,
        baselineApiserverRequests: lastBaseline.apiserverRequests,
        ...(c.cpuBreakdown ? { cpuBreakdown: c.cpuBreakdown } : {}),
        ...(lastBaseline.cpuBreakdown ? { baselineCpuBreakdown: lastBaseline.cpuBreakdown } : {}),
        operatorLoopDelay,
      },
      ...rest,
      wallSeconds: round((performance.now() - started) / 1000, 1),
    });
    log(`scale ${n} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    if (scales.length < options.scales.length) emit(false);
  }

  if (o.dataplaneNamespaces > 0) {
    log(`data-plane bootstrap window: ${o.dataplaneNamespaces} namespaces on kube-router`);
    const measured = await measureDataplaneBootstrap(o.dataplaneNamespaces, log);
    bootstrap = 'skipped' in measured ? measured : { dataplane: measured };
    if ('skipped' in measured) log(`data-plane bootstrap skipped: ${measured.skipped}`);
  }
  emit(true);
}

const METHOD: Record<string, string> = {
  controlPlane: 'Each convergence run gets a fresh local control plane (etcd with --unsafe-no-fsync, kube-apiserver, kube-controller-manager with the garbage-collector, namespace and serviceaccount controllers) started by the benchmark, so runs do not see each other\'s objects.',
  observation: 'Every "policies exist" moment comes from the benchmark\'s own list+watch on NetworkPolicies (label app.kubernetes.io/managed-by=segmentation-operator), in the driver process, never from the operator.',
  convergence: 'N namespaces (labelled for the profile) created with --concurrency creates in flight; time from the first create to the last expected policy seen by the watch. Baseline: the same namespaces created the same way, and after each create returns, the same objects (renderNamespace + owner reference, POST with the operator\'s field manager) POSTed in parallel, no operator. Ratio = operator / baseline (medians over rounds).',
  bootstrap: 'With the operator running on the converged cluster, namespaces created open-loop at --rate per second; latency per namespace from the create call\'s return to all its policies seen by the watch. (The profile at that point includes the fan-out rule: 5 policies per namespace.)',
  restart: 'The operator is stopped gracefully and a new process started on the converged cluster; writes counted by the new operator itself and by kube-apiserver (apiserver_request_total, mutating verbs on networkpolicies) from before the start until it has re-checked every namespace and stayed idle for --settle-ms.',
  fanout: 'One rule added to the profile (an egress-to-ipBlock rule: exactly one new policy per namespace); time from the profile update\'s return to the new policy seen in every namespace; writes counted by the operator and by kube-apiserver.',
  resources: 'The operator runs in its own process (bench/operator-child.ts, the same Operator class `segmentation run` uses, compiled to JavaScript by tsc unless --runtime tsx, log level --log-level to a file); process.memoryUsage() sampled every 100 ms; peaks reported.',
};

async function operatorScenarios(cluster: Cluster, n: number, options: BenchOptions, work: string, tag: string, full: boolean) {
  const { ctx } = cluster;
  const spawn = spawner({
    kubeconfigPath: cluster.cp.kubeconfigPath,
    workers: options.workers,
    ...(options.qps !== undefined ? { qps: options.qps } : {}),
    ...(options.burst !== undefined ? { burst: options.burst } : {}),
    logLevel: options.logLevel as 'info',
    logFile: join(work, `operator-${tag}.log`),
    runtime: options.runtime,
    nodeOptions: options.operatorNodeOptions,
    env: options.operatorEnv,
    ...(options.cpuProf ? { cpuProfDir: join(work, `cpuprof-${tag}`) } : {}),
  });
  await applyProfile(ctx);
  const track = (p: OperatorProcess) => {
    if (ctx.cpu && p.pid !== undefined) ctx.cpu.pids.operator = p.pid;
  };
  let { proc } = await spawn();
  track(proc);
  let current: OperatorProcess = proc;
  try {
    await proc.idle();
    const cpu0 = (await proc.stats({ resetLoopDelay: true })).cpuSeconds;
    log(`operator: ${n} namespaces, ${expectedNames(ctx).length} policies each, concurrency ${options.concurrency}, ${options.workers} workers`);
    const names = namespaceNames('ns', n);
    const convergence = await operatorConvergence(ctx, names, options.concurrency);
    const afterConvergence = await proc.stats();
    const operatorCpu = afterConvergence.cpuSeconds - cpu0;
    const operatorLoopDelay = roundAll(afterConvergence.loopDelay);
    log(`operator: ${convergence.seconds.toFixed(2)} s (operator CPU ${operatorCpu.toFixed(1)} s, event-loop delay p99 ${operatorLoopDelay.p99Ms} ms, max ${operatorLoopDelay.maxMs} ms)`);
    if (!full) return { convergence, operatorCpu, operatorLoopDelay };

    await settle(ctx, proc);
    const first = await proc.stats({ gc: true });
    log('restart: stopping the operator and starting a new one');
    const restarted = await restartOperator(ctx, proc, spawn);
    current = proc = restarted.proc;
    track(proc);
    const restart = restarted.result;
    log(`restart: ${restart.writes} writes (operator), ${restart.apiserverWrites} (kube-apiserver), ready in ${restart.readySeconds.toFixed(2)} s, re-checked all in ${restart.resyncedSeconds.toFixed(2)} s`);

    const fanout = await profileFanout(ctx, proc, names);
    log(`fan-out: ${fanout.seconds.toFixed(2)} s, ${fanout.writes} writes for ${fanout.namespaces} namespaces`);
    const beforeBootstrap = await proc.stats({ gc: true, resetLoopDelay: true });

    const bootNames = namespaceNames('boot', options.bootstrapCount);
    const expected = expectedNames(ctx, true);
    log(`bootstrap: ${bootNames.length} namespaces at ${options.rate}/s`);
    const boot = await bootstrapLatency(ctx, bootNames, options.rate, expected);
    const bootLoop = roundAll((await proc.stats()).loopDelay);
    log(`bootstrap: p50 ${boot.p50Ms.toFixed(0)} ms, p99 ${boot.p99Ms.toFixed(0)} ms, max ${boot.maxMs.toFixed(0)} ms (operator event-loop delay p99 ${bootLoop.p99Ms} ms, max ${bootLoop.maxMs} ms)`);
    await settle(ctx, proc);
    const after = await proc.stats({ gc: true });
    return {
      convergence,
      operatorCpu,
      operatorLoopDelay,
      bootstrap: { ...roundAll(boot), expectedPolicies: expected.length, loopDelay: bootLoop } as ScaleResult['bootstrap'],
      restart: { ...restart, readySeconds: round(restart.readySeconds, 3), processReadySeconds: round(restart.processReadySeconds, 3), resyncedSeconds: round(restart.resyncedSeconds, 3) },
      fanout: { ...fanout, seconds: round(fanout.seconds, 3), loopDelay: roundAll(fanout.loopDelay) },
      rssMb: round(Math.max(first.peakRssMb, beforeBootstrap.peakRssMb), 1),
      rssAnonMb: round(Math.max(first.peakRssAnonMb, beforeBootstrap.peakRssAnonMb), 1),
      heapMb: round(Math.max(first.peakHeapUsedMb, beforeBootstrap.peakHeapUsedMb), 1),
      peaks: {
        convergenceRssMb: round(first.peakRssMb, 1),
        convergenceHeapMb: round(first.peakHeapUsedMb, 1),
        restartFanoutRssMb: round(beforeBootstrap.peakRssMb, 1),
        restartFanoutHeapMb: round(beforeBootstrap.peakHeapUsedMb, 1),
      },
      steadyRssMb: round(beforeBootstrap.afterGc?.rssMb ?? Number.NaN, 1),
      steadyRssAnonMb: round(beforeBootstrap.afterGc?.rssAnonMb ?? Number.NaN, 1),
      liveHeapMb: round(beforeBootstrap.afterGc?.heapUsedMb ?? Number.NaN, 1),
      steadyHeapTotalMb: round(beforeBootstrap.afterGc?.heapTotalMb ?? Number.NaN, 1),
      steadyExternalMb: round(beforeBootstrap.afterGc?.externalMb ?? Number.NaN, 1),
      cached: beforeBootstrap.cached,
      rssAfterBootstrapMb: round(Math.max(first.peakRssMb, after.peakRssMb), 1),
      heapAfterBootstrapMb: round(Math.max(first.peakHeapUsedMb, after.peakHeapUsedMb), 1),
    };
  } finally {
    await current.stop().catch(() => current.kill());
  }
}

/** The commit the operator was built from, and src/ files that differed from it (the child is compiled from the work tree). */
function sourceState(): { commit: string; uncommittedSourceFiles: string[] } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).map((l) => l.replace(/^\s*\S+\s+/, '')); // status code, then the path (the first line may have lost its leading space to trim)
  return { commit, uncommittedSourceFiles: dirty };
}

function roundAll<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v, 1) : v])) as T;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
