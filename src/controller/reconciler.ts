// Reconcile(namespace): make the namespace's managed NetworkPolicies match the union of what every
// enforcing profile renders for it. Reads only caches; writes only what differs.
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../compile/labels.js';
import type { DesiredPolicy, ObservedPolicy } from './compare.js';
import { applyPolicy, convertManagedFields, createPolicy, deletePolicy, getPolicy, patchManagedFields, type NamespaceObject } from '../kube/api.js';
import type { KubeClient } from '../kube/client.js';
import { isAlreadyExists, isNamespaceTerminating, isNotFound, statusCodeOf, WriteFencedError } from '../kube/errors.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { API_VERSION, KIND } from '../api/profile.js';
import { errorMessage, type Logger } from './log.js';
import type { OperatorMetrics } from './metrics.js';
import { planNamespace, policyProfile } from './plan.js';
import type { ProfileRegistry } from './profiles.js';
import type { OutcomeStore } from './outcomes.js';
import type { Expectations } from './expectations.js';
import type { NamespaceOutcome } from './status.js';

export function isTerminating(ns: NamespaceObject): boolean {
  return Boolean(ns.metadata?.deletionTimestamp) || ns.status?.phase === 'Terminating';
}

export interface ReconcilerDeps {
  client: KubeClient;
  /** The namespace cache (an Informer; tests pass any cache with get). */
  namespaces: Pick<Informer<NamespaceObject>, 'get'>;
  /** The managed-policy cache (an Informer; tests pass any cache with list). */
  policies: Pick<Informer<ObservedPolicy>, 'list'>;
  /** Our writes the policy cache has not shown yet. */
  expectations: Expectations;
  profiles: ProfileRegistry;
  outcomes: OutcomeStore;
  events?: EventRecorder;
  metrics?: OperatorMetrics;
  log: Logger;
  /** Profiles whose outcomes changed: their status needs recomputing. */
  onOutcomes: (profiles: Set<string>) => void;
  /**
   * The names in `namespace` taken by policies we do not own, after each reconcile (empty: none). Returns
   * true when they are watched (the namespace then waits for a change instead of retrying on a timer).
   * Absent: clashes are retried with backoff.
   */
  onClashes?: (namespace: string, names: readonly string[]) => boolean;
}

type OpResult = { kind: 'ok' } | { kind: 'gone' } | { kind: 'fenced' } | { kind: 'conflict'; message: string } | { kind: 'error'; err: unknown };

let sequence = 0;

