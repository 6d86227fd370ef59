// Which Nodes lie outside a profile's spec.nodeAccess.cidrs. The node-port block (spec.nodeAccess) only
// splits ipBlocks over the configured ranges: a node added in another subnet keeps every port open to pods
// that may reach it. Pure: the cluster scan lists the Nodes, this says which addresses are not covered.
import type { V1Node } from '@kubernetes/client-node';
import { cidrContainsIp, parseCidr, parseIp } from '../api/cidr.js';

/** The address types a pod can reach a node on (Hostname and the DNS types are names, not addresses). */
export const NODE_ADDRESS_TYPES: readonly string[] = ['InternalIP', 'ExternalIP'];

export interface NodeAddresses {
  name: string;
  /** InternalIP and ExternalIP addresses, in the order the Node lists them, without duplicates. */
  addresses: string[];
}

/** A Node's reachable addresses as the scan reads them (status.addresses of type InternalIP/ExternalIP). */
export function nodeAddresses(nodes: readonly V1Node[]): NodeAddresses[] {
  return nodes.map((n) => ({
    name: n.metadata?.name ?? '',
    addresses: [...new Set((n.status?.addresses ?? []).filter((a) => NODE_ADDRESS_TYPES.includes(a.type)).map((a) => a.address))],
  }));
}

/**
 * The nodes with at least one address inside none of `cidrs`, each with only those addresses; sorted by
 * node name. An address that is not an IP (a malformed Node) is reported too: it is not known to be covered.
 */
export function uncoveredNodes(nodes: readonly NodeAddresses[], cidrs: readonly string[]): NodeAddresses[] {
  const ranges = cidrs.map((c) => parseCidr(c)).filter((c) => c !== undefined);
  const covered = (address: string) => {
    const ip = parseIp(address);
    return ip !== undefined && ranges.some((r) => cidrContainsIp(r, ip));
  };
  return nodes
    .map((n) => ({ name: n.name, addresses: n.addresses.filter((a) => !covered(a)) }))
    .filter((n) => n.addresses.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
