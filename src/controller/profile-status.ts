// A profile's whole status, pure: the namespace outcomes (computeStatus), the RulesEffective condition and
// the cluster-scan conditions, plus the Warning Events owed for conditions that just turned False. The
// status controller's write function computes it, records the Events and patches only when it differs.
import type { Condition, ProfileStatus } from '../api/profile.js';
import { guardrailEventReason, guardrailsCondition, type GuardrailOutcome } from './guardrail-condition.js';
import { ENGINE_CONDITION, FINDING_EVENT_REASONS, findingConditions, METADATA_CONDITION, NODES_CONDITION, type ClusterFindings } from './findings.js';
import { selectedNamespaces, type NamespaceInfo } from '../compile/select.js';
import type { KnownProfile } from './profiles.js';
import { RULES_CONDITION, RULES_WITHOUT_EFFECT, rulesEffectiveCondition } from './rules-effective.js';
import { computeStatus, type NamespaceOutcome } from './status.js';

export interface ProfileStatusInput {
  known: KnownProfile;
  previous: ProfileStatus | undefined;
  outcomes: Map<string, NamespaceOutcome>;
  /** Every namespace not being deleted (the current spec's selection is taken from them). */
  namespaces: readonly NamespaceInfo[];
  /** The last cluster scan; undefined before the first one. */
  findings: ClusterFindings | undefined;
  /** The guardrail controller's last reconcile of the profile; undefined before the first one. */
  guardrail?: GuardrailOutcome | undefined;
  /** RFC 3339 to the second. */
  now: string;
}

export interface ProfileStatusResult {
  next: ProfileStatus;
  /** Warning Events for conditions that turned False (none while one stays False: a restart records none). */
  events: { reason: string; message: string }[];
}

export function profileStatus({ known, previous, outcomes, namespaces, findings, guardrail, now }: ProfileStatusInput): ProfileStatusResult {
  const parsed = known.parsed;
  const selected = parsed && known.errors.length === 0 ? selectedNamespaces(parsed, namespaces) : [];
  const next = computeStatus({ generation: known.view.generation, mode: known.view.mode, errors: known.errors, outcomes, selected, previous, now });
  if (!known.parsed || known.errors.length > 0) return { next, events: [] };
  const spec = known.parsed.spec;
  const rules = rulesEffectiveCondition(known.warnings, known.view.generation, previous?.conditions, now);
  // The namespaces the status counts as matched: the same set the metadata finding speaks for.
  const targeted = new Set([...outcomes].filter(([, o]) => o.selected).map(([ns]) => ns));
  const applies = (type: string) => type === ENGINE_CONDITION || (type === METADATA_CONDITION && spec.instanceMetadata.deny) || (type === NODES_CONDITION && spec.nodeAccess !== undefined);
  const found = findings
    ? findingConditions({ findings, metadata: spec.instanceMetadata, nodeCidrs: spec.nodeAccess?.cidrs, targeted, generation: known.view.generation, previous: previous?.conditions, now })
    : // Not scanned yet (e.g. right after a restart): keep what the server has, so a restart writes nothing.
      (previous?.conditions ?? []).filter((c) => applies(c.type));
  const guardrails = known.guardrails ? guardrailsCondition({ decision: known.guardrails, outcome: guardrail, generation: known.view.generation, previous: previous?.conditions, now }) : undefined;
  const added = [rules, ...found, ...(guardrails ? [guardrails] : [])];
  next.conditions = [...(next.conditions ?? []), ...added];
  return { next, events: transitionEvents(previous?.conditions, added) };
}

/** Rules without effect, no engine, metadata endpoint reopened, nodes outside spec.nodeAccess.cidrs, guardrails not in place. */
export function transitionEvents(previous: readonly Condition[] | undefined, conditions: readonly Condition[]): { reason: string; message: string }[] {
  const out: { reason: string; message: string }[] = [];
  for (const c of conditions) {
    const reason = c.type === RULES_CONDITION ? RULES_WITHOUT_EFFECT : (FINDING_EVENT_REASONS[c.type] ?? guardrailEventReason(c));
    if (!reason || c.status !== 'False' || previous?.find((p) => p.type === c.type)?.status === 'False') continue;
    out.push({ reason, message: c.message.slice(0, 1024) });
  }
  return out;
}
