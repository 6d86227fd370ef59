// IPv4/IPv6 addresses and CIDR ranges as bigint intervals, for the connectivity evaluator.
// Deliberately independent of src/api/cidr.ts: the evaluator checks what the compiler emits,
// so it must not share the compiler's arithmetic (a shared bug would cancel out).

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

/** An inclusive address interval of one family. Every CIDR is one; `except` subtraction yields several. */
export interface IpRange {
  family: IpFamily;
  first: bigint;
  last: bigint;
}

export interface CidrRange extends IpRange {
  prefix: number;
}

const WIDTH: Record<IpFamily, number> = { 4: 32, 6: 128 };
const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIPv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    if (!DECIMAL_OCTET.test(octet) || Number(octet) > 255) return undefined;
    value = value * 256n + BigInt(octet);
  }
  return value;
}

/** Splits the hex groups of one side of `::`, expanding a trailing dotted IPv4 into two groups. */
function hexGroups(side: string, allowDottedTail: boolean): number[] | undefined {
  if (side === '') return [];
  const parts = side.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && allowDottedTail && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = hexGroups(halves[0]!, false);
    const tail = hexGroups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = hexGroups(text, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses a literal IPv4 or IPv6 address (no zone, no brackets). */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (longest zero run compressed, lowercase). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/**
 * Parses `address/prefix`. Host bits may be set (`10.0.0.1/8` means `10.0.0.0/8`), as the API
 * server accepts for NetworkPolicy ipBlocks.
 */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !DECIMAL_OCTET.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const width = WIDTH[ip.family];
  if (prefix > width) return undefined;
  const hostBits = BigInt(width - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, prefix, first, last: first + (1n << hostBits) - 1n };
}

export function formatCidr(cidr: CidrRange): string {
  return `${formatIp({ family: cidr.family, value: cidr.first })}/${cidr.prefix}`;
}

export function rangeContainsIp(range: IpRange, ip: IpAddress): boolean {
  return range.family === ip.family && range.first <= ip.value && ip.value <= range.last;
}

export function rangeContainsRange(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/** The common part of two ranges, or undefined when they are disjoint or of different families. */
export function intersectRanges(a: IpRange, b: IpRange): IpRange | undefined {
  if (a.family !== b.family) return undefined;
  const first = a.first > b.first ? a.first : b.first;
  const last = a.last < b.last ? a.last : b.last;
  return first <= last ? { family: a.family, first, last } : undefined;
}

/** `from` minus every range in `holes`, as sorted disjoint ranges (empty when fully covered). */
export function subtractRanges(from: IpRange, holes: readonly IpRange[]): IpRange[] {
  const sorted = holes
    .filter((h) => h.family === from.family)
    .slice()
    .sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  const out: IpRange[] = [];
  let cursor = from.first;
  for (const hole of sorted) {
    if (hole.last < cursor) continue;
    if (hole.first > from.last) break;
    if (hole.first > cursor) out.push({ family: from.family, first: cursor, last: hole.first - 1n });
    cursor = hole.last + 1n;
    if (cursor > from.last) return out;
  }
  out.push({ family: from.family, first: cursor, last: from.last });
  return out;
}
