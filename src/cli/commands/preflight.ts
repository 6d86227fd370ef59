// `segmentation preflight`: is a NetworkPolicy engine running (exit 0) or not (exit 2)? And with
// --arm-template: does every AKS cluster in the template set an enforcing networkPolicy (exit 1 if not)?
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { checkArmTemplate, parameterValuesFromFile, type ArmTemplateReport } from '../../analysis/arm-template.js';
import { detectEnforcement, type EnforcementFinding, type EnforcementInput } from '../../analysis/enforcement.js';
import { crdSchema, daemonSetSchema, nodeSchema, podSchema } from '../../analysis/input-schemas.js';
import { CLUSTER_SCOPED_BACKENDS, type ClusterScopedBackend } from '../../api/profile.js';
import { chooseAutoBackend } from '../../compile/guardrails/index.js';
import { servedKinds } from '../../controller/guardrail-apis.js';
import { effectiveBackend } from '../../controller/guardrail-backend.js';
import { compactCrd, type CrdWire } from '../../kube/guardrail-api.js';
import { collect, describeSource, InputError, parseWith, readDocuments } from '../input.js';
import { statusCodeOf } from '../../kube/errors.js';
import type { AnalysisContext } from './analysis.js';

interface PreflightOptions {
  kubeconfig?: string;
  live?: boolean;
  inventory?: string[];
  armTemplate?: string;
  parameters?: string;
  output: 'text' | 'json';
}

