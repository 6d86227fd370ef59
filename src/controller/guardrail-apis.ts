// Which guardrail APIs the cluster serves, live: one informer per guardrail CRD, by name (a field
// selector), tells when it is installed and Established or removed; while a kind is served an informer on
// it (label-selected: our objects only) feeds the guardrail controller, and it is stopped when the CRD goes.
// The operator runs the same with none of them installed.
import type { KubeClient } from '../kube/client.js';
import { compactCrd, compactGuardrail, CRDS_PATH, GUARDRAIL_KINDS, guardrailCollectionPath, type CrdObject, type GuardrailKind, type ObservedGuardrail } from '../kube/guardrail-api.js';
import { Informer, type InformerHandlers } from '../kube/informer.js';
import { MANAGED_SELECTOR } from '../compile/labels.js';
import type { CacheOptions } from './caches.js';

const START_BOUND_MS = 15_000;

/** `promise`'s value, or `fallback` once `ms` have passed (the promise must not reject). */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** Served: the CRD is Established and serves the version we write. */
export function servedKinds(crds: ReadonlyMap<string, CrdObject | undefined>): Set<string> {
  const out = new Set<string>();
  for (const k of GUARDRAIL_KINDS) {
    const crd = crds.get(k.crd);
    if (crd && crd.established && !crd.metadata?.deletionTimestamp && crd.served.includes(k.apiVersion.split('/')[1]!)) out.add(k.crd);
  }
  return out;
}

export interface GuardrailApisOptions {
  client: KubeClient;
  cache: CacheOptions;
  /** Events of our guardrail objects, any kind. */
  handlers: InformerHandlers<ObservedGuardrail>;
  /** The set of served APIs changed (after the informers of newly served kinds synced). */
  onServedChanged: (served: ReadonlySet<string>) => void;
  onError: (err: unknown) => void;
}

export class GuardrailApis {
  private readonly crdInformers: Informer<CrdObject>[];
  private readonly objects = new Map<string, Informer<ObservedGuardrail>>();
  private served = new Set<string>();
  private started = false;
  /** Serialises informer starts and stops (CRD events arrive in bursts). */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: GuardrailApisOptions) {
    const crds = [...new Set(GUARDRAIL_KINDS.map((k) => k.crd))];
    this.crdInformers = crds.map(
      (name) => new Informer<CrdObject>(opts.client, { name: `crd ${name}`, path: CRDS_PATH, fieldSelector: `metadata.name=${name}`, transform: compactCrd, ...opts.cache }),
    );
    for (const i of this.crdInformers) {
      const changed = () => {
        if (this.started) void this.update(true);
      };
      i.on({ add: changed, update: changed, delete: changed });
    }
  }

  /**
   * Resolves when the CRDs are known and the informers of the served kinds have synced, or after a bound
   * when the CRDs cannot be listed (say, RBAC without them): the operator then starts with what it knows
   * (no guardrail API) and picks the CRDs up once their informers sync.
   */
  async start(): Promise<void> {
    const ok = await within(Promise.all(this.crdInformers.map((i) => i.start())).then(() => true, () => false), START_BOUND_MS, false);
    if (!ok) this.opts.onError(new Error(`the guardrail CustomResourceDefinitions could not be listed within ${START_BOUND_MS / 1000} s: starting without guardrail APIs, retrying`));
    this.started = true;
    await this.update(false);
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.chain;
    await Promise.all([...this.crdInformers, ...this.objects.values()].map((i) => i.stop()));
    this.objects.clear();
  }

  servedApis(): ReadonlySet<string> {
    return this.served;
  }

  /** Our cached objects of every served kind. */
  list(): ObservedGuardrail[] {
    return GUARDRAIL_KINDS.flatMap((k) => (this.served.has(k.crd) ? (this.objects.get(k.kind)?.list() ?? []) : []));
  }

  private update(notify: boolean): Promise<void> {
    this.chain = this.chain.then(() => this.reconcileInformers(notify)).catch((err: unknown) => this.opts.onError(err));
    return this.chain;
  }

  private async reconcileInformers(notify: boolean): Promise<void> {
    if (!this.started) return;
    const crds = new Map(this.crdInformers.flatMap((i) => i.list().map((c) => [c.metadata?.name ?? '', c] as const)));
    const next = servedKinds(crds);
    if (next.size === this.served.size && [...next].every((n) => this.served.has(n))) return;
    const stopping = GUARDRAIL_KINDS.filter((k) => this.served.has(k.crd) && !next.has(k.crd));
    const starting = GUARDRAIL_KINDS.filter((k) => !this.served.has(k.crd) && next.has(k.crd));
    for (const k of stopping) {
      const informer = this.objects.get(k.kind);
      this.objects.delete(k.kind);
      await informer?.stop();
    }
    await Promise.all(starting.map((k) => this.startKind(k)));
    this.served = next;
    if (notify) this.opts.onServedChanged(next);
  }

  private startKind(k: GuardrailKind): Promise<void> {
    const informer = new Informer<ObservedGuardrail>(this.opts.client, { name: k.plural, path: guardrailCollectionPath(k), labelSelector: MANAGED_SELECTOR, transform: compactGuardrail(k), ...this.opts.cache });
    informer.on(this.opts.handlers);
    this.objects.set(k.kind, informer);
    // Bounded: a CRD removed again before its first list must not block the CRD events behind it (an
    // unsynced cache only makes a create meet AlreadyExists, which is then read and retried).
    return within(informer.start().catch(() => {}), START_BOUND_MS, undefined);
  }
}
