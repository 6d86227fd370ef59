// Wiring: informers (Namespace, SegmentationProfile, managed NetworkPolicy, and the API server's
// EndpointSlices) -> namespace keys -> work queue -> Reconciler -> outcomes -> debounced profile status.
// Runs in-process: start() resolves when the caches are synced; stop() drains in-flight work and releases
// the lease.
import type { KubeConfigLike } from '../kube/kubeconfig.js';
import { API_VERSION, KIND, type ProfileStatus } from '../api/profile.js';
import { MANAGED_SELECTOR } from '../compile/labels.js';
import { API_SERVER_SLICES_PATH, API_SERVER_SLICES_SELECTOR, NAMESPACES_PATH, NETWORK_POLICIES_PATH, PROFILES_PATH, compactEndpointSlice, compactNamespace, compactPolicy, compactProfile, patchProfileStatus, type EndpointSliceWire, type NamespaceObject, type ProfileObject } from '../kube/api.js';
import { KubeClient, type WriteCounter } from '../kube/client.js';
import { defaultIdentity, loadKubeConfig } from '../kube/config.js';
import { isNotFound, statusCodeOf } from '../kube/errors.js';
import { EventRecorder } from '../kube/events.js';
import { Informer } from '../kube/informer.js';
import { Interner } from '../kube/intern.js';
import { LeaderElector } from '../kube/lease.js';
import type { BackoffOptions } from './backoff.js';
import type { ObservedPolicy } from './compare.js';
import { OperatorHttp } from './http.js';
import { ConflictWatches } from './conflicts.js';
import { StatusController } from './status-controller.js';
import { profileStatus } from './profile-status.js';
import { Expectations } from './expectations.js';
import { findingsFromScan, PeriodicScan } from './scan-source.js';
import { watchPolicyName } from '../kube/name-watch.js';
import { createLogger, errorMessage, type Logger, type LogLevel } from './log.js';
import { namespacesForProfileEvent, profileChanged } from './mappers.js';
import { OperatorMetrics } from './metrics.js';
import { OutcomeStore } from './outcomes.js';
import { policyProfile } from './plan.js';
import { ProfileRegistry } from './profiles.js';
import { WorkQueue, runWorkers } from './queue.js';
import { Reconciler, isTerminating } from './reconciler.js';
import { statusEqual } from './status.js';
import { scanCluster } from '../kube/cluster-scan.js';
import type { ClusterFindings } from './findings.js';
import type { ApiServerEndpoints } from '../api/apiserver-endpoints.js';
import { endpointsFromSlices, updateEndpoints } from './api-server.js';

