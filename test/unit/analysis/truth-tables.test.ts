// Truth tables in the layout of the upstream network-policy e2e suite (namespaces x/y/z, pods a/b/c).
// Rows are sources, columns destinations, in the order x/a x/b x/c y/a ... z/c; `.` allowed, `X` denied.
import { ALL_ALLOWED, assertTable, policy } from './fixtures/xyz-cluster.js';

const denyAllIngressX = policy('x', 'deny-all-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const podA = { matchLabels: { pod: 'a' } };

describe('truth tables (upstream e2e layout)', () => {
  it('no policies: everything reaches everything', () => {
    assertTable([], 80, ALL_ALLOWED);
  });

  it('allow-all ingress unions with deny-all ingress to allow everything', () => {
    const allowAll = policy('x', 'allow-all', { podSelector: {}, ingress: [{}] });
    assertTable([denyAllIngressX, allowAll], 80, ALL_ALLOWED);
  });

  it('deny-all ingress in x blocks every source, including x itself', () => {
    assertTable([denyAllIngressX], 80, Array<string>(9).fill('XXX ... ...'));
  });

  it('deny-all egress in x blocks every destination from x', () => {
    const denyEgress = policy('x', 'deny-all-egress', { podSelector: {}, policyTypes: ['Egress'] });
    assertTable([denyEgress], 80, ['XXX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX', ...Array<string>(6).fill('... ... ...')]);
  });

  it('allow from the same namespace only', () => {
    const sameNs = policy('x', 'allow-same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    assertTable([sameNs], 80, [...Array<string>(3).fill('... ... ...'), ...Array<string>(6).fill('XXX ... ...')]);
  });

  it('allow from other namespaces by label (NotIn)', () => {
    const others = policy('x', 'allow-other-ns', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } }] }],
    });
    assertTable([others], 80, [...Array<string>(3).fill('XXX ... ...'), ...Array<string>(6).fill('... ... ...')]);
  });

  it('podSelector and namespaceSelector in one peer are AND', () => {
    const and = policy('x', 'and', {
      podSelector: podA,
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
    });
    const rows = Array<string>(9).fill('X.. ... ...');
    rows[4] = '... ... ...'; // y/b
    assertTable([and], 80, rows);
  });

  it('podSelector and namespaceSelector in two peers are OR', () => {
    const or = policy('x', 'or', {
      podSelector: podA,
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }],
    });
    assertTable([or], 80, ['X.. ... ...', '... ... ...', 'X.. ... ...', '... ... ...', '... ... ...', '... ... ...', 'X.. ... ...', 'X.. ... ...', 'X.. ... ...']);
  });

  describe('named ports', () => {
    const named = policy('x', 'named-ingress', { podSelector: podA, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] });
    it('ingress on serve-81-tcp admits 81/TCP', () => assertTable([named], 81, ALL_ALLOWED));
    it('ingress on serve-81-tcp does not admit 80/TCP', () => assertTable([named], 80, Array<string>(9).fill('X.. ... ...')));
    it('ingress on serve-81-tcp does not admit 81/UDP', () => assertTable([named], 81, Array<string>(9).fill('X.. ... ...'), 'UDP'));

    const namedEgress = policy('x', 'named-egress', {
      podSelector: podA,
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 'serve-81-udp' }] }],
    });
    it('egress named ports resolve on the destination pod (81/UDP allowed)', () => assertTable([namedEgress], 81, ALL_ALLOWED, 'UDP'));
    it('egress named ports resolve on the destination pod (80/UDP denied)', () => {
      assertTable([namedEgress], 80, ['XXX XXX XXX', ...Array<string>(8).fill('... ... ...')], 'UDP');
    });
  });

  describe('endPort ranges', () => {
    const range = policy('x', 'range', { podSelector: podA, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] });
    const blockedA = ['XXX XXX XXX', ...Array<string>(8).fill('... ... ...')];
    it('admits the first port of the range', () => assertTable([range], 80, ALL_ALLOWED));
    it('admits the last port of the range', () => assertTable([range], 81, ALL_ALLOWED));
    it('rejects the port after the range', () => assertTable([range], 82, blockedA));
    it('rejects the port before the range', () => assertTable([range], 79, blockedA));
    it('rejects another protocol', () => assertTable([range], 80, blockedA, 'UDP'));
  });

  it('ipBlock never admits a pod peer (conservative), even when the pod IP is inside the block', () => {
    const block = policy('x', 'ipblock', {
      podSelector: podA,
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }] }],
    });
    assertTable([block], 80, ['XXX XXX XXX', ...Array<string>(8).fill('... ... ...')]);
  });

  it('several policies selecting one pod allow the union of their rules', () => {
    const fromB = policy('x', 'from-b', { podSelector: podA, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] });
    const fromY = policy('x', 'from-y', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] });
    assertTable([fromB, fromY], 80, ['X.. ... ...', '... ... ...', 'X.. ... ...', '... ... ...', '... ... ...', '... ... ...', 'X.. ... ...', 'X.. ... ...', 'X.. ... ...']);
  });

  it('pod to pod needs both the egress of the source and the ingress of the destination', () => {
    const yFromX = policy('y', 'from-x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] });
    const xToZ = policy('x', 'to-z', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] });
    assertTable([yFromX, xToZ], 80, [...Array<string>(3).fill('XXX XXX ...'), ...Array<string>(6).fill('... XXX ...')]);
  });

  it('policyTypes omitted with egress rules isolates both directions', () => {
    const both = policy('x', 'implicit-both', { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] });
    assertTable([both], 80, [...Array<string>(3).fill('XXX XXX XXX'), ...Array<string>(6).fill('XXX ... ...')]);
  });

  it('policyTypes omitted with an empty egress list isolates ingress only', () => {
    const ingressOnly = policy('x', 'implicit-ingress', { podSelector: {}, egress: [] });
    assertTable([ingressOnly], 80, Array<string>(9).fill('XXX ... ...'));
  });

  it('policyTypes [Egress] ignores ingress rules', () => {
    const egressOnly = policy('x', 'egress-only', { podSelector: {}, policyTypes: ['Egress'], ingress: [], egress: [{}] });
    assertTable([egressOnly], 80, ALL_ALLOWED);
  });
});
