// `segmentation run`: the operator. Flags and their environment fallbacks are validated with zod;
// SIGTERM/SIGINT stop it gracefully (drain in-flight work, write pending status, release the lease).
import type { Command } from 'commander';
import { z } from 'zod';
import { LOG_LEVELS } from '../../controller/log.js';
import { DEFAULT_LEADER_ELECTION, Operator, type OperatorOptions } from '../../controller/operator.js';
import { DEFAULT_BURST, DEFAULT_QPS } from '../../kube/client.js';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = z.coerce.number().positive().max(86_400);

export const runOptionsSchema = z
  .strictObject({
    kubeconfig: z.string().min(1).optional(),
    workers: int(1, 256).default(12),
    leaderElect: bool.default(false),
    leaseNamespace: z.string().min(1).max(63).default(DEFAULT_LEADER_ELECTION.namespace),
    leaseName: z.string().min(1).max(253).default(DEFAULT_LEADER_ELECTION.name),
    leaseDuration: seconds.default(DEFAULT_LEADER_ELECTION.leaseDurationMs / 1000),
    renewDeadline: seconds.default(DEFAULT_LEADER_ELECTION.renewDeadlineMs / 1000),
    retryPeriod: seconds.default(DEFAULT_LEADER_ELECTION.retryPeriodMs / 1000),
    healthPort: int(0, 65535).default(8081),
    metricsPort: int(0, 65535).default(8080),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    resyncPeriod: z.coerce.number().min(0).max(86_400).default(600),
    qps: z.coerce.number().min(0).max(100_000).default(DEFAULT_QPS),
    burst: int(1, 100_000).default(DEFAULT_BURST),
    eventsNamespace: z.string().min(1).max(63).default('default'),
    scanPeriod: z.coerce.number().min(0).max(86_400).default(300),
  })
  .superRefine((o, ctx) => {
    if (o.leaderElect && !(o.leaseDuration > o.renewDeadline && o.renewDeadline > o.retryPeriod))
      ctx.addIssue({ code: 'custom', path: ['leaseDuration'], message: 'needs lease-duration > renew-deadline > retry-period' });
  });

export type RunOptions = z.output<typeof runOptionsSchema>;

/** Flag name -> environment variable used when the flag is absent. */
export const RUN_ENV: Record<keyof RunOptions, string> = {
  kubeconfig: 'KUBECONFIG_PATH',
  workers: 'SEGMENTATION_WORKERS',
  leaderElect: 'SEGMENTATION_LEADER_ELECT',
  leaseNamespace: 'SEGMENTATION_LEASE_NAMESPACE',
  leaseName: 'SEGMENTATION_LEASE_NAME',
  leaseDuration: 'SEGMENTATION_LEASE_DURATION',
  renewDeadline: 'SEGMENTATION_RENEW_DEADLINE',
  retryPeriod: 'SEGMENTATION_RETRY_PERIOD',
  healthPort: 'SEGMENTATION_HEALTH_PORT',
  metricsPort: 'SEGMENTATION_METRICS_PORT',
  logLevel: 'SEGMENTATION_LOG_LEVEL',
  resyncPeriod: 'SEGMENTATION_RESYNC_PERIOD',
  qps: 'SEGMENTATION_QPS',
  burst: 'SEGMENTATION_BURST',
  eventsNamespace: 'SEGMENTATION_EVENTS_NAMESPACE',
  scanPeriod: 'SEGMENTATION_SCAN_PERIOD',
};

/** Flags win over environment variables, which win over defaults. Throws a readable error when invalid. */
export function resolveRunOptions(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RunOptions {
  const merged: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(RUN_ENV)) {
    const value = flags[key] ?? env[envName];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = runOptionsSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      return `--${flag}${RUN_ENV[key as keyof RunOptions] ? ` (${RUN_ENV[key as keyof RunOptions]})` : ''}: ${i.message}`;
    });
    throw new Error(`invalid options: ${issues.join('; ')}`);
  }
  return parsed.data;
}

