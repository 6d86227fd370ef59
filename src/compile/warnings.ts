// Parts of a valid profile that can have no effect. A security tool must never let a user believe a flow
// is locked down or opened when nothing was emitted for it: these are reported by `validate`, `render`,
// the operator (RulesEffective condition and Event) and the console, from this one pure function.
import type { SegmentationProfile } from '../api/profile.js';

export interface ProfileWarning {
  /** The field the warning is about, e.g. `spec.allow[2]`. */
  path: string;
  /** The allow rule's name, when the warning is about one. */
  rule?: string;
  message: string;
}

const EGRESS_OPEN = 'egress is not default-denied (spec.defaultDeny.egress is false)';

export function profileWarnings(profile: SegmentationProfile): ProfileWarning[] {
  const spec = profile.spec;
  const out: ProfileWarning[] = [];
  const denyEgress = spec.defaultDeny.egress;

  spec.allow.forEach((rule, i) => {
    const path = `spec.allow[${i}]`;
    if (rule.to.ipBlock && !denyEgress) {
      out.push({ path, rule: rule.name, message: `has no effect: it allows egress to ${rule.to.ipBlock.cidr}, but ${EGRESS_OPEN}, so that traffic is already allowed and nothing is emitted for it` });
      return;
    }
    const named = (rule.ports ?? []).filter((p) => typeof p.port === 'string').map((p) => p.port);
    if (rule.to.ipBlock && named.length > 0) {
      out.push({ path: `${path}.ports`, rule: rule.name, message: `named port(s) ${named.join(', ')} match nothing on an ipBlock destination: a port name resolves on pods only` });
    }
  });

  if ((spec.instanceMetadata.allowFrom ?? []).length > 0 && !spec.instanceMetadata.deny) {
    out.push({ path: 'spec.instanceMetadata.allowFrom', message: 'has no effect: spec.instanceMetadata.deny is false, so the metadata endpoint is not blocked for anyone' });
  }
  if (spec.apiServer && !denyEgress) {
    out.push({ path: 'spec.apiServer.allowFrom', message: `has no effect: ${EGRESS_OPEN}, so every pod can reach the API server already` });
  }
  if ((spec.dns.nodeLocalCIDRs ?? []).length > 0 && !denyEgress) {
    out.push({ path: 'spec.dns.nodeLocalCIDRs', message: `has no effect: ${EGRESS_OPEN}, so DNS is reachable already` });
  }
  if (spec.dns.preset && !denyEgress) {
    out.push({ path: 'spec.dns.preset', message: `has no effect: ${EGRESS_OPEN}, so DNS is reachable already` });
  }
  if (spec.guardrails.defaultDenyTier === 'Baseline' && spec.defaultDeny.ingress) {
    out.push({ path: 'spec.guardrails.defaultDenyTier', message: 'the Baseline-tier default deny cannot deny ingress from outside the cluster (ClusterNetworkPolicy ingress peers are pods and namespaces only): pods that no NetworkPolicy selects stay reachable from external addresses' });
  }
  return out;
}

/** `spec.allow[2] (rule "x"): has no effect: ...`, the one-line form every front end prints. */
export function formatWarning(w: ProfileWarning): string {
  return `${w.path}${w.rule ? ` (rule "${w.rule}")` : ''}: ${w.message}`;
}
