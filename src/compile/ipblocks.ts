// ipBlocks that never reopen the instance-metadata endpoint. NetworkPolicies only allow and add up, so a
// separate "deny metadata" policy cannot cancel a broad ipBlock allow: every ipBlock we emit must itself
// carry, in `except`, each metadata CIDR of its family that falls inside it.
import type { IPBlock } from '../api/networkpolicy.js';
import type { Cidr } from '../api/cidr.js';
import { cidrContains, isStrictSubset, parseCidr } from '../api/cidr.js';

export class MetadataOverlapError extends Error {}

/**
 * Builds an ipBlock for `cidr` with the user's `except` plus every blocked metadata CIDR inside it.
 * Throws MetadataOverlapError when the block lies entirely inside a blocked metadata CIDR (it could only
 * ever allow the metadata endpoint itself).
 */
export function guardedIpBlock(cidrText: string, userExcept: readonly string[], blocked: readonly Cidr[]): IPBlock {
  const cidr = parseCidr(cidrText);
  if (!cidr) throw new Error(`invalid CIDR ${cidrText}`); // the schema validated it already
  const except = userExcept.map((e) => parseCidr(e)!).filter((e) => e !== undefined);
  for (const meta of blocked) {
    if (meta.family !== cidr.family) continue;
    if (cidrContains(meta, cidr)) throw new MetadataOverlapError(`${cidrText} lies inside the instance-metadata CIDR ${meta.text}, which spec.instanceMetadata.deny blocks`);
    if (!isStrictSubset(cidr, meta)) continue;
    // Already covered by a user's except? Then nothing to add.
    if (except.some((e) => cidrContains(e, meta))) continue;
    except.push(meta);
  }
  const block: IPBlock = { cidr: cidr.text };
  if (except.length > 0) block.except = except.map((e) => e.text);
  return block;
}

/** `0.0.0.0/0` and `::/0`, each with its own family's metadata excepts only (mixing families is rejected). */
export function allAddressesExcept(blocked: readonly Cidr[]): IPBlock[] {
  return ['0.0.0.0/0', '::/0'].map((cidr) => guardedIpBlock(cidr, [], blocked));
}