export function operatorOptions(o: RunOptions): OperatorOptions {
  return {
    ...(o.kubeconfig ? { kubeconfigPath: o.kubeconfig } : {}),
    workers: o.workers,
    leaderElection: {
      enabled: o.leaderElect,
      namespace: o.leaseNamespace,
      name: o.leaseName,
      leaseDurationMs: o.leaseDuration * 1000,
      renewDeadlineMs: o.renewDeadline * 1000,
      retryPeriodMs: o.retryPeriod * 1000,
    },
    healthPort: o.healthPort,
    metricsPort: o.metricsPort,
    logLevel: o.logLevel,
    resyncMs: o.resyncPeriod * 1000,
    qps: o.qps,
    burst: o.burst,
    eventsNamespace: o.eventsNamespace,
    scanPeriodMs: o.scanPeriod * 1000,
  };
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run the operator: keep every matching namespace\'s NetworkPolicies in line with the SegmentationProfiles (uses KUBECONFIG or the in-cluster service account)')
    .option('--kubeconfig <path>', `kubeconfig file (env ${RUN_ENV.kubeconfig}; default: KUBECONFIG, ~/.kube/config, in-cluster)`)
    .option('--workers <n>', `concurrent namespace reconciles (env ${RUN_ENV.workers}; default 12)`)
    .option('--leader-elect [bool]', `enable leader election on a Lease (env ${RUN_ENV.leaderElect}; default false)`)
    .option('--lease-namespace <ns>', `namespace of the Lease (env ${RUN_ENV.leaseNamespace}; default ${DEFAULT_LEADER_ELECTION.namespace})`)
    .option('--lease-name <name>', `name of the Lease (env ${RUN_ENV.leaseName}; default ${DEFAULT_LEADER_ELECTION.name})`)
    .option('--lease-duration <seconds>', `lease duration (env ${RUN_ENV.leaseDuration}; default 15)`)
    .option('--renew-deadline <seconds>', `leader gives up if it cannot renew within this (env ${RUN_ENV.renewDeadline}; default 10)`)
    .option('--retry-period <seconds>', `acquire/renew interval (env ${RUN_ENV.retryPeriod}; default 2)`)
    .option('--health-port <port>', `/healthz and /readyz port, 0 = off (env ${RUN_ENV.healthPort}; default 8081)`)
    .option('--metrics-port <port>', `/metrics port, 0 = off (env ${RUN_ENV.metricsPort}; default 8080)`)
    .option('--log-level <level>', `${LOG_LEVELS.join(', ')} (env ${RUN_ENV.logLevel}; default info)`)
    .option('--resync-period <seconds>', `full relist of every watched kind, 0 = never (env ${RUN_ENV.resyncPeriod}; default 600)`)
    .option('--qps <n>', `client-side rate limit, requests per second, 0 = unlimited (env ${RUN_ENV.qps}; default ${DEFAULT_QPS})`)
    .option('--burst <n>', `client-side burst (env ${RUN_ENV.burst}; default ${DEFAULT_BURST})`)
    .option('--events-namespace <ns>', `namespace for Events about profiles (env ${RUN_ENV.eventsNamespace}; default default)`)
    .option('--scan-period <seconds>', `how often to check for a NetworkPolicy engine and for policies reopening the metadata endpoint, 0 = never (env ${RUN_ENV.scanPeriod}; default 300)`)
    .action(async (flags: Record<string, unknown>) => {
      if (flags.leaderElect === true) flags.leaderElect = 'true';
      const options = resolveRunOptions(flags);
      const from = flags.kubeconfig ? '--kubeconfig' : RUN_ENV.kubeconfig;
      const operator = new Operator({ ...operatorOptions(options), ...(options.kubeconfig ? { kubeconfigFrom: from } : {}) });
      let stopping: Promise<void> | undefined;
      const shutdown = (signal: string) => {
        if (stopping) {
          operator.log.warn(`${signal} again: exiting now`);
          process.exit(1);
        }
        operator.log.info(`${signal}: draining and releasing the lease`);
        stopping = operator.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            operator.log.error(`stop failed: ${String(err)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      try {
        await operator.start();
      } catch (err) {
        if (stopping) return; // a signal arrived before the caches synced: stop() is exiting
        throw err;
      }
      // Keep the process alive until a signal stops it, whatever the connections are doing.
      setInterval(() => {}, 1 << 30);
    });
}
