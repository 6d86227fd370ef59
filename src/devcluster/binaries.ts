// Locates (and if needed builds) the control-plane binaries. The versions
// live in test/controlplane/versions.env and the cache-dir logic in
// test/controlplane/build.sh; this file reads the former and runs the latter,
// so neither is duplicated here.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBuildScript } from './build-script.js';

export interface PinnedVersions {
  /** e.g. "v1.37.2" */
  kubernetes: string;
  /** e.g. "v3.6.16" */
  etcd: string;
}

export interface Binaries {
  dir: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  etcd: string;
  versions: PinnedVersions;
}

export interface EnsureBinariesOptions {
  /** Receives each progress line of build.sh (default: written to stderr). */
  onProgress?: (line: string) => void;
  /** Abort the build after this long (default 45 minutes). */
  timeoutMs?: number;
}

const BUILD_SCRIPT = join('test', 'controlplane', 'build.sh');
const VERSIONS_FILE = join('test', 'controlplane', 'versions.env');

/**
 * The repository root: the nearest ancestor of this file that contains
 * test/controlplane/build.sh. Works from src/ (tsx) and from a compiled dist/.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, BUILD_SCRIPT))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find ${BUILD_SCRIPT} above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

/** Parses versions.env (plain KEY=value lines, # comments). */
export function pinnedVersions(root = repoRoot()): PinnedVersions {
  const values = new Map<string, string>();
  for (const line of readFileSync(join(root, VERSIONS_FILE), 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(\S+)\s*$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], match[2]);
  }
  const kubernetes = values.get('KUBERNETES_VERSION');
  const etcd = values.get('ETCD_VERSION');
  if (!kubernetes || !etcd) {
    throw new Error(`${VERSIONS_FILE} must define KUBERNETES_VERSION and ETCD_VERSION`);
  }
  return { kubernetes, etcd };
}

/**
 * Runs build.sh, which returns at once when the cached binaries are present
 * and report the pinned versions, and otherwise builds them with Go (the
 * first build takes 10-20 minutes). Rejects with build.sh's own reason when
 * Go or the module proxy is unavailable.
 */
export async function ensureBinaries(options: EnsureBinariesOptions = {}): Promise<Binaries> {
  const root = repoRoot();
  const versions = pinnedVersions(root);
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? 45 * 60_000;

  const dir = await runBuildScript(BUILD_SCRIPT, { cwd: root, onProgress, timeoutMs, what: 'the test control plane' });
  const bin = (name: string) => resolve(dir, 'bin', name);
  return {
    dir,
    kubeApiserver: bin('kube-apiserver'),
    kubeControllerManager: bin('kube-controller-manager'),
    etcd: bin('etcd'),
    versions,
  };
}
