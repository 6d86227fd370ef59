// A bounded property on the real data plane: for random profiles (default deny per direction, the
// metadata block and an exception, nodeAccess, apiServer access, allow rules between pods, to ranges
// and from ranges) and random pod labels, what kube-router enforces from the operator's policies equals what
// the evaluator says, cell for cell. 5 runs (each a real scenario of about 2-3 s) with a fixed seed
// on CI and a random one locally; DATAPLANE_PROPERTY_SEED and DATAPLANE_PROPERTY_RUNS override both. A failure
// prints the counterexample (shrunk within a time limit, as every shrinking step is another real run;
// running out of that time before the runs are done fails too).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SegmentationProfileInput } from '../../src/api/profile.js';
import { targetLabel, targets, type Scenario } from './scenarios.js';
import { runScenario } from './lib/run-scenario.js';
import { onCi } from './lib/prerequisites.js';
import { currentWorld } from './lib/shared-node.js';
import { tableDiff } from './lib/verdicts.js';
import type { PortSpec } from './lib/topology.js';

const CI_SEED = 20261130;
const APPS = ['a', 'b', 'c'] as const;
const PORTS: PortSpec[] = [
  { port: 80, protocol: 'TCP', name: 'http' },
  { port: 5432, protocol: 'TCP' },
];

type Rule = NonNullable<SegmentationProfileInput['spec']['allow']>[number];

const appSelector = fc.constantFrom(...APPS).map((app) => ({ matchLabels: { app } }));
const ports = fc.constantFrom<Rule['ports']>(undefined, [{ protocol: 'TCP', port: 80 }], [{ protocol: 'TCP', port: 5432 }], [{ protocol: 'TCP', port: 'http' }], [{ protocol: 'TCP', port: 80, endPort: 6000 }]);
const cidr = fc.constantFrom('203.0.113.0/24', '10.244.0.0/16', '0.0.0.0/0');

const rule = (i: number, nsNames: string[]): fc.Arbitrary<Rule> =>
  fc.record({
    fromSel: appSelector,
    fromNs: fc.option(fc.constantFrom(...nsNames), { nil: undefined }),
    // A source range (ingress from outside: the external API host, or the node subnet); only with pods as `to`.
    fromCidr: fc.option(fc.constantFrom('203.0.113.0/24', '10.240.0.0/24'), { nil: undefined, freq: 3 }),
    to: fc.oneof(
      fc.record({ podSelector: fc.oneof(appSelector, fc.constant({})), ns: fc.option(fc.constantFrom(...nsNames), { nil: undefined }) }).map((t) => ({ podSelector: t.podSelector, ...(t.ns ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.ns } } } : {}) })),
      cidr.map((c) => ({ ipBlock: { cidr: c } })),
    ),
    ports,
  }).map((r) => ({
    name: `r${i}`,
    from:
      r.fromCidr && !('ipBlock' in r.to)
        ? { ipBlock: { cidr: r.fromCidr } }
        : { podSelector: r.fromSel, ...(r.fromNs ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.fromNs } } } : {}) },
    to: r.to,
    ...(r.ports ? { ports: r.ports } : {}),
  }));

let counter = 0;

/** A random scenario: two targeted namespaces and one untargeted, 3-4 pods, a random profile. */
function scenarioArb(): fc.Arbitrary<Scenario> {
  return fc.integer({ min: 0, max: 1_000_000 }).chain(() => {
    const id = `prop${process.pid % 1000}x${counter++}`;
    const ns = [`${id}-a`, `${id}-b`, `${id}-c`];
    return fc
      .record({
        ingress: fc.boolean(),
        egress: fc.boolean(),
        metadata: fc.boolean(),
        metadataException: fc.option(appSelector, { nil: undefined }),
        nodeAccess: fc.boolean(),
        apiServer: fc.option(appSelector, { nil: undefined }),
        rules: fc.integer({ min: 0, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => rule(i, ns.slice(0, 2))))),
        pods: fc.array(fc.record({ ns: fc.constantFrom(...ns), app: fc.constantFrom(...APPS) }), { minLength: 3, maxLength: 4 }),
      })
      .map(
        (g): Scenario => ({
          id,
          title: 'generated',
          profile: { ...targets(id), defaultDeny: { ingress: g.ingress, egress: g.egress }, instanceMetadata: { deny: g.metadata, ...(g.metadataException ? { allowFrom: [{ podSelector: g.metadataException }] } : {}) }, ...(g.nodeAccess ? { nodeAccess: { cidrs: ['10.240.0.0/24'] } } : {}), ...(g.apiServer ? { apiServer: { allowFrom: [{ podSelector: g.apiServer }] } } : {}), allow: g.rules },
          namespaces: { [ns[0]!]: targetLabel(id), [ns[1]!]: targetLabel(id), [ns[2]!]: {} },
          pods: g.pods.map((p, i) => ({ namespace: p.ns, name: `p${i}-${p.app}`, labels: { app: p.app }, ports: PORTS })),
          expect: [],
        }),
      );
  });
}

export function describeProperty(): void {
  describe('property: random profiles and pod labels, measured == evaluator', function () {
    // Fixed on CI (reproducible); a fresh one locally, printed in the test title to replay it.
    const seed = Number(process.env.DATAPLANE_PROPERTY_SEED ?? (onCi() ? CI_SEED : Math.floor(Math.random() * 2 ** 31)));
    const numRuns = Number(process.env.DATAPLANE_PROPERTY_RUNS ?? 5);
    this.timeout(numRuns * 60_000 + 180_000);
    it(`holds for ${numRuns} generated scenarios (seed ${seed})`, async function () {
      const { node, shared } = currentWorld();
      await fc.assert(
        fc.asyncProperty(scenarioArb(), async (scenario) => {
          const run = await runScenario(node, shared, scenario);
          const closed = [...run.baseline.allowed].filter(([, open]) => !open).map(([k]) => k);
          assert.deepEqual(closed, [], 'baseline must be all open');
          const diff = tableDiff({ name: 'measured', table: run.measured.allowed }, { name: 'evaluator', table: run.evaluated }, run.measured.raw);
          assert.deepEqual(diff, [], `measured != evaluator:\n${diff.join('\n')}`);
          const denied = [...run.measured.allowed.values()].filter((v) => !v).length;
          const rules = (scenario.profile.allow ?? []).map((r) => `${JSON.stringify(r.from)}->${JSON.stringify(r.to)}${r.ports ? JSON.stringify(r.ports) : ''}`).join(' ');
          const extra = `${scenario.profile.instanceMetadata?.allowFrom ? ` metadata exception ${JSON.stringify(scenario.profile.instanceMetadata.allowFrom[0]?.podSelector)}` : ''}${scenario.profile.nodeAccess ? ' nodeAccess 10.240.0.0/24' : ''}${scenario.profile.apiServer ? ` apiServer ${JSON.stringify(scenario.profile.apiServer.allowFrom[0]?.podSelector)}` : ''}`;
          process.stderr.write(`        [${scenario.id}] deny ${JSON.stringify(scenario.profile.defaultDeny)} metadata ${scenario.profile.instanceMetadata?.deny}${extra}; ${run.cells.length} cells, ${denied} denied; rules: ${rules || 'none'}\n`);
        }),
        { seed, numRuns, interruptAfterTimeLimit: numRuns * 45_000 + 120_000, markInterruptAsFailure: true, verbose: 2 },
      );
    });
  });
}
