// Cluster-wide findings that profiles report as conditions: is a NetworkPolicy engine enforcing
// anything (without one, policies are stored and do nothing), does any policy, ours or anyone's,
// reopen an instance-metadata endpoint in a namespace the profile targets (the operator's own
// allow-metadata exceptions are named, never counted), and, for profiles that block node ports, is every
// Node inside spec.nodeAccess.cidrs. Pure.
import type { MetadataExposureReport, MetadataOpening } from '../analysis/audit-metadata.js';
import type { EnforcementFinding } from '../analysis/enforcement.js';
import type { Condition } from '../api/profile.js';
import { uncoveredNodes, type NodeAddresses } from './node-coverage.js';
import { condition as statusCondition } from './status.js';

export const ENGINE_CONDITION = 'PolicyEngineDetected';
export const METADATA_CONDITION = 'MetadataEndpointBlocked';
export const NODES_CONDITION = 'NodeAccessCovered';
/** Reason of the Warning Event recorded when a finding condition turns False. */
export const FINDING_EVENT_REASONS: Readonly<Record<string, string>> = {
  [ENGINE_CONDITION]: 'NoPolicyEngine',
  [METADATA_CONDITION]: 'MetadataEndpointReopened',
  [NODES_CONDITION]: 'NodesNotCovered',
};

/** The last cluster scan; a part is undefined when it has not run or could not (with the reason). */
export interface ClusterFindings {
  enforcement?: EnforcementFinding;
  enforcementError?: string;
  exposure?: MetadataExposureReport;
  exposureError?: string;
  /** Every Node's InternalIP/ExternalIP addresses. */
  nodes?: NodeAddresses[];
  nodesError?: string;
}

export interface ProfileFindingsInput {
  findings: ClusterFindings | undefined;
  /** Whether the profile blocks the metadata endpoint, and which CIDRs. */
  metadata: { deny: boolean; cidrs: readonly string[] };
  /** spec.nodeAccess.cidrs; undefined when the profile does not block node ports. */
  nodeCidrs?: readonly string[] | undefined;
  /** Namespaces the profile targets. */
  targeted: ReadonlySet<string>;
  generation: number;
  previous?: readonly Condition[] | undefined;
  now: string;
}

const MAX_MESSAGE = 1024;
const MAX_LISTED = 5;

function condition(type: string, status: Condition['status'], reason: string, message: string, input: ProfileFindingsInput): Condition {
  return statusCondition(type, status, reason, message.slice(0, MAX_MESSAGE), input.generation, input.previous, input.now);
}

function engineCondition(input: ProfileFindingsInput): Condition | undefined {
  const f = input.findings;
  if (f?.enforcement) {
    return f.enforcement.enforced
      ? condition(ENGINE_CONDITION, 'True', 'EngineFound', f.enforcement.message, input)
      : condition(ENGINE_CONDITION, 'False', 'NoEngineFound', f.enforcement.message, input);
  }
  if (f?.enforcementError) return condition(ENGINE_CONDITION, 'Unknown', 'CheckFailed', f.enforcementError, input);
  return undefined;
}

/** `ns: how` lines for the targeted namespaces that can reach one of the profile's metadata CIDRs. */
export function exposureLines(report: MetadataExposureReport, targeted: ReadonlySet<string>, cidrs: readonly string[]): string[] {
  const wanted = new Set(cidrs);
  const lines: string[] = [];
  for (const ns of report.namespaces) {
    if (!targeted.has(ns.namespace) || !ns.exposed) continue;
    const openings = ns.openedBy.filter((o) => wanted.has(o.cidr)).map((o) => `${o.policy} egress[${o.ruleIndex}] opens ${o.cidr} via ${o.via}`);
    if (ns.unisolated) openings.push(ns.unisolated.detail);
    if (openings.length > 0) lines.push(`${ns.namespace}: ${[...new Set(openings)].join('; ')}`);
  }
  return lines;
}

/**
 * `policy (pods sel)` per intended exception (the operator's allow-metadata policies) in the targeted
 * namespaces that opens one of the profile's metadata CIDRs; one entry per policy, sorted.
 */
export function exceptionLines(report: MetadataExposureReport, targeted: ReadonlySet<string>, cidrs: readonly string[]): string[] {
  const wanted = new Set(cidrs);
  const lines = new Set<string>();
  const describe = (o: MetadataOpening) => `${o.policy} (pods ${o.podSelector}${o.ports === 'all ports' ? '' : ` on ${o.ports}`})`;
  for (const ns of report.namespaces) {
    if (!targeted.has(ns.namespace)) continue;
    for (const o of ns.exceptions ?? []) if (wanted.has(o.cidr)) lines.add(describe(o));
  }
  return [...lines].sort();
}

function listed(lines: readonly string[]): string {
  return `${lines.slice(0, MAX_LISTED).join(' | ')}${lines.length > MAX_LISTED ? ' | ...' : ''}`;
}

function metadataCondition(input: ProfileFindingsInput): Condition | undefined {
  if (!input.metadata.deny) return undefined; // the profile does not promise to block it
  const f = input.findings;
  if (f?.exposure) {
    const lines = exposureLines(f.exposure, input.targeted, input.metadata.cidrs);
    const exceptions = exceptionLines(f.exposure, input.targeted, input.metadata.cidrs);
    // Intended exceptions never make the condition False, but they are named, so nobody mistakes them for a hole.
    const also = exceptions.length > 0 ? `; intended exceptions (spec.instanceMetadata.allowFrom): ${listed(exceptions)}` : '';
    // No counts in the message: it must not change (and cost a status write) unless a finding does.
    if (lines.length === 0) return condition(METADATA_CONDITION, 'True', 'Blocked', `no NetworkPolicy reopens ${input.metadata.cidrs.join(', ')} in the targeted namespaces${also}`, input);
    return condition(METADATA_CONDITION, 'False', 'Reopened', `${lines.length} targeted namespace(s) can reach the metadata endpoint: ${listed(lines)}${also}`, input);
  }
  if (f?.exposureError) return condition(METADATA_CONDITION, 'Unknown', 'CheckFailed', f.exposureError, input);
  return undefined;
}

function nodesCondition(input: ProfileFindingsInput): Condition | undefined {
  if (!input.nodeCidrs) return undefined; // the profile does not block node ports
  const f = input.findings;
  if (f?.nodes) {
    const uncovered = uncoveredNodes(f.nodes, input.nodeCidrs);
    if (uncovered.length === 0) return condition(NODES_CONDITION, 'True', 'NodesCovered', `every Node's InternalIP and ExternalIP is inside spec.nodeAccess.cidrs (${input.nodeCidrs.join(', ')})`, input);
    const nodes = uncovered.map((n) => `${n.name} (${n.addresses.join(', ')})`);
    return condition(NODES_CONDITION, 'False', 'NodesNotCovered', `${uncovered.length} Node(s) have addresses outside spec.nodeAccess.cidrs, so their denied ports stay reachable there: ${nodes.slice(0, MAX_LISTED).join(', ')}${nodes.length > MAX_LISTED ? ', ...' : ''}`, input);
  }
  if (f?.nodesError) return condition(NODES_CONDITION, 'Unknown', 'CheckFailed', f.nodesError, input);
  return undefined;
}

/** The finding conditions of one profile, in a stable order; none before the first scan. */
export function findingConditions(input: ProfileFindingsInput): Condition[] {
  return [engineCondition(input), metadataCondition(input), nodesCondition(input)].filter((c): c is Condition => c !== undefined);
}
