// A real control plane, the CRD and the operator for the live browser test. In a full `npm test` run the
// control plane of test/integration/hooks.ts is reused; run alone, this file starts one of its own.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from '../../src/devcluster/binaries.js';
import { startControlPlane, type ControlPlane } from '../../src/devcluster/controlplane.js';
import { createLogger } from '../../src/controller/log.js';
import { Operator } from '../../src/controller/operator.js';
import { KubeClient } from '../../src/kube/client.js';
import { installCrd } from '../integration/crd-install.js';
import { controlPlane } from '../integration/hooks.js';

export interface LiveCluster {
  kubeconfigPath: string;
  kc: KubeConfig;
  api: KubeClient;
  operator: Operator;
  stop(): Promise<void>;
}

const log = (m: string) => process.stderr.write(`[console-live] ${m}\n`);

/**
 * The control plane that test/integration/hooks.ts started for this run, if any. Its controlPlane() is not
 * visible from here (mocha's `require` and the test files get different module instances), but the hook
 * points KUBECONFIG at it: accepted only when that file is in a data dir src/devcluster made, never a
 * kubeconfig of the user's.
 */
function sharedKubeconfig(): string | undefined {
  try {
    return controlPlane().kubeconfigPath;
  } catch {
    const env = process.env.KUBECONFIG;
    return env && env.startsWith(join(tmpdir(), 'segmentation-controlplane-')) && existsSync(env) ? env : undefined;
  }
}

export async function startLiveCluster(): Promise<LiveCluster> {
  let own: ControlPlane | undefined;
  let kubeconfigPath = sharedKubeconfig();
  if (!kubeconfigPath) {
    log('no shared control plane in this run: starting one');
    own = await startControlPlane({ binaries: await ensureBinaries({ onProgress: log }), onProgress: log });
    kubeconfigPath = own.kubeconfigPath;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await installCrd(kc);
  const operator = new Operator({ kubeConfig: kc, workers: 2, healthPort: 0, metricsPort: 0, resyncMs: 60_000, processMetrics: false, statusDebounceMs: 100, scanPeriodMs: 0, logger: createLogger('error') });
  await operator.start();
  return {
    kubeconfigPath,
    kc,
    api: new KubeClient(kc, { qps: 0 }),
    operator,
    async stop() {
      await operator.stop();
      await own?.stop();
    },
  };
}
