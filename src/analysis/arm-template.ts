// AKS ARM template check: every Microsoft.ContainerService/managedClusters resource must set
// properties.networkProfile.networkPolicy to azure, calico or cilium, or its NetworkPolicies are
// never enforced; networkPolicy cilium and networkDataplane cilium go together. The engine of an
// existing cluster can be changed with `az aks update` (node pools are reimaged): no redeploy.

export const MANAGED_CLUSTERS_TYPE = 'Microsoft.ContainerService/managedClusters';
export const ENFORCING_NETWORK_POLICIES = ['azure', 'calico', 'cilium'] as const;

/** How to fix an existing cluster instead of redeploying it. */
export const AKS_UPDATE_ADVICE =
  'fix the template, and on an existing cluster change the engine with `az aks update --resource-group <rg> --name <cluster> --network-policy cilium --network-dataplane cilium` (node pools are reimaged; no redeploy)';

/** Which guardrails backend (docs/guardrails.md) an AKS engine supports. */
export function aksGuardrailsBackend(networkPolicy: string): 'Cilium' | 'NetworkPolicy' {
  return networkPolicy.toLowerCase() === 'cilium' ? 'Cilium' : 'NetworkPolicy';
}

export interface ArmClusterCheck {
  /** The resource's `name` (resolved when it is a simple parameters()/variables() reference). */
  name: string;
  /** Where in the template, e.g. `resources[1]` or `resources[0].properties.template.resources[2]`. */
  path: string;
  /** The effective value, when it could be determined. */
  networkPolicy?: string;
  /** properties.networkProfile.networkDataplane, when set and resolvable (azure | cilium). */
  networkDataplane?: string;
  /** For an enforcing engine: the guardrails backend it supports (AKS-managed Calico and Azure NPM: NetworkPolicy only). */
  guardrailsBackend?: 'Cilium' | 'NetworkPolicy';
  ok: boolean;
  reason: string;
}

export interface ArmTemplateReport {
  ok: boolean;
  clusters: ArmClusterCheck[];
}

/** Values from a deployment parameters file (`{ parameters: { name: { value } } }`). */
export type ArmParameterValues = Readonly<Record<string, unknown>>;

interface Scope {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
}

