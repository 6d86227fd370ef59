// The cluster scan as a periodic source: every period (and soon after a profile change) it lists every
// NetworkPolicy, DaemonSet and Node, turns them into findings (is an engine enforcing policies, does any
// policy reopen a metadata endpoint in a targeted namespace, which addresses each Node has) and hands them
// on; the operator then enqueues every profile key in the status controller. Timers on the injected Clock.
import { auditMetadataExposure, KNOWN_METADATA_CIDRS, type MetadataExposureReport } from '../analysis/audit-metadata.js';
import { detectEnforcement } from '../analysis/enforcement.js';
import type { PolicyObject } from '../api/networkpolicy.js';
import type { SegmentationProfile } from '../api/profile.js';
import { profileSelectsNamespace, type NamespaceInfo } from '../compile/select.js';
import type { ClusterScan } from '../kube/cluster-scan.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import type { ClusterFindings } from './findings.js';
import { nodeAddresses } from './node-coverage.js';

/** Findings from one scan. Pure. The metadata audit covers only namespaces some profile targets. */
export function findingsFromScan(result: ClusterScan, profiles: readonly SegmentationProfile[], namespaces: readonly NamespaceInfo[]): ClusterFindings {
  const findings: ClusterFindings = {};
  if (result.workloads.ok) findings.enforcement = detectEnforcement(result.workloads.value);
  else findings.enforcementError = result.workloads.error;
  if (result.policies.ok) findings.exposure = auditTargetedNamespaces(result.policies.value, profiles, namespaces);
  else findings.exposureError = result.policies.error;
  if (result.workloads.ok) findings.nodes = nodeAddresses(result.workloads.value.nodes);
  else findings.nodesError = result.workloads.error;
  return findings;
}

/** The audit, namespace by namespace (linear in policies), over namespaces that some profile targets. */
function auditTargetedNamespaces(policies: PolicyObject[], profiles: readonly SegmentationProfile[], namespaces: readonly NamespaceInfo[]): MetadataExposureReport {
  const metadataCidrs = [...new Set([...KNOWN_METADATA_CIDRS, ...profiles.flatMap((p) => p.spec.instanceMetadata.cidrs)])];
  const byNamespace = new Map<string, PolicyObject[]>();
  for (const p of policies) {
    const ns = p.metadata?.namespace ?? '';
    const list = byNamespace.get(ns);
    if (list) list.push(p);
    else byNamespace.set(ns, [p]);
  }
  const report: MetadataExposureReport = { metadataCidrs, exposed: false, namespaces: [] };
  for (const ns of namespaces) {
    if (!profiles.some((p) => profileSelectsNamespace(p, ns))) continue;
    const one = auditMetadataExposure(byNamespace.get(ns.name) ?? [], [{ metadata: { name: ns.name, labels: ns.labels } }], undefined, { metadataCidrs });
    report.namespaces.push(...one.namespaces);
    report.exposed ||= one.exposed;
  }
  return report;
}

export interface PeriodicScanOptions {
  scan: () => Promise<ClusterFindings>;
  onFindings: (findings: ClusterFindings) => void;
  onError: (err: unknown) => void;
  /** 0 disables the scan. */
  periodMs: number;
  /** After requestSoon(), scan again this soon (capped at the period). */
  rescanDelayMs: number;
  clock?: Clock;
}

export class PeriodicScan {
  private timer?: TimerHandle;
  private running?: Promise<void>;
  private again = false;
  private active = false;
  private done = false;
  private readonly clock: Clock;

  constructor(private readonly opts: PeriodicScanOptions) {
    this.clock = opts.clock ?? realClock();
  }

  /** Starts scanning at once, then every period (when leading). */
  start(): void {
    this.active = true;
    this.schedule(0);
  }

  stop(): void {
    this.active = false;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** A profile changed what matters: scan soon rather than at the next period. */
  requestSoon(): void {
    if (this.opts.periodMs <= 0 || !this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.schedule(Math.min(this.opts.periodMs, this.opts.rescanDelayMs));
  }

  /** The scan in flight, if any. */
  get current(): Promise<void> | undefined {
    return this.running;
  }

  /** No scan has finished since start() and one is due or running. */
  firstPending(): boolean {
    return !this.done && (this.timer !== undefined || this.running !== undefined);
  }

  private schedule(delayMs: number): void {
    if (this.opts.periodMs <= 0 || this.timer || this.running || !this.active) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.running = this.opts
        .scan()
        .then((findings) => {
          if (this.active) this.opts.onFindings(findings);
        })
        .catch((err: unknown) => this.opts.onError(err))
        .finally(() => {
          this.done = true;
          this.running = undefined;
          const next = this.again ? Math.min(this.opts.periodMs, this.opts.rescanDelayMs) : this.opts.periodMs;
          this.again = false;
          this.schedule(next);
        });
    }, delayMs);
  }
}
