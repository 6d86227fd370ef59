// The operator under test, in its own process so that its memory (RSS, heap) is its own. Constructed
// exactly as `segmentation run` constructs it (the in-process Operator class), health and metrics
// ports off, leader election off. Driven over Node IPC by bench/lib/operator-process.ts.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Operator } from '../src/controller/operator.js';
import type { ChildStats, FromChild, ToChild } from './lib/protocol.js';

const spawnedAt = Number(process.env.BENCH_SPAWNED_AT ?? Date.now());
let operator: Operator | undefined;
let peakRss = 0;
let peakAnon = 0;
let peakHeap = 0;
const MB = 1024 * 1024;

function send(msg: FromChild): void {
  process.send?.(msg);
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let ticks = 0;
/**
 * Anonymous RSS (heap, allocator, stacks: what only this process holds) apart from file-backed RSS (pages of
 * the node binary and libraries mapped from disk: shared, clean, and reclaimable under memory pressure).
 * 0 where /proc is not there (the report then leaves it out).
 */
function rssAnon(): number {
  try {
    const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS and its anonymous part every tick (cheap); heap every 5th (process.memoryUsage() walks the heap spaces, showed in profiles). */
function sample(): void {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  peakAnon = Math.max(peakAnon, rssAnon());
  if (ticks++ % 5 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}

function stats(): ChildStats {
  sample();
  const m = process.memoryUsage();
  return {
    writes: operator?.writes.snapshot() ?? {},
    rssMb: m.rss / MB,
    heapUsedMb: m.heapUsed / MB,
    peakRssMb: peakRss / MB,
    peakRssAnonMb: peakAnon / MB,
    peakHeapUsedMb: peakHeap / MB,
    loopDelay: { p50Ms: loop.percentile(50) / 1e6, p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 },
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    cached: { namespaces: operator?.namespaces.size ?? 0, profiles: operator?.profiles.size ?? 0, policies: operator?.policies.size ?? 0 },
  };
}

process.on('message', (raw) => {
  const msg = raw as ToChild;
  void (async () => {
    try {
      switch (msg.cmd) {
        case 'start': {
          const o = msg.options;
          setInterval(sample, o.sampleMs ?? 100).unref();
          operator = new Operator({
            kubeconfigPath: o.kubeconfigPath,
            ...(o.workers !== undefined ? { workers: o.workers } : {}),
            ...(o.qps !== undefined ? { qps: o.qps } : {}),
            ...(o.burst !== undefined ? { burst: o.burst } : {}),
            logLevel: o.logLevel ?? 'info',
            healthPort: 0,
            metricsPort: 0,
            leaderElection: { enabled: false },
          });
          const t = performance.now();
          await operator.start();
          send({ ev: 'ready', startSeconds: (performance.now() - t) / 1000, sinceSpawnSeconds: (Date.now() - spawnedAt) / 1000 });
          return;
        }
        case 'idle':
          await operator?.whenIdle();
          send({ ev: 'idle', id: msg.id });
          return;
        case 'stats': {
          const s = stats();
          const gc = (globalThis as { gc?: () => void }).gc;
          if (msg.gc && gc) {
            gc();
            const m = process.memoryUsage();
            s.afterGc = { rssMb: m.rss / MB, rssAnonMb: rssAnon() / MB, heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, externalMb: m.external / MB, arrayBuffersMb: m.arrayBuffers / MB };
          }
          if (msg.resetPeaks) {
            peakRss = 0;
            peakAnon = 0;
            peakHeap = 0;
          }
          if (msg.resetLoopDelay) loop.reset();
          send({ ev: 'stats', id: msg.id, stats: s });
          return;
        }
        case 'stop':
          await operator?.stop();
          send({ ev: 'stopped' });
          process.disconnect?.();
          setTimeout(() => process.exit(0), 50);
          return;
      }
    } catch (err) {
      send({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

process.on('disconnect', () => {
  // The driver went away: do not linger.
  setTimeout(() => process.exit(0), 1000).unref();
});
