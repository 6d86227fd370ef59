// Locates (and if needed builds) the Flux controllers of the GitOps test by running test/gitops/build-flux.sh,
// which returns at once when its cache is complete and otherwise builds them from their Go modules (about
// 11-12 minutes on 2 idle cores). The pins live in test/gitops/flux-versions.env, read here for messages.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from '../../src/devcluster/cleanup.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_SCRIPT = join(ROOT, 'test', 'gitops', 'build-flux.sh');
const VERSIONS_FILE = join(ROOT, 'test', 'gitops', 'flux-versions.env');

export interface FluxBinaries {
  sourceController: string;
  kustomizeController: string;
  /** Every CRD file of both controllers (config/crd/bases of their module sources). */
  crdFiles: string[];
  versions: { sourceController: string; kustomizeController: string };
}

export function fluxVersions(): FluxBinaries['versions'] {
  const values = new Map<string, string>();
  for (const line of readFileSync(VERSIONS_FILE, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(\S+)\s*$/.exec(line);
    if (m?.[1] && m[2]) values.set(m[1], m[2]);
  }
  const sourceController = values.get('FLUX_SOURCE_CONTROLLER_VERSION');
  const kustomizeController = values.get('FLUX_KUSTOMIZE_CONTROLLER_VERSION');
  if (!sourceController || !kustomizeController) throw new Error(`${VERSIONS_FILE} must pin both controllers`);
  return { sourceController, kustomizeController };
}

/** Runs build-flux.sh (progress lines to `onProgress`); rejects with its own last line as the reason. */
export async function ensureFluxBinaries(onProgress: (line: string) => void, timeoutMs = 45 * 60_000): Promise<FluxBinaries> {
  // Own process group, so a timeout or our exit stops the go compilers too.
  const child = spawn('bash', [BUILD_SCRIPT], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killBuild = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const unregister = onProcessExit(killBuild);
  let stdout = '';
  const tail: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      onProgress(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killBuild();
  }, timeoutMs);
  const status = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  }).finally(() => {
    clearTimeout(timer);
    unregister();
  });
  if (partial) tail.push(partial);
  if (status !== 0) {
    const reason = timedOut ? `timed out after ${Math.round(timeoutMs / 60_000)} minutes` : (tail.filter((l) => l.trim()).at(-1) ?? `exit status ${status}`);
    throw new Error(`Cannot build the Flux controllers (test/gitops/build-flux.sh): ${reason}\n--- last lines ---\n${tail.join('\n')}`);
  }
  const dir = stdout.trim().split('\n').at(-1) ?? '';
  const crdFiles = ['source-controller', 'kustomize-controller'].flatMap((c) =>
    readdirSync(join(dir, 'crds', c))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(dir, 'crds', c, f)),
  );
  return {
    sourceController: resolve(dir, 'bin', 'source-controller'),
    kustomizeController: resolve(dir, 'bin', 'kustomize-controller'),
    crdFiles,
    versions: fluxVersions(),
  };
}
