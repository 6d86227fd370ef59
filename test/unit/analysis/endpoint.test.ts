// Parsing endpoints, ports and address:port as users type them.
import assert from 'node:assert/strict';
import { parseAddressPort, parseEndpointSpec, parseLabelList, parsePortSpec, resolveEndpoint, resolveTraffic } from '../../../src/analysis/endpoint.js';
import { formatIp } from '../../../src/analysis/cidr.js';
import { buildClusterModel, hypotheticalPod } from '../../../src/analysis/model.js';

describe('endpoint parsing', () => {
  it('reads ns/pod, ns/labels and IPs (IPv6 with or without brackets)', () => {
    assert.deepEqual(parseEndpointSpec('prod/web-1'), { ok: true, value: { kind: 'pod', namespace: 'prod', name: 'web-1' } });
    assert.deepEqual(parseEndpointSpec('prod/app=backend,tier=x'), { ok: true, value: { kind: 'labels', namespace: 'prod', labels: { app: 'backend', tier: 'x' } } });
    assert.deepEqual(parseEndpointSpec('prod/app.kubernetes.io/name=db'), { ok: true, value: { kind: 'labels', namespace: 'prod', labels: { 'app.kubernetes.io/name': 'db' } } });
    for (const text of ['203.0.113.10', 'fd00:ec2::254', '[fd00:ec2::254]']) {
      const r = parseEndpointSpec(text);
      assert.ok(r.ok && r.value.kind === 'ip', text);
    }
  });
  it('parses label lists', () => {
    assert.deepEqual(parseLabelList('app=backend,tier=x'), { app: 'backend', tier: 'x' });
    assert.deepEqual(parseLabelList('app.kubernetes.io/name=db'), { 'app.kubernetes.io/name': 'db' });
    assert.equal(parseLabelList('app'), undefined);
    assert.equal(parseLabelList('a=1,a=2'), undefined);
    assert.equal(parseLabelList('=x'), undefined);
  });
  for (const bad of ['web', 'Prod/web', '/web', 'prod/', 'prod/a=1,a=2', 'prod/=x', '999.1.1.1']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseEndpointSpec(bad).ok, false));
  }

  it('reads ports with and without protocol, and names', () => {
    assert.deepEqual(parsePortSpec('5432'), { ok: true, value: { port: 5432, protocol: 'TCP' } });
    assert.deepEqual(parsePortSpec('53/udp'), { ok: true, value: { port: 53, protocol: 'UDP' } });
    assert.deepEqual(parsePortSpec('53', 'SCTP'), { ok: true, value: { port: 53, protocol: 'SCTP' } });
    assert.deepEqual(parsePortSpec('dns-tcp'), { ok: true, value: { port: 'dns-tcp', protocol: 'TCP' } });
    for (const bad of ['0', '65536', '80/ICMP', '80/TCP/x', '-http', 'a_b']) assert.equal(parsePortSpec(bad).ok, false, bad);
  });

  it('reads ADDRESS:PORT[/PROTO]', () => {
    const v6 = parseAddressPort('[fd00:ec2::254]:80');
    assert.ok(v6.ok);
    assert.deepEqual([formatIp(v6.value.ip), v6.value.port, v6.value.protocol], ['fd00:ec2::254', 80, 'TCP']);
    const udp = parseAddressPort('198.51.100.7:53/UDP');
    assert.ok(udp.ok && udp.value.protocol === 'UDP');
    for (const bad of ['fd00:ec2::254:80', '1.2.3.4', '1.2.3.4:0', 'host:80']) assert.equal(parseAddressPort(bad).ok, false, bad);
  });

  it('resolves named ports on the destination pod only', () => {
    const model = buildClusterModel({ policies: [], pods: [{ metadata: { namespace: 'db', name: 'pg', labels: {} }, spec: { containers: [{ name: 'c', ports: [{ name: 'postgres', containerPort: 5432 }] }] } }] });
    const pg = resolveEndpoint(model, { kind: 'pod', namespace: 'db', name: 'pg' });
    assert.ok(pg.ok);
    assert.deepEqual(resolveTraffic({ port: 'postgres', protocol: 'TCP' }, pg.value.endpoint), { ok: true, value: { port: 5432, protocol: 'TCP' } });
    assert.equal(resolveTraffic({ port: 'postgres', protocol: 'UDP' }, pg.value.endpoint).ok, false);
    assert.equal(resolveTraffic({ port: 'postgres', protocol: 'TCP' }, { kind: 'pod', pod: hypotheticalPod('db', {}) }).ok, false);
  });
});
