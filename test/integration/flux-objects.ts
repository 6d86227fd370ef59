// Flux objects of the GitOps test, read and driven through the API server: GitRepository and Kustomization
// create, a forced reconcile through the `reconcile.fluxcd.io/requestedAt` annotation (what `flux reconcile`
// does), and their conditions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { FLUX_NAMESPACE } from './flux-controllers.js';
import { eventually } from './hooks.js';
import { testApi } from './operator-fixtures.js';

export const GIT_REPOSITORIES = `/apis/source.toolkit.fluxcd.io/v1/namespaces/${FLUX_NAMESPACE}/gitrepositories`;
export const KUSTOMIZATIONS = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${FLUX_NAMESPACE}/kustomizations`;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface FluxObject {
  metadata: { name: string; generation?: number };
  spec: Record<string, any>;
  status?: { conditions?: Condition[]; lastHandledReconcileAt?: string; lastAppliedRevision?: string; artifact?: { revision?: string } };
}

export const condition = (o: FluxObject, type: string) => o.status?.conditions?.find((c) => c.type === type);

/** The `segmentation-profiles` Kustomization of examples/gitops/flux: its spec is what the test reconciles with. */
export function exampleProfilesKustomization(): FluxObject {
  const file = fileURLToPath(new URL('../../examples/gitops/flux/kustomizations.yaml', import.meta.url));
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as FluxObject);
  const found = docs.find((d) => d.metadata.name === 'segmentation-profiles');
  if (!found) throw new Error(`no segmentation-profiles Kustomization in ${file}`);
  return found;
}

export async function createGitRepository(name: string, url: string): Promise<void> {
  await testApi().request('POST', GIT_REPOSITORIES, {
    body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name, namespace: FLUX_NAMESPACE }, spec: { url, ref: { branch: 'main' }, interval: '1h', timeout: '20s' } },
  });
}

export async function createKustomization(name: string, spec: Record<string, any>): Promise<void> {
  await testApi().request('POST', KUSTOMIZATIONS, { body: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: FLUX_NAMESPACE }, spec } });
}

export const getGitRepository = (name: string) => testApi().request<FluxObject>('GET', `${GIT_REPOSITORIES}/${name}`);
export const getKustomization = (name: string) => testApi().request<FluxObject>('GET', `${KUSTOMIZATIONS}/${name}`);

let token = 0;
/** Sets `reconcile.fluxcd.io/requestedAt` to a new value; resolves with it. */
export async function requestReconcile(path: string): Promise<string> {
  const value = `${Date.now()}-${++token}`;
  await testApi().request('PATCH', path, { body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': value } } }, contentType: 'application/merge-patch+json' });
  return value;
}

/** Forces the GitRepository to fetch and waits until its artifact is `commit`. */
export async function syncSource(name: string, commit: string): Promise<void> {
  const value = await requestReconcile(`${GIT_REPOSITORIES}/${name}`);
  await eventually(
    async () => {
      const repo = await getGitRepository(name);
      if (repo.status?.lastHandledReconcileAt !== value || !repo.status.artifact?.revision?.endsWith(commit)) {
        throw new Error(`GitRepository ${name} not at ${commit}: ${JSON.stringify(repo.status)}`);
      }
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/** Forces a Kustomization reconcile and waits until Flux has handled it (whatever its verdict); returns the object. */
export async function reconcileKustomization(name: string, timeoutMs = 90_000): Promise<FluxObject> {
  const value = await requestReconcile(`${KUSTOMIZATIONS}/${name}`);
  return eventually(
    async () => {
      const k = await getKustomization(name);
      if (k.status?.lastHandledReconcileAt !== value) throw new Error(`Kustomization ${name} has not handled ${value} yet: ${JSON.stringify(k.status?.conditions)}`);
      return k;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** Deletes a Flux object (its finalizer lets the controller prune what it applied) and waits until it is gone. */
export async function deleteFluxObject(path: string, timeoutMs = 60_000): Promise<void> {
  await testApi().request('DELETE', path).catch(() => {});
  await eventually(
    async () => {
      const gone = await testApi().request('GET', path).then(
        () => false,
        () => true,
      );
      if (!gone) throw new Error(`${path} still exists`);
    },
    { timeoutMs, intervalMs: 250 },
  );
}
