// Label selectors for the cluster-scoped guardrails: AND of two selectors, and the negation of an
// exception's selector as a union of selectors (Cilium has no Pass: its deny must not select the
// exception's pods at all). Pure.
import type { LabelSelector as WireSelector, LabelSelectorRequirement } from '../../api/networkpolicy.js';

/** One requirement of a selector: a matchLabels entry becomes `key In [value]`. */
export function requirements(sel: WireSelector): LabelSelectorRequirement[] {
  const out: LabelSelectorRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  for (const e of sel.matchExpressions ?? []) out.push(e.values && e.values.length > 0 ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator });
  return out;
}

/** Both selectors must match: requirements concatenated (a key in both keeps both requirements). */
export function andSelectors(a: WireSelector, b: WireSelector): WireSelector {
  const labels: Record<string, string> = { ...(a.matchLabels ?? {}) };
  const expressions = [...(a.matchExpressions ?? [])];
  for (const [key, value] of Object.entries(b.matchLabels ?? {})) {
    if (labels[key] === undefined) labels[key] = value;
    else if (labels[key] !== value) expressions.push({ key, operator: 'In', values: [value] });
  }
  expressions.push(...(b.matchExpressions ?? []));
  const out: WireSelector = {};
  if (Object.keys(labels).length > 0) out.matchLabels = Object.fromEntries(Object.entries(labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  if (expressions.length > 0) out.matchExpressions = expressions;
  return out;
}

/** The requirement that holds exactly when `req` does not. */
export function negate(req: LabelSelectorRequirement): LabelSelectorRequirement {
  switch (req.operator) {
    case 'In':
      return { key: req.key, operator: 'NotIn', values: [...(req.values ?? [])] };
    case 'NotIn':
      return { key: req.key, operator: 'In', values: [...(req.values ?? [])] };
    case 'Exists':
      return { key: req.key, operator: 'DoesNotExist' };
    default:
      return { key: req.key, operator: 'Exists' };
  }
}

/**
 * NOT(r1 AND r2 AND ...) for each of several conjunctions, ANDed: the union of selectors, each with one
 * negated requirement taken from every conjunction (the distributive law). `undefined` when the result
 * has more than `limit` selectors. A conjunction with no requirement matches everything, so its
 * negation matches nothing: the result is then the empty union `[]`.
 */
export function negatedUnion(conjunctions: readonly LabelSelectorRequirement[][], limit: number): LabelSelectorRequirement[][] | undefined {
  let out: LabelSelectorRequirement[][] = [[]];
  for (const conj of conjunctions) {
    if (conj.length === 0) return [];
    const next: LabelSelectorRequirement[][] = [];
    for (const partial of out) for (const req of conj) next.push([...partial, negate(req)]);
    out = dedupe(next);
    if (out.length > limit) return undefined;
  }
  return out;
}

function dedupe(list: LabelSelectorRequirement[][]): LabelSelectorRequirement[][] {
  const seen = new Map<string, LabelSelectorRequirement[]>();
  for (const reqs of list) {
    const unique = [...new Map(reqs.map((r) => [JSON.stringify(r), r])).values()];
    seen.set(JSON.stringify([...unique].map((r) => JSON.stringify(r)).sort()), unique);
  }
  return [...seen.values()];
}
