// The `Guardrails` condition of a profile, pure: which backend holds its metadata and node blocks and why,
// and whether its cluster-scoped objects are in place. Reasons (docs/guardrails.md#status):
// - True  NetworkPolicy: per-namespace NetworkPolicies (requested, or what Auto chose);
// - True  Applied: the cluster-scoped guardrail objects are in place;
// - True  DryRun: the profile is in DryRun: nothing written, the message says what would be;
// - False BackendNotInstalled: the requested backend's API is not served; per-namespace policies instead;
// - False EngineCannotEnforce: it is served, but the detected engine does not enforce it; the same fallback;
// - False Conflict: an object of the same name exists and is not ours; it is left alone;
// - False ApplyFailed: a write failed (retried with backoff).
import type { Condition } from '../api/profile.js';
import type { BackendDecision } from './guardrail-backend.js';
import { condition } from './status.js';

export const GUARDRAILS_CONDITION = 'Guardrails';

/** What the guardrail controller's last reconcile of a profile achieved. */
export interface GuardrailOutcome {
  generation: number;
  /** The backend it reconciled for. */
  backend: string;
  /** Objects the profile wants. */
  desired: number;
  /** `Kind/name` of objects whose name is taken by an object that is not ours. */
  conflicts: string[];
  /** A write failed (message). */
  error?: string;
  /** DryRun: what enforcing would write. */
  dryRun?: { create: number; update: number; delete: number };
}

export interface GuardrailConditionInput {
  decision: BackendDecision;
  outcome: GuardrailOutcome | undefined;
  generation: number;
  previous: readonly Condition[] | undefined;
  now: string;
}

/** undefined: not known yet (no outcome for this generation and backend): keep what the server has. */
export function guardrailsCondition({ decision, outcome, generation, previous, now }: GuardrailConditionInput): Condition | undefined {
  const c = (status: Condition['status'], reason: string, message: string) => condition(GUARDRAILS_CONDITION, status, reason, message.slice(0, 2048), generation, previous, now);
  if (decision.missing) return c('False', 'BackendNotInstalled', decision.reason);
  if (decision.notEnforced) return c('False', 'EngineCannotEnforce', decision.reason);
  if (decision.backend === 'NetworkPolicy') return c('True', 'NetworkPolicy', decision.reason);
  if (!outcome || outcome.generation !== generation || outcome.backend !== decision.backend) return previous?.find((p) => p.type === GUARDRAILS_CONDITION);
  if (outcome.conflicts.length > 0) {
    const list = outcome.conflicts.slice(0, 5).join(', ');
    return c('False', 'Conflict', `${list}${outcome.conflicts.length > 5 ? ', ...' : ''}: the name is taken by an object that is not ours (no managed-by/profile labels of this profile): left alone; delete or rename it and the guardrail is created (${decision.reason})`);
  }
  if (outcome.error !== undefined) return c('False', 'ApplyFailed', `${decision.backend} guardrails not in place, retrying: ${outcome.error}`);
  if (outcome.dryRun) {
    const d = outcome.dryRun;
    return c('True', 'DryRun', `dry run: would create ${d.create}, update ${d.update}, delete ${d.delete} ${decision.backend} guardrail objects (${decision.reason})`);
  }
  return c('True', 'Applied', `${outcome.desired} ${decision.backend} guardrail object${outcome.desired === 1 ? '' : 's'} in place (${decision.reason})`);
}

/** The Warning Event reason owed when the condition turns False. */
export function guardrailEventReason(c: Condition): string | undefined {
  if (c.type !== GUARDRAILS_CONDITION || c.status !== 'False') return undefined;
  const reasons: Record<string, string> = { Conflict: 'GuardrailConflict', BackendNotInstalled: 'GuardrailBackendNotInstalled', EngineCannotEnforce: 'GuardrailEngineCannotEnforce' };
  return reasons[c.reason] ?? 'GuardrailApplyFailed';
}
