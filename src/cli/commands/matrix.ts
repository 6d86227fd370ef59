// `segmentation matrix`: who may talk to whom, plus DNS, metadata and external columns; as a table,
// JSON, Markdown, Mermaid, or an SVG file. Guardrails in the input (or rendered by --backend) decide cells
// as the engine would.
import { Option, type Command } from 'commander';
import { parseAddressPort, parseEndpointSpec, parsePortSpec } from '../../analysis/endpoint.js';
import { buildMatrix, DEFAULT_DNS, DEFAULT_EXTERNAL_ENDPOINTS, DEFAULT_METADATA_ENDPOINTS, wellKnownColumns, type WellKnownOptions } from '../../analysis/matrix.js';
import { matrixToJson } from '../../analysis/matrix-render/json.js';
import { matrixToMarkdown } from '../../analysis/matrix-render/markdown.js';
import { matrixToMermaid } from '../../analysis/matrix-render/mermaid.js';
import { matrixToSvg } from '../../analysis/matrix-render/svg.js';
import { matrixToText } from '../../analysis/matrix-render/text.js';
import { buildClusterModel, hypotheticalPod, type PodInfo } from '../../analysis/model.js';
import { formatSelector } from '../../compile/select.js';
import { collect, InputError } from '../input.js';
import { backendOption } from '../profiles.js';
import { ANALYSIS_BACKEND_HELP, type AnalysisContext, type InputOptions } from './analysis.js';
import { unwrap } from './explain.js';

type Format = 'text' | 'json' | 'markdown' | 'mermaid';

interface MatrixOptions extends InputOptions {
  port: string;
  protocol: string;
  namespace?: string[];
  pod?: string[];
  output: Format;
  svg?: string;
  dns?: string | false;
  metadata?: string[];
  external?: string[];
  wellKnown: boolean;
}

const RENDERERS: Record<Format, typeof matrixToText> = { text: matrixToText, json: matrixToJson, markdown: matrixToMarkdown, mermaid: matrixToMermaid };

function wellKnownOptions(opts: MatrixOptions): WellKnownOptions {
  if (!opts.wellKnown) return { dns: false };
  let dns: WellKnownOptions['dns'] = DEFAULT_DNS;
  if (opts.dns === false) dns = false;
  else if (typeof opts.dns === 'string') {
    const spec = unwrap('--dns', parseEndpointSpec(opts.dns));
    if (spec.kind !== 'labels') throw new InputError(`--dns: "${opts.dns}" must be ns/label=value,... (the DNS pods' namespace and labels)`);
    dns = { namespace: spec.namespace, labels: spec.labels };
  }
  const parse = (flag: string, list: readonly string[]) => list.map((text) => unwrap(flag, parseAddressPort(text)));
  return {
    dns,
    metadata: parse('--metadata', opts.metadata ?? DEFAULT_METADATA_ENDPOINTS),
    external: parse('--external', opts.external ?? DEFAULT_EXTERNAL_ENDPOINTS),
  };
}

export function registerMatrixCommand(program: Command, ctx: AnalysisContext): void {
  const cmd = program
    .command('matrix')
    .description('truth table of pod-to-pod connectivity on a port, with DNS, metadata-endpoint and external columns')
    .option('--port <port>', 'port for pod-to-pod cells, optionally with protocol (80, 5432/TCP)', '80')
    .option('--protocol <protocol>', 'TCP, UDP or SCTP (when --port has none)', 'TCP')
    .option('--namespace <name>', 'only pods in this namespace (repeatable)', collect)
    .option('--pod <ns/labels>', 'add a hypothetical pod, e.g. shop/app=backend (repeatable)', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'markdown', 'mermaid']).default('text'))
    .option('--svg <file>', 'also write the matrix as an SVG diagram to this file')
    .option('--dns <ns/labels>', `the cluster DNS pods (default ${DEFAULT_DNS.namespace}/${formatSelector({ matchLabels: DEFAULT_DNS.labels })}), checked on UDP and TCP 53`)
    .option('--no-dns', 'no DNS columns')
    .option('--metadata <addr:port>', `metadata endpoint column (repeatable; default ${DEFAULT_METADATA_ENDPOINTS.join(' and ')})`, collect)
    .option('--external <addr:port[/proto]>', `external destination column (repeatable; default ${DEFAULT_EXTERNAL_ENDPOINTS.join(', ')})`, collect)
    .option('--no-well-known', 'only pod columns')
    .addOption(backendOption(ANALYSIS_BACKEND_HELP));
  ctx.addInputOptions(cmd).action(async (opts: MatrixOptions) => {
    const portSpec = unwrap('--port', parsePortSpec(opts.port, opts.protocol));
    if (typeof portSpec.port !== 'number') throw new InputError('--port: the matrix needs a port number (named ports differ per pod)');
    const traffic = { port: portSpec.port, protocol: portSpec.protocol };
    const extra = wellKnownOptions(opts);
    const hypothetical = (opts.pod ?? []).map((text) => {
      const spec = unwrap('--pod', parseEndpointSpec(text));
      if (spec.kind !== 'labels') throw new InputError(`--pod: "${text}" must be ns/label=value,...`);
      return hypotheticalPod(spec.namespace, spec.labels);
    });
    const anyInput = [opts.policies, opts.namespaces, opts.pods, opts.profiles].some((f) => (f?.length ?? 0) > 0) || opts.live || opts.kubeconfig || opts.backend;
    const inputs = anyInput ? await ctx.loadInputs(opts) : { policies: [], namespaces: [], pods: [], guardrails: [] };
    const model = buildClusterModel(inputs);
    const wanted = opts.namespace ? new Set(opts.namespace) : undefined;
    const pods: PodInfo[] = [...model.pods.filter((p) => !p.hostNetwork), ...hypothetical]
      .filter((p) => !wanted || wanted.has(p.namespace))
      .sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
    if (pods.length === 0) throw new InputError('no pods for the matrix: pass --pods, --kubeconfig/--live, or --pod ns/label=value' + (wanted ? ` (and check --namespace)` : ''));
    const matrix = buildMatrix(model, pods, traffic, wellKnownColumns(model, extra));
    ctx.deps.write(RENDERERS[opts.output](matrix));
    if (opts.svg) await ctx.deps.writeFile(opts.svg, matrixToSvg(matrix));
  });
}
