// `segmentation explain`: can A reach B on a port, and which policies and rules decide it (with guardrails
// from the files or rendered by --backend: which guardrail rule decides, when one does).
import { Option, type Command } from 'commander';
import { parseEndpointSpec, parsePortSpec, resolveEndpoint, resolveTraffic, type Result } from '../../analysis/endpoint.js';
import { explainConnection, formatExplanation } from '../../analysis/explain.js';
import { buildClusterModel } from '../../analysis/model.js';
import { InputError } from '../input.js';
import { backendOption } from '../profiles.js';
import { ANALYSIS_BACKEND_HELP, type AnalysisContext, type InputOptions } from './analysis.js';

interface ExplainOptions extends InputOptions {
  from: string;
  to: string;
  port: string;
  protocol: string;
  output: 'text' | 'json';
  exitCode?: boolean;
}

/** The value of a parse result, or a one-line InputError naming the flag. */
export function unwrap<T>(flag: string, result: Result<T>): T {
  if (!result.ok) throw new InputError(`${flag}: ${result.error}`);
  return result.value;
}

export function registerExplainCommand(program: Command, ctx: AnalysisContext): void {
  const cmd = program
    .command('explain')
    .description('can A reach B on a port? Allowed or denied, with the policies and rules that decide it on each side')
    .requiredOption('--from <endpoint>', 'source: ns/pod, ns/label=value,... (a pod with those labels), or an IP address')
    .requiredOption('--to <endpoint>', 'destination: ns/pod, ns/label=value,..., or an IP address')
    .requiredOption('--port <port>', 'port number or name, optionally with protocol: 5432, 53/UDP, http')
    .option('--protocol <protocol>', 'TCP, UDP or SCTP (when --port has none)', 'TCP')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--exit-code', 'exit 2 when the connection is denied (0 when allowed)')
    .addOption(backendOption(ANALYSIS_BACKEND_HELP));
  ctx.addInputOptions(cmd).action(async (opts: ExplainOptions) => {
    const fromSpec = unwrap('--from', parseEndpointSpec(opts.from));
    const toSpec = unwrap('--to', parseEndpointSpec(opts.to));
    const portSpec = unwrap('--port', parsePortSpec(opts.port, opts.protocol));
    const inputs = await ctx.loadInputs(opts);
    const model = buildClusterModel(inputs);
    const from = unwrap('--from', resolveEndpoint(model, fromSpec));
    const to = unwrap('--to', resolveEndpoint(model, toSpec));
    const traffic = unwrap('--port', resolveTraffic(portSpec, to.endpoint));
    const notes = [from.note, to.note].filter((n): n is string => n !== undefined);
    const explanation = explainConnection(model, from.endpoint, to.endpoint, traffic, notes);
    ctx.deps.write(opts.output === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
    if (opts.exitCode && !explanation.allowed) ctx.deps.setExitCode(2);
  });
}