type Resolved = { ok: true; value: unknown } | { ok: false; expression: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Resolves literals and the simplest expressions, `[parameters('x')]` and `[variables('x')]`
 * (parameter values from the file, else the template's defaultValue). Anything else is reported
 * as unresolvable rather than guessed. `[[...` is an escaped literal `[...`.
 */
function resolve(value: unknown, scope: Scope): Resolved {
  if (typeof value !== 'string' || !value.startsWith('[')) return { ok: true, value };
  if (value.startsWith('[[')) return { ok: true, value: value.slice(1) };
  const m = /^\[\s*(parameters|variables)\(\s*'([^']+)'\s*\)\s*\]$/.exec(value);
  if (!m) return { ok: false, expression: value };
  const table = m[1] === 'parameters' ? scope.parameters : scope.variables;
  if (!Object.hasOwn(table, m[2]!)) return { ok: false, expression: value };
  const found = table[m[2]!];
  return found === value ? { ok: false, expression: value } : resolve(found, scope);
}

function scopeOf(template: Record<string, unknown>, values: ArmParameterValues): Scope {
  const parameters: Record<string, unknown> = {};
  if (isRecord(template.parameters)) {
    for (const [name, def] of Object.entries(template.parameters)) {
      if (Object.hasOwn(values, name)) parameters[name] = values[name];
      else if (isRecord(def) && Object.hasOwn(def, 'defaultValue')) parameters[name] = def.defaultValue;
    }
  }
  return { parameters, variables: isRecord(template.variables) ? { ...template.variables } : {} };
}

/** `resources` is an array, or (languageVersion 2.0) an object keyed by symbolic name. */
function resourceEntries(resources: unknown, path: string): Array<{ resource: Record<string, unknown>; path: string; symbol?: string }> {
  if (Array.isArray(resources)) return resources.flatMap((r, i) => (isRecord(r) ? [{ resource: r, path: `${path}[${i}]` }] : []));
  if (isRecord(resources)) return Object.entries(resources).flatMap(([k, r]) => (isRecord(r) ? [{ resource: r, path: `${path}.${k}`, symbol: k }] : []));
  return [];
}

function checkCluster(resource: Record<string, unknown>, path: string, symbol: string | undefined, scope: Scope): ArmClusterCheck {
  const rawName = resource.name;
  const resolvedName = resolve(rawName, scope);
  const name = resolvedName.ok && typeof resolvedName.value === 'string' ? resolvedName.value : typeof rawName === 'string' ? rawName : (symbol ?? '(unnamed)');
  const properties = isRecord(resource.properties) ? resource.properties : {};
  const profile = isRecord(properties.networkProfile) ? properties.networkProfile : undefined;
  if (!profile) return { name, path, ok: false, reason: `properties.networkProfile is not set (the cluster gets no network policy engine); ${AKS_UPDATE_ADVICE}` };
  if (!Object.hasOwn(profile, 'networkPolicy')) return { name, path, ok: false, reason: `properties.networkProfile.networkPolicy is not set (none: no network policy engine); ${AKS_UPDATE_ADVICE}` };
  const value = resolve(profile.networkPolicy, scope);
  if (!value.ok) return { name, path, ok: false, reason: `properties.networkProfile.networkPolicy is the expression ${value.expression}, which this check cannot evaluate; use a literal or pass --parameters` };
  if (typeof value.value !== 'string') return { name, path, ok: false, reason: `properties.networkProfile.networkPolicy must be a string, got ${JSON.stringify(value.value)}` };
  const networkPolicy = value.value;
  const dataplaneValue = Object.hasOwn(profile, 'networkDataplane') ? resolve(profile.networkDataplane, scope) : undefined;
  const networkDataplane = dataplaneValue?.ok && typeof dataplaneValue.value === 'string' ? dataplaneValue.value : undefined;
  const base: ArmClusterCheck = { name, path, networkPolicy, ok: false, reason: '' };
  if (networkDataplane !== undefined) base.networkDataplane = networkDataplane;
  if (!(ENFORCING_NETWORK_POLICIES as readonly string[]).includes(networkPolicy.toLowerCase()))
    return { ...base, reason: `properties.networkProfile.networkPolicy is ${JSON.stringify(networkPolicy)}; must be one of ${ENFORCING_NETWORK_POLICIES.join(', ')}; ${AKS_UPDATE_ADVICE}` };
  const cilium = networkPolicy.toLowerCase() === 'cilium';
  const ciliumPlane = networkDataplane?.toLowerCase() === 'cilium';
  if (dataplaneValue !== undefined && !dataplaneValue.ok && cilium)
    return { ...base, reason: `properties.networkProfile.networkDataplane is the expression ${dataplaneValue.expression}, which this check cannot evaluate; networkPolicy cilium needs networkDataplane cilium` };
  if (cilium && !ciliumPlane) return { ...base, reason: `networkPolicy cilium needs networkDataplane cilium (it is ${networkDataplane === undefined ? 'not set' : JSON.stringify(networkDataplane)})` };
  if (ciliumPlane && !cilium) return { ...base, reason: `networkDataplane cilium enforces NetworkPolicies only with networkPolicy cilium (it is ${JSON.stringify(networkPolicy)}); change it with \`az aks update --network-policy cilium\`` };
  const guardrailsBackend = aksGuardrailsBackend(networkPolicy);
  const note =
    networkPolicy.toLowerCase() === 'azure'
      ? '; Azure NPM is retiring: `az aks update --network-policy cilium --network-dataplane cilium` moves to Cilium, which also allows cluster-scoped guardrails (guardrails backend Cilium)'
      : guardrailsBackend === 'Cilium'
        ? '; guardrails backend Cilium is available (docs/guardrails.md)'
        : '; AKS-managed Calico enforces standard NetworkPolicy only (guardrails backend NetworkPolicy)';
  return { ...base, ok: true, guardrailsBackend, reason: `networkPolicy is ${networkPolicy}${networkDataplane ? `, networkDataplane ${networkDataplane}` : ''}${note}` };
}

function walk(resources: unknown, path: string, scope: Scope, out: ArmClusterCheck[]): void {
  for (const { resource, path: here, symbol } of resourceEntries(resources, path)) {
    if (typeof resource.type === 'string' && resource.type.toLowerCase() === MANAGED_CLUSTERS_TYPE.toLowerCase()) {
      out.push(checkCluster(resource, here, symbol, scope));
    }
    walk(resource.resources, `${here}.resources`, scope, out);
    // Nested deployments carry a whole template. Its expressions use the parent's scope unless
    // expressionEvaluationOptions.scope is `inner`; then its parameters come from the deployment.
    const properties = isRecord(resource.properties) ? resource.properties : undefined;
    if (properties && isRecord(properties.template)) {
      const options = isRecord(properties.expressionEvaluationOptions) ? properties.expressionEvaluationOptions : {};
      const inner = typeof options.scope === 'string' && options.scope.toLowerCase() === 'inner';
      if (!inner) {
        walk(properties.template.resources, `${here}.properties.template.resources`, scope, out);
        continue;
      }
      const passed: Record<string, unknown> = {};
      if (isRecord(properties.parameters)) {
        for (const [k, v] of Object.entries(properties.parameters)) {
          if (!isRecord(v) || !Object.hasOwn(v, 'value')) continue;
          const r = resolve(v.value, scope);
          if (r.ok) passed[k] = r.value;
        }
      }
      walk(properties.template.resources, `${here}.properties.template.resources`, scopeOf(properties.template, passed), out);
    }
  }
}

/** Checks a parsed ARM template (JSON). A non-object template is reported as one failing entry. */
export function checkArmTemplate(template: unknown, parameterValues: ArmParameterValues = {}): ArmTemplateReport {
  if (!isRecord(template)) return { ok: false, clusters: [{ name: '(template)', path: '(root)', ok: false, reason: 'the template is not a JSON object' }] };
  const clusters: ArmClusterCheck[] = [];
  walk(template.resources, 'resources', scopeOf(template, parameterValues), clusters);
  return { ok: clusters.every((c) => c.ok), clusters };
}

/** Reads `{ parameters: { name: { value } } }` (a deployment parameters file). */
export function parameterValuesFromFile(file: unknown): ArmParameterValues | undefined {
  if (!isRecord(file) || !isRecord(file.parameters)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file.parameters)) if (isRecord(v) && Object.hasOwn(v, 'value')) out[k] = v.value;
  return out;
}
