// Renders docs/crd-reference.md from the CRD that src/api/crd.ts builds: one table row per field with its
// type, default, constraints, CEL rules and description.

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  maxProperties?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

interface Crd {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: string[]; categories?: string[] };
    versions: { name: string; schema: { openAPIV3Schema: Schema }; additionalPrinterColumns?: { name: string; type: string; jsonPath: string }[]; subresources?: Record<string, unknown> }[];
  };
}

export interface FieldRow {
  path: string;
  schema: Schema;
  required: boolean;
}

const isLabelSelector = (s: Schema) => s.type === 'object' && !!s.properties?.matchLabels && Object.keys(s.properties).every((k) => k === 'matchLabels' || k === 'matchExpressions');

/** Every named field below `root`, depth first in schema order; label selectors are not expanded. */
export function fields(root: Schema, prefix: string, expandSelectors = false): FieldRow[] {
  const out: FieldRow[] = [];
  const visit = (s: Schema, path: string) => {
    if (!expandSelectors && isLabelSelector(s)) return;
    const container = s.type === 'array' ? s.items : s;
    if (!container?.properties) return;
    const base = s.type === 'array' ? `${path}[]` : path;
    for (const [name, child] of Object.entries(container.properties)) {
      const childPath = `${base}.${name}`;
      out.push({ path: childPath, schema: child, required: (container.required ?? []).includes(name) });
      visit(child, childPath);
    }
  };
  visit(root, prefix);
  return out;
}

function typeOf(s: Schema): string {
  if (s['x-kubernetes-int-or-string']) return 'integer or string';
  if (isLabelSelector(s)) return '[LabelSelector](#labelselector)';
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) return `map of ${typeOf(s.additionalProperties)}`;
  return s.type ?? 'any';
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (v: unknown) => `\`${JSON.stringify(v)}\``;

function details(row: FieldRow): string {
  const s = row.schema;
  const parts: string[] = [];
  if (s.description) parts.push(s.description.trim().replace(/([^.])$/, '$1.'));
  if (row.required) parts.push('Required.');
  if (s.enum) parts.push(`One of ${s.enum.map((e) => code(e)).join(', ')}.`);
  const limits: string[] = [];
  if (s.minimum !== undefined || s.maximum !== undefined) limits.push(`${s.minimum ?? '…'}-${s.maximum ?? '…'}`);
  if (s.minItems !== undefined) limits.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (s.maxItems !== undefined) limits.push(`at most ${s.maxItems} items`);
  if (s.maxProperties !== undefined) limits.push(`at most ${s.maxProperties} entries`);
  if (s.maxLength !== undefined && s.type === 'string') limits.push(`at most ${s.maxLength} characters`);
  if (limits.length) parts.push(`Limits: ${limits.join(', ')}.`);
  if (s['x-kubernetes-list-type'] === 'map') parts.push(`Entries are keyed by ${(s['x-kubernetes-list-map-keys'] ?? []).map((k) => `\`${k}\``).join(', ')}.`);
  const rules = [...(s['x-kubernetes-validations'] ?? []), ...(s.type === 'array' && s.items ? (s.items['x-kubernetes-validations'] ?? []) : [])];
  for (const r of rules) parts.push(`Rule: ${r.message ?? `\`${r.rule}\``}.`);
  return cell(parts.join(' '));
}

function table(rows: FieldRow[]): string {
  const lines = ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| \`${r.path}\` | ${typeOf(r.schema)} | ${r.schema.default !== undefined ? code(r.schema.default) : ''} | ${details(r)} |`);
  return lines.join('\n');
}

export function crdReference(crdObject: Record<string, unknown>): string {
  const crd = crdObject as unknown as Crd;
  const version = crd.spec.versions[0]!;
  const root = version.schema.openAPIV3Schema;
  const spec = root.properties!.spec!;
  const status = root.properties!.status!;
  const selector = fields(spec, 'spec', true).find((r) => isLabelSelector(r.schema))!;
  const out: string[] = [];
  out.push(
    `# ${crd.spec.names.kind} reference`,
    '',
    '<!-- Generated from src/api/crd.ts by test/unit/manifests/crd-reference.test.ts: regenerate with',
    '     UPDATE_GOLDEN=1 npm run test:unit, and review the diff. Do not edit by hand. -->',
    '',
    `\`apiVersion: ${crd.spec.group}/${version.name}\`, \`kind: ${crd.spec.names.kind}\`: ${root.description ?? ''}`,
    '',
    `- Scope: ${crd.spec.scope} (a profile is not namespaced; it selects namespaces).`,
    `- Names: \`${crd.spec.names.plural}\`${(crd.spec.names.shortNames ?? []).map((n) => `, \`${n}\``).join('')}; categories: ${(crd.spec.names.categories ?? []).map((c) => `\`${c}\``).join(', ')} (\`kubectl get ${(crd.spec.names.categories ?? [])[0] ?? crd.spec.names.plural}\`).`,
    `- Subresources: ${Object.keys(version.subresources ?? {}).map((k) => `\`${k}\``).join(', ') || 'none'}: the operator writes only \`status\`, through the status subresource.`,
    `- The same fields, from the cluster: \`kubectl explain ${crd.spec.names.kind.toLowerCase()}.spec\` (every field has a description).`,
  );
  for (const r of root['x-kubernetes-validations'] ?? []) out.push(`- Rule: ${r.message ?? r.rule}.`);
  out.push('', '`kubectl get segmentationprofiles` columns:', '', '| Column | Type | From |', '| --- | --- | --- |');
  for (const c of version.additionalPrinterColumns ?? []) out.push(`| ${c.name} | ${c.type} | \`${cell(c.jsonPath)}\` |`);
  out.push('', '## spec', '', cell(spec.description ?? ''), '', table(fields(spec, 'spec')), '');
  out.push('## status', '', `${cell(status.description ?? '')} Written by the operator only.`, '', table(fields(status, 'status')), '');
  out.push('## LabelSelector', '', 'The standard Kubernetes label selector, used by every `namespaceSelector` and `podSelector` above.', '', table(fields(selector.schema, '', true).map((r) => ({ ...r, path: r.path.slice(1) }))), '');
  return out.join('\n');
}
