// The editor's preview: the exact NetworkPolicies a profile renders for a namespace, and how they differ
// from what the cluster has now. Compared after the API server's defaults are applied on both sides
// (the operator's own normalizeSpec), so a defaulted `protocol: TCP` is not a difference.
import { stringify } from 'yaml';
import type { NetworkPolicy, NetworkPolicySpec } from '../../api/networkpolicy.js';
import { normalizeSpec } from '../../controller/compare.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL } from '../../compile/labels.js';
import type { PolicyEntry } from './snapshot.js';

export type ChangeKind = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DiffLine {
  op: '+' | '-' | ' ';
  text: string;
}

export interface PolicyChange {
  name: string;
  kind: ChangeKind;
  lines: DiffLine[];
}

/** The policies of one profile in one namespace that the operator made. */
export function managedPoliciesOf(policies: readonly PolicyEntry[], namespace: string, profile: string): PolicyEntry[] {
  return policies.filter((p) => p.metadata.namespace === namespace && p.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && p.metadata.labels?.[PROFILE_LABEL] === profile);
}

type Comparable = { metadata: PolicyEntry['metadata']; spec?: Partial<NetworkPolicySpec> };

/** YAML of what is compared: name, labels, annotations and the normalised spec. */
export function comparableYaml(p: Comparable): string {
  const m = p.metadata;
  const meta = { name: m.name, namespace: m.namespace, ...(m.labels && Object.keys(m.labels).length ? { labels: sortKeys(m.labels) } : {}), ...(m.annotations && Object.keys(m.annotations).length ? { annotations: sortKeys(m.annotations) } : {}) };
  return stringify({ metadata: meta, spec: normalizeSpec(p.spec) }, { lineWidth: 0 });
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/**
 * Line diff by longest common subsequence: a policy's YAML is tens of lines, so the quadratic table is
 * small, and the operator image gains no dependency (src/ may only import production dependencies).
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = linesOf(before);
  const b = linesOf(after);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ op: '-', text: a[i++]! });
    else out.push({ op: '+', text: b[j++]! });
  }
  return out;
}

/** Per policy name: added (only rendered), removed (only in the cluster), changed or unchanged. */
export function diffPolicies(rendered: readonly NetworkPolicy[], cluster: readonly PolicyEntry[]): PolicyChange[] {
  const names = new Set([...rendered.map((p) => p.metadata.name), ...cluster.map((p) => p.metadata.name)]);
  const out: PolicyChange[] = [];
  for (const name of [...names].sort()) {
    const want = rendered.find((p) => p.metadata.name === name);
    const have = cluster.find((p) => p.metadata.name === name);
    const before = have ? comparableYaml(have) : '';
    const after = want ? comparableYaml(want) : '';
    const kind: ChangeKind = !have ? 'added' : !want ? 'removed' : before === after ? 'unchanged' : 'changed';
    out.push({ name, kind, lines: lineDiff(before, after) });
  }
  return out;
}
