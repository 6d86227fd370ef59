// The shape of bench/results/*.json and the targets from issue 7.
import type { ImportCost } from './operator-process.js';
import type { BootstrapResult, FanoutResult, RestartResult } from './scenarios.js';
import type { DataplaneBootstrap } from './dataplane-bootstrap.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  kubeApiserver: string;
  etcd: string;
  date: string;
  /** os.loadavg() (1, 5, 15 min) before the first and after the last scale: other work on the machine shows here. */
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ScaleResult {
  /** Namespaces selected by the profile in the convergence, restart and fan-out scenarios. */
  n: number;
  convergence: {
    /** Operator (median over rounds). */
    seconds: number;
    /** Minimal client creating the same objects with the same concurrency (median over rounds). */
    baselineSeconds: number;
    /** seconds / baselineSeconds. */
    ratio: number;
    policiesPerNamespace: number;
    operatorSamples: number[];
    baselineSamples: number[];
    /** Policies per second (operator, baseline). */
    throughput: number;
    baselineThroughput: number;
    /** CPU seconds used during the last operator and baseline runs. */
    cpu: {
      apiserver: number;
      operator: number;
      driver: number;
      baselineApiserver: number;
      baselineDriver: number;
    };
    /** Requests kube-apiserver served during the last operator and baseline runs (largest first). */
    apiserverRequests: Record<string, number>;
    baselineApiserverRequests: Record<string, number>;
    /** The operator's event-loop delay during the last convergence run. */
    operatorLoopDelay: LoopDelay;
    /** CPU seconds per process (from /proc) during the last operator and baseline runs; `other` = the rest of the machine. */
    cpuBreakdown?: Record<string, number>;
    baselineCpuBreakdown?: Record<string, number>;
  };
  bootstrap: BootstrapResult & {
    expectedPolicies: number;
    /** The same namespaces at the same rate by the minimal client (namespace, then its policies): the floor on this machine. */
    baseline?: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; createP99Ms: number; apiserverRequests: Record<string, number>; cpuBreakdown?: Record<string, number> };
    /** The operator's event-loop delay during the bootstrap. */
    loopDelay: LoopDelay;
  };
  restart: RestartResult;
  fanout: FanoutResult;
  /** Peak RSS / heapUsed of the operator process while the cluster held N namespaces (convergence, restart, fan-out). */
  rssMb: number;
  /** The anonymous part of that peak (RSS without the node binary's and libraries' file-backed pages); absent in older results. */
  rssAnonMb?: number;
  heapMb: number;
  /** Peaks per operator process: the first (initial convergence) and the restarted one (restart + fan-out). */
  peaks: { convergenceRssMb: number; convergenceHeapMb: number; restartFanoutRssMb: number; restartFanoutHeapMb: number };
  /** Restarted operator, converged, after a forced full GC: RSS and heap it really retains for N namespaces. */
  steadyRssMb: number;
  steadyRssAnonMb?: number;
  liveHeapMb: number;
  /** V8 heap reserved and memory outside the V8 heap at that moment. */
  steadyHeapTotalMb: number;
  steadyExternalMb: number;
  /** Objects in its caches at that moment. */
  cached: { namespaces: number; profiles: number; policies: number };
  /** The same, including the bootstrap scenario (N + bootstrap namespaces). */
  rssAfterBootstrapMb: number;
  heapAfterBootstrapMb: number;
  /** Wall time of this scale, for planning larger runs. */
  wallSeconds: number;
}

export interface BenchOptions {
  scales: number[];
  rate: number;
  bootstrapCount: number;
  workers: number;
  concurrency: number;
  qps?: number;
  burst?: number;
  rounds: number;
  logLevel: string;
  settleMs: number;
  cpuProf: boolean;
  runtime: 'compiled' | 'tsx';
  operatorNodeOptions: string[];
  /** Environment of the operator process taken from the Deployment besides NODE_OPTIONS. */
  operatorEnv: Record<string, string>;
}

export interface BenchResults {
  machine: Machine;
  /** The operator source measured: the commit, and src/ files that had uncommitted changes at build time. */
  code: { commit: string; uncommittedSourceFiles: string[] };
  options: BenchOptions;
  /** How latency and memory are measured, in words (copied into the report). */
  method: Record<string, string>;
  /** Memory of processes that only load code (compiled runtime only). */
  importCost?: ImportCost;
  scales: ScaleResult[];
  /** The bootstrap window on a real NetworkPolicy engine (bench/lib/dataplane-bootstrap.ts), once per run; absent with --dataplane-namespaces 0. */
  bootstrap?: DataplaneBootstrap | { skipped: string };
}

export interface TargetCheck {
  target: string;
  n: number;
  value: string;
  met: boolean;
}

export const TARGETS = {
  ratio: 1.25,
  bootstrapP99Ms: 1000,
  restartWrites: 0,
  rssMb: 150,
};

export function checkTargets(results: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const s of results.scales) {
    out.push({ target: `convergence ratio to baseline <= ${TARGETS.ratio}`, n: s.n, value: s.convergence.ratio.toFixed(2), met: s.convergence.ratio <= TARGETS.ratio });
    out.push({ target: `bootstrap p99 < ${TARGETS.bootstrapP99Ms} ms at ${results.options.rate} ns/s`, n: s.n, value: `${Math.round(s.bootstrap.p99Ms)} ms`, met: s.bootstrap.p99Ms < TARGETS.bootstrapP99Ms });
    out.push({
      target: 'zero writes after a restart',
      n: s.n,
      value: `${s.restart.writes} (operator) / ${s.restart.apiserverWrites} (kube-apiserver)`,
      met: s.restart.writes === 0 && s.restart.apiserverWrites === 0,
    });
    out.push({ target: 'fan-out writes == namespaces', n: s.n, value: `${s.fanout.writes} / ${s.fanout.namespaces}`, met: s.fanout.writes === s.fanout.namespaces });
    out.push({ target: `RSS < ${TARGETS.rssMb} MB${s.n === 10_000 ? '' : ' (target is at 10,000)'}`, n: s.n, value: `${s.rssMb.toFixed(0)} MB`, met: s.rssMb < TARGETS.rssMb });
  }
  return out;
}
