// Upstream ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, network-policy-api v0.2.0) guardrails.
// Admin tier (evaluated before every NetworkPolicy): the metadata block and the node-port block as Deny,
// each metadata exception as a Pass at a lower (earlier) priority, so that the exception's pods go on to
// the NetworkPolicy tier as before. Optionally the default deny in the Baseline tier (after NetworkPolicy).
// Priorities: docs/guardrails.md#priorities.
import type { LabelSelector as WireSelector } from '../../api/networkpolicy.js';
import { parseCidr } from '../../api/cidr.js';
import type { CompiledProfile } from '../render.js';
import { ports as toPorts, selector } from '../builders.js';
import { guardrailMetadata, guardrailName, type GuardrailMetadata } from './backend.js';
import { byProtocol, chunks } from './ports.js';
import { andSelectors } from './selectors.js';

export const CNP_API_VERSION = 'policy.networking.k8s.io/v1alpha2';
export const CNP_KIND = 'ClusterNetworkPolicy';

/**
 * Fixed priorities (lower is evaluated first, 0-1000 per tier). Every policy of ours at one priority has
 * rules of one action only, so the order among them (undefined upstream) cannot change any outcome, and
 * every Pass of every profile comes before every Deny: exceptions add up across profiles, as
 * NetworkPolicy allows do.
 */
export const CNP_PRIORITIES = { exception: 100, deny: 110, baselineDefaultDeny: 900 } as const;

/** API limits of v0.2.0: rules, peers, networks per peer and protocols per rule are at most 25 each. */
const MAX_ITEMS = 25;

type Action = 'Accept' | 'Deny' | 'Pass';
interface PortSpec {
  number?: number;
  range?: { start: number; end: number };
}
export type CnpProtocol = { tcp: { destinationPort?: PortSpec } } | { udp: { destinationPort?: PortSpec } } | { sctp: { destinationPort?: PortSpec } };
export interface CnpPeer {
  namespaces?: WireSelector;
  pods?: { namespaceSelector: WireSelector; podSelector: WireSelector };
  networks?: string[];
}
export interface CnpRule {
  name: string;
  action: Action;
  to?: CnpPeer[];
  from?: CnpPeer[];
  protocols?: CnpProtocol[];
}
export interface ClusterNetworkPolicy {
  apiVersion: typeof CNP_API_VERSION;
  kind: typeof CNP_KIND;
  metadata: GuardrailMetadata;
  spec: {
    tier: 'Admin' | 'Baseline';
    priority: number;
    subject: { namespaces: WireSelector } | { pods: { namespaceSelector: WireSelector; podSelector: WireSelector } };
    ingress?: CnpRule[];
    egress?: CnpRule[];
  };
}

/**
 * The compiler's port list as CNP protocols; `undefined` (every port) stays undefined. A whole protocol is
 * the range 1-65535: the CRD requires at least one property in `tcp`/`udp`/`sctp` (the real API server
 * rejects `tcp: {}`).
 */
export function cnpProtocols(list: Parameters<typeof byProtocol>[0]): CnpProtocol[] | undefined {
  const grouped = byProtocol(list);
  if (grouped === undefined) return undefined;
  return grouped.flatMap(({ protocol, ranges }) => {
    const key = protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp';
    if (ranges === undefined) return [{ [key]: { destinationPort: { range: { start: 1, end: 65535 } } } } as CnpProtocol];
    return ranges.map(([start, end]) => ({ [key]: { destinationPort: start === end ? { number: start } : { range: { start, end } } } }) as CnpProtocol);
  });
}

/** One rule per chunk of at most 25 protocols, with the networks split into peers of at most 25. */
function egressRules(name: string, action: Action, networks: readonly string[], protocols: CnpProtocol[] | undefined): CnpRule[] {
  const to = chunks(networks, MAX_ITEMS).map((n) => ({ networks: n }));
  if (protocols === undefined) return [{ name, action, to }];
  return chunks(protocols, MAX_ITEMS).map((p) => ({ name, action, to, protocols: p }));
}

function cnp(name: string, profile: string, purpose: Parameters<typeof guardrailMetadata>[2], description: string, spec: ClusterNetworkPolicy['spec']): ClusterNetworkPolicy {
  return { apiVersion: CNP_API_VERSION, kind: CNP_KIND, metadata: guardrailMetadata(name, profile, purpose, description), spec };
}

export function clusterNetworkPolicyGuardrails(compiled: CompiledProfile): ClusterNetworkPolicy[] {
  const { profile, targetedNamespaces } = compiled;
  const spec = profile.spec;
  const name = profile.metadata.name;
  const out: ClusterNetworkPolicy[] = [];
  const metadataNets = spec.instanceMetadata.cidrs.map((c) => parseCidr(c)!.text);

  if (spec.instanceMetadata.deny) {
    out.push(
      cnp(guardrailName(name, 'deny-metadata'), name, 'deny-metadata', `Admin tier: no pod in the namespaces profile ${name} targets may reach the instance-metadata endpoint(s) ${metadataNets.join(', ')}, whatever their NetworkPolicies allow.`, {
        tier: 'Admin',
        priority: CNP_PRIORITIES.deny,
        subject: { namespaces: targetedNamespaces },
        egress: egressRules('deny-metadata', 'Deny', metadataNets, undefined),
      }),
    );
    (spec.instanceMetadata.allowFrom ?? []).forEach((entry, i) => {
      const protocols = cnpProtocols(toPorts(entry.ports));
      out.push(
        cnp(guardrailName(name, 'allow-metadata', i), name, 'allow-metadata', `Admin tier: metadata exception ${i} of profile ${name} passes these pods' metadata traffic on to their NetworkPolicies (which allow it).`, {
          tier: 'Admin',
          priority: CNP_PRIORITIES.exception,
          subject: { pods: { namespaceSelector: andSelectors(targetedNamespaces, selector(entry.namespaceSelector ?? {})), podSelector: selector(entry.podSelector) } },
          egress: egressRules('allow-metadata', 'Pass', metadataNets, protocols),
        }),
      );
    });
  }

  if (compiled.nodeGuard) {
    const nodeNets = compiled.nodeGuard.cidrs.map((c) => c.text);
    out.push(
      cnp(guardrailName(name, 'deny-node-ports'), name, 'deny-node-ports', `Admin tier: no pod in the namespaces profile ${name} targets may reach the nodes (${nodeNets.join(', ')}) on the denied ports.`, {
        tier: 'Admin',
        priority: CNP_PRIORITIES.deny,
        subject: { namespaces: targetedNamespaces },
        egress: egressRules('deny-node-ports', 'Deny', nodeNets, cnpProtocols(compiled.nodeGuard.denyPorts)),
      }),
    );
  }

  if (spec.guardrails.defaultDenyTier === 'Baseline' && (spec.defaultDeny.ingress || spec.defaultDeny.egress)) {
    const baseline: ClusterNetworkPolicy['spec'] = { tier: 'Baseline', priority: CNP_PRIORITIES.baselineDefaultDeny, subject: { namespaces: targetedNamespaces } };
    if (spec.defaultDeny.ingress) baseline.ingress = [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }];
    if (spec.defaultDeny.egress) baseline.egress = [{ name: 'deny-all', action: 'Deny', to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }] }];
    out.push(
      cnp(guardrailName(name, 'deny-all'), name, 'deny-all', `Baseline tier: default deny for the namespaces profile ${name} targets; any NetworkPolicy that selects a pod decides for it instead. Ingress from outside the cluster is not covered (Baseline ingress peers are pods and namespaces only).`, baseline),
    );
  }
  return out;
}
