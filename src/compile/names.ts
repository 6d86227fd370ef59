// Names of generated NetworkPolicies. NetworkPolicy names are DNS-1123 subdomains (dots allowed);
// profile and rule names are DNS-1123 labels (no dots), so joining with dots is collision-free:
// the last segment says what the policy is, and for allow rules the two before it name the rule.
//   seg.<profile>.deny-all            seg.<profile>.allow.<rule>.ingress
//   seg.<profile>.deny-metadata       seg.<profile>.allow.<rule>.egress
//   seg.<profile>.dns                 seg.<profile>.dns-server           seg.<profile>.dns-server.<rule>
//   seg.<profile>.deny-node-ports     seg.<profile>.allow-metadata.<i>    seg.<profile>.allow-api-server.<i>
// (<i> is the entry's index in spec.instanceMetadata.allowFrom or spec.apiServer.allowFrom.)

export type Purpose =
  | 'deny-all'
  | 'deny-metadata'
  | 'deny-node-ports'
  | 'dns'
  | 'dns-server'
  | 'allow-ingress'
  | 'allow-egress'
  | 'allow-metadata'
  | 'allow-api-server';

export const NAME_PREFIX = 'seg';

export function policyName(profile: string, purpose: Purpose, rule?: string): string {
  switch (purpose) {
    case 'allow-ingress':
    case 'allow-egress':
      if (rule === undefined) throw new Error(`policyName: ${purpose} needs a rule name`);
      return `${NAME_PREFIX}.${profile}.allow.${rule}.${purpose === 'allow-ingress' ? 'ingress' : 'egress'}`;
    case 'allow-metadata':
    case 'allow-api-server':
      if (rule === undefined) throw new Error(`policyName: ${purpose} needs an index`);
      return `${NAME_PREFIX}.${profile}.${purpose}.${rule}`;
    case 'dns-server':
      // Per rule when an allow rule isolates DNS pods with ingress open (seg.<profile>.dns-server.<rule>).
      return rule === undefined ? `${NAME_PREFIX}.${profile}.dns-server` : `${NAME_PREFIX}.${profile}.dns-server.${rule}`;
    default:
      return `${NAME_PREFIX}.${profile}.${purpose}`;
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The API server's rule for object names such as NetworkPolicy's. */
export function isValidSubdomainName(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}
