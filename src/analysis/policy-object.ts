// The NetworkPolicy shape the analysis reads: the wire form (`from`, as in YAML, as render() emits).
// client-node's generated models name that field `_from`; both are accepted so that passing a model
// by mistake can never read as "no peers" (which would mean "all sources" and over-claim access).
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../api/networkpolicy.js';

export type { IPBlock, LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../api/networkpolicy.js';

export interface PolicyObject {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    ingress?: Array<{ from?: NetworkPolicyPeer[]; _from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
    egress?: Array<{ to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
  };
}
