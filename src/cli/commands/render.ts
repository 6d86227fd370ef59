// `segmentation render` and `segmentation validate`: the offline (GitOps) path.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { NetworkPolicy } from '../../api/networkpolicy.js';
import { renderNamespace } from '../../compile/render.js';
import type { GuardrailObject } from '../../compile/guardrails/index.js';
import { renderAllGuardrails } from '../../compile/guardrails/index.js';
import type { GuardrailBackend } from '../../api/profile.js';
import { collect, readDocuments } from '../input.js';
import type { Writer } from '../output.js';
import { stdoutWriter, toJsonList, toYamlDocuments } from '../output.js';
import type { ApiServerEndpoints } from '../../api/apiserver-endpoints.js';
import { CLUSTER_OPTION_HELP, loadClusterFacts, withClusterHint } from '../cluster-facts.js';
import type { LoadedNamespace, LoadedProfile } from '../profiles.js';
import { backendOption, checkProfileDocument, loadNamespaces, loadProfiles, warningLines } from '../profiles.js';

// `validate` without --cluster still checks everything else of a profile with spec.apiServer: it compiles
// against a documentation address (RFC 5737) standing in for the API server's endpoints.
const STAND_IN_API_SERVER: ApiServerEndpoints = { addresses: ['192.0.2.1'], ports: [{ protocol: 'TCP', port: 443 }] };

const warn = (line: string) => process.stderr.write(`${line}\n`);

/** The union of every profile's policies for every namespace, in a stable order (namespace, then name). */
export function renderAll(profiles: readonly LoadedProfile[], namespaces: readonly LoadedNamespace[]): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const ns of namespaces) {
    if (ns.terminating) continue;
    for (const p of profiles) if (p.profile.spec.mode === 'Enforce') out.push(...renderNamespace(p.compiled, ns));
  }
  return out;
}

/** The cluster-scoped guardrail objects of the enforcing profiles (docs/guardrails.md). */
export function renderGuardrailObjects(profiles: readonly LoadedProfile[]): GuardrailObject[] {
  return renderAllGuardrails(profiles.filter((p) => p.profile.spec.mode === 'Enforce').map((p) => p.compiled));
}

export function registerRenderCommands(program: Command, write: Writer = stdoutWriter): void {
  program
    .command('render')
    .description('print the NetworkPolicies that the profiles produce for the namespaces (offline, for GitOps)')
    .requiredOption('-p, --profiles <file>', 'SegmentationProfile YAML (repeatable; - for stdin)', collect)
    .requiredOption('-n, --namespaces <file>', 'Namespace objects: multi-document YAML or a v1 List, e.g. `kubectl get ns -o yaml` (repeatable; - for stdin)', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--include-dry-run', 'also render profiles in DryRun mode', false)
    .option('--cluster <file>', CLUSTER_OPTION_HELP, collect)
    .addOption(backendOption('guardrails backend for every profile, instead of its spec.guardrails.backend (Auto renders as NetworkPolicy offline)'))
    .action(async (opts: { profiles: string[]; namespaces: string[]; output: 'yaml' | 'json'; includeDryRun: boolean; cluster?: string[]; backend?: GuardrailBackend }) => {
      const profiles = await loadProfiles(opts.profiles, opts.cluster, { guardrails: { override: opts.backend } });
      const namespaces = await loadNamespaces(opts.namespaces);
      const selected = opts.includeDryRun ? profiles.map((p) => ({ ...p, profile: { ...p.profile, spec: { ...p.profile.spec, mode: 'Enforce' as const } } })) : profiles;
      // Cluster-scoped guardrails first (Calico's Tier before its policies), then the NetworkPolicies.
      const objects = [...renderGuardrailObjects(selected), ...renderAll(selected, namespaces)];
      for (const line of warningLines(profiles)) warn(line);
      write(opts.output === 'json' ? toJsonList(objects) : toYamlDocuments(objects));
    });

  program
    .command('validate')
    .description('check SegmentationProfiles: every problem with file, document and field (exit 1 on any); warnings for parts that can have no effect')
    .requiredOption('-p, --profiles <file>', 'SegmentationProfile YAML (repeatable; - for stdin)', collect)
    .option('--cluster <file>', `${CLUSTER_OPTION_HELP}; without it, spec.apiServer is checked against a stand-in address`, collect)
    .option('--strict', 'exit 1 on warnings too', false)
    .action(async (opts: { profiles: string[]; cluster?: string[]; strict: boolean }) => {
      const facts = opts.cluster ? await loadClusterFacts(opts.cluster) : { apiServer: STAND_IN_API_SERVER };
      const problems: string[] = [];
      const loaded: LoadedProfile[] = [];
      for (const file of opts.profiles) {
        for (const doc of await readDocuments(file)) {
          const result = checkProfileDocument(doc, facts, { guardrails: {} });
          problems.push(...result.problems.map((p) => withClusterHint(p, opts.cluster)));
          if (result.loaded) loaded.push(result.loaded);
        }
      }
      const warnings = warningLines(loaded);
      for (const line of [...problems, ...warnings]) write(`${line}\n`);
      if (problems.length > 0) {
        write(`${problems.length} problem(s) found\n`);
        process.exitCode = 1;
      } else {
        write(`${loaded.length} profile(s) valid${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}\n`);
        if (warnings.length > 0 && opts.strict) process.exitCode = 1;
      }
    });
}
