// Where the Kubernetes API server really listens. NetworkPolicy is evaluated after the Service DNAT, so an
// egress allow to the `kubernetes` Service's ClusterIP does nothing: the endpoint addresses and target
// ports of that Service are what a policy must allow. They come from the `kubernetes` EndpointSlice(s)
// (or the older Endpoints object) in `default`, live in the operator and from a file offline.
import { z } from 'zod';
import { SERVICE_NAME_LABEL } from '../compile/labels.js';
import { parseIp } from './cidr.js';

export const API_SERVER_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;

export interface ApiServerEndpoints {
  /** Sorted, de-duplicated IP addresses. */
  addresses: string[];
  /** Sorted, de-duplicated target ports. */
  ports: { protocol: 'TCP' | 'UDP' | 'SCTP'; port: number }[];
}

const protocol = z.enum(['TCP', 'UDP', 'SCTP']).default('TCP');
const port = z.object({ port: z.number().int().min(1).max(65535), protocol }).loose();

export const endpointSliceSchema = z
  .object({
    kind: z.literal('EndpointSlice'),
    metadata: z.object({ namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }).loose(),
    addressType: z.string().optional(),
    endpoints: z
      .array(z.object({ addresses: z.array(z.string()), conditions: z.object({ ready: z.boolean().nullish() }).loose().optional() }).loose())
      .nullish(),
    ports: z.array(port).nullish(),
  })
  .loose();

export const endpointsSchema = z
  .object({
    kind: z.literal('Endpoints'),
    metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).loose(),
    subsets: z.array(z.object({ addresses: z.array(z.object({ ip: z.string() }).loose()).nullish(), ports: z.array(port).nullish() }).loose()).nullish(),
  })
  .loose();

export type EndpointSliceObject = z.output<typeof endpointSliceSchema>;
export type EndpointsObject = z.output<typeof endpointsSchema>;

/** True for the EndpointSlices and the Endpoints object of the `kubernetes` Service in `default`. */
export function isApiServerObject(obj: EndpointSliceObject | EndpointsObject): boolean {
  const ns = obj.metadata.namespace ?? API_SERVER_SERVICE.namespace;
  if (ns !== API_SERVER_SERVICE.namespace) return false;
  if (obj.kind === 'EndpointSlice') return obj.metadata.labels?.[SERVICE_NAME_LABEL] === API_SERVER_SERVICE.name;
  return obj.metadata.name === API_SERVER_SERVICE.name;
}

/**
 * The API server's endpoints from its EndpointSlices (preferred) or Endpoints object; undefined when none
 * of the objects is one of them or none lists a ready address. Unready endpoints are left out, as
 * kube-proxy does.
 */
export function apiServerEndpoints(objects: readonly (EndpointSliceObject | EndpointsObject)[]): ApiServerEndpoints | undefined {
  const own = objects.filter(isApiServerObject);
  const slices = own.filter((o): o is EndpointSliceObject => o.kind === 'EndpointSlice');
  const addresses = new Set<string>();
  const ports = new Map<string, { protocol: 'TCP' | 'UDP' | 'SCTP'; port: number }>();
  const addPorts = (list: readonly { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[] | null | undefined) => {
    for (const p of list ?? []) ports.set(`${p.protocol}/${p.port}`, { protocol: p.protocol, port: p.port });
  };
  if (slices.length > 0) {
    for (const slice of slices) {
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const a of ep.addresses) if (parseIp(a)) addresses.add(a);
      }
      addPorts(slice.ports);
    }
  } else {
    for (const ep of own.filter((o): o is EndpointsObject => o.kind === 'Endpoints')) {
      for (const subset of ep.subsets ?? []) {
        for (const a of subset.addresses ?? []) if (parseIp(a.ip)) addresses.add(a.ip);
        addPorts(subset.ports);
      }
    }
  }
  if (addresses.size === 0 || ports.size === 0) return undefined;
  return {
    addresses: [...addresses].sort(),
    ports: [...ports.values()].sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1)),
  };
}

export function sameEndpoints(a: ApiServerEndpoints | undefined, b: ApiServerEndpoints | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
