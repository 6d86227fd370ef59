// Informer events -> work. Namespace and policy events map to namespace keys; a profile event updates the
// registry (which compiles it) and maps old and new spec to the namespaces to reconcile; the API server's
// EndpointSlices recompile the profiles that use spec.apiServer. Which namespaces an event touches is
// decided by the pure mappers (mappers.ts, api-server.ts); this module only routes.
import type { ApiServerEndpoints } from '../api/apiserver-endpoints.js';
import type { SegmentationProfile } from '../api/profile.js';
import type { NamespaceInfo } from '../compile/select.js';
import type { EndpointSliceWire, NamespaceObject, ProfileObject } from '../kube/api.js';
import type { Informer } from '../kube/informer.js';
import { endpointsFromSlices, updateEndpoints } from './api-server.js';
import type { ObservedPolicy } from './compare.js';
import type { Expectations } from './expectations.js';
import type { Logger } from './log.js';
import { namespacesForProfileEvent, profileChanged } from './mappers.js';
import type { OutcomeStore } from './outcomes.js';
import type { GuardrailFacts, ProfileRegistry } from './profiles.js';

export interface HandlerDeps {
  namespaces: Informer<NamespaceObject>;
  profiles: Informer<ProfileObject>;
  policies: Informer<ObservedPolicy>;
  apiServerSlices: Informer<EndpointSliceWire>;
  registry: ProfileRegistry;
  outcomes: OutcomeStore;
  expectations: Expectations;
  log: Logger;
  /** Queues a namespace for reconcile (a no-op on a standby). */
  enqueue: (namespace: string | undefined) => void;
  /** These profiles' status may have changed. */
  statusChanged: (profiles: Iterable<string>) => void;
  /** The profile is gone: drop its pending status. */
  statusForget: (profile: string) => void;
  /** A profile changed: re-run the cluster scan soon. */
  rescanSoon: () => void;
  /** Namespaces not being deleted, with their labels. */
  namespaceInfos: () => NamespaceInfo[];
  /** Namespaces that hold policies of this profile. */
  namespacesWithPoliciesOf: (profile: string) => string[];
  /** A profile's guardrail objects may have to change (the guardrail controller's key). */
  guardrailsChanged?: (profile: string) => void;
}

export class EventHandlers {
  /** The API server's endpoints the profiles are compiled with (spec.apiServer). */
  apiServer?: ApiServerEndpoints;
  private apiServerKeptLogged = false;

  constructor(private readonly d: HandlerDeps) {}

  wire(): void {
    const d = this.d;
    d.namespaces.on({
      add: (ns) => d.enqueue(ns.metadata?.name),
      update: (_old, ns) => d.enqueue(ns.metadata?.name),
      delete: (ns) => d.enqueue(ns.metadata?.name),
    });
    const policyEvent = (p: ObservedPolicy, deleted: boolean) => {
      // The echo of our own write changes nothing the last reconcile did not already know.
      if (d.expectations.observed(p.metadata.namespace ?? '', p.metadata.name ?? '', deleted ? null : p)) return;
      d.enqueue(p.metadata.namespace);
    };
    d.policies.on({ add: (p) => policyEvent(p, false), update: (_o, p) => policyEvent(p, false), delete: (p) => policyEvent(p, true) });
    d.profiles.on({ add: (p) => this.onProfile(undefined, p), update: (o, p) => this.onProfile(o, p), delete: (p) => this.onProfile(p, undefined) });
    const sliceEvent = () => this.onApiServerSlices();
    d.apiServerSlices.on({ add: sliceEvent, update: sliceEvent, delete: sliceEvent });
  }

