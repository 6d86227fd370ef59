// `segmentation audit`: per namespace, can some pod reach an instance-metadata endpoint, and which
// NetworkPolicies open it. Exit 2 when any namespace is exposed; the operator's intended exceptions
// (spec.instanceMetadata.allowFrom) are printed apart and alone leave the exit code 0.
import { Option, type Command } from 'commander';
import { auditMetadataExposure, KNOWN_METADATA_CIDRS, type MetadataOpening } from '../../analysis/audit-metadata.js';
import { applyGuardrailsToAudit, type GuardedMetadataReport, type GuardedNamespaceExposure } from '../../analysis/guardrails/audit.js';
import { buildClusterModel } from '../../analysis/model.js';
import { parseCidr } from '../../analysis/cidr.js';
import { collect, InputError } from '../input.js';
import { backendOption } from '../profiles.js';
import { ANALYSIS_BACKEND_HELP, type AnalysisContext, type InputOptions } from './analysis.js';

interface AuditOptions extends InputOptions {
  metadataCidr?: string[];
  namespace?: string[];
  output: 'text' | 'json';
}

function formatOpening(o: MetadataOpening): string {
  const pods = o.pods === undefined ? '' : o.pods.length === 0 ? ' [no existing pod selected]' : ` [pods: ${o.pods.join(', ')}]`;
  return `${o.policy} egress[${o.ruleIndex}] opens ${o.cidr} via ${o.via} on ${o.ports} for pods ${o.podSelector}${pods}`;
}

function formatNamespace(ns: GuardedNamespaceExposure): string[] {
  const exceptions = ns.exceptions ?? [];
  if (!ns.exposed && ns.openedBy.length === 0 && exceptions.length === 0 && !ns.blockedByGuardrail) return [`${ns.namespace}: ok`];
  const state = ns.exposed
    ? 'EXPOSED'
    : ns.blockedByGuardrail
      ? 'ok: blocked by guardrail (the NetworkPolicies below would reopen it)'
      : ns.openedBy.length > 0
        ? 'ok (latent openings below select no existing pod)'
        : 'ok (intended exceptions only)';
  const lines = [`${ns.namespace}: ${state}`];
  for (const by of ns.blockedByGuardrail ?? []) lines.push(`  blocked by guardrail: ${by}`);
  for (const o of ns.openedBy) lines.push(`  ${formatOpening(o)}`);
  for (const o of exceptions) lines.push(`  exception (spec.instanceMetadata.allowFrom): ${formatOpening(o)}`);
  if (ns.unisolated) lines.push(`  unisolated: ${ns.unisolated.detail}${ns.unisolated.pods ? `: ${ns.unisolated.pods.join(', ')}` : ''}`);
  return lines;
}

export function formatMetadataReport(report: GuardedMetadataReport): string {
  const exposed = report.namespaces.filter((n) => n.exposed).length;
  const withExceptions = report.namespaces.filter((n) => (n.exceptions?.length ?? 0) > 0).length;
  const lines = [
    `Instance-metadata exposure (${report.metadataCidrs.join(', ')})`,
    '',
    ...report.namespaces.flatMap(formatNamespace),
    '',
    `${exposed} of ${report.namespaces.length} namespace(s) exposed${withExceptions > 0 ? `; ${withExceptions} with intended exceptions` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerAuditCommand(program: Command, ctx: AnalysisContext): void {
  const cmd = program
    .command('audit')
    .description('metadata-exposure audit: which namespaces can reach an instance-metadata endpoint, and which policies open it (exit 2 if any)')
    .option('--metadata-cidr <cidr>', `metadata CIDR to check (repeatable; default ${KNOWN_METADATA_CIDRS.join(', ')})`, collect)
    .option('--namespace <name>', 'only this namespace (repeatable)', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(backendOption(ANALYSIS_BACKEND_HELP));
  ctx.addInputOptions(cmd).action(async (opts: AuditOptions) => {
    for (const cidr of opts.metadataCidr ?? []) if (!parseCidr(cidr)) throw new InputError(`--metadata-cidr: "${cidr}" is not a CIDR such as 169.254.169.254/32`);
    const inputs = await ctx.loadInputs(opts);
    const pods = (opts.pods?.length ?? 0) > 0 || opts.live || opts.kubeconfig ? inputs.pods : undefined;
    const plain = auditMetadataExposure(inputs.policies, inputs.namespaces, pods, opts.metadataCidr ? { metadataCidrs: opts.metadataCidr } : {});
    const model = buildClusterModel({ policies: inputs.policies, namespaces: inputs.namespaces, ...(pods ? { pods } : {}), guardrails: inputs.guardrails });
    const full: GuardedMetadataReport = applyGuardrailsToAudit(plain, model, pods !== undefined);
    const wanted = opts.namespace ? new Set(opts.namespace) : undefined;
    const namespaces = wanted ? full.namespaces.filter((n) => wanted.has(n.namespace)) : full.namespaces;
    const report: GuardedMetadataReport = { ...full, namespaces, exposed: namespaces.some((n) => n.exposed) };
    ctx.deps.write(opts.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatMetadataReport(report));
    if (report.exposed) ctx.deps.setExitCode(2);
  });
}
