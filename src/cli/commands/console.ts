// `segmentation console`: serves the web console on 127.0.0.1 and prints one URL (with its token). Live
// mode reads the cluster of the user's kubeconfig; any of --profiles/--namespaces/--pods/--policies makes
// it offline on those files. It opens nothing by itself.
import type { Command } from 'commander';
import { z } from 'zod';
import { CLUSTER_OPTION_HELP } from '../cluster-facts.js';
import { collect, InputError } from '../input.js';
import { fileSource } from '../../console/source-files.js';
import { liveSource } from '../../console/source-live.js';
import { isLoopback, startConsole } from '../../console/server.js';

export const consoleOptionsSchema = z.strictObject({
  address: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8390),
  readOnly: z.boolean().default(false),
  kubeconfig: z.string().min(1).optional(),
  profiles: z.array(z.string()).optional(),
  namespaces: z.array(z.string()).optional(),
  pods: z.array(z.string()).optional(),
  policies: z.array(z.string()).optional(),
  cluster: z.array(z.string()).optional(),
});

/** The warning printed when the console listens beyond loopback; undefined on loopback. */
export function addressWarning(address: string): string | undefined {
  if (isLoopback(address)) return undefined;
  return `warning: --address ${address} makes the console reachable from other machines; anyone with the URL acts with your kubeconfig's rights`;
}

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description('serve the web console on 127.0.0.1 and print its URL (live cluster, or offline on files)')
    .option('--address <ip>', 'address to listen on (anything but loopback exposes the console: a warning is printed)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8390')
    .option('--read-only', 'refuse every write; the pages hide Save', false)
    .option('--kubeconfig <path>', 'kubeconfig for live mode (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--profiles <file>', 'offline: SegmentationProfiles (repeatable)', collect)
    .option('--namespaces <file>', 'offline: Namespaces, e.g. `kubectl get ns -o yaml` (repeatable)', collect)
    .option('--pods <file>', 'offline: Pods (repeatable)', collect)
    .option('--policies <file>', 'offline: NetworkPolicies (repeatable)', collect)
    .option('--cluster <file>', `offline: ${CLUSTER_OPTION_HELP}`, collect)
    .action(async (raw: Record<string, unknown>) => {
      const parsed = consoleOptionsSchema.safeParse(raw);
      if (!parsed.success) throw new InputError(`console: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const o = parsed.data;
      const offline = [o.profiles, o.namespaces, o.pods, o.policies, o.cluster].some((f) => (f?.length ?? 0) > 0);
      if (offline && o.kubeconfig) throw new InputError('console: --kubeconfig (live) and files (offline) cannot be combined');
      let source;
      try {
        source = offline ? fileSource(o) : liveSource(o.kubeconfig);
      } catch (err) {
        throw new InputError(`console: ${(err as Error).message.split('\n')[0]}`);
      }
      // Offline: bad files are reported now, in one line, rather than on the first page load.
      if (offline) await source.load();
      const warning = addressWarning(o.address);
      if (warning) process.stderr.write(`${warning}\n`);
      const running = await startConsole({ source, address: o.address, port: o.port, readOnly: o.readOnly });
      process.stderr.write(`segmentation console: ${source.description}${o.readOnly ? ' (read-only)' : ''}\n`);
      process.stdout.write(`${running.url}\n`);
      const stop = () => void running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
