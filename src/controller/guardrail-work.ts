// The guardrail controller: a WorkQueue keyed by profile (plus Calico's shared Tier), per term of
// leadership like the namespace work. reconcile(key) re-reads the registry and the caches, plans
// (guardrail-plan.ts, pure) and writes only what differs: create (never adopting a taken name), server-side
// apply of drifted objects, delete with a uid precondition of ours no longer desired. A name taken by an
// object that is not ours is a terminal Conflict: reported, and watched by name instead of retried.
import type { KubeClient } from '../kube/client.js';
import { isAlreadyExists, isConflict, isNotFound } from '../kube/errors.js';
import { applyGuardrail, createGuardrail, deleteGuardrail, getGuardrail, guardrailKind, patchGuardrailManagedFields, type ObservedGuardrail } from '../kube/guardrail-api.js';
import { convertManagedFields } from '../kube/api.js';
import type { BackoffOptions } from './backoff.js';
import type { GuardrailOutcome } from './guardrail-condition.js';
import { guardrailKey, isOurs, planGuardrails, profileDesire, SHARED_TIER_KEY, tierDesire, type KeyDesire } from './guardrail-plan.js';
import { errorMessage, type Logger } from './log.js';
import type { ProfileRegistry } from './profiles.js';
import { NamespaceWork } from './namespace-work.js';

export interface GuardrailWorkOptions {
  client: KubeClient;
  registry: ProfileRegistry;
  /** Our cached guardrail objects of the served kinds. */
  observed: () => ObservedGuardrail[];
  served: () => ReadonlySet<string>;
  log: Logger;
  /** The outcome of a profile changed: its status may have. */
  onOutcome: (profile: string) => void;
  /**
   * The names of a key that clash with objects not ours (`Kind/name`; none: stop watching). False: some
   * could not be watched (over the cap): the key is retried with backoff instead.
   */
  onClashes: (key: string, clashes: string[]) => boolean;
  /** Every namespace the profile selects has its per-namespace blocks (perNamespaceBlocksInPlace). */
  blocksInPlace?: (profile: string) => boolean;
  workers?: number;
  backoff?: BackoffOptions;
}

export class GuardrailWork {
  /** The per-term queue and workers (the same mechanics as the namespace work, other keys). */
  private readonly work: NamespaceWork;
  private readonly outcomes = new Map<string, GuardrailOutcome>();
  /** Profiles whose objects are kept until their namespaces have the per-namespace blocks. */
  private readonly holding = new Set<string>();

  constructor(private readonly opts: GuardrailWorkOptions) {
    this.work = new NamespaceWork({
      workers: opts.workers ?? 2,
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      reconcile: (key) => this.reconcile(key),
      onError: (key, err, retries) => opts.log.error(`guardrails of ${key} not reconciled: ${errorMessage(err)}`, { profile: key, retries }),
    });
  }

  outcome(profile: string): GuardrailOutcome | undefined {
    return this.outcomes.get(profile);
  }

  /** A key to reconcile: a profile's name or SHARED_TIER_KEY. */
  add(key: string | undefined): void {
    this.work.add(key);
  }

  /**
   * Namespace outcomes of these profiles changed: a profile whose objects are held back for a switch to
   * NetworkPolicy is looked at again (the others have nothing waiting on outcomes).
   */
  namespacesReconciled(profiles: Iterable<string>): void {
    for (const p of profiles) if (this.holding.has(p)) this.add(p);
  }

  /** A profile changed: it and the shared Tier (whose owners may change). */
  addProfile(name: string): void {
    this.add(name);
    this.add(SHARED_TIER_KEY);
  }

  /** Leading: reconcile every profile, the Tier and every key with objects in the caches. */
  begin(): void {
    this.work.begin(new Set([...this.opts.registry.names(), SHARED_TIER_KEY, ...this.opts.observed().flatMap((o) => guardrailKey(o) ?? [])]));
  }

  end(drain = true): Promise<void> {
    return this.work.end(drain);
  }

  busy(): boolean {
    return this.work.busy();
  }

  whenIdle(): Promise<void> {
    return this.work.whenIdle();
  }

  private desire(key: string): KeyDesire {
    if (key === SHARED_TIER_KEY) return tierDesire(this.opts.registry.views());
    const known = this.opts.registry.get(key);
    return profileDesire(known && !known.raw.metadata?.deletionTimestamp ? known.view : undefined);
  }

