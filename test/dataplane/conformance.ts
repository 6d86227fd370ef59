// Every scenario of scenarios.ts on real packets: the baseline is all open (the responders
// listen), then with the operator's policies the measured matrix equals the evaluator's cell for
// cell, and the flows the product promises come out as promised.
import assert from 'node:assert/strict';
import { SCENARIOS } from './scenarios.js';
import { cellKey } from './lib/measure.js';
import { runScenario } from './lib/run-scenario.js';
import { currentWorld } from './lib/shared-node.js';
import { tableDiff } from './lib/verdicts.js';

export function describeConformance(): void {
  describe('scenarios: the operator\'s policies enforced by kube-router', function () {
    this.timeout(120_000);
    for (const scenario of SCENARIOS) {
      it(`${scenario.id}: ${scenario.title}`, async function () {
        const { node, shared } = currentWorld();
        const run = await runScenario(node, shared, scenario);
        const closed = [...run.baseline.allowed].filter(([, open]) => !open).map(([k]) => `${k} [${run.baseline.raw.get(k)}]`);
        assert.deepEqual(closed, [], `with no policy every flow must be open (the responders listen); closed:\n${closed.join('\n')}`);
        const diff = tableDiff({ name: 'measured', table: run.measured.allowed }, { name: 'evaluator', table: run.evaluated }, run.measured.raw);
        assert.deepEqual(diff, [], `measured != evaluator on ${diff.length} of ${run.cells.length} cells:\n${diff.join('\n')}\npolicies:\n${JSON.stringify(run.readBack.policies.map((p) => ({ ns: p.metadata?.namespace, name: p.metadata?.name, spec: p.spec })), null, 1)}`);
        const promised = scenario.expect.map((f) => ({ key: cellKey({ from: { id: f.from }, to: { id: f.to }, port: f.port, protocol: f.protocol ?? 'TCP' }), allowed: f.allowed }));
        const broken = promised.filter((p) => run.measured.allowed.get(p.key) !== p.allowed).map((p) => `${p.key}: promised ${p.allowed ? 'allowed' : 'denied'}, measured ${run.measured.raw.get(p.key)}`);
        assert.deepEqual(broken, [], broken.join('\n'));
        // The evaluator's default (conservative) ipBlock reading differs only where the scenario says so.
        const conservative = tableDiff({ name: 'measured', table: run.measured.allowed }, { name: 'conservative evaluator', table: run.evaluatedConservative })
          .map((line) => line.split(':')[0]!);
        const dependent = (scenario.readingDependent ?? []).map((f) => cellKey({ from: { id: f.from }, to: { id: f.to }, port: f.port, protocol: f.protocol ?? 'TCP' })).sort();
        assert.deepEqual(conservative, dependent, 'cells where the conservative ipBlock reading differs from the packets');
        const count = (result: string) => [...run.measured.raw.values()].filter((r) => r.startsWith(result)).length;
        process.stderr.write(`      [${scenario.id}] ${run.cells.length} cells (${count('open')} open, ${count('refused')} refused, ${count('timeout')} timed out); baseline ${run.baseline.ms} ms; policies in the API ${run.policiesMs} ms after the profile; data plane = evaluator ${run.enforcedMs} ms later; final table ${run.measured.ms} ms\n`);
      });
    }
  });
}
