// KubeConfig from an explicit file, else KUBECONFIG / ~/.kube/config / in-cluster service account. A
// kubeconfig that cannot be read or parsed is reported with where it came from.
import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import { inClusterConfig, readKubeconfigFiles, type LoadedKubeConfig } from './kubeconfig.js';

/** The kubeconfig could not be loaded: which one (`path`) and what chose it (`from`). */
export class KubeconfigError extends Error {
  constructor(
    readonly path: string,
    readonly from: string,
    cause: string,
  ) {
    super(`cannot load kubeconfig ${path}: ${cause} (${from})`);
    this.name = 'KubeconfigError';
  }
}

/**
 * Which kubeconfig loadKubeConfig reads and what chose it: the explicit path and what gave it (`from`,
 * e.g. "--kubeconfig"), else KUBECONFIG, else ~/.kube/config, else the in-cluster service account
 * (kubectl's order).
 */
export function kubeconfigSource(path: string | undefined, from: string, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): { path: string; from: string } {
  if (path) return { path, from: `from ${from}` };
  if (env.KUBECONFIG) return { path: env.KUBECONFIG, from: 'from KUBECONFIG' };
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (exists(home)) return { path: home, from: 'the default' };
  if (env.KUBERNETES_SERVICE_HOST) return { path: '/var/run/secrets/kubernetes.io/serviceaccount', from: 'in-cluster service account' };
  return { path: '(none)', from: 'no KUBECONFIG, no ~/.kube/config, not in a pod' };
}

export function loadKubeConfig(path?: string, from = '--kubeconfig', env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig {
  const source = () => kubeconfigSource(path, from, env);
  let kc: LoadedKubeConfig;
  try {
    const chosen = source();
    if (chosen.from === 'in-cluster service account') kc = inClusterConfig(env);
    else if (chosen.path === '(none)') throw new Error('nothing to read');
    // KUBECONFIG may list several files, merged as kubectl merges them.
    else kc = readKubeconfigFiles(path ? [path] : chosen.path.split(delimiter).filter(Boolean));
  } catch (err) {
    throw new KubeconfigError(source().path, source().from, (err instanceof Error ? err.message : String(err)).split('\n')[0]!);
  }
  if (!kc.getCurrentCluster()) throw new KubeconfigError(source().path, source().from, 'no current cluster: set KUBECONFIG, pass --kubeconfig, or run in a pod');
  return kc;
}

/** Leader-election identity: the pod name when running in a pod, else host and pid. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || `${hostname()}-${process.pid}`;
}
