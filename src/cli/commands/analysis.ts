// `explain`, `matrix`, `audit`, `preflight`: registration, and the inputs they share (policies,
// namespaces and pods from files, SegmentationProfiles rendered on the fly, or a live cluster).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { connectCluster, type ClusterReader, type GuardrailWire } from '../../kube/cluster-reader.js';
import { KubeconfigError } from '../../kube/config.js';
import { failureReason } from '../../kube/errors.js';
import { GUARDRAIL_SCHEMAS, namespaceSchema, networkPolicySchema, podSchema, type GuardrailKind } from '../../analysis/input-schemas.js';
import type { PolicyObject } from '../../api/networkpolicy.js';
import { namespaceInfo } from '../../compile/select.js';
import { collect, describeSource, InputError, parseValue, parseWith, readDocuments, type SourceDocument } from '../input.js';
import { stdoutWriter, type Writer } from '../output.js';
import { CLUSTER_OPTION_HELP } from '../cluster-facts.js';
import { loadProfiles } from '../profiles.js';
import { renderAll, renderGuardrailObjects } from './render.js';
import type { GuardrailObject } from '../../compile/guardrails/index.js';
import type { GuardrailBackend } from '../../api/profile.js';
import { registerAuditCommand } from './audit.js';
import { registerExplainCommand } from './explain.js';
import { registerMatrixCommand } from './matrix.js';
import { registerPreflightCommand } from './preflight.js';

/** Everything the analysis commands touch outside the process, injectable for tests. */
export interface AnalysisDeps {
  write: Writer;
  setExitCode: (code: number) => void;
  writeFile: (path: string, text: string) => Promise<void>;
  connect: (kubeconfig: string | undefined) => ClusterReader;
}

export const defaultAnalysisDeps: AnalysisDeps = {
  write: stdoutWriter,
  setExitCode: (code) => {
    process.exitCode = code;
  },
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
  connect: connectCluster,
};

/**
 * What the analysis commands share, handed to each command module (they import only types from
 * here, so there is no import cycle).
 */
export interface AnalysisContext {
  deps: AnalysisDeps;
  /** Adds --policies/--namespaces/--pods/--profiles/--cluster/--kubeconfig/--live/--no-live-guardrails. */
  addInputOptions(cmd: Command): Command;
  loadInputs(options: InputOptions): Promise<AnalysisInputs>;
  /** A cluster reader whose failures are one-line InputErrors. */
  cluster(kubeconfig: string | undefined): ClusterReader;
}

/** Adds `explain`, `matrix`, `audit` and `preflight` to the program. */
export function registerAnalysisCommands(program: Command, deps: Partial<AnalysisDeps> = {}): void {
  const all: AnalysisDeps = { ...defaultAnalysisDeps, ...deps };
  const ctx: AnalysisContext = {
    deps: all,
    addInputOptions,
    loadInputs: (options) => loadAnalysisInputs(options, all),
    cluster: (kubeconfig) => userFacingReader(openCluster(all, kubeconfig)),
  };
  registerExplainCommand(program, ctx);
  registerMatrixCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerPreflightCommand(program, ctx);
}

export interface InputOptions {
  policies?: string[];
  namespaces?: string[];
  pods?: string[];
  profiles?: string[];
  cluster?: string[];
  kubeconfig?: string;
  live?: boolean;
  /** false (--no-live-guardrails): the live cluster's guardrail objects are not read. */
  liveGuardrails?: boolean;
  /** Render --profiles for this guardrails backend (explain, matrix, audit; see docs/guardrails.md). */
  backend?: GuardrailBackend;
}

export interface AnalysisInputs {
  policies: PolicyObject[];
  namespaces: V1Namespace[];
  pods: V1Pod[];
  /** Cluster-scoped guardrail objects: read from the files, plus those --profiles render for options.backend. */
  guardrails: GuardrailObject[];
}

/** The --backend help of explain, matrix and audit. */
export const ANALYSIS_BACKEND_HELP = 'render --profiles for this guardrails backend, with its cluster-scoped guardrails (docs/guardrails.md)';