  private onProfile(oldRaw: ProfileObject | undefined, newRaw: ProfileObject | undefined): void {
    const d = this.d;
    const name = (newRaw ?? oldRaw)?.metadata?.name ?? '';
    let before = d.registry.get(name);
    let after;
    if (newRaw) ({ after } = d.registry.set(newRaw));
    else {
      before = d.registry.delete(name);
      d.outcomes.dropProfile(name);
      d.statusForget(name);
    }
    d.guardrailsChanged?.(name);
    if (oldRaw && newRaw && !profileChanged(oldRaw, newRaw)) return;
    if (after && after.errors.length > 0) d.log.warn(`profile ${name} is invalid and affects no namespace: ${after.errors.join('; ')}`, { profile: name });
    this.reconcileProfile(name, before?.parsed, after?.errors.length === 0 ? after.parsed : undefined, `profile ${newRaw ? 'changed' : 'deleted'}`);
    if (newRaw) d.statusChanged([name]);
    d.rescanSoon();
  }

  /**
   * The API server's EndpointSlices changed: when the endpoints they describe differ from those the
   * profiles were compiled with, recompile the profiles with spec.apiServer and reconcile their namespaces
   * (nothing else is touched; an unchanged address list costs nothing).
   */
  private onApiServerSlices(): void {
    const d = this.d;
    const update = updateEndpoints(this.apiServer, endpointsFromSlices(d.apiServerSlices.list()));
    if (update.keptLastKnown && !this.apiServerKeptLogged) d.log.warn('the kubernetes EndpointSlices in default list no ready endpoint: keeping the last known API server endpoints', { addresses: this.apiServer?.addresses });
    this.apiServerKeptLogged = update.keptLastKnown;
    if (!update.changed) return;
    this.apiServer = update.endpoints;
    d.log.info('API server endpoints', { addresses: this.apiServer?.addresses ?? [], ports: (this.apiServer?.ports ?? []).map((p) => `${p.protocol}/${p.port}`) });
    for (const { before, after } of d.registry.setFacts(this.apiServer ? { apiServer: this.apiServer } : {})) {
      const name = after.view.name;
      if (after.errors.length > 0) d.log.warn(`profile ${name} is invalid and affects no namespace: ${after.errors.join('; ')}`, { profile: name });
      this.reconcileProfile(name, before.parsed, after.errors.length === 0 ? after.parsed : undefined, 'API server endpoints changed');
      d.statusChanged([name]);
    }
  }

  /**
   * The guardrail facts changed (an API installed or removed, another engine scanned): the profiles whose
   * backend decision changed are recompiled, and their namespaces, guardrails and status follow.
   */
  onGuardrailFacts(facts: GuardrailFacts): void {
    const d = this.d;
    for (const { before, after } of d.registry.setGuardrailFacts(facts)) {
      const name = after.view.name;
      d.log.info(`guardrails backend of profile ${name}: ${after.guardrails?.backend}`, { profile: name, reason: after.guardrails?.reason });
      this.reconcileProfile(name, before.parsed, after.errors.length === 0 ? after.parsed : undefined, 'guardrails backend changed');
      d.guardrailsChanged?.(name);
      d.statusChanged([name]);
    }
  }

  /** Guardrail objects of a profile came or went: its namespaces follow its cluster-scoped backend only while they are all there. */
  onGuardrailObjects(profile: string): void {
    const change = this.d.registry.refreshGuardrails(profile);
    if (!change) return;
    this.d.log.info(`profile ${profile}: per-namespace policies now compiled for ${change.after.view.compiled?.backend}`, { profile });
    this.reconcileProfile(profile, change.before.parsed, change.after.errors.length === 0 ? change.after.parsed : undefined, 'guardrail objects in place or gone');
    this.d.statusChanged([profile]);
  }

  private reconcileProfile(name: string, before: SegmentationProfile | undefined, after: SegmentationProfile | undefined, why: string): void {
    const targets = namespacesForProfileEvent(before, after, this.d.namespaceInfos(), this.d.namespacesWithPoliciesOf(name));
    this.d.log.debug(`${why}: ${targets.size} namespaces to reconcile`, { profile: name });
    for (const ns of targets) this.d.enqueue(ns);
  }
}
