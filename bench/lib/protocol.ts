// Messages between the benchmark driver and bench/operator-child.ts (Node IPC).
import type { LogLevel } from '../../src/controller/log.js';

export interface ChildOptions {
  kubeconfigPath: string;
  workers?: number;
  qps?: number;
  burst?: number;
  logLevel?: LogLevel;
  /** Memory sampling period (ms). */
  sampleMs?: number;
}

export type ToChild =
  | { cmd: 'start'; options: ChildOptions }
  | { cmd: 'idle'; id: number }
  | { cmd: 'stats'; id: number; resetPeaks?: boolean; resetLoopDelay?: boolean; gc?: boolean }
  | { cmd: 'stop' };

export interface ChildStats {
  /** Writes by resource/verb since the operator was constructed (its own counter). */
  writes: Record<string, number>;
  rssMb: number;
  heapUsedMb: number;
  peakRssMb: number;
  /** Peak of the anonymous part of RSS (sampled with the heap): RSS without the pages mapped from files. */
  peakRssAnonMb: number;
  peakHeapUsedMb: number;
  /** After a forced full GC (only when asked with gc: true): what the operator really retains. */
  afterGc?: { rssMb: number; rssAnonMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; arrayBuffersMb: number };
  /** Event-loop delay since the last reset (perf_hooks.monitorEventLoopDelay): how long ready work waited. */
  loopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  /** CPU time the process has used so far (user + system). */
  cpuSeconds: number;
  /** Objects in the operator's caches. */
  cached: { namespaces: number; profiles: number; policies: number };
}

export type FromChild =
  | { ev: 'ready'; startSeconds: number; sinceSpawnSeconds: number }
  | { ev: 'idle'; id: number }
  | { ev: 'stats'; id: number; stats: ChildStats }
  | { ev: 'stopped' }
  | { ev: 'error'; message: string };
