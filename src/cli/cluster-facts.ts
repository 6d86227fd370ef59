// `--cluster FILE`: facts about the cluster that some profiles need offline. Today the API server's
// endpoints (spec.apiServer), from the `kubernetes` EndpointSlice(s) or Endpoints in `default`, as
// `kubectl get endpointslices -n default -o yaml` prints them. Other objects in the file are ignored.
import { apiServerEndpoints, endpointSliceSchema, endpointsSchema, type EndpointSliceObject, type EndpointsObject } from '../api/apiserver-endpoints.js';
import { MISSING_API_SERVER, type ClusterFacts } from '../compile/render.js';
import { parseWith, readDocuments } from './input.js';

export const CLUSTER_OPTION_HELP = 'cluster facts for spec.apiServer: the kubernetes EndpointSlice in default, e.g. `kubectl get endpointslices -n default -o yaml` (repeatable; - for stdin)';

export async function loadClusterFacts(files: readonly string[] | undefined): Promise<ClusterFacts> {
  const objects: (EndpointSliceObject | EndpointsObject)[] = [];
  for (const file of files ?? []) {
    for (const doc of await readDocuments(file)) {
      const kind = (doc.value as { kind?: unknown } | null)?.kind;
      if (kind === 'EndpointSlice') objects.push(parseWith(endpointSliceSchema, doc));
      else if (kind === 'Endpoints') objects.push(parseWith(endpointsSchema, doc));
    }
  }
  const apiServer = apiServerEndpoints(objects);
  return apiServer ? { apiServer } : {};
}

/** The compile error for a missing input, completed with what to pass on the command line. */
export function withClusterHint(problem: string, clusterFiles: readonly string[] | undefined): string {
  // Only the missing-endpoints error gets the hint: it is the one the --cluster file answers.
  if (!problem.includes(MISSING_API_SERVER)) return problem;
  return (clusterFiles?.length ?? 0) > 0
    ? `${problem}: --cluster ${clusterFiles!.join(', ')} has no ready address for the kubernetes Service in default`
    : `${problem}: pass it with --cluster FILE (kubectl get endpointslices -n default -o yaml > FILE)`;
}
