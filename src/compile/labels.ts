// The one label vocabulary and field manager of the project. Everything that writes, selects or
// recognises a generated object uses these constants.

/** Standard recommended label; the operator only ever touches objects carrying it with our value. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'segmentation-operator';
/** Which SegmentationProfile produced the object. */
export const PROFILE_LABEL = 'segmentation.dev/profile';
/** What the policy is for: one of the `Purpose` values in names.ts (deny-all, dns, allow-ingress, ...). */
export const PURPOSE_LABEL = 'segmentation.dev/purpose';
/** For allow policies: the rule's name in the profile. */
export const RULE_LABEL = 'segmentation.dev/rule';
/** A namespace labelled `segmentation.dev/ignore=true` is never targeted by any profile. */
export const IGNORE_LABEL = 'segmentation.dev/ignore';
/** Set by the API server on every namespace; the only reliable way to select a namespace by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Server-side apply field manager: one for the whole operator. */
export const FIELD_MANAGER = 'segmentation-operator';
/** Label selector string for the managed NetworkPolicies (for list/watch). */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
