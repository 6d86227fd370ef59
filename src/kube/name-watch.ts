// A watch on one object name (fieldSelector metadata.name=<name>): the server sends events for that object
// only, the cache holds at most that object's metadata. Used for objects of users whose names clash with
// ours (NetworkPolicies in a namespace, cluster-scoped guardrails), which our label-selected informers
// never see.
import { policyPath } from './api.js';
import type { KubeClient } from './client.js';
import { Informer, type InformerOptions } from './informer.js';

interface PolicyMeta {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
}

export interface NameWatch {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Calls `onChange` when the object is modified, deleted (a rename is a delete), re-created after that, or
 * already absent when the watch has synced (it went between the clash and the watch).
 */
export function watchPolicyName(
  client: KubeClient,
  namespace: string,
  name: string,
  onChange: () => void,
  opts: Pick<InformerOptions, 'onRestart' | 'onError' | 'onHandlerError'> = {},
): NameWatch {
  return watchObjectName(client, 'clashing-networkpolicy', policyPath(namespace), namespace, name, onChange, opts);
}

/** The same for any collection (`namespace` '' for cluster-scoped objects). */
export function watchObjectName(
  client: KubeClient,
  informerName: string,
  collectionPath: string,
  namespace: string,
  name: string,
  onChange: () => void,
  opts: Pick<InformerOptions, 'onRestart' | 'onError' | 'onHandlerError'> = {},
): NameWatch {
  const informer = new Informer<PolicyMeta>(client, {
    name: informerName,
    path: collectionPath,
    fieldSelector: `metadata.name=${name}`,
    transform: (p: PolicyMeta) => ({ metadata: { name: p.metadata.name, namespace: p.metadata.namespace, resourceVersion: p.metadata.resourceVersion, ...(p.metadata.labels ? { labels: p.metadata.labels } : {}) } }),
    ...opts,
  });
  let synced = false;
  informer.on({ add: () => synced && onChange(), update: onChange, delete: onChange });
  return {
    async start() {
      await informer.start();
      synced = true;
      if (!informer.get(name, namespace)) onChange();
    },
    stop: () => informer.stop(),
  };
}