/** The input flags shared by explain, matrix and audit. */
function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--policies <file>', 'NetworkPolicies, and guardrails (CiliumClusterwideNetworkPolicy, ClusterNetworkPolicy, Calico GlobalNetworkPolicy and Tier): multi-document YAML, a v1 List, or - for stdin (repeatable)', collect)
    .option('--namespaces <file>', 'Namespaces, e.g. `kubectl get ns -o yaml` (repeatable)', collect)
    .option('--pods <file>', 'Pods, e.g. `kubectl get pods -A -o yaml` (repeatable)', collect)
    .option('--profiles <file>', 'SegmentationProfiles: add the policies `segmentation render` would emit for the namespaces (repeatable)', collect)
    .option('--cluster <file>', CLUSTER_OPTION_HELP, collect)
    .option('--kubeconfig <path>', 'read namespaces, pods, NetworkPolicies and the guardrail objects it serves from this cluster (files add to / override them)')
    .option('--live', 'read from the cluster of the default kubeconfig (KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--no-live-guardrails', "with --kubeconfig/--live: leave the cluster's guardrail objects out (files still count)");
}

const KINDS = { NetworkPolicy: 'policies', Namespace: 'namespaces', Pod: 'pods' } as const;
type Kind = keyof typeof KINDS;

/** Any input file may hold guardrail objects; a document without kind is the flag's own kind. */
function kindOf(doc: SourceDocument, fallback: Kind): Kind | GuardrailKind {
  const kind = typeof doc.value === 'object' && doc.value !== null ? (doc.value as { kind?: unknown }).kind : undefined;
  if (kind === undefined) return fallback;
  if (typeof kind === 'string' && (Object.hasOwn(KINDS, kind) || Object.hasOwn(GUARDRAIL_SCHEMAS, kind))) return kind as Kind | GuardrailKind;
  throw new InputError(`${describeSource(doc)}: kind: expected NetworkPolicy, Namespace, Pod or a guardrail (${Object.keys(GUARDRAIL_SCHEMAS).join(', ')}), got ${JSON.stringify(kind)}`);
}

type Keyed = { kind?: string; metadata?: { name?: string; namespace?: string } };
/** Objects of one kind: live list items carry no kind, so namespace/name alone. */
const keyOf = (o: Keyed) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
/** Guardrails of several kinds share one list: kind and name. */
const guardrailKeyOf = (o: Keyed) => `${o.kind ?? ''}/${o.metadata?.name ?? ''}`;

function merge<T extends Keyed>(base: T[], overrides: T[], key: (o: Keyed) => string = keyOf): T[] {
  const out = new Map(base.map((o) => [key(o), o]));
  for (const o of overrides) out.set(key(o), o);
  return [...out.values()];
}

async function readFiles(options: InputOptions): Promise<AnalysisInputs> {
  const out: AnalysisInputs = { policies: [], namespaces: [], pods: [], guardrails: [] };
  const groups: Array<[string[] | undefined, Kind]> = [
    [options.policies, 'NetworkPolicy'],
    [options.namespaces, 'Namespace'],
    [options.pods, 'Pod'],
  ];
  for (const [files, fallback] of groups) {
    for (const file of files ?? []) {
      for (const doc of await readDocuments(file)) {
        const kind = kindOf(doc, fallback);
        if (kind === 'NetworkPolicy') out.policies.push(parseWith(networkPolicySchema, doc));
        else if (kind === 'Namespace') out.namespaces.push(parseWith(namespaceSchema, doc) as V1Namespace);
        else if (kind === 'Pod') out.pods.push(parseWith(podSchema, doc) as unknown as V1Pod);
        else out.guardrails.push(parseWith<object>(GUARDRAIL_SCHEMAS[kind], doc) as GuardrailObject);
      }
    }
  }
  return out;
}

/**
 * Live guardrail objects, checked as files are, except those a file replaces (same kind and name): one the
 * analysis cannot evaluate is a one-line error naming it and the way out.
 */
function liveGuardrails(description: string, objects: GuardrailWire[], replaced: ReadonlySet<string>): GuardrailObject[] {
  return objects.flatMap((o) => {
    const schema = Object.hasOwn(GUARDRAIL_SCHEMAS, o.kind) ? GUARDRAIL_SCHEMAS[o.kind as GuardrailKind] : undefined;
    if (!schema || replaced.has(guardrailKeyOf(o))) return [];
    const where = `${description}: ${o.kind}/${o.metadata?.name ?? '?'}`;
    return [parseValue<object>(schema, o, where, "pass your own version of it with --policies, or --no-live-guardrails to leave the cluster's guardrail objects out") as GuardrailObject];
  });
}

