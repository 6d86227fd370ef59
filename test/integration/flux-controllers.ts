// Runs Flux's source-controller and kustomize-controller as processes against the test control plane: CRDs
// installed from the controllers' own module sources, every address on 127.0.0.1, leader election off.
// The v1.9 controllers take their API server from KUBECONFIG (they have no --kubeconfig flag).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Child } from '../../src/devcluster/child.js';
import { onProcessExit } from '../../src/devcluster/cleanup.js';
import { freePorts } from '../../src/devcluster/controlplane.js';
import { KubeClient } from '../../src/kube/client.js';
import type { FluxBinaries } from './flux-binaries.js';
import { controlPlane, eventually, kubeConfig } from './hooks.js';

export const FLUX_NAMESPACE = 'flux-system';

export interface FluxControllers {
  /** Both logs' last lines, for failure messages. */
  logTails(): string;
  /** Stops both processes (SIGTERM, then SIGKILL) and removes their storage. Idempotent. */
  stop(): Promise<void>;
}

/** Server-side applies every Flux CRD and waits until each is established and served. */
export async function installFluxCrds(files: string[]): Promise<void> {
  const client = new KubeClient(kubeConfig(), { qps: 0 });
  const crds = files.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as { metadata: { name: string }; spec: { group: string; names: { plural: string }; versions: { name: string; storage: boolean }[] } }));
  for (const crd of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    await client.request('PATCH', path, { query: { fieldManager: 'flux-test', force: true }, body: crd, contentType: 'application/apply-patch+yaml' });
  }
  for (const crd of crds) {
    const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]!.name;
    await eventually(() => client.request('GET', `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`), { timeoutMs: 60_000 });
  }
}

/** Waits for /readyz; fails at once with the log tail if the process exits. */
async function waitHealthy(child: Child, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.describeExit()}\n${child.logTail()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
      last = `/readyz ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms (${last})\n${child.logTail()}`);
}

export async function startFluxControllers(bin: FluxBinaries): Promise<FluxControllers> {
  const dir = mkdtempSync(join(tmpdir(), 'segmentation-flux-'));
  const unregisterDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'storage'));
  const [storage, scMetrics, scHealth, kcMetrics, kcHealth] = await freePorts(5);
  const env = { ...process.env, KUBECONFIG: controlPlane().kubeconfigPath, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const common = ['--enable-leader-election=false', '--log-encoding=console', '--log-level=info', '--events-addr='];
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.splice(0).map((c) => c.stop(5_000)));
    rmSync(dir, { recursive: true, force: true });
    unregisterDir();
  };
  try {
    // Child.start passes no env option: the controllers inherit ours, so set it around the spawn.
    const source = withEnv(env, () =>
      Child.start({
        name: 'source-controller',
        command: bin.sourceController,
        args: [...common, `--storage-path=${join(dir, 'storage')}`, `--storage-addr=127.0.0.1:${storage}`, `--storage-adv-addr=127.0.0.1:${storage}`, `--metrics-addr=127.0.0.1:${scMetrics}`, `--health-addr=127.0.0.1:${scHealth}`],
        logFile: join(dir, 'source-controller.log'),
        cwd: dir,
      }),
    );
    children.push(source);
    const kustomize = withEnv(env, () =>
      Child.start({
        name: 'kustomize-controller',
        command: bin.kustomizeController,
        args: [...common, `--metrics-addr=127.0.0.1:${kcMetrics}`, `--health-addr=127.0.0.1:${kcHealth}`, '--no-remote-bases=true'],
        logFile: join(dir, 'kustomize-controller.log'),
        cwd: dir,
      }),
    );
    children.push(kustomize);
    await waitHealthy(source, scHealth!);
    await waitHealthy(kustomize, kcHealth!);
    return {
      logTails: () => [source, kustomize].map((c) => `--- ${c.name} (${c.describeExit()}) ---\n${c.logTail(25)}`).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs `fn` with `env` as process.env (restored afterwards): spawn copies process.env synchronously. */
function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => T): T {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
