// Everything that ends in a profile's status: the StatusController (keyed by profile, debounced), fed by
// the namespace reconciler's outcomes and by the periodic cluster scan, writing through status-write.ts.
import { scanCluster } from '../kube/cluster-scan.js';
import { isNotFound } from '../kube/errors.js';
import type { ClusterFindings } from './findings.js';
import { errorMessage } from './log.js';
import type { OperatorOptions } from './options.js';
import { findingsFromScan, PeriodicScan } from './scan-source.js';
import { StatusController } from './status-controller.js';
import { writeProfileStatus, type StatusWriteDeps } from './status-write.js';

/** What the status write needs (but the findings, which the pipeline's own scan provides), and more. */
export interface StatusPipelineDeps extends Omit<StatusWriteDeps, 'findings'> {
  /** True while namespace reconciles are queued or running (status writes wait, up to a bound). */
  busy: () => boolean;
  /** Every scan's findings, before the status is enqueued (the guardrails read the engines). */
  onFindings?: (findings: ClusterFindings) => void;
  opts: Pick<OperatorOptions, 'scanPeriodMs' | 'rescanDelayMs' | 'statusDebounceMs' | 'statusMaxDelayMs'>;
}

export class StatusPipeline {
  private readonly status: StatusController;
  private readonly scanner: PeriodicScan;
  private findings?: ClusterFindings;

  constructor(d: StatusPipelineDeps) {
    const { registry, log, opts } = d;
    this.scanner = new PeriodicScan({
      periodMs: opts.scanPeriodMs ?? 5 * 60_000,
      rescanDelayMs: opts.rescanDelayMs ?? 5_000,
      scan: async () => findingsFromScan(await scanCluster(d.client), registry.names().flatMap((n) => registry.get(n)?.parsed ?? []), d.namespaceInfos()),
      onFindings: (findings) => {
        if (findings.enforcement && !findings.enforcement.enforced) log.warn(findings.enforcement.message);
        this.findings = findings;
        d.onFindings?.(findings);
        this.enqueue(registry.names());
      },
      onError: (err) => log.warn(`cluster scan failed: ${errorMessage(err)}`),
    });
    const writeDeps = { ...d, findings: () => this.findings };
    this.status = new StatusController({
      write: (name) => writeProfileStatus(writeDeps, name),
      isGone: isNotFound,
      busy: d.busy,
      debounceMs: opts.statusDebounceMs ?? 1_000,
      maxDelayMs: opts.statusMaxDelayMs ?? 5_000,
      onError: (profile, err, retries) => log.warn(`status of profile ${profile} not written (retry ${retries + 1}, with backoff): ${errorMessage(err)}`, { profile }),
    });
  }

  /** These profiles' status may have changed. */
  enqueue(profiles: Iterable<string>): void {
    this.status.enqueue(profiles);
  }

  forget(profile: string): void {
    this.status.forget(profile);
  }

  /** A profile changed: scan again soon (its metadata and node findings may differ). */
  rescanSoon(): void {
    this.scanner.requestSoon();
  }

  /** Leading: write status and scan. */
  start(profiles: Iterable<string>): void {
    this.status.start();
    this.enqueue(profiles);
    this.scanner.start();
  }

  /** With flush (a graceful stop while leading) pending status is written first. */
  async stop(flush = false): Promise<void> {
    this.scanner.stop();
    await this.status.stop({ flush });
  }

  /** The first scan is done (or none is due) and no status write is pending. */
  async idle(): Promise<boolean> {
    await this.scanner.current;
    return this.status.idle() && !this.scanner.firstPending() && !this.scanner.current;
  }
}