export const EXIT_ENFORCED = 0;
export const EXIT_TEMPLATE_FAILS = 1;
export const EXIT_NO_ENGINE = 2;

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: malformed JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function formatArmReport(file: string, report: ArmTemplateReport): string {
  if (report.clusters.length === 0) return `${file}: no ${'Microsoft.ContainerService/managedClusters'} resources found\n`;
  const lines = report.clusters.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name} (${c.path}): ${c.reason}`);
  const failed = report.clusters.filter((c) => !c.ok).length;
  lines.push(failed === 0 ? `${file}: every AKS cluster enforces NetworkPolicies` : `${file}: ${failed} of ${report.clusters.length} AKS cluster(s) would not enforce NetworkPolicies`);
  return `${lines.join('\n')}\n`;
}

/** Which guardrail backend Auto would pick here, and what each explicit backend would do (docs/guardrails.md#auto). */
export interface GuardrailsPreflight {
  /** The guardrail APIs the cluster serves (CRD names). */
  served: string[];
  auto: { backend: string; reason: string };
  backends: { backend: ClusterScopedBackend; effective: string; reason: string }[];
}

export function guardrailsPreflight(crds: readonly CrdWire[], finding: EnforcementFinding): GuardrailsPreflight {
  const served = servedKinds(new Map(crds.map((c) => [c.metadata?.name ?? '', compactCrd(c)])));
  const ctx = { served, engines: finding.engines };
  return {
    served: [...served].sort(),
    auto: chooseAutoBackend({ resources: [...served].sort(), engines: finding.engines }),
    backends: CLUSTER_SCOPED_BACKENDS.map((backend) => {
      const d = effectiveBackend(backend, ctx);
      return { backend, effective: d.backend, reason: d.reason };
    }),
  };
}

export function formatGuardrails(g: GuardrailsPreflight): string {
  const lines = [`Guardrail backend: Auto would pick ${g.auto.backend}`, `  ${g.auto.reason}`];
  for (const b of g.backends) lines.push(`  - backend ${b.backend}: ${b.effective === b.backend ? `${b.backend} guardrails (${b.reason})` : b.reason}`);
  return `${lines.join('\n')}\n`;
}

export function formatFinding(finding: EnforcementFinding): string {
  const lines = [`NetworkPolicy enforcement: ${finding.enforced ? 'ENFORCED' : 'NOT ENFORCED'}`, `  ${finding.message}`, ...finding.evidence.map((e) => `  - ${e}`)];
  if (!finding.enforced) lines.push('  Without an engine, NetworkPolicies (and every profile) have no effect. On AKS set networkProfile.networkPolicy to azure, calico or cilium.');
  return `${lines.join('\n')}\n`;
}

type Inventory = EnforcementInput & { crds: CrdWire[] };

async function readInventory(files: readonly string[]): Promise<Inventory> {
  const out: { daemonSets: V1DaemonSet[]; nodes: V1Node[]; pods: V1Pod[]; crds: CrdWire[] } = { daemonSets: [], nodes: [], pods: [], crds: [] };
  for (const file of files) {
    for (const doc of await readDocuments(file)) {
      const kind = typeof doc.value === 'object' && doc.value !== null ? (doc.value as { kind?: unknown }).kind : undefined;
      if (kind === 'DaemonSet') out.daemonSets.push(parseWith(daemonSetSchema, doc) as unknown as V1DaemonSet);
      else if (kind === 'Node') out.nodes.push(parseWith(nodeSchema, doc) as unknown as V1Node);
      else if (kind === 'Pod') out.pods.push(parseWith(podSchema, doc) as unknown as V1Pod);
      else if (kind === 'CustomResourceDefinition') out.crds.push(parseWith(crdSchema, doc));
      else throw new InputError(`${describeSource(doc)}: kind: expected DaemonSet, Node, Pod or CustomResourceDefinition, got ${JSON.stringify(kind ?? 'no kind')}`);
    }
  }
  return out.pods.length > 0 ? out : { daemonSets: out.daemonSets, nodes: out.nodes, crds: out.crds };
}

/** Decided on the HTTP status the API server answered, never on message text. */
const isForbidden = (err: unknown) => err instanceof InputError && statusCodeOf(err.cause) === 403;

/**
 * Lists DaemonSets and Nodes. A caller may be forbidden to list them: without Nodes the AKS labels
 * are skipped; without DaemonSets the engine is looked for among pods instead.
 */
async function readLive(ctx: AnalysisContext, kubeconfig: string | undefined): Promise<Inventory> {
  const reader = ctx.cluster(kubeconfig);
  const orForbidden = async <T>(read: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      if (!isForbidden(err)) throw err;
      return fallback();
    }
  };
  const nodes = await orForbidden(() => reader.nodes(), async () => []);
  let pods: V1Pod[] | undefined;
  const daemonSets = await orForbidden(
    () => reader.daemonSets(),
    async () => {
      pods = await reader.pods();
      return [];
    },
  );
  // Not allowed to list CRDs: the guardrail section then says no guardrail API is served.
  const crds = await orForbidden(() => reader.crds(), async () => []);
  return pods ? { daemonSets, nodes, pods, crds } : { daemonSets, nodes, crds };
}

export function registerPreflightCommand(program: Command, ctx: AnalysisContext): void {
  program
    .command('preflight')
    .description('is a NetworkPolicy engine running? (exit 0 yes, 2 no); --arm-template checks AKS templates (exit 1 on a failing cluster)')
    .option('--kubeconfig <path>', 'the cluster to check (default: the default kubeconfig)')
    .option('--live', 'check the cluster of the default kubeconfig (the default when no file is given)')
    .option('--inventory <file>', 'check DaemonSets, Nodes, Pods and CustomResourceDefinitions from a file instead, e.g. `kubectl get ds,nodes,crd -A -o yaml` (repeatable)', collect)
    .option('--arm-template <file>', 'check an AKS ARM template (JSON) instead of a cluster')
    .option('--parameters <file>', 'deployment parameters file for --arm-template')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: PreflightOptions) => {
      if (opts.armTemplate) {
        if (opts.inventory || opts.kubeconfig || opts.live) throw new InputError('--arm-template checks a template; do not combine it with --inventory, --kubeconfig or --live');
        const values = opts.parameters ? parameterValuesFromFile(await readJson(opts.parameters)) : {};
        if (values === undefined) throw new InputError(`${opts.parameters}: parameters: expected a deployment parameters file ({"parameters": {"name": {"value": ...}}})`);
        const report = checkArmTemplate(await readJson(opts.armTemplate), values);
        ctx.deps.write(opts.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatArmReport(opts.armTemplate, report));
        ctx.deps.setExitCode(report.ok ? EXIT_ENFORCED : EXIT_TEMPLATE_FAILS);
        return;
      }
      if (opts.parameters) throw new InputError('--parameters only applies to --arm-template');
      if (opts.inventory && (opts.kubeconfig || opts.live)) throw new InputError('--inventory reads files; do not combine it with --kubeconfig or --live');
      const input = opts.inventory ? await readInventory(opts.inventory) : await readLive(ctx, opts.kubeconfig);
      const finding = detectEnforcement(input);
      const guardrails = guardrailsPreflight(input.crds, finding);
      ctx.deps.write(opts.output === 'json' ? `${JSON.stringify({ ...finding, guardrails }, null, 2)}\n` : formatFinding(finding) + formatGuardrails(guardrails));
      ctx.deps.setExitCode(finding.enforced ? EXIT_ENFORCED : EXIT_NO_ENGINE);
    });
}
