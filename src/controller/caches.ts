// The operator's four informers and what each keeps of its objects (the transforms in kube/api.ts):
// Namespaces, SegmentationProfiles, the NetworkPolicies we manage (label-selected) and the `kubernetes`
// EndpointSlices in `default`.
import { MANAGED_SELECTOR } from '../compile/labels.js';
import { API_SERVER_SLICES_PATH, API_SERVER_SLICES_SELECTOR, NAMESPACES_PATH, NETWORK_POLICIES_PATH, PROFILES_PATH, compactEndpointSlice, compactNamespace, compactPolicy, compactProfile, type EndpointSliceWire, type NamespaceObject, type ProfileObject } from '../kube/api.js';
import type { KubeClient } from '../kube/client.js';
import { Informer, type InformerOptions } from '../kube/informer.js';
import { Interner } from '../kube/intern.js';
import { isNotFound, statusCodeOf } from '../kube/errors.js';
import { selectedNamespaces, type NamespaceInfo } from '../compile/select.js';
import { perNamespaceBlocksInPlace } from './guardrail-plan.js';
import type { OutcomeStore } from './outcomes.js';
import type { ProfileRegistry } from './profiles.js';
import type { ObservedPolicy } from './compare.js';
import { policyProfile } from './plan.js';
import { isTerminating } from './reconciler.js';
import { errorMessage, type Logger } from './log.js';
import type { OperatorMetrics } from './metrics.js';

export type CacheOptions = Omit<InformerOptions, 'name' | 'path' | 'labelSelector' | 'fieldSelector' | 'transform'>;

export interface Caches {
  namespaces: Informer<NamespaceObject>;
  profiles: Informer<ProfileObject>;
  policies: Informer<ObservedPolicy>;
  apiServerSlices: Informer<EndpointSliceWire>;
}

export function createCaches(client: KubeClient, opts: CacheOptions): Caches {
  const interner = new Interner();
  return {
    namespaces: new Informer<NamespaceObject>(client, { name: 'namespaces', path: NAMESPACES_PATH, transform: compactNamespace, ...opts }),
    profiles: new Informer<ProfileObject>(client, { name: 'segmentationprofiles', path: PROFILES_PATH, transform: compactProfile, ...opts }),
    policies: new Informer<ObservedPolicy>(client, { name: 'networkpolicies', path: NETWORK_POLICIES_PATH, labelSelector: MANAGED_SELECTOR, transform: (p: ObservedPolicy) => compactPolicy(p, interner), ...opts }),
    apiServerSlices: new Informer<EndpointSliceWire>(client, { name: 'endpointslices', path: API_SERVER_SLICES_PATH, labelSelector: API_SERVER_SLICES_SELECTOR, transform: compactEndpointSlice, ...opts }),
  };
}

/**
 * What the informers report: restarts are counted and logged; a missing SegmentationProfile CRD is said
 * once (the informer keeps retrying and continues by itself once it is installed).
 */
export function informerCallbacks(log: Logger, metrics: OperatorMetrics, resyncMs = 10 * 60_000): CacheOptions {
  let crdMissingLogged = false;
  return {
    resyncMs,
    onRestart: (name, err) => {
      metrics.watchRestarts.inc({ informer: name });
      if (name === 'segmentationprofiles' && isNotFound(err)) {
        if (!crdMissingLogged) log.error('the SegmentationProfile CRD (segmentationprofiles.segmentation.dev) is not installed: apply crds/ and the operator will continue by itself; retrying');
        crdMissingLogged = true;
        return;
      }
      log.warn(`${name} list/watch failed, restarting with backoff: ${errorMessage(err)}`, { informer: name, code: statusCodeOf(err) });
    },
    onError: (name, err, phase) => {
      if (phase === 'list' && name === 'segmentationprofiles' && isNotFound(err)) return; // said once by onRestart
      log.debug(`${name} ${phase}: ${errorMessage(err)}`, { informer: name });
    },
    onHandlerError: (name, err) => log.error(`${name} event handler failed: ${errorMessage(err)}`, { informer: name }),
  };
}

/** Namespaces not being deleted, with their labels (what profiles select on). */
export function liveNamespaces(namespaces: Pick<Informer<NamespaceObject>, 'list'>): NamespaceInfo[] {
  return namespaces.list().filter((n) => !isTerminating(n)).map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
}

/** Namespaces that hold policies of this profile (its leftovers after a delete or an invalid spec). */
export function namespacesWithPoliciesOf(policies: Pick<Informer<ObservedPolicy>, 'namespaces' | 'list'>, profile: string): string[] {
  return policies.namespaces().filter((ns) => policies.list(ns).some((p) => policyProfile(p) === profile));
}

/** Every namespace the profile's current spec selects has its per-namespace blocks (a gone or invalid profile: true). */
export function profileBlocksInPlace(namespaces: Pick<Informer<NamespaceObject>, 'list'>, registry: ProfileRegistry, outcomes: OutcomeStore, profile: string): boolean {
  const parsed = registry.get(profile)?.parsed;
  return !parsed || perNamespaceBlocksInPlace(selectedNamespaces(parsed, liveNamespaces(namespaces)), outcomes.outcomes(profile));
}
