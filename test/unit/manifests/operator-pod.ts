// The operator's pod template from manifests/ and its command line, parsed by the real `segmentation run`.
import { Command } from 'commander';
import { registerRunCommand, resolveRunOptions, type RunOptions } from '../../../src/cli/commands/run.js';
import { OPERATOR_NAME, findObject, type ManifestDoc } from './load.js';

export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { apiVersion?: string; fieldPath: string } } }[];
  ports?: { name: string; containerPort: number; protocol?: string }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
}
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  volumes?: unknown[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; seccompProfile?: { type: string } };
  topologySpreadConstraints?: { topologyKey: string; labelSelector?: { matchLabels?: Record<string, string> } }[];
  containers: Container[];
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}

export function operatorPodTemplate(docs: ManifestDoc[]): PodTemplate {
  return structuredClone((findObject(docs, 'Deployment', OPERATOR_NAME) as unknown as { spec: { template: PodTemplate } }).spec.template);
}

export function operatorPodSpec(docs: ManifestDoc[]): PodSpec {
  return operatorPodTemplate(docs).spec;
}

export function operatorContainer(docs: ManifestDoc[]): Container {
  const [container, ...others] = operatorPodSpec(docs).containers;
  if (!container || others.length > 0) throw new Error('the operator pod must have exactly one container');
  return container;
}

/** The container's args with $(VAR) references expanded as the kubelet does (unknown ones stay as written). */
export function expandArgs(args: string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole));
}

/** Parses argv with the real `segmentation run` command definition, without running the operator. */
export async function parseRunFlags(argv: string[]): Promise<Record<string, unknown>> {
  const program = new Command('segmentation').exitOverride();
  registerRunCommand(program);
  const run = program.commands.find((c) => c.name() === 'run');
  if (!run) throw new Error('`segmentation run` is not defined');
  let captured: Record<string, unknown> | undefined;
  run.exitOverride().action((flags: Record<string, unknown>) => {
    captured = { ...flags };
  });
  await program.parseAsync(['node', 'segmentation', 'run', ...argv]);
  if (!captured) throw new Error('run did not parse');
  return captured;
}

/** The Deployment's args, expanded with `env` and validated by `segmentation run` (no environment fallbacks). */
export async function parsedOperatorArgs(docs: ManifestDoc[], env: Record<string, string>): Promise<RunOptions> {
  return resolveRunOptions(await parseRunFlags(expandArgs(operatorContainer(docs).args ?? [], env)), {});
}
