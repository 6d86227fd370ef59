// Mocha root hooks (loaded through .mocharc.json "require"): one real control
// plane (etcd + kube-apiserver + kube-controller-manager) per test run, plus
// small helpers for integration tests.
//
// The control plane starts only when the run contains at least one test
// file under test/integration/, so unit-only runs stay fast. When it is
// needed and cannot be built or started (no Go, no module proxy), beforeAll
// fails with the reason: integration tests are never skipped.

import { randomBytes } from 'node:crypto';
import { sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from '../../src/devcluster/binaries.js';
import { startControlPlane, type ControlPlane } from '../../src/devcluster/controlplane.js';

let current: ControlPlane | undefined;
let previousKubeconfig: string | undefined;

const log = (message: string) => process.stderr.write(`[controlplane] ${message}\n`);

function runIncludesIntegrationTests(suite: Mocha.Suite): boolean {
  const marker = `${sep}test${sep}integration${sep}`;
  return (
    suite.tests.some((t) => t.file?.includes(marker) ?? false) ||
    suite.suites.some((s) => (s.file?.includes(marker) ?? false) || runIncludesIntegrationTests(s))
  );
}

export const mochaHooks: Mocha.RootHookObject = {
  async beforeAll(this: Mocha.Context) {
    const root = this.test?.parent;
    if (root && !runIncludesIntegrationTests(root)) return;

    // The first build of the binaries takes 10-20 minutes on 2 cores; later
    // runs find them cached and start in seconds.
    this.timeout(50 * 60_000);
    const startedAt = Date.now();
    const binaries = await ensureBinaries({ onProgress: log });
    current = await startControlPlane({ binaries, onProgress: log });
    previousKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = current.kubeconfigPath;
    log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (logs: ${current.logDir})`);
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    const cp = current;
    current = undefined;
    if (!cp) return;
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
    await cp.stop();
  },
};

/** The control plane of this test run (only inside integration tests). */
export function controlPlane(): ControlPlane {
  if (!current) {
    throw new Error('no control plane: controlPlane() is only available in tests under test/integration/');
  }
  return current;
}

/** A KubeConfig for the admin user of this run's control plane. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane().kubeconfigPath);
  return kc;
}

export interface TestNamespace {
  name: string;
  /** Deletes the namespace (does not wait for the namespace controller to finish). */
  delete(): Promise<void>;
}

/**
 * Creates a namespace named `<prefix>-<random>` and returns it; call
 * `delete()` in an after/afterEach hook. (Whatever is left is discarded with
 * the control plane at the end of the run.)
 */
export async function uniqueNamespace(prefix: string, labels: Record<string, string> = {}): Promise<TestNamespace> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const name = `${prefix.toLowerCase().slice(0, 50)}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels } } });
  return {
    name,
    async delete() {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      }
    },
  };
}

/**
 * Retries `check` (which throws, e.g. a failed assertion, until the world is
 * as expected) until it resolves, or rethrows its last error after `timeoutMs`.
 */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await sleep(intervalMs);
  }
}