export class Reconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  /** Managed policies of a namespace: the cache overlaid with our writes in flight. */
  observed(namespace: string): ObservedPolicy[] {
    return this.d.expectations.overlay(namespace, this.d.policies.list(namespace));
  }

  private remember(namespace: string, name: string, obj: ObservedPolicy | null): void {
    this.d.expectations.wrote(namespace, name, obj);
  }

  async reconcile(namespace: string): Promise<{ requeue?: boolean }> {
    const reconcileId = `${process.pid.toString(36)}-${(++sequence).toString(36)}`;
    const started = performance.now();
    const log = this.d.log.child({ reconcileId, namespace });
    const debug = this.d.log.isDebugEnabled();
    const ns = this.d.namespaces.get(namespace);
    if (!ns || isTerminating(ns)) {
      // Gone or going: nothing to write (the namespace controller deletes its policies); forget it.
      this.d.expectations.forgetNamespace(namespace);
      this.d.onClashes?.(namespace, []);
      this.d.onOutcomes(this.d.outcomes.setNamespace(namespace, new Map()));
      this.d.metrics?.reconciles.inc({ result: 'skipped' });
      if (debug) log.debug('namespace absent or terminating: skipped', { profile: null });
      return {};
    }
    const info = { name: namespace, labels: ns.metadata?.labels ?? {} };
    const plan = planNamespace(info, this.d.profiles.views(), this.observed(namespace));
    const profilesHere = [...plan.profiles.keys()];

    const failures = new Map<string, { reason: string; message: string }>();
    const failedCount = new Map<string, number>();
    let retry = false;
    const clashes: string[] = [];
    let gone = false;
    let fenced = false;
    const fail = (profile: string | undefined, reason: string, message: string) => {
      if (!profile) return;
      failedCount.set(profile, (failedCount.get(profile) ?? 0) + 1);
      if (!failures.has(profile)) failures.set(profile, { reason, message });
    };
    const settle = (result: OpResult, profile: string | undefined, name: string, verb: string) => {
      switch (result.kind) {
        case 'ok':
          if (debug) log.debug(`${verb} ${name}`, { profile, policy: name, verb });
          return;
        case 'gone':
          gone = true;
          return;
        case 'fenced':
          // Leadership ended mid-reconcile: not a failure of the profile; the next leader reconciles.
          fenced = true;
          return;
        case 'conflict':
          fail(profile, 'Conflict', result.message);
          this.d.metrics?.conflicts.inc();
          log.warn(result.message, { profile, policy: name, verb });
          this.event(profile, 'Warning', 'PolicyConflict', result.message);
          clashes.push(name);
          return;
        case 'error': {
          const message = `${verb} ${namespace}/${name}: ${errorMessage(result.err)}`;
          fail(profile, statusCodeOf(result.err) === 403 ? 'Forbidden' : 'ApplyFailed', message.slice(0, 512));
          log.error(message, { profile, policy: name, verb });
          this.event(profile, 'Warning', 'ApplyFailed', message);
          retry = true;
          return;
        }
      }
    };

    await Promise.all([
      ...plan.create.map(async (p) => settle(await this.create(p), policyProfile(p), p.metadata.name, 'create')),
      ...plan.update.map(async (u) => settle(await this.update(u.desired, u.observed), policyProfile(u.desired), u.desired.metadata.name, `update (${u.reason})`)),
      ...plan.delete.map(async (p) => settle(await this.delete(p), policyProfile(p), p.metadata.name!, 'delete')),
    ]);

    if (fenced) {
      if (debug) log.debug('writes fenced: no longer the leader');
      return {};
    }
    if (gone) {
      this.d.onClashes?.(namespace, []);
      this.d.onOutcomes(this.d.outcomes.setNamespace(namespace, new Map()));
      this.d.metrics?.reconciles.inc({ result: 'skipped' });
      return {};
    }
    // A clash is terminal until the clashing object changes: watched, not retried (unless it cannot be).
    const clashesWatched = this.d.onClashes?.(namespace, clashes) ?? false;
    if (clashes.length > 0 && !clashesWatched) retry = true;
    const outcomes = new Map<string, NamespaceOutcome>();
    for (const [profile, r] of plan.profiles) {
      if (!r.selected && !r.dryRun) continue;
      const failure = failures.get(profile);
      const dryMissing = r.dryRun ? r.dryRun.create.length + r.dryRun.update.length : 0;
      const view = this.d.profiles.get(profile)?.view;
      const outcome: NamespaceOutcome = { generation: view?.generation ?? 0, ...(view?.compiled ? { backend: view.compiled.backend } : {}), selected: r.selected, desired: r.desired, inPlace: Math.max(0, r.desired - (failedCount.get(profile) ?? 0) - dryMissing) };
      if (failure) outcome.failure = failure;
      if (r.dryRun) outcome.dryRun = r.dryRun;
      outcomes.set(profile, outcome);
    }
    this.d.onOutcomes(this.d.outcomes.setNamespace(namespace, outcomes));
    const writes = plan.create.length + plan.update.length + plan.delete.length;
    const seconds = (performance.now() - started) / 1000;
    this.d.metrics?.reconcileDuration.observe(seconds);
    this.d.metrics?.reconciles.inc({ result: retry || clashes.length > 0 ? 'error' : 'success' });
    const summary = { profile: profilesHere.join(',') || null, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length, unchanged: plan.unchanged, ms: Math.round(seconds * 1000) };
    if (writes > 0 || retry || clashes.length > 0) log.info(retry || clashes.length > 0 ? 'reconciled with failures' : 'reconciled', summary);
    else if (debug) log.debug('in sync', summary);
    return retry ? { requeue: true } : {};
  }

  private event(profile: string | undefined, type: 'Normal' | 'Warning', reason: string, note: string): void {
    if (!profile || !this.d.events) return;
    const known = this.d.profiles.get(profile);
    this.d.events.record({ apiVersion: API_VERSION, kind: KIND, name: profile, ...(known?.view.uid ? { uid: known.view.uid } : {}) }, type, reason, note);
  }

  private classify(err: unknown): OpResult {
    if (isNamespaceTerminating(err)) return { kind: 'gone' };
    if (err instanceof WriteFencedError) return { kind: 'fenced' };
    return { kind: 'error', err };
  }

  private async create(policy: DesiredPolicy): Promise<OpResult> {
    try {
      this.remember(policy.metadata.namespace, policy.metadata.name, await createPolicy(this.d.client, policy));
      return { kind: 'ok' };
    } catch (err) {
      if (isNotFound(err)) return { kind: 'gone' }; // the namespace is gone
      if (!isAlreadyExists(err)) return this.classify(err);
      // The name is taken. Ours (the cache has not seen it yet)? Then the watch event requeues us.
      try {
        const existing = await getPolicy(this.d.client, policy.metadata.namespace, policy.metadata.name);
        if (existing.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) {
          this.remember(policy.metadata.namespace, policy.metadata.name, existing);
          return { kind: 'ok' };
        }
        return {
          kind: 'conflict',
          message: `NetworkPolicy ${policy.metadata.namespace}/${policy.metadata.name} exists and is not managed by ${MANAGED_BY_VALUE} (no ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE} label); left untouched`,
        };
      } catch (e) {
        return isNotFound(e) ? { kind: 'error', err: new Error('name was taken, then freed: retrying') } : this.classify(e);
      }
    }
  }

  private async update(desired: DesiredPolicy, observed: ObservedPolicy): Promise<OpResult> {
    try {
      await convertManagedFields(
        observed.metadata.managedFields,
        () => getPolicy(this.d.client, observed.metadata.namespace!, observed.metadata.name!),
        (full, upgraded) => patchManagedFields(this.d.client, full, upgraded),
      );
      this.remember(desired.metadata.namespace, desired.metadata.name, await applyPolicy(this.d.client, desired));
      return { kind: 'ok' };
    } catch (err) {
      if (isNotFound(err)) return { kind: 'error', err }; // deleted meanwhile: the requeue recreates it
      return this.classify(err);
    }
  }

  private async delete(observed: ObservedPolicy): Promise<OpResult> {
    try {
      await deletePolicy(this.d.client, observed);
      this.remember(observed.metadata.namespace!, observed.metadata.name!, null);
      return { kind: 'ok' };
    } catch (err) {
      if (isNotFound(err)) return { kind: 'ok' };
      return this.classify(err);
    }
  }
}
