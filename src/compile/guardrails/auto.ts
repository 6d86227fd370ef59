// The backend `Auto` resolves to, from what a cluster scan sees: which guardrail APIs the API server serves
// and which NetworkPolicy engine runs (src/analysis/enforcement.ts). Pure. The rules (docs/guardrails.md#auto):
// - an API alone proves nothing: a cluster-scoped object is only a guardrail if the engine that carries the
//   traffic enforces it, so the choice starts from the engine, and a CRD of another engine is ignored;
// - the engine's own API first: CiliumClusterwideNetworkPolicy on Cilium, the projectcalico.org/v3 API
//   (Tier and GlobalNetworkPolicy, served by Calico's API server or its v3 CRDs) on Calico;
// - ClusterNetworkPolicy when its CRD is installed and the engine is known to implement it: Calico from
//   3.32, Antrea from 2.7 (versions read from image tags; unknown is not enough), kube-network-policies and
//   GKE Dataplane V2; never on Cilium, where it is opt-in (1.20) and the scan cannot see the flag;
// - otherwise NetworkPolicy: no engine, an engine that is not ready, several engines, or an engine without
//   a cluster-scoped API we write.
import type { ResolvedBackend } from './backend.js';

/** The guardrail APIs, as `<plural>.<group>` (the CRD's name). */
export const GUARDRAIL_RESOURCES = {
  ciliumClusterwideNetworkPolicies: 'ciliumclusterwidenetworkpolicies.cilium.io',
  clusterNetworkPolicies: 'clusternetworkpolicies.policy.networking.k8s.io',
  calicoGlobalNetworkPolicies: 'globalnetworkpolicies.projectcalico.org',
  calicoTiers: 'tiers.projectcalico.org',
} as const;
/** Calico's internal storage CRDs: no validation, no defaulting; never written, and no sign of the v3 API. */
export const CALICO_STORAGE_RESOURCES = ['globalnetworkpolicies.crd.projectcalico.org', 'tiers.crd.projectcalico.org'] as const;

/** An engine as detectEnforcement reports it (DetectedEngine). */
export interface ScannedEngine {
  engine: string;
  source: string;
  ready?: boolean;
  version?: string;
}

export interface AutoBackendScan {
  /**
   * `<plural>.<group>` of every API the cluster serves that matters here: the installed CRDs, plus the
   * resources of aggregated APIs (Calico's API server serves projectcalico.org/v3 without CRDs).
   */
  resources: readonly string[];
  /** The engines the scan detected (detectEnforcement(...).engines). */
  engines: readonly ScannedEngine[];
}

export interface AutoBackendChoice {
  backend: ResolvedBackend;
  /** One line: `Auto: Cilium (ciliumclusterwidenetworkpolicies.cilium.io installed, Cilium found: DaemonSet kube-system/cilium (3/3 ready))`. */
  reason: string;
}

type Family = 'Cilium' | 'GKE Dataplane V2' | 'Calico' | 'Antrea' | 'kube-network-policies';

/** Engine names of enforcement.ts, by family; any other engine has no cluster-scoped API we write. */
const FAMILIES: Record<string, Family> = {
  Cilium: 'Cilium',
  'Cilium (GKE Dataplane V2)': 'GKE Dataplane V2',
  Calico: 'Calico',
  'Canal (Calico policy)': 'Calico',
  Antrea: 'Antrea',
  'kube-network-policies': 'kube-network-policies',
};

interface Support {
  /** The engine's own cluster-scoped API: chosen when every resource is served. */
  native?: { backend: 'Cilium' | 'Calico'; resources: string[] };
  /** Upstream ClusterNetworkPolicy: from this version on, or always (`{}`), or never automatically. */
  clusterNetworkPolicy: { since?: [number, number] } | { optIn: string };
}

const SUPPORT: Record<Family, Support> = {
  Cilium: {
    native: { backend: 'Cilium', resources: [GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies] },
    clusterNetworkPolicy: { optIn: 'Cilium implements it only from 1.20 and when enabled, which the scan cannot see (set spec.guardrails.backend: ClusterNetworkPolicy if it is)' },
  },
  'GKE Dataplane V2': { clusterNetworkPolicy: {} },
  Calico: { native: { backend: 'Calico', resources: [GUARDRAIL_RESOURCES.calicoTiers, GUARDRAIL_RESOURCES.calicoGlobalNetworkPolicies] }, clusterNetworkPolicy: { since: [3, 32] } },
  Antrea: { clusterNetworkPolicy: { since: [2, 7] } },
  'kube-network-policies': { clusterNetworkPolicy: {} },
};

