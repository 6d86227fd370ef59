// What the guardrail evaluators share: the endpoint's addresses and namespace labels, CIDR and port tests.
import { parseCidr, rangeContainsIp, type IpAddress } from '../cidr.js';
import { namespaceLabels, type ClusterModel, type Endpoint, type PodInfo, type Protocol, type Traffic } from '../model.js';
import type { Labels } from '../../compile/select.js';

/** The addresses of an endpoint: an external address, or a pod's IPs (none for a hypothetical pod). */
export function addressesOf(endpoint: Endpoint): IpAddress[] {
  return endpoint.kind === 'ip' ? [endpoint.ip] : endpoint.pod.ips;
}

export function cidrAdmits(cidrText: string, endpoint: Endpoint, except: readonly string[] = []): boolean {
  const cidr = parseCidr(cidrText);
  if (!cidr) return false;
  const holes = except.map((e) => parseCidr(e)).filter((c) => c !== undefined);
  return addressesOf(endpoint).some((ip) => rangeContainsIp(cidr, ip) && !holes.some((h) => rangeContainsIp(h, ip)));
}

export function podNamespaceLabels(model: ClusterModel, pod: PodInfo): Labels {
  return namespaceLabels(model, pod.namespace);
}

/** A port range test: `undefined` bounds mean every port. */
export function portInRange(traffic: Traffic, protocol: Protocol, start?: number, end?: number): boolean {
  if (traffic.protocol !== protocol) return false;
  if (start === undefined) return true;
  return start <= traffic.port && traffic.port <= (end ?? start);
}