function openCluster(deps: AnalysisDeps, kubeconfig: string | undefined): ClusterReader {
  try {
    return deps.connect(kubeconfig);
  } catch (err) {
    if (err instanceof KubeconfigError) throw new InputError(err.message, { cause: err });
    throw err;
  }
}

/**
 * Wraps every list call so a failure becomes the one-line user error the CLI prints; the error behind it
 * (a KubeApiError with the HTTP status, a timeout, a refused connection) stays its cause.
 */
function userFacingReader(reader: ClusterReader): ClusterReader {
  const wrap =
    <T>(doing: string, read: () => Promise<T>, hint?: string) =>
    async (): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        throw new InputError(`${reader.description}: cannot ${doing}: ${failureReason(err)}${hint ? `; ${hint}` : ''}`, { cause: err });
      }
    };
  return {
    description: reader.description,
    namespaces: wrap('list namespaces', () => reader.namespaces()),
    pods: wrap('list pods', () => reader.pods()),
    networkPolicies: wrap('list networkpolicies', () => reader.networkPolicies()),
    daemonSets: wrap('list daemonsets', () => reader.daemonSets()),
    nodes: wrap('list nodes', () => reader.nodes()),
    crds: wrap('list customresourcedefinitions', () => reader.crds()),
    guardrails: wrap('read guardrail objects', () => reader.guardrails(), '--no-live-guardrails leaves them out'),
  };
}

/**
 * Reads every input: the live cluster first (when asked), then files, which replace live objects of
 * the same namespace/name; then the policies the profiles render for the known namespaces.
 */
async function loadAnalysisInputs(options: InputOptions, deps: AnalysisDeps): Promise<AnalysisInputs> {
  const anyFile = [options.policies, options.namespaces, options.pods, options.profiles].some((f) => (f?.length ?? 0) > 0);
  const live = options.live === true || options.kubeconfig !== undefined;
  if (options.backend && (options.profiles?.length ?? 0) === 0) throw new InputError('--backend: says which backend --profiles render for; pass --profiles too');
  if (!anyFile && !live) throw new InputError('no input: pass --policies/--namespaces/--pods files, --profiles, or --kubeconfig/--live');
  let inputs: AnalysisInputs = { policies: [], namespaces: [], pods: [], guardrails: [] };
  const reader = live ? userFacingReader(openCluster(deps, options.kubeconfig)) : undefined;
  if (reader) inputs = { namespaces: await reader.namespaces(), pods: await reader.pods(), policies: await reader.networkPolicies(), guardrails: [] };
  const files = await readFiles(options);
  if (reader && options.liveGuardrails !== false) {
    inputs.guardrails = liveGuardrails(reader.description, await reader.guardrails(), new Set(files.guardrails.map(guardrailKeyOf)));
  }
  inputs = { policies: merge(inputs.policies, files.policies), namespaces: merge(inputs.namespaces, files.namespaces), pods: merge(inputs.pods, files.pods), guardrails: merge(inputs.guardrails, files.guardrails, guardrailKeyOf) };
  if ((options.profiles?.length ?? 0) > 0) {
    // Without a backend the profiles render as today (NetworkPolicy only: Auto is NetworkPolicy offline).
    const profiles = await loadProfiles(options.profiles!, options.cluster, options.backend ? { guardrails: { override: options.backend } } : {});
    if (options.backend) inputs.guardrails = merge(inputs.guardrails, renderGuardrailObjects(profiles), guardrailKeyOf);
    const known = new Map<string, V1Namespace>(inputs.namespaces.map((n) => [n.metadata?.name ?? '', n]));
    for (const p of inputs.pods) {
      const ns = p.metadata?.namespace;
      if (ns && !known.has(ns)) known.set(ns, { metadata: { name: ns } });
    }
    if (known.size === 0) throw new InputError('--profiles: no namespaces to render for; pass --namespaces, --pods or --kubeconfig/--live');
    const namespaces = [...known.values()].map((n) => {
      const name = n.metadata?.name ?? '';
      return { ...namespaceInfo(name, n.metadata?.labels), terminating: n.status?.phase === 'Terminating' };
    });
    inputs.policies = merge(inputs.policies, renderAll(profiles, namespaces));
  }
  return inputs;
}
