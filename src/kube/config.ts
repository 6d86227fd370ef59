// KubeConfig from an explicit file, else KUBECONFIG / ~/.kube/config / in-cluster service account.
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes cluster configured: set KUBECONFIG, pass --kubeconfig, or run in a pod');
  return kc;
}

/** Leader-election identity: the pod name when running in a pod, else host and pid. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || `${hostname()}-${process.pid}`;
}
