// KubeConfig from an explicit file, else KUBECONFIG / ~/.kube/config / in-cluster service account. A
// kubeconfig that cannot be read or parsed is reported with where it came from.
import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** The kubeconfig could not be loaded: `source` says which one and where it came from. */
export class KubeconfigError extends Error {
  constructor(
    readonly source: string,
    cause: string,
  ) {
    super(`cannot load the kubeconfig ${source}: ${cause}`);
    this.name = 'KubeconfigError';
  }
}

/**
 * Which kubeconfig loadKubeConfig reads, in words: the explicit path and what gave it (`from`, e.g.
 * "--kubeconfig"), else KUBECONFIG, else ~/.kube/config, else the in-cluster service account (client-node's
 * order).
 */
export function kubeconfigSource(path: string | undefined, from: string, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  if (path) return `${path} (from ${from})`;
  if (env.KUBECONFIG) return `${env.KUBECONFIG} (from KUBECONFIG)`;
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (exists(home)) return `${home} (the default)`;
  if (env.KUBERNETES_SERVICE_HOST) return 'of the in-cluster service account (/var/run/secrets/kubernetes.io/serviceaccount)';
  return '(none found: no KUBECONFIG, no ~/.kube/config, not in a pod)';
}

export function loadKubeConfig(path?: string, from = '--kubeconfig'): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeconfigError(kubeconfigSource(path, from), (err instanceof Error ? err.message : String(err)).split('\n')[0]!);
  }
  if (!kc.getCurrentCluster()) throw new KubeconfigError(kubeconfigSource(path, from), 'no current cluster: set KUBECONFIG, pass --kubeconfig, or run in a pod');
  return kc;
}

/** Leader-election identity: the pod name when running in a pod, else host and pid. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || `${hostname()}-${process.pid}`;
}
