// A label selector as one line of text, `app=web,tier=db`, for form inputs: what the AKS portal shows.
// Only matchLabels can be written this way; a selector with matchExpressions is edited in the YAML tab.

export interface SimpleSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

export function selectorToText(sel: SimpleSelector | undefined): string {
  return Object.entries(sel?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** True when the text form cannot show the whole selector. */
export function hasExpressions(sel: SimpleSelector | undefined): boolean {
  return (sel?.matchExpressions?.length ?? 0) > 0;
}

/**
 * Parses `k=v,k2=v2` (spaces allowed) into matchLabels. Keys and values are not checked here: the schema
 * does that and reports it on the field. A part without `=` is returned in `bad`.
 */
export function textToSelector(text: string): { selector: { matchLabels?: Record<string, string> }; bad: string[] } {
  const matchLabels: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) bad.push(part);
    else matchLabels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { selector: Object.keys(matchLabels).length > 0 ? { matchLabels } : {}, bad };
}

/** Comma-separated list (CIDRs, globs) <-> array; empty text is `undefined` (field omitted). */
export function listToText(list: readonly string[] | undefined): string {
  return (list ?? []).join(', ');
}

export function textToList(text: string): string[] | undefined {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}
