// CIDR arithmetic: table cases plus properties checked against Node's own BlockList and URL parser.
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import {
  formatCidr,
  formatIp,
  intersectRanges,
  parseCidr,
  parseIp,
  rangeContainsIp,
  rangeContainsRange,
  subtractRanges,
  type IpAddress,
  type IpRange,
} from '../../../src/analysis/cidr.js';

const ipv4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value): IpAddress => ({ family: 4, value }));
const ipv6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value): IpAddress => ({ family: 6, value }));
const ip = fc.oneof(ipv4, ipv6);

describe('cidr', () => {
  describe('parseIp', () => {
    const valid: Array<[string, string]> = [
      ['10.0.0.1', '10.0.0.1'],
      ['0.0.0.0', '0.0.0.0'],
      ['255.255.255.255', '255.255.255.255'],
      ['::', '::'],
      ['::1', '::1'],
      ['fd00:ec2::254', 'fd00:ec2::254'],
      ['FD00:0EC2:0:0:0:0:0:0254', 'fd00:ec2::254'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:169.254.169.254', '::ffff:a9fe:a9fe'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ];
    for (const [input, canonical] of valid) {
      it(`parses ${input} as ${canonical}`, () => {
        const parsed = parseIp(input);
        assert.ok(parsed);
        assert.equal(formatIp(parsed), canonical);
      });
    }
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-1', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1.2.3.4:80', 'fe80::1%eth0', '1:2:3:4:5:6:7:8::', '::1.2.3']) {
      it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseIp(bad), undefined));
    }
    it('accepts exactly what node:net accepts, for generated addresses', () => {
      fc.assert(
        fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
          assert.equal(parseIp(text) !== undefined, isIP(text) !== 0);
        }),
      );
    });
    it('formats IPv6 like the WHATWG URL serializer (RFC 5952) and round-trips', () => {
      fc.assert(
        fc.property(ipv6, (a) => {
          const text = formatIp(a);
          assert.equal(`[${text}]`, new URL(`http://[${text}]/`).hostname);
          assert.deepEqual(parseIp(text), a);
        }),
      );
    });
    it('round-trips IPv4', () => fc.assert(fc.property(ipv4, (a) => assert.deepEqual(parseIp(formatIp(a)), a))));
  });

  describe('parseCidr', () => {
    it('clears host bits', () => assert.equal(formatCidr(parseCidr('10.1.2.3/8')!), '10.0.0.0/8'));
    it('handles /0 and full-length prefixes', () => {
      assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, prefix: 0, first: 0n, last: (1n << 32n) - 1n });
      assert.deepEqual(parseCidr('fd00:ec2::254/128'), { family: 6, prefix: 128, first: 0xfd000ec2000000000000000000000254n, last: 0xfd000ec2000000000000000000000254n });
    });
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/-1', '10.0.0.0/08', 'x/8', '10.0.0.0/']) {
      it(`rejects ${bad}`, () => assert.equal(parseCidr(bad), undefined));
    }
  });

  describe('containment (property, against node:net BlockList)', () => {
    const cidrAndProbe = fc.oneof(
      fc.tuple(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, fc.bigInt({ min: 0n, max: 255n })),
      fc.tuple(ipv6, fc.integer({ min: 0, max: 128 }), ipv6, fc.bigInt({ min: 0n, max: 255n })),
    );
    it('rangeContainsIp agrees with BlockList.check, including near the network address', () => {
      fc.assert(
        fc.property(cidrAndProbe, fc.boolean(), ([base, prefix, random, offset], near) => {
          const cidr = parseCidr(`${formatIp(base)}/${prefix}`)!;
          const width = base.family === 4 ? 32n : 128n;
          const probe: IpAddress = near ? { family: base.family, value: (cidr.first + offset) % (1n << width) } : random;
          const list = new BlockList();
          const type = base.family === 4 ? 'ipv4' : 'ipv6';
          list.addSubnet(formatIp({ family: base.family, value: cidr.first }), prefix, type);
          assert.equal(rangeContainsIp(cidr, probe), list.check(formatIp(probe), type));
        }),
      );
    });
    it('never contains an address of the other family', () => {
      fc.assert(fc.property(ipv4, ipv6, (a, b) => {
        assert.equal(rangeContainsIp(parseCidr('0.0.0.0/0')!, b), false);
        assert.equal(rangeContainsIp(parseCidr('::/0')!, a), false);
      }));
    });
    it('a longer prefix of the same network is contained in the shorter one', () => {
      fc.assert(
        fc.property(ip, fc.nat(128), fc.nat(128), (base, p1, p2) => {
          const width = base.family === 4 ? 32 : 128;
          const [short, long] = [Math.min(p1, p2) % (width + 1), Math.max(p1, p2) % (width + 1)].sort((a, b) => a - b) as [number, number];
          const outer = parseCidr(`${formatIp(base)}/${short}`)!;
          const inner = parseCidr(`${formatIp(base)}/${long}`)!;
          assert.equal(rangeContainsRange(outer, inner), true);
          assert.deepEqual(intersectRanges(outer, inner), { family: inner.family, first: inner.first, last: inner.last });
        }),
      );
    });
  });

  describe('subtractRanges', () => {
    const r = (first: number, last: number): IpRange => ({ family: 4, first: BigInt(first), last: BigInt(last) });
    it('splits around a hole', () => assert.deepEqual(subtractRanges(r(0, 99), [r(10, 19)]), [r(0, 9), r(20, 99)]));
    it('is empty when covered', () => assert.deepEqual(subtractRanges(r(10, 20), [r(0, 15), r(16, 30)]), []));
    it('ignores holes of the other family', () => assert.deepEqual(subtractRanges(r(0, 9), [{ family: 6, first: 0n, last: 100n }]), [r(0, 9)]));
    it('keeps exactly the points outside every hole (property)', () => {
      const range = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 60 })).map(([a, len]) => r(a, a + len));
      fc.assert(
        fc.property(range, fc.array(range, { maxLength: 5 }), fc.integer({ min: 0, max: 260 }), (from, holes, point) => {
          const p: IpAddress = { family: 4, value: BigInt(point) };
          const expected = rangeContainsIp(from, p) && !holes.some((h) => rangeContainsIp(h, p));
          assert.equal(subtractRanges(from, holes).some((x) => rangeContainsIp(x, p)), expected);
        }),
      );
    });
  });
});