function atLeast(version: string | undefined, since: [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > since[0] || (major === since[0] && minor >= since[1]);
}

/**
 * Whether this engine enforces a backend the profile asks for explicitly. The user's explicit choice is
 * trusted where the scan cannot tell (an unknown version, Cilium's ClusterNetworkPolicy flag); it is refused
 * only where the engine cannot: another engine's API, or a version known to be too old.
 */
export function engineEnforces(backend: 'Cilium' | 'ClusterNetworkPolicy' | 'Calico', engine: ScannedEngine): boolean {
  const family = FAMILIES[engine.engine];
  if (!family) return false;
  if (backend === 'Cilium') return family === 'Cilium' || family === 'GKE Dataplane V2';
  if (backend === 'Calico') return family === 'Calico';
  const rule = SUPPORT[family].clusterNetworkPolicy;
  const known = /^\d+\.\d+/.test(engine.version ?? '');
  if ('optIn' in rule) return !known || atLeast(engine.version, [1, 20]);
  return rule.since === undefined || !known || atLeast(engine.version, rule.since);
}

const choose = (backend: ResolvedBackend, why: string): AutoBackendChoice => ({ backend, reason: `Auto: ${backend} (${why})` });

export function chooseAutoBackend(scan: AutoBackendScan): AutoBackendChoice {
  const served = new Set(scan.resources);
  const enforcing = scan.engines.filter((e) => e.ready !== false);
  if (enforcing.length === 0) {
    const idle = [...new Set(scan.engines.map((e) => e.engine))];
    return choose('NetworkPolicy', idle.length > 0 ? `${idle.join(', ')} found but none of its pods is ready` : 'no NetworkPolicy engine detected');
  }
  const names = [...new Set(enforcing.map((e) => e.engine))];
  const families = [...new Set(enforcing.map((e) => FAMILIES[e.engine] ?? e.engine))];
  if (families.length > 1) return choose('NetworkPolicy', `several engines detected (${names.join(', ')}): a guardrail must be enforced by the engine that carries the traffic`);

  // One engine (possibly seen twice: a DaemonSet and an AKS node label); prefer the sighting with a version.
  const engine = enforcing.find((e) => e.version !== undefined) ?? enforcing[0]!;
  const found = `${engine.engine}${engine.version ? ` ${engine.version}` : ''} found: ${engine.source}`;
  const family = FAMILIES[engine.engine];
  const support = family ? SUPPORT[family] : undefined;
  const notes: string[] = [];

  if (support?.native) {
    const missing = support.native.resources.filter((r) => !served.has(r));
    if (missing.length === 0) return choose(support.native.backend, `${support.native.resources.join(' and ')} installed, ${found}`);
    const storage = CALICO_STORAGE_RESOURCES.filter((r) => served.has(r));
    notes.push(support.native.backend === 'Calico' && storage.length > 0 ? `only Calico's internal crd.projectcalico.org/v1 API is installed, not the projectcalico.org/v3 API (${missing.join(', ')})` : `${missing.join(' and ')} not installed`);
  }

  const cnp = GUARDRAIL_RESOURCES.clusterNetworkPolicies;
  const rule = support?.clusterNetworkPolicy;
  if (served.has(cnp) && rule) {
    if ('optIn' in rule) notes.push(`${cnp} installed, but ${rule.optIn}`);
    else if (rule.since === undefined) return choose('ClusterNetworkPolicy', `${cnp} installed, ${found}`);
    else if (atLeast(engine.version, rule.since)) return choose('ClusterNetworkPolicy', `${cnp} installed, ${found} (implements it from ${rule.since.join('.')})`);
    else notes.push(`${cnp} installed, but ${engine.engine} implements it from ${rule.since.join('.')} and its version is ${engine.version ?? 'unknown'}`);
  } else if (rule && !('optIn' in rule)) notes.push(`${cnp} not installed`);

  // APIs of other engines: installed, but nothing enforces them here.
  const own = new Set([...(support?.native?.resources ?? []), ...(rule ? [cnp] : [])]);
  const foreign = Object.values(GUARDRAIL_RESOURCES).filter((r) => served.has(r) && !own.has(r));
  if (foreign.length > 0) notes.push(`${foreign.join(', ')} installed, but ${engine.engine} does not enforce ${foreign.length > 1 ? 'them' : 'it'}`);
  if (!support) notes.push(`${engine.engine} has no cluster-scoped policy API the operator writes`);
  return choose('NetworkPolicy', [found, ...notes].join('; '));
}
