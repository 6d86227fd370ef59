// `segmentation render` and `segmentation validate`: the offline (GitOps) path.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { NetworkPolicy } from '../../api/networkpolicy.js';
import { renderNamespace } from '../../compile/render.js';
import { collect, readDocuments } from '../input.js';
import type { Writer } from '../output.js';
import { stdoutWriter, toJsonList, toYamlDocuments } from '../output.js';
import type { LoadedNamespace, LoadedProfile } from '../profiles.js';
import { checkProfileDocument, loadNamespaces, loadProfiles } from '../profiles.js';

/** The union of every profile's policies for every namespace, in a stable order (namespace, then name). */
export function renderAll(profiles: readonly LoadedProfile[], namespaces: readonly LoadedNamespace[]): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const ns of namespaces) {
    if (ns.terminating) continue;
    for (const p of profiles) if (p.profile.spec.mode === 'Enforce') out.push(...renderNamespace(p.compiled, ns));
  }
  return out;
}

export function registerRenderCommands(program: Command, write: Writer = stdoutWriter): void {
  program
    .command('render')
    .description('print the NetworkPolicies that the profiles produce for the namespaces (offline, for GitOps)')
    .requiredOption('-p, --profiles <file>', 'SegmentationProfile YAML (repeatable; - for stdin)', collect)
    .requiredOption('-n, --namespaces <file>', 'Namespace objects: multi-document YAML or a v1 List, e.g. `kubectl get ns -o yaml` (repeatable; - for stdin)', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--include-dry-run', 'also render profiles in DryRun mode', false)
    .action(async (opts: { profiles: string[]; namespaces: string[]; output: 'yaml' | 'json'; includeDryRun: boolean }) => {
      const profiles = await loadProfiles(opts.profiles);
      const namespaces = await loadNamespaces(opts.namespaces);
      const selected = opts.includeDryRun ? profiles.map((p) => ({ ...p, profile: { ...p.profile, spec: { ...p.profile.spec, mode: 'Enforce' as const } } })) : profiles;
      const policies = renderAll(selected, namespaces);
      write(opts.output === 'json' ? toJsonList(policies) : toYamlDocuments(policies));
    });

  program
    .command('validate')
    .description('check SegmentationProfiles: every problem with file, document and field; exit 1 on any')
    .requiredOption('-p, --profiles <file>', 'SegmentationProfile YAML (repeatable; - for stdin)', collect)
    .action(async (opts: { profiles: string[] }) => {
      const problems: string[] = [];
      let valid = 0;
      for (const file of opts.profiles) {
        for (const doc of await readDocuments(file)) {
          const result = checkProfileDocument(doc);
          problems.push(...result.problems);
          if (result.loaded) valid++;
        }
      }
      for (const line of problems) write(`${line}\n`);
      if (problems.length > 0) {
        write(`${problems.length} problem(s) found\n`);
        process.exitCode = 1;
      } else {
        write(`${valid} profile(s) valid\n`);
      }
    });
}