export interface LeaderElectionConfig {
  enabled: boolean;
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface OperatorOptions {
  /** A kubeconfig already loaded (ours or client-node's KubeConfig); else kubeconfigPath / the defaults. */
  kubeConfig?: KubeConfigLike;
  kubeconfigPath?: string;
  /** What gave kubeconfigPath (a flag, an environment variable), for the error when it cannot be read. */
  kubeconfigFrom?: string;
  workers?: number;
  leaderElection?: Partial<LeaderElectionConfig>;
  /** Full relist of every informer (catches deletes missed across reconnects). 0 disables. */
  resyncMs?: number;
  qps?: number;
  burst?: number;
  /** Bound on every API request (default 30 s); the lease's requests are bounded by the renew deadline. */
  requestTimeoutMs?: number;
  /** 0 = off. */
  healthPort?: number;
  metricsPort?: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** Status is recomputed once the queue is idle, at least this long after the first change... */
  statusDebounceMs?: number;
  /** ...and at the latest this long after it, even if the queue never idles. */
  statusMaxDelayMs?: number;
  backoff?: BackoffOptions;
  /** Namespace for Events about (cluster-scoped) profiles. */
  eventsNamespace?: string;
  /** How often the leader re-checks the policy engine and metadata exposure (finding conditions). 0 = never. */
  scanPeriodMs?: number;
  /** After a profile change, scan again this soon (default 5 s). */
  rescanDelayMs?: number;
  /** Register process metrics (CPU, memory) in the registry. */
  processMetrics?: boolean;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionConfig = {
  enabled: false,
  namespace: 'segmentation-system',
  name: 'segmentation-operator',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export class Operator {
  readonly client: KubeClient;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly identity: string;
  readonly namespaces: Informer<NamespaceObject>;
  readonly profiles: Informer<ProfileObject>;
  readonly policies: Informer<ObservedPolicy>;
  /** The `kubernetes` EndpointSlices in `default`: the API server's real addresses (spec.apiServer). */
  readonly apiServerSlices: Informer<EndpointSliceWire>;
  readonly http: OperatorHttp;
  private readonly registry = new ProfileRegistry();
  private readonly outcomes = new OutcomeStore();
  private readonly reconciler: Reconciler;
  /** Our writes in flight (written by the reconciler, cleared by the policy informer's events). */
  private readonly expectations = new Expectations();
  /** Names taken by policies we do not own: watched, so the namespace is reconciled when they change. */
  private readonly clashes: ConflictWatches;
  private readonly elector?: LeaderElector;
  private readonly events: EventRecorder;
  private readonly opts: OperatorOptions;
  private readonly workers: number;
  private queue: WorkQueue<string>;
  private workersDone?: Promise<void>;
  private active = false;
  private synced = false;
  private stopping = false;
  private readonly status: StatusController;
  private crdMissingLogged = false;
  private findings?: ClusterFindings;
  private readonly scanner: PeriodicScan;
  private apiServer?: ApiServerEndpoints;
  private apiServerKeptLogged = false;
  /** Aborted when this term of leadership ends: every write of the term is refused or cancelled. */
  private term?: AbortController;

  constructor(opts: OperatorOptions = {}) {
    this.opts = opts;
    this.workers = opts.workers ?? 12;
    this.log = opts.logger ?? createLogger(opts.logLevel ?? 'info');
    this.identity = opts.leaderElection?.identity ?? defaultIdentity();
    const kc = opts.kubeConfig ?? loadKubeConfig(opts.kubeconfigPath, opts.kubeconfigFrom);
    this.metrics = new OperatorMetrics(
      {
        queueDepth: () => this.queue.length,
        managedNamespaces: () => this.policies.namespaces().length,
        managedPolicies: () => this.policies.size,
        leader: () => this.active,
      },
      { defaultMetrics: opts.processMetrics ?? true },
    );
    this.client = new KubeClient(kc, {
      ...(opts.qps !== undefined ? { qps: opts.qps } : {}),
      ...(opts.burst !== undefined ? { burst: opts.burst } : {}),
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      onWrite: (resource, verb) => this.metrics.writes.inc({ resource, verb }),
      onRequest: (method, code) => this.metrics.apiRequests.inc({ method, code: String(code) }),
    });
    this.queue = this.newQueue();
    const resyncMs = opts.resyncMs ?? 10 * 60_000;
    const interner = new Interner();
    const informerOpts = {
      resyncMs,
      onRestart: (name: string, err: unknown) => {
        this.metrics.watchRestarts.inc({ informer: name });
        this.onInformerError(name, err);
      },
      onError: (name: string, err: unknown, phase: 'list' | 'watch') => {
        if (phase === 'list' && name === 'segmentationprofiles' && isNotFound(err)) return; // said once by onRestart
        this.log.debug(`${name} ${phase}: ${errorMessage(err)}`, { informer: name });
      },
      onHandlerError: (name: string, err: unknown) => this.log.error(`${name} event handler failed: ${errorMessage(err)}`, { informer: name }),
    };
    this.namespaces = new Informer<NamespaceObject>(this.client, { name: 'namespaces', path: NAMESPACES_PATH, transform: compactNamespace, ...informerOpts });
    this.profiles = new Informer<ProfileObject>(this.client, { name: 'segmentationprofiles', path: PROFILES_PATH, transform: compactProfile, ...informerOpts });
    this.policies = new Informer<ObservedPolicy>(this.client, { name: 'networkpolicies', path: NETWORK_POLICIES_PATH, labelSelector: MANAGED_SELECTOR, transform: (p: ObservedPolicy) => compactPolicy(p, interner), ...informerOpts });
    this.apiServerSlices = new Informer<EndpointSliceWire>(this.client, { name: 'endpointslices', path: API_SERVER_SLICES_PATH, labelSelector: API_SERVER_SLICES_SELECTOR, transform: compactEndpointSlice, ...informerOpts });
    this.scanner = new PeriodicScan({
      periodMs: opts.scanPeriodMs ?? 5 * 60_000,
      rescanDelayMs: opts.rescanDelayMs ?? 5_000,
      scan: async () => findingsFromScan(await scanCluster(this.client), this.registry.names().flatMap((n) => this.registry.get(n)?.parsed ?? []), this.namespaceInfos()),
      onFindings: (findings) => {
        if (findings.enforcement && !findings.enforcement.enforced) this.log.warn(findings.enforcement.message);
        this.findings = findings;
        this.markStatusDirty(this.registry.names());
      },
      onError: (err) => this.log.warn(`cluster scan failed: ${errorMessage(err)}`),
    });
    this.status = new StatusController({
      write: (name) => this.writeStatus(name),
      isGone: isNotFound,
      busy: () => this.queue.length > 0 || this.queue.processingCount > 0,
      debounceMs: opts.statusDebounceMs ?? 1_000,
      maxDelayMs: opts.statusMaxDelayMs ?? 5_000,
      onError: (profile, err, retries) => this.log.warn(`status of profile ${profile} not written (retry ${retries + 1}, with backoff): ${errorMessage(err)}`, { profile }),
    });
    this.clashes = new ConflictWatches({
      watch: (namespace, name, onChange) => watchPolicyName(this.client, namespace, name, onChange, informerOpts),
      enqueue: (namespace) => this.enqueue(namespace),
      onError: (err) => this.log.warn(`watch of a clashing NetworkPolicy: ${errorMessage(err)}`),
    });
    this.events = new EventRecorder(this.client, {
      controller: 'segmentation.dev/segmentation-operator',
      instance: this.identity,
      namespace: opts.eventsNamespace ?? 'default',
      onError: (err) => this.log.warn(`event not recorded: ${errorMessage(err)}`),
    });
    this.reconciler = new Reconciler({
      client: this.client,
      namespaces: this.namespaces,
      policies: this.policies,
      expectations: this.expectations,
      profiles: this.registry,
      outcomes: this.outcomes,
      events: this.events,
      metrics: this.metrics,
      log: this.log,
      onOutcomes: (profiles) => this.markStatusDirty(profiles),
      onClashes: (namespace, names) => this.clashes.set(namespace, names),
    });
    const le = { ...DEFAULT_LEADER_ELECTION, ...opts.leaderElection };
    if (le.enabled) {
      // A standby writes nothing until it leads: its writes are fenced from the start.
      this.client.setWriteFence(AbortSignal.abort());
      this.elector = new LeaderElector(this.client, {
        namespace: le.namespace,
        name: le.name,
        identity: this.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        onStartedLeading: () => {
          this.log.info('became leader', { identity: this.identity, lease: `${le.namespace}/${le.name}` });
          if (this.synced) this.beginLeading();
        },
        onStoppedLeading: () => {
          this.log.warn('stopped leading', { identity: this.identity });
          void this.endLeading();
        },
        onError: (err) => this.log.warn(`leader election: ${errorMessage(err)}`, { identity: this.identity }),
      });
    }
    this.http = new OperatorHttp({
      healthPort: opts.healthPort ?? 0,
      metricsPort: opts.metricsPort ?? 0,
      registry: this.metrics.registry,
      ready: () => this.readiness(),
    });
    this.wireHandlers();
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
    if (this.elector) return { ready: true, reason: this.active ? 'leading' : 'standing by' };
    return { ready: true, reason: 'ok' };
  }

  private newQueue(): WorkQueue<string> {
    return new WorkQueue<string>(this.opts.backoff ? { backoff: this.opts.backoff } : {});
  }

  private onInformerError(name: string, err: unknown): void {
    if (name === 'segmentationprofiles' && isNotFound(err)) {
      if (!this.crdMissingLogged) this.log.error('the SegmentationProfile CRD (segmentationprofiles.segmentation.dev) is not installed: apply crds/ and the operator will continue by itself; retrying');
      this.crdMissingLogged = true;
      return;
    }
    this.log.warn(`${name} list/watch failed, restarting with backoff: ${errorMessage(err)}`, { informer: name, code: statusCodeOf(err) });
  }

  /** Only the leader queues work: a standby keeps its caches warm and enqueues everything when it takes over. */
  private enqueue(namespace: string | undefined): void {
    if (namespace && this.active) this.queue.add(namespace);
  }

  private namespaceInfos() {
    return this.namespaces.list().filter((n) => !isTerminating(n)).map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
  }

  private namespacesWithPoliciesOf(profile: string): string[] {
    return this.policies.namespaces().filter((ns) => this.policies.list(ns).some((p) => policyProfile(p) === profile));
  }

  private wireHandlers(): void {
    this.namespaces.on({
      add: (ns) => this.enqueue(ns.metadata?.name),
      update: (_old, ns) => this.enqueue(ns.metadata?.name),
      delete: (ns) => this.enqueue(ns.metadata?.name),
    });
    const policyEvent = (p: ObservedPolicy, deleted: boolean) => {
      // The echo of our own write changes nothing the last reconcile did not already know.
      if (this.expectations.observed(p.metadata.namespace ?? '', p.metadata.name ?? '', deleted ? null : p)) return;
      this.enqueue(p.metadata.namespace);
    };
    this.policies.on({ add: (p) => policyEvent(p, false), update: (_o, p) => policyEvent(p, false), delete: (p) => policyEvent(p, true) });
    const profileEvent = (oldRaw: ProfileObject | undefined, newRaw: ProfileObject | undefined) => {
      const name = (newRaw ?? oldRaw)?.metadata?.name ?? '';
      let before = this.registry.get(name);
      let after;
      if (newRaw) ({ after } = this.registry.set(newRaw));
      else {
        before = this.registry.delete(name);
        this.outcomes.dropProfile(name);
        this.status.forget(name);
      }
      if (oldRaw && newRaw && !profileChanged(oldRaw, newRaw)) return;
      if (after && after.errors.length > 0) this.log.warn(`profile ${name} is invalid and affects no namespace: ${after.errors.join('; ')}`, { profile: name });
      const targets = namespacesForProfileEvent(before?.parsed, after?.errors.length === 0 ? after.parsed : undefined, this.namespaceInfos(), this.namespacesWithPoliciesOf(name));
      this.log.debug(`profile ${newRaw ? 'changed' : 'deleted'}: ${targets.size} namespaces to reconcile`, { profile: name });
      for (const ns of targets) this.enqueue(ns);
      if (newRaw) this.markStatusDirty([name]);
      this.scanner.requestSoon();
    };
    this.profiles.on({ add: (p) => profileEvent(undefined, p), update: (o, p) => profileEvent(o, p), delete: (p) => profileEvent(p, undefined) });
    const sliceEvent = () => this.onApiServerSlices();
    this.apiServerSlices.on({ add: sliceEvent, update: sliceEvent, delete: sliceEvent });
  }

  /**
   * The API server's EndpointSlices changed: when the endpoints they describe differ from those the
   * profiles were compiled with, recompile the profiles with spec.apiServer and reconcile their namespaces
   * (nothing else is touched; an unchanged address list costs nothing).
   */
  private onApiServerSlices(): void {
    const update = updateEndpoints(this.apiServer, endpointsFromSlices(this.apiServerSlices.list()));
    if (update.keptLastKnown && !this.apiServerKeptLogged) this.log.warn('the kubernetes EndpointSlices in default list no ready endpoint: keeping the last known API server endpoints', { addresses: this.apiServer?.addresses });
    this.apiServerKeptLogged = update.keptLastKnown;
    if (!update.changed) return;
    this.apiServer = update.endpoints;
    this.log.info('API server endpoints', { addresses: this.apiServer?.addresses ?? [], ports: (this.apiServer?.ports ?? []).map((p) => `${p.protocol}/${p.port}`) });
    for (const { before, after } of this.registry.setFacts(this.apiServer ? { apiServer: this.apiServer } : {})) {
      const name = after.view.name;
      if (after.errors.length > 0) this.log.warn(`profile ${name} is invalid and affects no namespace: ${after.errors.join('; ')}`, { profile: name });
      const targets = namespacesForProfileEvent(before.parsed, after.errors.length === 0 ? after.parsed : undefined, this.namespaceInfos(), this.namespacesWithPoliciesOf(name));
      this.log.debug(`API server endpoints changed: ${targets.size} namespaces to reconcile`, { profile: name });
      for (const ns of targets) this.enqueue(ns);
      this.markStatusDirty([name]);
    }
  }

  /** Starts watching; resolves once every cache has synced (it keeps retrying until then). */
  async start(): Promise<void> {
    this.stopping = false;
    await this.http.start();
    this.elector?.start();
    // The API server's endpoints first, so that profiles with spec.apiServer compile with them from their
    // first event on (instead of reading as invalid for a moment).
    await this.apiServerSlices.start();
    const informers = [this.namespaces, this.profiles, this.policies];
    await Promise.all(informers.map((i) => i.start()));
    this.synced = true;
    this.log.info('caches synced', { namespaces: this.namespaces.size, profiles: this.profiles.size, policies: this.policies.size, identity: this.identity });
    if (!this.elector || this.elector.isLeader()) this.beginLeading();
    else this.log.info('standing by for leadership', { identity: this.identity });
  }

  private beginLeading(): void {
    if (this.active || this.stopping) return;
    this.active = true;
    this.term = new AbortController();
    this.client.setWriteFence(this.term.signal);
    if (this.queue.isShuttingDown()) this.queue = this.newQueue();
    for (const ns of this.namespaces.list()) if (ns.metadata?.name) this.queue.add(ns.metadata.name);
    this.status.start();
    this.markStatusDirty(this.registry.names());
    this.scanner.start();
    const queue = this.queue;
    this.workersDone = runWorkers(queue, this.workers, (ns) => this.reconciler.reconcile(ns), (ns, err) => {
      this.metrics.reconciles.inc({ result: 'error' });
      this.log.error(`reconcile failed: ${errorMessage(err)}`, { namespace: ns, retries: queue.retries(ns) });
    });
  }

  private async endLeading(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    // Lost the lease: no write of this term may land any more, including those hanging on a partition.
    this.term?.abort();
    this.scanner.stop();
    void this.clashes.clear();
    await this.queue.shutDown();
    await this.workersDone;
    await this.status.stop();
  }

  /**
   * Resolves when nothing is queued or being reconciled, the first cluster scan is done and no status write
   * is pending (at once on a standby).
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (!this.active) return;
      await this.queue.whenIdle();
      await this.scanner.current;
      if (this.queue.length === 0 && this.queue.processingCount === 0 && this.status.idle() && !this.scanner.firstPending() && !this.scanner.current) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private markStatusDirty(profiles: Iterable<string>): void {
    this.status.enqueue(profiles);
  }

  private async writeStatus(name: string): Promise<void> {
    const known = this.registry.get(name);
    const raw = this.profiles.get(name);
    if (!known || !raw || raw.metadata?.deletionTimestamp) return;
    const previous = raw.status as ProfileStatus | undefined;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { next, events } = profileStatus({ known, previous, outcomes: this.outcomes.outcomes(name), findings: this.findings, now });
    const target = { apiVersion: API_VERSION, kind: KIND, name, ...(known.raw.metadata?.uid ? { uid: known.raw.metadata.uid } : {}) };
    for (const e of events) this.events.record(target, 'Warning', e.reason, e.message, 'Check');
    if (statusEqual(previous, next)) return;
    await patchProfileStatus(this.client, name, next as Record<string, unknown>, previous as Record<string, unknown> | undefined);
    this.metrics.statusWrites.inc();
    this.log.info('profile status updated', { profile: name, ready: next.conditions?.[0]?.status, matchedNamespaces: next.matchedNamespaces, policies: next.policies });
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
      this.term?.abort();
      this.scanner.stop();
      void this.status.stop();
      void this.queue.shutDown();
      await this.elector?.stop({ release: false }).catch(() => {});
    } else {
      await this.queue.shutDown();
      await this.workersDone;
      await this.status.stop({ flush: this.active });
      this.active = false;
      this.term?.abort();
      await this.elector?.stop({ release: true });
    }
    await this.clashes.clear();
    await Promise.all([this.namespaces.stop(), this.profiles.stop(), this.policies.stop(), this.apiServerSlices.stop()]);
    await this.http.stop();
    this.synced = false;
    this.log.info('stopped', { identity: this.identity, abrupt });
  }
}
