// CPU accounting from /proc (Linux): seconds of CPU used by the control-plane processes, the operator
// and the driver, and by the whole machine, so that a slow phase can be attributed ("the API server was
// busy", "something else on the machine was busy"). Elsewhere than Linux it measures nothing.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores). */
function machineSeconds(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** PIDs of etcd, kube-apiserver and kube-controller-manager started with files under `dataDir`. */
export function controlPlanePids(dataDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args.some((a) => a.includes(dataDir))) continue;
    const bin = (args[0] ?? '').split('/').pop() ?? '';
    if (bin === 'etcd' || bin === 'kube-apiserver' || bin === 'kube-controller-manager') out[bin] = Number(e);
  }
  return out;
}

export type CpuBreakdown = Record<string, number>;

/** Reads named processes' CPU seconds and the machine's; diff two readings with `cpuDiff`. */
export class CpuMeter {
  constructor(readonly pids: Record<string, number>) {}

  read(): CpuBreakdown {
    const out: CpuBreakdown = {};
    for (const [name, pid] of Object.entries(this.pids)) out[name] = processSeconds(pid);
    const m = machineSeconds();
    out.machineBusy = m.busy;
    out.machineTotal = m.total;
    return out;
  }
}

/**
 * CPU seconds per process between two readings, plus `other` (machine busy time not used by any named
 * process: other work on the machine) and `idle`.
 */
export function cpuDiff(after: CpuBreakdown, before: CpuBreakdown): CpuBreakdown {
  const out: CpuBreakdown = {};
  let named = 0;
  for (const k of Object.keys(after)) {
    if (k === 'machineBusy' || k === 'machineTotal') continue;
    const v = (after[k] ?? Number.NaN) - (before[k] ?? Number.NaN);
    out[k] = Math.round(v * 100) / 100;
    if (Number.isFinite(v)) named += v;
  }
  const busy = (after.machineBusy ?? 0) - (before.machineBusy ?? 0);
  const total = (after.machineTotal ?? 0) - (before.machineTotal ?? 0);
  out.other = Math.round((busy - named) * 100) / 100;
  out.idle = Math.round((total - busy) * 100) / 100;
  return out;
}
