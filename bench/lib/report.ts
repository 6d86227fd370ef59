// Output of a benchmark run: a plain-text table (stdout), report.md and two hand-written SVG charts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS, checkTargets, type BenchResults } from './results.js';

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function rows(r: BenchResults): string[][] {
  const header = ['N', 'operator s', 'baseline s', 'ratio', 'pol/s', 'boot p50', 'p95', 'p99', 'max ms', 'restart writes (op/apiserver)', 'ready s', 'fan-out s', 'fan-out writes', 'RSS MB', 'heap MB'];
  const body = r.scales.map((s) => [
    String(s.n),
    fmt(s.convergence.seconds),
    fmt(s.convergence.baselineSeconds),
    fmt(s.convergence.ratio),
    fmt(s.convergence.throughput, 0),
    fmt(s.bootstrap.p50Ms, 0),
    fmt(s.bootstrap.p95Ms, 0),
    fmt(s.bootstrap.p99Ms, 0),
    fmt(s.bootstrap.maxMs, 0),
    `${s.restart.writes} / ${s.restart.apiserverWrites}`,
    fmt(s.restart.readySeconds),
    fmt(s.fanout.seconds),
    `${s.fanout.writes} / ${s.fanout.namespaces}`,
    fmt(s.rssMb, 0),
    fmt(s.heapMb, 0),
  ]);
  return [header, ...body];
}

