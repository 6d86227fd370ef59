// Locates (and if needed builds) the Flux controllers of the GitOps test by running test/gitops/build-flux.sh,
// which returns at once when its cache is complete and otherwise builds them from their Go modules (about
// 11-12 minutes on 2 idle cores). The pins live in test/gitops/flux-versions.env, read here for messages.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBuildScript } from '../../src/devcluster/build-script.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_SCRIPT = join('test', 'gitops', 'build-flux.sh'); // relative to ROOT, where it runs
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
  const dir = await runBuildScript(BUILD_SCRIPT, { cwd: ROOT, onProgress, timeoutMs, what: 'the Flux controllers' });
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
