// `npm run cluster`: starts the local control plane (building the binaries on
// first use), prints `export KUBECONFIG=...` and runs until Ctrl-C or
// SIGTERM, then stops every process it started and removes the data dir.
//
// Usage: node --import tsx src/devcluster/cli.ts [--kubeconfig-out PATH]
//   --kubeconfig-out PATH  also copy the admin kubeconfig to PATH (stable path for other shells)

import { copyFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureBinaries } from './binaries.js';
import { startControlPlane, type ControlPlane } from './controlplane.js';

const USAGE = 'usage: cluster [--kubeconfig-out PATH]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'kubeconfig-out': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const log = (message: string) => console.error(`[cluster] ${message}`);

  // Installed before anything starts: a signal during the build or start-up
  // exits at once, and the 'exit' handlers (see cleanup.ts) kill what was
  // started and remove the data dir. Once running, stop gracefully.
  let cp: ControlPlane | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (!cp || stopping) process.exit(130); // second Ctrl-C: do not wait any longer
    stopping = true;
    log(`${signal}: stopping the control plane`);
    cp.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);

  const startedAt = Date.now();
  const binaries = await ensureBinaries();
  // handleSignals: false, as the handler above does it.
  cp = await startControlPlane({ binaries, handleSignals: false, onProgress: log });
  log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: Kubernetes ${cp.version} at ${cp.server}`);
  log(`logs: ${cp.logDir}`);

  let kubeconfig = cp.kubeconfigPath;
  const out = values['kubeconfig-out'];
  if (out) {
    copyFileSync(cp.kubeconfigPath, out);
    kubeconfig = out;
  }
  console.log(`export KUBECONFIG=${kubeconfig}`);
  log('press Ctrl-C to stop');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