export function renderTable(r: BenchResults): string {
  const all = rows(r);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** The bootstrap window measured on a real NetworkPolicy engine (bench/lib/dataplane-bootstrap.ts). */
function dataplaneSection(r: BenchResults): string[] {
  const b = r.bootstrap;
  if (!b) return [];
  if ('skipped' in b) return ['## Bootstrap window on a real data plane', '', `Not measured: ${b.skipped}.`, ''];
  return [
    '## Bootstrap window on a real data plane',
    '',
    `${b.namespaces} namespaces, ${b.engine}: from a namespace's create call returning until a flow its profile denies is refused on real packets: ` +
      `**bootstrap.dataplaneP50Ms ${b.dataplaneP50Ms} ms, bootstrap.dataplaneP99Ms ${b.dataplaneP99Ms} ms** (max ${b.dataplaneMaxMs} ms). ` +
      `Of that, the deny-all policy was readable from the API server after p50 ${b.apiP50Ms} / p99 ${b.apiP99Ms} ms (operator), and the engine needed p50 ${b.engineP50Ms} / p99 ${b.engineP99Ms} ms more (kube-router sync). See docs/dataplane.md.`,
    '',
  ];
}

function markdownTable(all: string[][]): string {
  const [header, ...body] = all;
  return [`| ${header!.join(' | ')} |`, `|${header!.map(() => '---:').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

const fmtCounts = (c: Record<string, number> | undefined) =>
  c && Object.keys(c).length > 0 ? Object.entries(c).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ') : 'n/a';

const fmtCpu = (c: Record<string, number> | undefined) =>
  c ? Object.entries(c).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(1) : 'n/a'} s`).join(', ') : 'not measured';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

interface Series {
  name: string;
  color: string;
  values: number[];
}

/** Grouped vertical bars, one group per category, optional horizontal target line. */
export function barChart(title: string, unit: string, categories: string[], series: Series[], target?: { value: number; label: string }): string {
  const W = 640;
  const H = 320;
  const left = 60;
  const right = 150;
  const top = 40;
  const bottom = 40;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const maxVal = Math.max(1e-9, target?.value ?? 0, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const step = niceStep(maxVal / 5);
  const yMax = Math.ceil((maxVal * 1.05) / step) * step;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = Math.min(60, (groupW * 0.7) / Math.max(1, series.length));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - right / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toPrecision(4)}</text>`);
  }
  out.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${esc(unit)}</text>`);
  categories.forEach((cat, gi) => {
    const gx = left + gi * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.values[gi] ?? Number.NaN;
      if (!Number.isFinite(v)) return;
      const x = gx + si * barW;
      out.push(`<rect x="${x + 2}" y="${y(v)}" width="${barW - 4}" height="${top + plotH - y(v)}" fill="${s.color}"><title>${esc(`${s.name}: ${+v.toPrecision(4)} ${unit}`)}</title></rect>`);
      out.push(`<text x="${x + barW / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="10">${+v.toPrecision(3)}</text>`);
    });
    out.push(`<text x="${left + gi * groupW + groupW / 2}" y="${top + plotH + 18}" text-anchor="middle">${esc(cat)}</text>`);
  });
  out.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  if (target) {
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(target.value)}" y2="${y(target.value)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${left + plotW + 6}" y="${y(target.value) + 4}" fill="#c00">${esc(target.label)}</text>`);
  }
  series.forEach((s, i) => {
    const ly = top + 10 + i * 18;
    out.push(`<rect x="${left + plotW + 10}" y="${ly + 30}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${left + plotW + 28}" y="${ly + 40}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}

const pct = (a: number, b: number) => `${Math.round(((a - b) / b) * 100)}%`;

/** For every missed target, what the figures of the same run say about the cause. */
export function explainMisses(r: BenchResults): string[] {
  const out: string[] = [];
  for (const s of r.scales) {
    const c = s.convergence;
    if (c.ratio > TARGETS.ratio) {
      const spread = (xs: number[]) => (xs.length > 1 ? ` (samples ${xs.join(', ')} s)` : '');
      out.push(
        `- N=${s.n}, convergence ratio ${c.ratio}: operator ${c.seconds} s${spread(c.operatorSamples)}, baseline ${c.baselineSeconds} s${spread(c.baselineSamples)}. ` +
          `CPU in the operator run: kube-apiserver ${c.cpu.apiserver} s, operator ${c.cpu.operator} s, driver ${c.cpu.driver} s; in the baseline run: kube-apiserver ${c.cpu.baselineApiserver} s, baseline client ${c.cpu.baselineDriver} s. ` +
          `Client-side CPU is ${round1(c.cpu.operator + c.cpu.driver - c.cpu.baselineDriver)} s higher and kube-apiserver's ${round1(c.cpu.apiserver - c.cpu.baselineApiserver)} s (${pct(c.cpu.apiserver, c.cpu.baselineApiserver)}) higher, on ${r.machine.cores} cores shared by etcd, kube-apiserver, the controller manager, the driver and the operator. ` +
          `The operator's event loop was delayed ${c.operatorLoopDelay?.p99Ms} ms at p99 (max ${c.operatorLoopDelay?.maxMs} ms).` +
          (c.cpuBreakdown ? ` CPU by process, operator run: ${fmtCpu(c.cpuBreakdown)}; baseline run: ${fmtCpu(c.baselineCpuBreakdown)}.` : ''),
      );
    }
    const b = s.bootstrap;
    if (b.p99Ms >= TARGETS.bootstrapP99Ms) {
      out.push(
        `- N=${s.n}, bootstrap p99 ${b.p99Ms} ms: the baseline client at the same rate had p99 ${b.baseline?.p99Ms ?? 'n/a'} ms. During the operator's bootstrap the benchmark's own namespace creates took up to ${b.createP99Ms} ms (p99; baseline run: ${b.baseline?.createP99Ms ?? 'n/a'} ms), ` +
          `so the API server itself was slow; the operator's event loop was delayed ${b.loopDelay?.p99Ms} ms at p99 (max ${b.loopDelay?.maxMs} ms).` +
          (b.cpuBreakdown ? ` CPU by process during the operator's bootstrap: ${fmtCpu(b.cpuBreakdown)}; during the baseline's: ${fmtCpu(b.baseline?.cpuBreakdown)}.` : ''),
      );
    }
    if (s.rssMb >= TARGETS.rssMb) {
      const ic = r.importCost;
      out.push(
        `- N=${s.n}, RSS ${s.rssMb} MB: ` +
          (ic ? `a process that only imports the operator's modules already has ${ic.operatorCodeRssMb} MB RSS (bare node: ${ic.nodeRssMb} MB; the runtime does not load @kubernetes/client-node, which alone would bring node to ${ic.clientNodeRssMb} MB). ` : '') +
          `Converged, after a forced full GC, the operator retains ${s.liveHeapMb} MB of heap for ${s.cached.namespaces} namespaces and ${s.cached.policies} policies, V8 keeps ${s.steadyHeapTotalMb} MB of heap reserved (peak heap used ${s.heapMb} MB), external memory is ${s.steadyExternalMb} MB, and RSS stays at ${s.steadyRssMb} MB: the rest is native memory (the allocator's, TLS, code).`,
      );
    }
  }
  return out.length > 0 ? ['### Misses, and what the same run says about them', '', ...out, '', 'Analysis and profiles: docs/benchmark.md, "What limits it".', ''] : [];
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function writeCharts(r: BenchResults, dir: string): void {
  const cats = r.scales.map((s) => `${s.n.toLocaleString('en-US')} ns`);
  writeFileSync(
    join(dir, 'convergence.svg'),
    barChart('Convergence: time until every policy exists', 'seconds', cats, [
      { name: 'operator', color: '#1f77b4', values: r.scales.map((s) => s.convergence.seconds) },
      { name: 'baseline', color: '#aaaaaa', values: r.scales.map((s) => s.convergence.baselineSeconds) },
    ]),
  );
  writeFileSync(
    join(dir, 'bootstrap-latency.svg'),
    barChart(
      `Bootstrap latency at ${r.options.rate} namespaces/s`,
      'milliseconds',
      cats,
      [
        { name: 'p50', color: '#9ecae1', values: r.scales.map((s) => s.bootstrap.p50Ms) },
        { name: 'p95', color: '#4292c6', values: r.scales.map((s) => s.bootstrap.p95Ms) },
        { name: 'p99', color: '#08519c', values: r.scales.map((s) => s.bootstrap.p99Ms) },
        { name: 'max', color: '#555555', values: r.scales.map((s) => s.bootstrap.maxMs) },
        { name: 'baseline p99', color: '#aaaaaa', values: r.scales.map((s) => s.bootstrap.baseline?.p99Ms ?? Number.NaN) },
      ],
      { value: TARGETS.bootstrapP99Ms, label: 'p99 target' },
    ),
  );
}

