// Wiring: informers (caches.ts) -> handlers (handlers.ts) -> namespace keys -> work queue -> Reconciler ->
// outcomes -> StatusController (status-write.ts); the cluster scan (scan-source.ts) feeds the status too;
// the guardrails (guardrails.ts: served APIs, per-profile cluster-scoped objects) run beside them;
// Leadership decides when any of it writes. start() resolves when the caches are synced; stop() drains
// in-flight work and releases the lease.
import type { NamespaceObject, ProfileObject, EndpointSliceWire } from '../kube/api.js';
import { KubeClient, type WriteCounter } from '../kube/client.js';
import { defaultIdentity, loadKubeConfig } from '../kube/config.js';
import { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { watchPolicyName } from '../kube/name-watch.js';
import { createCaches, informerCallbacks, liveNamespaces, namespacesWithPoliciesOf, profileBlocksInPlace } from './caches.js';
import type { ObservedPolicy } from './compare.js';
import { ConflictWatches } from './conflicts.js';
import { Expectations } from './expectations.js';
import { Guardrails } from './guardrails.js';
import { EventHandlers } from './handlers.js';
import { OperatorHttp } from './http.js';
import { Leadership } from './leadership.js';
import { createLogger, errorMessage, type Logger } from './log.js';
import { OperatorMetrics } from './metrics.js';
import { clientOptions, DEFAULT_LEADER_ELECTION, type OperatorOptions } from './options.js';
import { OutcomeStore } from './outcomes.js';
import { ProfileRegistry } from './profiles.js';
import { NamespaceWork } from './namespace-work.js';
import { Reconciler } from './reconciler.js';
import { StatusPipeline } from './status-pipeline.js';

export { DEFAULT_LEADER_ELECTION, type LeaderElectionConfig, type OperatorOptions } from './options.js';

export class Operator {
  readonly client: KubeClient;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly identity: string;
  readonly namespaces: Informer<NamespaceObject>;
  readonly profiles: Informer<ProfileObject>;
  readonly policies: Informer<ObservedPolicy>;
  readonly apiServerSlices: Informer<EndpointSliceWire>;
  readonly http: OperatorHttp;
  private readonly registry = new ProfileRegistry();
  private readonly outcomes = new OutcomeStore();
  private readonly expectations = new Expectations();
  private readonly reconciler: Reconciler;
  private readonly clashes: ConflictWatches;
  private readonly leadership: Leadership;
  private readonly status: StatusPipeline;
  private readonly work: NamespaceWork;
  private readonly guardrails: Guardrails;
  private active = false;
  private synced = false;
  private stopping = false;

  constructor(private readonly opts: OperatorOptions = {}) {
    this.log = opts.logger ?? createLogger(opts.logLevel ?? 'info');
    this.identity = opts.leaderElection?.identity ?? defaultIdentity();
    const kc = opts.kubeConfig ?? loadKubeConfig(opts.kubeconfigPath, opts.kubeconfigFrom);
    this.metrics = new OperatorMetrics(
      { queueDepth: () => this.work.length, managedNamespaces: () => this.policies.namespaces().length, managedPolicies: () => this.policies.size, leader: () => this.active },
      { defaultMetrics: opts.processMetrics ?? true },
    );
    this.client = new KubeClient(kc, clientOptions(opts, this.metrics));
    this.work = new NamespaceWork({
      workers: opts.workers ?? 12, ...(opts.backoff ? { backoff: opts.backoff } : {}),
      reconcile: (ns) => this.reconciler.reconcile(ns),
      onError: (ns, err, retries) => (this.metrics.reconciles.inc({ result: 'error' }), this.log.error(`reconcile failed: ${errorMessage(err)}`, { namespace: ns, retries })),
    });
    const cacheOpts = informerCallbacks(this.log, this.metrics, opts.resyncMs);
    ({ namespaces: this.namespaces, profiles: this.profiles, policies: this.policies, apiServerSlices: this.apiServerSlices } = createCaches(this.client, cacheOpts));
    const events = new EventRecorder(this.client, { controller: 'segmentation.dev/segmentation-operator', instance: this.identity, namespace: opts.eventsNamespace ?? 'default', onError: (err) => this.log.warn(`event not recorded: ${errorMessage(err)}`) });
    let handlers: EventHandlers | undefined;
    this.guardrails = new Guardrails({ client: this.client, registry: this.registry, cache: cacheOpts, log: this.log, onOutcome: (p) => this.status.enqueue([p]), onFacts: (facts) => handlers?.onGuardrailFacts(facts), onObjects: (p) => handlers?.onGuardrailObjects(p), blocksInPlace: (p) => profileBlocksInPlace(this.namespaces, this.registry, this.outcomes, p) });
    this.status = new StatusPipeline({
      client: this.client, profiles: this.profiles, registry: this.registry, outcomes: this.outcomes, events, metrics: this.metrics, log: this.log, opts,
      busy: () => this.work.busy(),
      namespaceInfos: () => liveNamespaces(this.namespaces),
      guardrailOutcome: (p) => this.guardrails.outcome(p),
      onFindings: (f) => this.guardrails.setEngines(f.enforcement?.engines),
    });
    this.clashes = new ConflictWatches({
      watch: (namespace, name, onChange) => watchPolicyName(this.client, namespace, name, onChange, cacheOpts),
      enqueue: (namespace) => this.work.add(namespace),
      onError: (err) => this.log.warn(`watch of a clashing NetworkPolicy: ${errorMessage(err)}`),
    });
    this.reconciler = new Reconciler({
      client: this.client, namespaces: this.namespaces, policies: this.policies, expectations: this.expectations, profiles: this.registry, outcomes: this.outcomes, events, metrics: this.metrics, log: this.log,
      onOutcomes: (profiles) => (this.status.enqueue(profiles), this.guardrails.work.namespacesReconciled(profiles)),
      onClashes: (namespace, names) => this.clashes.set(namespace, names),
    });
    this.leadership = new Leadership({
      client: this.client, config: { ...DEFAULT_LEADER_ELECTION, ...opts.leaderElection }, identity: this.identity, log: this.log,
      onStarted: () => this.synced && this.beginLeading(),
      onStopped: () => void this.endLeading(),
    });
    this.http = new OperatorHttp({ healthPort: opts.healthPort ?? 0, metricsPort: opts.metricsPort ?? 0, registry: this.metrics.registry, ready: () => this.readiness() });
    handlers = new EventHandlers({
      namespaces: this.namespaces, profiles: this.profiles, policies: this.policies, apiServerSlices: this.apiServerSlices, registry: this.registry, outcomes: this.outcomes, expectations: this.expectations, log: this.log,
      enqueue: (ns) => this.work.add(ns),
      statusChanged: (profiles) => this.status.enqueue(profiles),
      statusForget: (profile) => this.status.forget(profile),
      rescanSoon: () => this.status.rescanSoon(),
      namespaceInfos: () => liveNamespaces(this.namespaces),
      namespacesWithPoliciesOf: (profile) => namespacesWithPoliciesOf(this.policies, profile),
      guardrailsChanged: (profile) => this.guardrails.work.addProfile(profile),
    });
    handlers.wire();
  }

  /** Writes this process made, by resource/verb (in-process view of segmentation_writes_total). */
  get writes(): WriteCounter {
    return this.client.writes;
  }

  isLeader(): boolean {
    return this.active;
  }

  readiness(): { ready: boolean; reason: string } {
    if (this.stopping) return { ready: false, reason: 'stopping' };
    if (!this.synced) return { ready: false, reason: 'caches not synced' };
    if (this.leadership.elected) return { ready: true, reason: this.active ? 'leading' : 'standing by' };
    return { ready: true, reason: 'ok' };
  }

  /** Starts watching; resolves once every cache has synced (it keeps retrying until then). */
  async start(): Promise<void> {
    this.stopping = false;
    await this.http.start();
    this.leadership.start();
    // The API server's endpoints first, so that profiles with spec.apiServer compile with them from their
    // first event on (instead of reading as invalid for a moment).
    await this.apiServerSlices.start();
    // The served guardrail APIs and our objects of them too: a profile compiles for its backend at once.
    await this.guardrails.start();
    await Promise.all([this.namespaces, this.profiles, this.policies].map((i) => i.start()));
    this.synced = true;
    this.log.info('caches synced', { namespaces: this.namespaces.size, profiles: this.profiles.size, policies: this.policies.size, identity: this.identity });
    if (this.leadership.holdsLease()) this.beginLeading();
    else this.log.info('standing by for leadership', { identity: this.identity });
  }

  private beginLeading(): void {
    if (this.active || this.stopping) return;
    this.active = true;
    this.leadership.beginTerm();
    this.work.begin(this.namespaces.list().flatMap((ns) => ns.metadata?.name ?? []));
    this.guardrails.begin();
    this.status.start(this.registry.names());
  }

  private async endLeading(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.leadership.endTerm();
    void this.clashes.clear();
    await Promise.all([this.work.end(), this.guardrails.end()]);
    await this.status.stop();
  }

  /** Resolves when nothing is queued or reconciled, the first scan is done and no status write is pending (at once on a standby). */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (!this.active) return;
      await Promise.all([this.work.whenIdle(), this.guardrails.work.whenIdle()]);
      if ((await this.status.idle()) && !this.work.busy() && !this.guardrails.work.busy()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Stops the operator. Default (SIGTERM): stop taking work, finish in-flight reconciles, write pending
   * status, release the lease, stop watching. `{ abrupt: true }` simulates a crash for tests: nothing is
   * drained or released.
   */
  async stop({ abrupt = false }: { abrupt?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (abrupt) {
      this.active = false;
      this.leadership.endTerm();
      void this.status.stop();
      void this.work.end(false);
      void this.guardrails.end(false);
      await this.leadership.stop(false);
    } else {
      await Promise.all([this.work.end(), this.guardrails.end()]);
      await this.status.stop(this.active);
      this.active = false;
      this.leadership.endTerm();
      await this.leadership.stop(true);
    }
    await Promise.all([this.clashes.clear(), this.guardrails.stop()]);
    await Promise.all([this.namespaces.stop(), this.profiles.stop(), this.policies.stop(), this.apiServerSlices.stop()]);
    await this.http.stop();
    this.synced = false;
    this.log.info('stopped', { identity: this.identity, abrupt });
  }
}
