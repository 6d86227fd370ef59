// The API server's endpoints as the operator tracks them, from the `kubernetes` EndpointSlices in
// `default` (cached by an informer). Pure: which endpoints to compile profiles with after a slice event,
// and whether that changed anything (profiles with spec.apiServer are recompiled and their namespaces
// reconciled only then).
import { apiServerEndpoints, endpointSliceSchema, sameEndpoints, type ApiServerEndpoints, type EndpointSliceObject } from '../api/apiserver-endpoints.js';

/** The endpoints the cached slices describe (slices that do not parse are ignored); undefined when none is ready. */
export function endpointsFromSlices(slices: readonly unknown[]): ApiServerEndpoints | undefined {
  const parsed: EndpointSliceObject[] = [];
  for (const s of slices) {
    const r = endpointSliceSchema.safeParse(s);
    if (r.success) parsed.push(r.data);
  }
  return apiServerEndpoints(parsed);
}

export interface EndpointsUpdate {
  /** What profiles are compiled with from now on. */
  endpoints: ApiServerEndpoints | undefined;
  /** True when that differs from what they were compiled with: recompile and reconcile. */
  changed: boolean;
  /** The slices list no ready endpoint any more: the last known endpoints are kept. */
  keptLastKnown: boolean;
}

/**
 * After a slice event: the new endpoints, or the last known ones when the slices momentarily list none
 * (an API server restarting removes its own address first). Forgetting them would turn every profile with
 * spec.apiServer invalid until the address is back; the allow policies would stay anyway (an invalid
 * profile freezes its policies), so keeping the last known endpoints only avoids a flapping status.
 */
export function updateEndpoints(known: ApiServerEndpoints | undefined, observed: ApiServerEndpoints | undefined): EndpointsUpdate {
  if (observed === undefined && known !== undefined) return { endpoints: known, changed: false, keptLastKnown: true };
  return { endpoints: observed, changed: !sameEndpoints(known, observed), keptLastKnown: false };
}
