// The objects the operator reads and writes, in their wire (JSON) form, as the kube layer sees them.
import type { NetworkPolicy, NetworkPolicySpec } from '../api/networkpolicy.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A NetworkPolicy as read from the API server (wire JSON): what we compare and act on. */
export interface ObservedPolicy {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    managedFields?: ManagedFieldsEntry[];
    deletionTimestamp?: string;
  };
  spec?: Partial<NetworkPolicySpec> & Record<string, unknown>;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A desired policy: the rendered object plus the ownerReference we add before writing. */
export type DesiredPolicy = NetworkPolicy & { metadata: NetworkPolicy['metadata'] & { ownerReferences?: OwnerReference[] } };

