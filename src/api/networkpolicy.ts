// NetworkPolicy as it is on the wire (JSON/YAML, `from` not `_from`): the one NetworkPolicy type of the
// project, imported from here under these short names. It is what users read and write, what `render`
// prints, what the evaluator reads from files, and what src/kube sends and receives: KubeClient speaks
// plain JSON over its own transport (src/kube/transport.ts), so objects from the API server (lists and
// watch events alike) arrive in this form too. client-node's generated models (`V1NetworkPolicy`, which
// renames `from` to `_from`) are not used for NetworkPolicies.
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface NetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: NetworkPolicySpec;
}

/**
 * A NetworkPolicy as it is read (from files, a cluster or a console snapshot) rather than rendered: the
 * same wire form with every field optional; the evaluator applies the API server's defaults. An ingress
 * rule may also carry `_from`, client-node's model name for `from`, so that a model passed by mistake can
 * never read as "no peers" (which would mean "all sources" and over-claim access).
 */
export interface PolicyObject {
  metadata?: Partial<Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations'>>;
  spec?: {
    podSelector?: LabelSelector;
    /** Typed loosely, as client-node types it; only `Ingress` and `Egress` mean anything. */
    policyTypes?: string[];
    ingress?: Array<NetworkPolicyIngressRule & { _from?: NetworkPolicyPeer[] }>;
    egress?: NetworkPolicyEgressRule[];
  };
}
