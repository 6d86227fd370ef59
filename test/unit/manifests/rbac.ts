// A small model of Kubernetes RBAC for the operator's manifests: what the API server's request-info
// resolver derives from a request (verb, group, resource, subresource, namespace, name), and whether the
// ClusterRoles and Roles bound to a ServiceAccount allow it. Pure; used by the RBAC tests to check every
// request the operator really made against the rules in manifests/.
import type { K8sObject } from './load.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  /** Plural resource, with `/subresource` when there is one (as RBAC rules spell it). */
  resource: string;
  namespace?: string;
  name?: string;
}

/** Like k8s.io/apiserver's RequestInfoFactory for resource requests under /api and /apis. */
export function requestAttributes(method: string, url: string): RequestAttributes {
  const u = new URL(url, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let apiGroup: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiGroup = parts[1]!;
    rest = parts.slice(3);
  } else {
    throw new Error(`not a resource request: ${method} ${u.pathname}`);
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... is namespaced; /namespaces and /namespaces/{name}[/sub] is the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(apiGroup === '' && ['status', 'finalize'].includes(rest[2]!))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (!resource) throw new Error(`no resource in ${u.pathname}`);
  const watch = ['true', '1'].includes(u.searchParams.get('watch') ?? '');
  const m = method.toUpperCase();
  let verb: string;
  if (m === 'GET' || m === 'HEAD') verb = watch ? 'watch' : name ? 'get' : 'list';
  else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = name ? 'delete' : 'deletecollection';
  else throw new Error(`unknown method ${method}`);
  // A namespace that is the object itself (GET /api/v1/namespaces/foo): RBAC sees namespace "foo" too.
  if (resource === 'namespaces' && apiGroup === '' && name && namespace === undefined) namespace = name;
  return { verb, apiGroup, resource: subresource ? `${resource}/${subresource}` : resource, ...(namespace !== undefined ? { namespace } : {}), ...(name ? { name } : {}) };
}

const has = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);

export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.apiGroup) || !has(rule.resources, a.resource)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

export interface Grants {
  /** Rules of ClusterRoles bound by ClusterRoleBindings: everywhere. */
  cluster: PolicyRule[];
  /** Rules bound by RoleBindings, by namespace. */
  namespaced: Map<string, PolicyRule[]>;
}

export function allows(grants: Grants, a: RequestAttributes): boolean {
  if (grants.cluster.some((r) => ruleAllows(r, a))) return true;
  if (a.namespace === undefined) return false;
  // A Role in namespace N grants on the Namespace object N itself only for requests scoped to it, which
  // the resolver above expresses as namespace N; cluster-scoped requests (namespace undefined) never match.
  return (grants.namespaced.get(a.namespace) ?? []).some((r) => ruleAllows(r, a));
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}
interface Binding extends K8sObject {
  roleRef: { kind: string; name: string };
  subjects?: Subject[];
}
interface Role extends K8sObject {
  rules?: PolicyRule[];
}

/** What the manifests grant a ServiceAccount (only bindings and roles defined in the manifests). */
export function grantsFor(objects: K8sObject[], serviceAccount: { namespace: string; name: string }): Grants {
  const grants: Grants = { cluster: [], namespaced: new Map() };
  const bindsSa = (b: Binding) => (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount.name && s.namespace === serviceAccount.namespace);
  const role = (kind: string, name: string, namespace?: string) => {
    const r = objects.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace)) as Role | undefined;
    if (!r) throw new Error(`binding refers to ${kind} ${namespace ? `${namespace}/` : ''}${name}, which the manifests do not define`);
    return r.rules ?? [];
  };
  for (const o of objects) {
    if (o.kind === 'ClusterRoleBinding' && bindsSa(o as Binding)) grants.cluster.push(...role((o as Binding).roleRef.kind, (o as Binding).roleRef.name));
    if (o.kind === 'RoleBinding' && bindsSa(o as Binding)) {
      const ns = o.metadata.namespace ?? 'default';
      const rules = role((o as Binding).roleRef.kind, (o as Binding).roleRef.name, ns);
      grants.namespaced.set(ns, [...(grants.namespaced.get(ns) ?? []), ...rules]);
    }
  }
  return grants;
}

/** Every (namespace scope, group, resource, verb, resourceName) a set of grants allows, one string each. */
export function grantedPermissions(grants: Grants): string[] {
  const out: string[] = [];
  const expand = (scope: string, rules: PolicyRule[]) => {
    for (const r of rules)
      for (const g of r.apiGroups ?? [])
        for (const res of r.resources ?? [])
          for (const v of r.verbs) out.push(permissionKey(scope, { verb: v, apiGroup: g, resource: res }));
  };
  expand('*', grants.cluster);
  for (const [ns, rules] of grants.namespaced) expand(ns, rules);
  return [...new Set(out)].sort();
}

export function permissionKey(scope: string, a: Pick<RequestAttributes, 'verb' | 'apiGroup' | 'resource'>): string {
  return `${scope} ${a.apiGroup || 'core'}/${a.resource} ${a.verb}`;
}

/** The grant that allows a request, as a permissionKey (cluster grants first). */
export function grantUsedBy(grants: Grants, a: RequestAttributes): string | undefined {
  if (grants.cluster.some((r) => ruleAllows(r, a))) return permissionKey('*', a);
  if (a.namespace !== undefined && (grants.namespaced.get(a.namespace) ?? []).some((r) => ruleAllows(r, a))) return permissionKey(a.namespace, a);
  return undefined;
}
