// Reading and writing a plain JSON object by field path (`['spec', 'allow', 0, 'name']`), immutably.
// The profile editor binds every input to one path, so adding a field to the form is one line.

export type Path = readonly (string | number)[];

/** `spec.allow[0].to.ipBlock.cidr`: the same text as the CLI's formatPath and the compiler's errors. */
export function pathKey(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function getAt(value: unknown, path: Path): unknown {
  let cur = value;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

/**
 * A copy of `value` with `path` set to `next`; `undefined` removes the key (array items are removed
 * by index). Missing parents are created (arrays for numeric parts). Empty objects left behind are kept.
 */
export function setAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const base: unknown = value ?? (typeof head === 'number' ? [] : {});
  if (Array.isArray(base)) {
    const copy = [...base];
    const child = setAt(copy[head as number], rest, next);
    if (child === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = child;
    return copy;
  }
  const copy: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const child = setAt(copy[head as string], rest, next);
  if (child === undefined) delete copy[head as string];
  else copy[head as string] = child;
  return copy;
}