  async reconcile(key: string): Promise<{ requeue?: boolean } | void> {
    const served = this.opts.served();
    const observed = this.opts.observed().filter((o) => guardrailKey(o) === key);
    const known = key === SHARED_TIER_KEY ? undefined : this.opts.registry.get(key);
    let desire = this.desire(key);
    // A kind whose API went away: its objects went with it; the registry recompiles the profile soon.
    if (!desire.frozen) desire = { frozen: false, objects: desire.objects.filter((o) => served.has(guardrailKind(o.kind)?.crd ?? '')) };
    const view = known?.view;
    if (desire.frozen && desire.reason === 'DryRun' && view?.compiled) {
      const dry = planGuardrails(key, profileDesire({ ...view, mode: 'Enforce' }), observed);
      this.setOutcome(key, { generation: view.generation, backend: view.guardrails?.backend ?? 'NetworkPolicy', desired: view.guardrails?.objects.length ?? 0, conflicts: [], dryRun: { create: dry.create.length, update: dry.apply.length, delete: dry.delete.length } });
      return;
    }
    const plan = planGuardrails(key, desire, observed);
    // Moving back to NetworkPolicy: the objects go only once the per-namespace blocks are everywhere
    // (namespacesReconciled() re-enqueues a held key as the namespace reconciler's outcomes arrive).
    const switchingBack = view?.compiled && view.mode === 'Enforce' && !desire.frozen && desire.objects.length === 0 && plan.delete.length > 0;
    const holdBack = switchingBack && !(this.opts.blocksInPlace?.(key) ?? true);
    if (holdBack) {
      if (!this.holding.has(key)) this.opts.log.info('guardrails kept until every namespace has its per-namespace blocks', { profile: key, objects: plan.delete.length });
      this.holding.add(key);
      plan.delete = [];
    } else this.holding.delete(key);
    const conflicts: string[] = [];
    let requeue = false;
    let failure: unknown;
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        failure ??= err;
        this.opts.log.warn(`guardrail ${what} failed: ${errorMessage(err)}`, { profile: key });
      }
    };
    for (const d of plan.create)
      await attempt(`create ${d.kind}/${d.metadata.name}`, async () => {
        try {
          await createGuardrail(this.opts.client, d);
          this.opts.log.info('guardrail created', { profile: key, object: `${d.kind}/${d.metadata.name}` });
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          const taken = await getGuardrail(this.opts.client, d.kind, d.metadata.name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
          if (!taken) requeue = true; // gone meanwhile: try again
          else if (isOurs({ ...taken, kind: d.kind }, key)) requeue = true; // ours, the cache has not seen it yet
          else conflicts.push(`${d.kind}/${d.metadata.name}`);
        }
      });
    for (const { desired, observed, reason } of plan.apply)
      await attempt(`apply ${desired.kind}/${desired.metadata.name}`, async () => {
        await convertManagedFields(
          observed.metadata.managedFields,
          () => getGuardrail(this.opts.client, desired.kind, desired.metadata.name),
          (full, upgraded) => patchGuardrailManagedFields(this.opts.client, desired.kind, full, upgraded),
        );
        await applyGuardrail(this.opts.client, desired);
        this.opts.log.info(`guardrail applied (${reason} differed)`, { profile: key, object: `${desired.kind}/${desired.metadata.name}` });
      });
    for (const o of plan.delete)
      await attempt(`delete ${o.kind}/${o.metadata.name}`, async () => {
        try {
          await deleteGuardrail(this.opts.client, o);
          this.opts.log.info('guardrail pruned', { profile: key, object: `${o.kind}/${o.metadata.name}` });
        } catch (err) {
          // Gone already, or another object of that name now (uid precondition): nothing of ours to delete.
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      });
    if (!this.opts.onClashes(key, conflicts)) requeue = true;
    if (view?.compiled && known && !known.raw.metadata?.deletionTimestamp)
      this.setOutcome(key, { generation: view.generation, backend: view.guardrails?.backend ?? 'NetworkPolicy', desired: view.guardrails?.objects.length ?? 0, conflicts, ...(failure !== undefined ? { error: errorMessage(failure) } : {}) });
    else if (key !== SHARED_TIER_KEY && !known) this.outcomes.delete(key);
    if (failure !== undefined) throw failure;
    return requeue ? { requeue } : undefined;
  }

  private setOutcome(key: string, outcome: GuardrailOutcome): void {
    const before = this.outcomes.get(key);
    this.outcomes.set(key, outcome);
    if (JSON.stringify(before) !== JSON.stringify(outcome)) this.opts.onOutcome(key);
  }
}
