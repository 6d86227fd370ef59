// The one label vocabulary and field manager of the project: every label and annotation key that more
// than one file uses, ours and those that Kubernetes or a guardrails backend sets and we select on.
// Everything that writes, selects or recognises an object uses these constants. No imports: src/api may
// use it too.

/** Standard recommended label; the operator only ever touches objects carrying it with our value. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'segmentation-operator';
/** Which SegmentationProfile produced the object. */
export const PROFILE_LABEL = 'segmentation.dev/profile';
/** What the policy is for: one of the `Purpose` values in names.ts (deny-all, dns, allow-ingress, ...). */
export const PURPOSE_LABEL = 'segmentation.dev/purpose';
/** For allow policies: the rule's name in the profile. */
export const RULE_LABEL = 'segmentation.dev/rule';
/** What a generated object does, in a sentence (`kubectl describe` shows it). */
export const DESCRIPTION_ANNOTATION = 'segmentation.dev/description';
/**
 * On the operator's guardrail objects: a hash of what it rendered. Their drift check looks only at the
 * fields we set (CRDs default more), so a changed rendering is how a field we no longer set gets removed.
 */
export const RENDERED_HASH_ANNOTATION = 'segmentation.dev/rendered-hash';
/** A namespace labelled `segmentation.dev/ignore=true` is never targeted by any profile. */
export const IGNORE_LABEL = 'segmentation.dev/ignore';
/** Set by the API server on every namespace; the only reliable way to select a namespace by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Set on every EndpointSlice: the Service it belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Calico's label on namespaces with the namespace's name. */
export const CALICO_NAMESPACE_NAME_LABEL = 'projectcalico.org/name';
/** Cilium's label for a pod's namespace name, and the prefix under which it exposes namespace labels. */
export const CILIUM_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** Server-side apply field manager: one for the whole operator. */
export const FIELD_MANAGER = 'segmentation-operator';
/** Label selector string for the managed NetworkPolicies (for list/watch). */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
