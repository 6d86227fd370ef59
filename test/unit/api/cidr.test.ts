import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrContains, cidrOverlaps, formatIp, isStrictSubset, parseCidr, parseIp } from '../../../src/api/cidr.js';

describe('cidr', () => {
  const valid: [string, string][] = [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['169.254.169.254/32', '169.254.169.254/32'],
    ['::/0', '::/0'],
    ['fd00:ec2::254/128', 'fd00:ec2::254/128'],
    ['FD00:EC2:0:0:0:0:0:254/128', 'fd00:ec2::254/128'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['::ffff:10.0.0.1/128', '::ffff:a00:1/128'],
    ['1:0:0:1:0:0:0:1/128', '1:0:0:1::1/128'],
  ];
  for (const [input, canonical] of valid) it(`parses ${input} as ${canonical}`, () => assert.equal(parseCidr(input)?.text, canonical));

  for (const bad of ['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '010.0.0.0/8', '10.0.0/8', '::/129', '1::2::3/64', 'fd00:ec2::254/-1', 'abc/8', '10.0.0.0/08', '1:2:3:4:5:6:7:8:9/128'])
    it(`rejects ${bad}`, () => assert.equal(parseCidr(bad), undefined));

  it('strict mode rejects host bits', () => {
    assert.equal(parseCidr('10.1.0.0/8', { strict: true }), undefined);
    assert.ok(parseCidr('10.0.0.0/8', { strict: true }));
  });

  it('containment respects family and prefix', () => {
    const c = (s: string) => parseCidr(s)!;
    assert.ok(cidrContains(c('0.0.0.0/0'), c('169.254.169.254/32')));
    assert.ok(!cidrContains(c('::/0'), c('169.254.169.254/32')));
    assert.ok(!cidrContains(c('169.254.169.254/32'), c('169.254.0.0/16')));
    assert.ok(isStrictSubset(c('10.0.0.0/8'), c('10.1.0.0/16')));
    assert.ok(!isStrictSubset(c('10.0.0.0/8'), c('10.0.0.0/8')));
    assert.ok(cidrOverlaps(c('169.254.0.0/16'), c('169.254.169.254/32')));
    assert.ok(!cidrOverlaps(c('10.0.0.0/8'), c('11.0.0.0/8')));
  });

  it('formats and parses IPv6 addresses as inverses (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const text = formatIp(6, value);
        assert.deepEqual(parseIp(text), { family: 6, value });
      }),
    );
  });

  it('formats and parses IPv4 addresses as inverses (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        assert.deepEqual(parseIp(formatIp(4, value)), { family: 4, value });
      }),
    );
  });

  it('a CIDR contains every address it was built from (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }), (value, prefix) => {
        const cidr = parseCidr(`${formatIp(4, value)}/${prefix}`)!;
        assert.ok(cidrContains(cidr, parseCidr(`${formatIp(4, value)}/32`)!));
      }),
    );
  });
});
