// Matrix renderers: layout details that the CLI tests do not pin down, and escaping.
import assert from 'node:assert/strict';
import { buildMatrix, wellKnownColumns } from '../../../src/analysis/matrix.js';
import { matrixToMermaid } from '../../../src/analysis/matrix-render/mermaid.js';
import { escapeXml, matrixToSvg } from '../../../src/analysis/matrix-render/svg.js';
import { matrixToText } from '../../../src/analysis/matrix-render/text.js';
import { buildClusterModel, hypotheticalPod } from '../../../src/analysis/model.js';
import { parseIp } from '../../../src/analysis/cidr.js';
import { profile } from '../compile/helpers.js';

const model = buildClusterModel({ policies: [{ metadata: { namespace: 'a', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }] });
const pods = [hypotheticalPod('a', { app: 'x"<y>' }), hypotheticalPod('b', { app: 'z' })];

describe('matrix renderers', () => {
  const matrix = buildMatrix(model, pods, { port: 80, protocol: 'TCP' }, wellKnownColumns(model, { dns: false, metadata: [{ ip: parseIp('169.254.169.254')!, port: 80 }] }));

  it('text: one row per pod, `.`/`X` under each column', () => {
    const rows = matrixToText(matrix).split('\n').filter((l) => l.startsWith('a/') || l.startsWith('b/'));
    assert.deepEqual(rows.map((r) => r.split(/\s{2,}/).slice(1).map((c) => c.trim())), [
      ['X', '.', '.'],
      ['X', '.', '.'],
    ]);
  });

  it('mermaid: quotes labels, omits loopback, one arrow per allowed flow', () => {
    const text = matrixToMermaid(matrix);
    assert.match(text, /p0\["\{app=x#quot;<y>\}"\]/);
    assert.deepEqual(text.split('\n').filter((l) => l.includes('-->')), ['  p0 --> p1', '  p0 -->|tcp/80| w2', '  p1 -->|tcp/80| w2']);
    assert.match(text, /linkStyle 1,2 stroke:#c62828/);
  });

  it('svg: escapes every label and marks loopback cells', () => {
    const svg = matrixToSvg(matrix);
    assert.doesNotMatch(svg, /x"<y>/);
    assert.match(svg, /a\/\{app=x&quot;&lt;y&gt;\}/);
    assert.equal((svg.match(/fill-opacity="0\.55"/g) ?? []).length, 2);
    assert.equal(escapeXml(`&<>"'`), '&amp;&lt;&gt;&quot;&apos;');
  });
});

describe('well-known columns', () => {
  it('DNS defaults to the pods a profile allows DNS to by default (spec.dns)', () => {
    const { dns } = profile('p').spec;
    const coredns = { metadata: { namespace: dns.namespace, name: 'coredns-1', labels: { ...dns.podSelector.matchLabels } }, spec: { containers: [] } };
    const columns = wellKnownColumns(buildClusterModel({ policies: [], pods: [coredns] }), {});
    const dnsColumns = columns.filter((c) => c.kind === 'dns');
    assert.equal(dnsColumns.length, 2);
    for (const c of dnsColumns) assert.ok(c.endpoint.kind === 'pod' && c.endpoint.pod.name === 'coredns-1' && !c.endpoint.pod.hypothetical, c.id);
  });
});
