// Offline mode: the same inputs as the analysis commands (--profiles/--namespaces/--pods/--policies).
// Like `explain --profiles`, the policies that valid Enforce profiles render are added to the policies
// from files (a file's policy of the same namespace/name wins), so pages show what the operator would do.
import type { V1Pod } from '@kubernetes/client-node';
import { namespaceSchema, networkPolicySchema, podSchema } from '../analysis/input-schemas.js';
import { renderNamespace } from '../compile/render.js';
import { namespaceInfo } from '../compile/select.js';
import { describeSource, InputError, parseWith, type SourceDocument } from '../cli/input.js';
import { readInputDocuments } from './read-files.js';
import { loadClusterFacts } from '../cli/cluster-facts.js';
import { computeFindings } from './findings.js';
import type { ConsoleSource } from './source.js';
import { trimNamespace, trimPod, trimPolicy, trimProfile } from './trim.js';
import { checkProfiles } from './view/profiles.js';
import type { ApplyResult, NamespaceEntry, PolicyEntry, ProfileEntry, Snapshot } from './view/snapshot.js';

export interface FileInputs {
  profiles?: string[];
  namespaces?: string[];
  pods?: string[];
  policies?: string[];
  /** EndpointSlices/Endpoints of the kubernetes Service (spec.apiServer), as `render --cluster`. */
  cluster?: string[];
}

async function docs(files: readonly string[] | undefined) {
  const out = [];
  for (const file of files ?? []) out.push(...(await readInputDocuments(file)));
  return out;
}

const KINDS = ['Namespace', 'Pod', 'NetworkPolicy'] as const;
type Kind = (typeof KINDS)[number];

function kindOf(doc: SourceDocument, fallback: Kind): Kind {
  const kind = typeof doc.value === 'object' && doc.value !== null ? (doc.value as { kind?: unknown }).kind : undefined;
  if (kind === undefined) return fallback;
  if ((KINDS as readonly unknown[]).includes(kind)) return kind as Kind;
  throw new InputError(`${describeSource(doc)}: kind: expected NetworkPolicy, Namespace or Pod, got ${JSON.stringify(kind)}`);
}

const key = (p: PolicyEntry) => `${p.metadata.namespace}/${p.metadata.name}`;

export function fileSource(inputs: FileInputs): ConsoleSource {
  const all = [...(inputs.profiles ?? []), ...(inputs.namespaces ?? []), ...(inputs.pods ?? []), ...(inputs.policies ?? []), ...(inputs.cluster ?? [])];
  return {
    mode: 'offline',
    description: `files: ${all.join(', ')}`,
    async load(): Promise<Omit<Snapshot, 'readOnly'>> {
      const started = performance.now();
      const facts = await loadClusterFacts(inputs.cluster);
      const profiles: ProfileEntry[] = (await docs(inputs.profiles)).map((d) => trimProfile(d.value as object, describeSource(d)));
      // As in the analysis commands, a file may hold any of the three kinds; the flag names the default.
      const byKind = { Namespace: [] as SourceDocument[], Pod: [] as SourceDocument[], NetworkPolicy: [] as SourceDocument[] };
      for (const [files, fallback] of [[inputs.namespaces, 'Namespace'], [inputs.pods, 'Pod'], [inputs.policies, 'NetworkPolicy']] as const) {
        for (const d of await docs(files)) byKind[kindOf(d, fallback)].push(d);
      }
      const namespaces = new Map<string, NamespaceEntry>();
      for (const d of byKind.Namespace) {
        const ns = trimNamespace(parseWith(namespaceSchema, d) as object);
        namespaces.set(ns.name, ns);
      }
      const pods: V1Pod[] = byKind.Pod.map((d) => trimPod(parseWith(podSchema, d) as object));
      for (const p of pods) {
        const ns = p.metadata?.namespace ?? 'default';
        if (!namespaces.has(ns)) namespaces.set(ns, { name: ns, labels: {}, terminating: false });
      }
      const policies = new Map<string, PolicyEntry>();
      const nsList = [...namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const { check } of checkProfiles(profiles, facts)) {
        if (!check.compiled || check.profile?.spec.mode !== 'Enforce') continue;
        for (const ns of nsList) {
          if (ns.terminating) continue;
          for (const p of renderNamespace(check.compiled, namespaceInfo(ns.name, ns.labels))) {
            const entry = trimPolicy(p as object);
            policies.set(key(entry), entry);
          }
        }
      }
      for (const d of byKind.NetworkPolicy) {
        const entry = trimPolicy(parseWith(networkPolicySchema, d) as object);
        policies.set(key(entry), entry);
      }
      const policyList = [...policies.values()];
      const findings = computeFindings({ namespaces: nsList, pods, policies: policyList });
      return {
        mode: 'offline',
        source: this.description,
        namespaces: nsList,
        pods,
        policies: policyList,
        profiles,
        facts,
        events: [],
        ...findings,
        warnings: findings.preflight === null ? ['offline without --pods: cannot tell whether a NetworkPolicy engine runs'] : [],
        loadedAt: new Date().toISOString(),
        loadMs: Math.round(performance.now() - started),
      };
    },
    async applyProfile(): Promise<ApplyResult> {
      return { outcome: 'offline', message: 'offline mode (files): there is no cluster to save to; copy the YAML instead' };
    },
  };
}