/** report.md: figures, charts, targets (met or not), machine. Analysis notes are appended by hand in docs/benchmark.md. */
export function renderMarkdown(r: BenchResults, notes = ''): string {
  const m = r.machine;
  const o = r.options;
  const checks = checkTargets(r);
  const lines = [
    '# Benchmark report',
    '',
    `Run ${m.date} on ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}; Node ${m.node}; kube-apiserver ${m.kubeApiserver}, etcd ${m.etcd}. Load average before ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')} (1/5/15 min; the figure before the run is other work sharing the machine, the one after includes the benchmark's own).`,
    `Operator source: commit ${r.code?.commit ?? 'not recorded'}${(r.code?.uncommittedSourceFiles.length ?? 0) > 0 ? ` with uncommitted changes in ${r.code?.uncommittedSourceFiles.join(', ')}` : ''}.`,
    `Options: scales ${o.scales.join(', ')}; operator workers ${o.workers}; concurrency ${o.concurrency}; bootstrap ${o.bootstrapCount} namespaces at ${o.rate}/s; rounds ${o.rounds}; operator runtime ${o.runtime}${(o.operatorNodeOptions ?? []).length > 0 ? ` with node flags ${(o.operatorNodeOptions ?? []).join(' ')}` : ''}${Object.keys(o.operatorEnv ?? {}).length > 0 ? ` and ${Object.entries(o.operatorEnv ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}, log level ${o.logLevel}${o.qps !== undefined ? `; qps ${o.qps}` : ''}${o.burst !== undefined ? `; burst ${o.burst}` : ''}.`,
    '',
    'Reproduce: `npm run bench -- ' + `--scales ${o.scales.join(',')} --rounds ${o.rounds}` + '` (see docs/benchmark.md).',
    '',
    markdownTable(rows(r)),
    '',
    '![convergence](convergence.svg) ![bootstrap latency](bootstrap-latency.svg)',
    '',
    '## Targets',
    '',
    '| N | target | measured | |',
    '|---:|---|---|---|',
    ...checks.map((c) => `| ${c.n} | ${c.target} | ${c.value} | ${c.met ? 'met' : '**not met**'} |`),
    '',
    ...explainMisses(r),
    ...dataplaneSection(r),
    '## Details per scale',
    '',
  ];
  for (const s of r.scales) {
    const c = s.convergence;
    lines.push(
      `### N = ${s.n.toLocaleString('en-US')}`,
      '',
      `- Convergence: ${c.policiesPerNamespace} policies per namespace; operator ${c.seconds} s (samples ${c.operatorSamples.join(', ')}), baseline ${c.baselineSeconds} s (samples ${c.baselineSamples.join(', ')}); ${c.throughput} vs ${c.baselineThroughput} policies/s. CPU during the last operator run: kube-apiserver ${c.cpu.apiserver} s, operator ${c.cpu.operator} s, driver ${c.cpu.driver} s; during the last baseline run: kube-apiserver ${c.cpu.baselineApiserver} s, driver (baseline client) ${c.cpu.baselineDriver} s. Operator event-loop delay p99 ${c.operatorLoopDelay?.p99Ms} ms, max ${c.operatorLoopDelay?.maxMs} ms. kube-apiserver requests, operator run: ${fmtCounts(c.apiserverRequests)}; baseline run: ${fmtCounts(c.baselineApiserverRequests)}. CPU by process (from /proc), operator run: ${fmtCpu(c.cpuBreakdown)}; baseline run: ${fmtCpu(c.baselineCpuBreakdown)}.`,
      `- Bootstrap: ${s.bootstrap.namespaces} namespaces at ${s.bootstrap.rate}/s (achieved ${s.bootstrap.achievedRate}/s), ${s.bootstrap.expectedPolicies} policies each; from the create call's return: p50 ${s.bootstrap.p50Ms} ms, p95 ${s.bootstrap.p95Ms} ms, p99 ${s.bootstrap.p99Ms} ms, max ${s.bootstrap.maxMs} ms (p99 from the request being sent: ${s.bootstrap.fromRequestP99Ms} ms; namespace create p99 ${s.bootstrap.createP99Ms} ms).` +
        (s.bootstrap.baseline
          ? ` Baseline (minimal client, same rate and objects, on its own control plane): p50 ${s.bootstrap.baseline.p50Ms} ms, p95 ${s.bootstrap.baseline.p95Ms} ms, p99 ${s.bootstrap.baseline.p99Ms} ms, max ${s.bootstrap.baseline.maxMs} ms (namespace create p99 ${s.bootstrap.baseline.createP99Ms} ms).`
          : '') +
        ` Operator event-loop delay p99 ${s.bootstrap.loopDelay?.p99Ms} ms, max ${s.bootstrap.loopDelay?.maxMs} ms. kube-apiserver requests during the operator's bootstrap: ${fmtCounts(s.bootstrap.apiserverRequests)}${s.bootstrap.baseline ? `; during the baseline's: ${fmtCounts(s.bootstrap.baseline.apiserverRequests)}` : ''}. CPU by process during the operator's bootstrap: ${fmtCpu(s.bootstrap.cpuBreakdown)}; during the baseline's: ${fmtCpu(s.bootstrap.baseline?.cpuBreakdown)}.`,
      `- Restart: ${s.restart.writes} policy writes by the operator, ${s.restart.apiserverWrites} mutating networkpolicies requests seen by kube-apiserver, status writes ${s.restart.statusWrites} / ${s.restart.apiserverStatusWrites}; all writes of the new process: ${JSON.stringify(s.restart.writesByKind)}. Ready (caches synced) ${s.restart.readySeconds} s after start(), ${s.restart.processReadySeconds} s after spawn; every namespace re-checked ${s.restart.resyncedSeconds} s after start(). kube-apiserver requests: ${fmtCounts(s.restart.apiserverRequests)}.`,
      `- Fan-out: ${s.fanout.seconds} s for ${s.fanout.namespaces} namespaces; ${s.fanout.writes} policy writes (kube-apiserver: ${s.fanout.apiserverWrites}), ${s.fanout.statusWrites} status writes; by kind ${JSON.stringify(s.fanout.writesByKind)}. Operator event-loop delay p99 ${s.fanout.loopDelay?.p99Ms} ms, max ${s.fanout.loopDelay?.maxMs} ms. kube-apiserver requests: ${fmtCounts(s.fanout.apiserverRequests)}.`,
      `- Operator memory: peak RSS ${s.rssMb} MB, peak heap used ${s.heapMb} MB with ${s.n} namespaces (first process during convergence: ${s.peaks.convergenceRssMb} / ${s.peaks.convergenceHeapMb} MB; restarted process during restart and fan-out: ${s.peaks.restartFanoutRssMb} / ${s.peaks.restartFanoutHeapMb} MB); converged and after a forced full GC: RSS ${s.steadyRssMb} MB${s.steadyRssAnonMb ? ` (anonymous ${s.steadyRssAnonMb} MB, peak anonymous ${s.rssAnonMb} MB; the rest is pages mapped from files: the node binary and shared libraries)` : ''}, heap used ${s.liveHeapMb} MB (V8 heap reserved ${s.steadyHeapTotalMb} MB, external ${s.steadyExternalMb} MB) for ${s.cached.namespaces} namespaces and ${s.cached.policies} policies cached. Including the ${s.bootstrap.namespaces} bootstrap namespaces: peak ${s.rssAfterBootstrapMb} MB / ${s.heapAfterBootstrapMb} MB.`,
      `- Wall time for this scale: ${s.wallSeconds} s.`,
      '',
    );
  }
  if (r.importCost) {
    const c = r.importCost;
    lines.push(
      '## Memory floor',
      '',
      `Processes that only load code, after a full GC: bare node ${c.nodeRssMb} MB RSS; after importing the compiled operator modules (no objects, no connections) ${c.operatorCodeRssMb} MB RSS (${c.operatorCodeHeapMb} MB heap). For comparison, importing @kubernetes/client-node, which the runtime no longer loads: ${c.clientNodeRssMb} MB RSS (${c.clientNodeHeapMb} MB heap).`,
      '',
    );
  }
  lines.push('## Method', '', ...Object.entries(r.method).map(([k, v]) => `- **${k}**: ${v}`), '');
  if (notes) lines.push(notes, '');
  return lines.join('\n');
}
