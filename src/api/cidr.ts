// Minimal, exact CIDR arithmetic for IPv4 and IPv6 (bigint based), used by validation and the compiler.
// Pure functions; no dependencies.

export type IpFamily = 4 | 6;

export interface Cidr {
  family: IpFamily;
  /** Network address as an integer (host bits cleared). */
  network: bigint;
  prefix: number;
  /** Canonical text, e.g. `10.0.0.0/8` or `fd00:ec2::254/128`. */
  text: string;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are ambiguous (octal in some parsers) and rejected by the API server.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const doubleColon = text.indexOf('::');
  if (doubleColon !== text.lastIndexOf('::')) return undefined;
  let head: string[];
  let tail: string[];
  if (doubleColon >= 0) {
    head = text.slice(0, doubleColon) === '' ? [] : text.slice(0, doubleColon).split(':');
    tail = text.slice(doubleColon + 2) === '' ? [] : text.slice(doubleColon + 2).split(':');
  } else {
    head = text.split(':');
    tail = [];
  }
  const groups: number[] = [];
  const all = [...head, ...tail];
  // An embedded IPv4 suffix (::ffff:1.2.3.4) counts as two groups.
  const last = all[all.length - 1];
  let v4Suffix: bigint | undefined;
  if (last !== undefined && last.includes('.')) {
    v4Suffix = parseIPv4(last);
    if (v4Suffix === undefined) return undefined;
    if (tail.length > 0) tail = tail.slice(0, -1);
    else head = head.slice(0, -1);
  }
  const parseGroups = (list: string[]): boolean => {
    for (const g of list) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups.push(parseInt(g, 16));
    }
    return true;
  };
  const headGroups: number[] = [];
  if (!parseGroups(head)) return undefined;
  headGroups.push(...groups.splice(0));
  if (!parseGroups(tail)) return undefined;
  const tailGroups = groups.splice(0);
  const suffixGroups = v4Suffix === undefined ? 0 : 2;
  const present = headGroups.length + tailGroups.length + suffixGroups;
  if (doubleColon >= 0 ? present > 7 : present !== 8) return undefined;
  const zeros = 8 - present;
  let value = 0n;
  for (const g of [...headGroups, ...Array<number>(zeros).fill(0), ...tailGroups]) value = (value << 16n) | BigInt(g);
  if (v4Suffix !== undefined) value = (value << 32n) | v4Suffix;
  return value;
}

/** Parses an IP address; undefined if it is not one. */
export function parseIp(text: string): { family: IpFamily; value: bigint } | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(family: IpFamily, value: bigint): string {
  return family === 4 ? formatIPv4(value) : formatIPv6(value);
}

function mask(family: IpFamily, prefix: number): bigint {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/**
 * Parses `addr/prefix`. Like the API server's NetworkPolicy validation, host bits may be set
 * (`10.0.0.1/8` is accepted and normalised to `10.0.0.0/8`); `strict` rejects that.
 */
export function parseCidr(text: string, options: { strict?: boolean } = {}): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > BITS[ip.family]) return undefined;
  const network = ip.value & mask(ip.family, prefix);
  if (options.strict && network !== ip.value) return undefined;
  return { family: ip.family, network, prefix, text: `${formatIp(ip.family, network)}/${prefix}` };
}

/** True when `inner` lies entirely inside `outer` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  return (inner.network & mask(outer.family, outer.prefix)) === outer.network;
}

/** True when the two ranges share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** True when `ip` is inside `cidr`. */
export function cidrContainsIp(cidr: Cidr, ip: { family: IpFamily; value: bigint }): boolean {
  return cidr.family === ip.family && (ip.value & mask(cidr.family, cidr.prefix)) === cidr.network;
}

/** The API server's rule for `except`: inside `cidr` and strictly smaller. */
export function isStrictSubset(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix > outer.prefix && cidrContains(outer, inner);
}

const V4_MAPPED = parseCidr('::ffff:0.0.0.0/96')!;

/** True for an IPv6 range inside ::ffff:0:0/96 (IPv4 addresses written as IPv6). */
export function isIPv4Mapped(text: string): boolean {
  const c = parseCidr(text);
  return c !== undefined && c.family === 6 && cidrContains(V4_MAPPED, c);
}
