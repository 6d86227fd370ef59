// The point of the guardrails: with a cluster-scoped backend, a namespace admin's NetworkPolicy that
// allows all egress cannot reopen the metadata endpoint. For generated profiles and each backend, the
// evaluator (guardrail semantics on top of NetworkPolicy) on render's output plus such a policy: a
// targeted pod reaches the endpoint on TCP 80 exactly when a metadata exception admits it there.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { V1Pod } from '@kubernetes/client-node';
import { segmentationProfileSchema } from '../../../../src/api/profile.js';
import { compileProfile, renderNamespace } from '../../../../src/compile/render.js';
import { renderAllGuardrails } from '../../../../src/compile/guardrails/index.js';
import { selectorMatches } from '../../../../src/compile/select.js';
import { buildClusterModel, type Endpoint } from '../../../../src/analysis/model.js';
import type { PolicyObject } from '../../../../src/api/networkpolicy.js';
import { parseIp } from '../../../../src/analysis/cidr.js';
import { portsAdmit } from '../../../../src/analysis/policy-rules.js';
import { evaluateConnection } from '../../../../src/analysis/evaluate.js';
import { ARBITRARY_FACTS, arbitraryGuardrailProfileInput, arbitraryNamespace } from '../../compile/arbitraries.js';
import { ports as toPorts } from '../../../../src/compile/builders.js';

const labelsArb = fc.dictionary(fc.constantFrom('app', 'team', 'tier', 'example.com/role'), fc.constantFrom('a', 'b', 'backend', 'database', 'prod', 'dev'), { maxKeys: 3 });
const tcp80 = { protocol: 'TCP' as const, port: 80 };

for (const backend of ['Cilium', 'ClusterNetworkPolicy', 'Calico'] as const) {
  describe(`guardrails: a user's allow-all egress policy cannot reopen the metadata endpoint (${backend})`, () => {
    it('a targeted pod reaches it on TCP 80 exactly when an exception admits it there; untargeted pods are not guarded', () => {
      let guarded = 0;
      fc.assert(
        fc.property(arbitraryGuardrailProfileInput(backend), arbitraryNamespace(), labelsArb, (input, ns, podLabels) => {
          const spec = input.spec as { instanceMetadata?: { deny: boolean } };
          const profileInput = { ...input, spec: { ...spec, instanceMetadata: { ...(spec.instanceMetadata ?? {}), deny: true } } };
          const result = compileProfile(segmentationProfileSchema.parse(profileInput), ARBITRARY_FACTS, { guardrails: {} });
          if (!result.ok) return;
          const compiled = result.compiled;
          const entries = (compiled.profile.spec.instanceMetadata.allowFrom ?? []).filter((e) => selectorMatches(e.podSelector, podLabels) && selectorMatches(e.namespaceSelector ?? {}, ns.labels));
          // Cilium's known limit (docs/guardrails.md): a pod in two exceptions with different ports gets the intersection.
          if (backend === 'Cilium' && entries.length > 1 && new Set(entries.map((e) => JSON.stringify(e.ports ?? []))).size > 1) return;
          const userPolicy: PolicyObject = { metadata: { name: 'team-allow-all-egress', namespace: ns.name }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } };
          const pod: V1Pod = { metadata: { name: 'p', namespace: ns.name, labels: podLabels }, status: { podIP: '10.9.0.1' } };
          const model = buildClusterModel({ policies: [...renderNamespace(compiled, ns), userPolicy], namespaces: [{ metadata: { name: ns.name, labels: ns.labels } }], pods: [pod], guardrails: renderAllGuardrails([compiled]) });
          const targeted = selectorMatches(compiled.targetedNamespaces, ns.labels);
          const excepted = entries.some((e) => portsAdmit(toPorts(e.ports), tcp80, undefined));
          for (const cidr of compiled.profile.spec.instanceMetadata.cidrs) {
            const to: Endpoint = { kind: 'ip', ip: parseIp(cidr.split('/')[0]!)! };
            const decision = evaluateConnection(model, { kind: 'pod', pod: model.pods[0]! }, to, tcp80);
            assert.equal(decision.allowed, !targeted || excepted, `${cidr}: ${JSON.stringify(decision.guardrails?.egress ?? decision.egress)}`);
            if (targeted && !excepted) guarded++;
          }
        }),
        { numRuns: 300 },
      );
      assert.ok(guarded > 50, `only ${guarded} guarded cases generated`);
    });
  });
}
