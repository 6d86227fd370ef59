// Kubernetes LabelSelector matching (matchLabels AND matchExpressions), exactly as the API defines it.
import type { LabelSelector } from './policy-object.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * True when `labels` satisfy `selector`. `{}` selects everything. Every matchLabels entry and every
 * expression must hold: In = key present with a listed value; NotIn = key absent or value not
 * listed; Exists; DoesNotExist. An unknown operator matches nothing (the API server rejects it).
 */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True for `{}` (or a selector with only empty lists): it selects every object. */
export function selectsEverything(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** Compact, kubectl-like text: `app=web,tier in (a,b),!legacy`; `{}` prints as `(all)`. */
export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    if (req.operator === 'In') parts.push(`${req.key} in (${values})`);
    else if (req.operator === 'NotIn') parts.push(`${req.key} notin (${values})`);
    else if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
    else parts.push(`${req.key} ${req.operator} (${values})`);
  }
  return parts.length === 0 ? '(all)' : parts.join(',');
}

/** Parses `k=v,k2=v2` (the `ns/labels` endpoint syntax). Returns undefined on a malformed pair. */
export function parseLabelList(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  if (text.trim() === '') return labels;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key === '' || Object.hasOwn(labels, key)) return undefined;
    labels[key] = value;
  }
  return labels;
}
