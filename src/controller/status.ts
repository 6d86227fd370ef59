// Profile status from the per-namespace outcomes of the last reconciles. Pure: the caller compares the
// result with the status on the server and writes only when they differ.
import type { Condition, ProfileStatus } from '../api/profile.js';

export const MAX_FAILED_NAMESPACES = 20;
export const MAX_DRY_RUN_SAMPLE = 20;

/** What the last reconcile of one namespace did for one profile. */
export interface NamespaceOutcome {
  /** The profile's metadata.generation this reconcile applied. */
  generation: number;
  /** The guardrails backend the namespace's policies were compiled for (NetworkPolicy: the full per-namespace set). */
  backend?: string;
  selected: boolean;
  /** Policies the profile wants there. */
  desired: number;
  /** Of those, how many are in place (as wanted) after the reconcile. */
  inPlace: number;
  failure?: { reason: string; message: string };
  dryRun?: { create: string[]; update: string[]; delete: string[] };
}

export interface StatusInput {
  generation: number;
  mode: 'Enforce' | 'DryRun';
  /** Schema or compile errors: the profile is invalid and affects no namespace. */
  errors?: string[];
  outcomes: Iterable<[string, NamespaceOutcome]>;
  /** The namespaces the current spec selects: Ready needs an outcome of this generation in each. */
  selected: Iterable<string>;
  previous?: ProfileStatus | undefined;
  /** RFC 3339 time used for conditions that change now. */
  now: string;
}

/** A condition that keeps its lastTransitionTime while its status stays the same (Kubernetes convention). */
export function condition(type: string, status: Condition['status'], reason: string, message: string, generation: number, previous: readonly Condition[] | undefined, now: string): Condition {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
  return { type, status, reason, message, observedGeneration: generation, lastTransitionTime };
}

/** The conditions computeStatus decides (profileStatus adds RulesEffective and the scan's findings). */
export const OWN_CONDITIONS: readonly string[] = ['Ready', 'Degraded', 'Reconciling'];

export function computeStatus(input: StatusInput): ProfileStatus {
  const prev = input.previous?.conditions;
  const g = input.generation;
  if (input.errors && input.errors.length > 0) {
    const message = `profile is invalid and affects no namespace: ${input.errors.join('; ')}`.slice(0, 2048);
    return {
      observedGeneration: g,
      conditions: [condition('Ready', 'False', 'InvalidProfile', message, g, prev, input.now), condition('Degraded', 'True', 'InvalidProfile', message, g, prev, input.now)],
      matchedNamespaces: 0,
      policies: 0,
    };
  }

  let matched = 0;
  let policies = 0;
  const failed: { namespace: string; reason: string; message: string }[] = [];
  const dry = { create: 0, update: 0, delete: 0, sample: [] as string[] };
  const outcomes = new Map(input.outcomes);
  // Not yet done for this generation: a selected namespace without an outcome of it (not reconciled yet,
  // e.g. right after a restart: `unseen`), or one whose policies of it are not all in place (`behind`).
  let unseen = 0;
  let behind = 0;
  let target = 0;
  for (const namespace of input.selected) {
    target++;
    const o = outcomes.get(namespace);
    if (!o) unseen++;
    else if (o.generation !== g) behind++;
  }
  for (const [namespace, o] of outcomes) {
    if (o.generation === g && !o.failure && !o.dryRun && o.inPlace < o.desired) behind++;
    if (o.selected) matched++;
    policies += o.inPlace;
    if (o.failure) failed.push({ namespace, ...o.failure });
    if (o.dryRun) {
      dry.create += o.dryRun.create.length;
      dry.update += o.dryRun.update.length;
      dry.delete += o.dryRun.delete.length;
      for (const [verb, names] of [['create', o.dryRun.create], ['update', o.dryRun.update], ['delete', o.dryRun.delete]] as const)
        for (const name of names) dry.sample.push(`${verb} ${namespace}/${name}`);
    }
  }
  failed.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));

  const status: ProfileStatus = { observedGeneration: g, matchedNamespaces: matched, policies };
  let ready: Condition;
  let degraded: Condition;
  let reconciling = condition('Reconciling', 'False', 'Reconciled', `every selected namespace reconciled for generation ${g}`, g, prev, input.now);
  if (failed.length > 0) {
    const list = failed.slice(0, 5).map((f) => `${f.namespace} (${f.reason})`).join(', ');
    const message = `${failed.length} of ${matched} matched namespaces failed: ${list}${failed.length > 5 ? ', ...' : ''}`;
    ready = condition('Ready', 'False', 'NamespacesFailed', message, g, prev, input.now);
    degraded = condition('Degraded', 'True', 'NamespacesFailed', message, g, prev, input.now);
    reconciling = condition('Reconciling', 'False', 'NamespacesFailed', message, g, prev, input.now);
    status.failedNamespaces = failed.slice(0, MAX_FAILED_NAMESPACES);
  } else if (unseen + behind > 0) {
    // A restart (or a new namespace) leaves namespaces unseen for a moment: a Ready of this generation
    // stays as it was rather than flapping, so a restart writes nothing; anything behind is reported.
    const before = prev?.find((c) => c.type === 'Ready');
    if (behind === 0 && before?.status === 'True' && before.observedGeneration === g && input.previous) {
      return { ...input.previous, conditions: (input.previous.conditions ?? []).filter((c) => OWN_CONDITIONS.includes(c.type)) };
    }
    const message = `${target - unseen - behind} of ${target} selected namespaces reconciled for generation ${g}`;
    ready = condition('Ready', 'False', 'Progressing', message, g, prev, input.now);
    degraded = condition('Degraded', 'False', 'AsExpected', 'no namespace failed', g, prev, input.now);
    reconciling = condition('Reconciling', 'True', 'Progressing', message, g, prev, input.now);
  } else if (input.mode === 'DryRun') {
    const message = `dry run over ${matched} namespaces: would create ${dry.create}, update ${dry.update}, delete ${dry.delete} policies`;
    ready = condition('Ready', 'True', 'DryRun', message, g, prev, input.now);
    degraded = condition('Degraded', 'False', 'AsExpected', 'no namespace failed', g, prev, input.now);
  } else {
    ready = condition('Ready', 'True', 'Reconciled', `${policies} policies in place in ${matched} namespaces`, g, prev, input.now);
    degraded = condition('Degraded', 'False', 'AsExpected', 'no namespace failed', g, prev, input.now);
  }
  status.conditions = [ready, degraded, reconciling];
  if (input.mode === 'DryRun') {
    dry.sample.sort();
    status.dryRun = { wouldCreate: dry.create, wouldUpdate: dry.update, wouldDelete: dry.delete, sample: dry.sample.slice(0, MAX_DRY_RUN_SAMPLE) };
  }
  return status;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** True when writing `next` would change nothing on the server. */
export function statusEqual(current: ProfileStatus | undefined, next: ProfileStatus): boolean {
  return canonical(current ?? {}) === canonical(next);
}
