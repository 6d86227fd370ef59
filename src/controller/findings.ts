// Cluster-wide findings that every profile reports as conditions: is a NetworkPolicy engine enforcing
// anything (without one, policies are stored and do nothing), and does any policy, ours or anyone's,
// reopen an instance-metadata endpoint in a namespace the profile targets. Pure.
import type { MetadataExposureReport } from '../analysis/audit-metadata.js';
import type { EnforcementFinding } from '../analysis/enforcement.js';
import type { Condition } from '../api/profile.js';
import { condition as statusCondition } from './status.js';

export const ENGINE_CONDITION = 'PolicyEngineDetected';
export const METADATA_CONDITION = 'MetadataEndpointBlocked';

/** The last cluster scan; a part is undefined when it has not run or could not (with the reason). */
export interface ClusterFindings {
  enforcement?: EnforcementFinding;
  enforcementError?: string;
  exposure?: MetadataExposureReport;
  exposureError?: string;
}

export interface ProfileFindingsInput {
  findings: ClusterFindings | undefined;
  /** Whether the profile blocks the metadata endpoint, and which CIDRs. */
  metadata: { deny: boolean; cidrs: readonly string[] };
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
      : condition(ENGINE_CONDITION, 'False', 'NoEngineFound', `NetworkPolicies are stored but nothing enforces them: ${f.enforcement.message}`, input);
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

function metadataCondition(input: ProfileFindingsInput): Condition | undefined {
  if (!input.metadata.deny) return undefined; // the profile does not promise to block it
  const f = input.findings;
  if (f?.exposure) {
    const lines = exposureLines(f.exposure, input.targeted, input.metadata.cidrs);
    // No counts in the message: it must not change (and cost a status write) unless a finding does.
    if (lines.length === 0) return condition(METADATA_CONDITION, 'True', 'Blocked', `no NetworkPolicy reopens ${input.metadata.cidrs.join(', ')} in the targeted namespaces`, input);
    const shown = lines.slice(0, MAX_LISTED).join(' | ');
    return condition(METADATA_CONDITION, 'False', 'Reopened', `${lines.length} targeted namespace(s) can reach the metadata endpoint: ${shown}${lines.length > MAX_LISTED ? ' | ...' : ''}`, input);
  }
  if (f?.exposureError) return condition(METADATA_CONDITION, 'Unknown', 'CheckFailed', f.exposureError, input);
  return undefined;
}

/** The finding conditions of one profile, in a stable order; none before the first scan. */
export function findingConditions(input: ProfileFindingsInput): Condition[] {
  return [engineCondition(input), metadataCondition(input)].filter((c): c is Condition => c !== undefined);
}
