// Loading SegmentationProfiles and Namespaces from files: schema check, then compile check.
import { Option } from 'commander';
import { z } from 'zod';
import type { SegmentationProfile } from '../api/profile.js';
import { API_VERSION, GUARDRAIL_BACKENDS, KIND, segmentationProfileSchema } from '../api/profile.js';
import type { ClusterFacts, CompiledProfile, CompileOptions, NamespaceInfo } from '../compile/render.js';
import { compileProfile } from '../compile/render.js';
import { formatWarning, profileWarnings, type ProfileWarning } from '../compile/warnings.js';
import { loadClusterFacts, withClusterHint } from './cluster-facts.js';
import type { SourceDocument } from './input.js';
import { describeSource, describeZodIssues, InputError, parseWith, readDocuments } from './input.js';

export interface LoadedProfile {
  source: SourceDocument;
  profile: SegmentationProfile;
  compiled: CompiledProfile;
  /** Parts of the profile that can have no effect (see src/compile/warnings.ts). */
  warnings: ProfileWarning[];
}

/** `--backend NAME`: the guardrails backend profiles are rendered for (render, explain, matrix, audit). */
export function backendOption(description: string): Option {
  return new Option('--backend <name>', description).choices([...GUARDRAIL_BACKENDS]);
}

function kindOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kind = (value as Record<string, unknown>).kind;
  return typeof kind === 'string' ? kind : undefined;
}

/** Every problem with one profile document (empty when it is valid and compiles). */
export function checkProfileDocument(doc: SourceDocument, facts: ClusterFacts = {}, options: CompileOptions = {}): { problems: string[]; loaded?: LoadedProfile } {
  const kind = kindOf(doc.value);
  if (kind !== KIND) return { problems: [`${describeSource(doc)}: kind: expected ${KIND} (${API_VERSION}), got ${kind === undefined ? 'no kind' : kind}`] };
  const parsed = segmentationProfileSchema.safeParse(doc.value);
  if (!parsed.success) return { problems: describeZodIssues(doc, parsed.error) };
  const result = compileProfile(parsed.data, facts, options);
  if (!result.ok) return { problems: result.errors.map((e) => `${describeSource(doc)}: ${e}`) };
  return { problems: [], loaded: { source: doc, profile: parsed.data, compiled: result.compiled, warnings: profileWarnings(parsed.data) } };
}

/** Loads profiles from files; throws an InputError naming the first problem (and how many more). */
export async function loadProfiles(files: readonly string[], clusterFiles?: readonly string[], options: CompileOptions = {}): Promise<LoadedProfile[]> {
  const facts = await loadClusterFacts(clusterFiles);
  const loaded: LoadedProfile[] = [];
  const problems: string[] = [];
  for (const file of files) {
    for (const doc of await readDocuments(file)) {
      const result = checkProfileDocument(doc, facts, options);
      problems.push(...result.problems.map((p) => withClusterHint(p, clusterFiles)));
      if (result.loaded) loaded.push(result.loaded);
    }
  }
  if (problems.length > 0) throw new InputError(problems.length === 1 ? problems[0]! : `${problems[0]} (and ${problems.length - 1} more problem(s); run \`segmentation validate\`)`);
  const seen = new Map<string, LoadedProfile>();
  for (const p of loaded) {
    const other = seen.get(p.profile.metadata.name);
    if (other) throw new InputError(`${describeSource(p.source)}: metadata.name: profile "${p.profile.metadata.name}" is defined twice (also ${describeSource(other.source)})`);
    seen.set(p.profile.metadata.name, p);
  }
  return loaded.sort((a, b) => (a.profile.metadata.name < b.profile.metadata.name ? -1 : 1));
}

const namespaceSchema = z.object({
  apiVersion: z.literal('v1', { message: 'must be v1' }),
  kind: z.literal('Namespace', { message: 'must be Namespace' }),
  metadata: z
    .object({
      name: z.string().min(1),
      labels: z.record(z.string(), z.string()).optional(),
      deletionTimestamp: z.unknown().optional(),
    })
    .loose(),
  status: z.object({ phase: z.string().optional() }).loose().optional(),
});

export interface LoadedNamespace extends NamespaceInfo {
  terminating: boolean;
}

/** Loads Namespace objects (multi-document YAML or a v1 List, as `kubectl get ns -o yaml` prints). */
export async function loadNamespaces(files: readonly string[]): Promise<LoadedNamespace[]> {
  const out = new Map<string, LoadedNamespace>();
  for (const file of files) {
    for (const doc of await readDocuments(file)) {
      const ns = parseWith(namespaceSchema, doc);
      out.set(ns.metadata.name, {
        name: ns.metadata.name,
        labels: ns.metadata.labels ?? {},
        terminating: ns.metadata.deletionTimestamp != null || ns.status?.phase === 'Terminating',
      });
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** `warning: profiles.yaml#0: spec.allow[1] (rule "x"): has no effect: ...`, one line per warning. */
export function warningLines(profiles: readonly LoadedProfile[]): string[] {
  return profiles.flatMap((p) => p.warnings.map((w) => `warning: ${describeSource(p.source)}: ${formatWarning(w)}`));
}
